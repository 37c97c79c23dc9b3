"""The blank workbook template and the reference pages of the input and plan formats.

They are generated from the schema declaration (:func:`emsplan.data.schema.tables`,
:func:`emsplan.data.schema.settings`, :func:`emsplan.data.schema.outputs`,
:func:`emsplan.data.schema.summary_keys`) and nothing else, so they cannot drift from
what the readers accept and the plan writer writes. Regenerate the committed pages with::

    python -m emsplan.data.reference docs/data-format.md
    python -m emsplan.data.reference --plan docs/plan-format.md

(``tests/test_quality.py`` fails when a committed page is stale.)
"""

from __future__ import annotations

import sys
from pathlib import Path

from emsplan.data import schema
from emsplan.data.readers import README
from emsplan.data.writers import atomic_save

#: Title of the first sheet of the template; the readers skip it.
README_SHEET = "README"

_TYPE_WORDS = {"str": "text", "float": "number", "int": "whole number"}
_OUTPUT_TYPE_WORDS = {
    **_TYPE_WORDS,
    "bool": "True or False",
    "object": "object",
    "list": "list of text",
}

#: The general rules of the format, in the order the reference page lists them.
GENERAL_RULES: tuple[str, ...] = (
    "A network is given either as one `.xlsx` workbook with one sheet per table, or as a "
    "folder of UTF-8 `.csv` files named after the tables (`periods.csv`, `items.csv`, ...). "
    "`emsplan template network.xlsx` writes a blank workbook with every table's header row.",
    "The first row of a sheet (the first line of a CSV file) holds the column names. Names of "
    "tables and columns are matched ignoring case and surrounding blanks; columns may come in "
    "any order.",
    "Tables, sheets, files and columns that are not declared here are ignored with a warning. "
    "A sheet or file named `README` is skipped silently.",
    "Tables marked *required* must be present; the others may be left out or left empty. A "
    "required column must be present in its table, and its cells must not be blank.",
    "A blank cell takes the column's default when it has one. Otherwise it stays blank, and "
    "the column's description says what blank means. Rows that are wholly blank are skipped.",
    "Text columns keep what is typed, less surrounding blanks; line breaks are read as one "
    "line feed. A number typed in a text column is read as its text (`12`, `1.5`): format "
    "code columns as text in Excel so that codes like `0012` keep their leading zeros.",
    "Number columns take numbers or text that reads as one (`1500`, `0.15`, `1e-3`); "
    "thousands separators, `NaN`, `inf`, booleans and dates are not numbers. Numbers larger "
    "in magnitude than 1e12 are rejected as typing errors. Whole-number columns take whole "
    "numbers only.",
    "Keys: the columns marked *key* together identify a row; no two rows of a table may "
    "share a key. A blank cell in an optional key column is part of the key (it usually means "
    "'any').",
    "The row order of `periods` is time order; the order of rows in other tables does not matter.",
    "Money columns are in the currency of the `currency` setting (units below say INR, the "
    "default).",
    "Errors are reported all at once, before anything is planned: each names the table, the "
    "row (its spreadsheet row number, the header being row 1, and its key), the column, the "
    "bad value and what is allowed. Errors must be fixed; warnings are shown and do not stop "
    "anything. `emsplan validate PATH` prints them and exits with code 2 if there are errors.",
)


# -- shared descriptions ---------------------------------------------------------------
def _allowed(column: schema.Column) -> str:
    if column.allowed:
        return "one of " + ", ".join(column.allowed)
    if column.range is not None:
        return column.range.describe()
    return ""


def _refers(column: schema.Column) -> str:
    if column.ref is None:
        return ""
    text = f"{column.ref[0]}.{column.ref[1]}"
    if column.ref_kind:
        text += f" (kind {' or '.join(column.ref_kind)})"
    return text


def _default(column: schema.Column) -> str:
    if column.default is None:
        return ""
    if isinstance(column.default, float):
        return f"{column.default:g}"
    return str(column.default)


def header_note(column: schema.Column) -> str:
    """The comment on a column's header cell in the template."""
    lines = [
        f"{column.name}: {_TYPE_WORDS[column.type]}"
        + (", required" if column.required else ", optional")
        + (", part of the key" if column.key else "")
    ]
    if column.unit:
        lines.append(f"Unit: {column.unit}")
    if column.default is not None:
        lines.append(f"Default when blank: {_default(column)}")
    if column.allowed:
        lines.append(f"Allowed: {', '.join(column.allowed)}")
    if column.range is not None:
        lines.append(f"Range: {column.range.describe()}")
    if column.ref is not None:
        lines.append(f"Refers to: {_refers(column)}")
    lines.append(column.description)
    return "\n".join(lines)


# -- the workbook template -------------------------------------------------------------
def write_template(path: str | Path) -> Path:
    """Write a blank input workbook to ``path`` (an ``.xlsx`` file).

    The first sheet, ``README``, explains the workbook and lists the tables; it
    is skipped when the workbook is read. Then comes one sheet per table with
    its header row, each header cell carrying a comment with the column's type,
    unit, default, whether it is required, what it allows, what it refers to
    and its description. The ``settings`` sheet is pre-filled with every
    declared setting and its default.

    Parameters
    ----------
    path : where to write; missing parent folders are created.

    Returns
    -------
    The path written.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    path = Path(path)
    book = openpyxl.Workbook()
    readme = book.active
    assert readme is not None
    readme.title = README_SHEET
    assert README_SHEET.lower() == README
    lines = [
        "emsplan input workbook",
        "",
        "One sheet per table; row 1 of each sheet holds the column names. Point at a header "
        "cell to see the column's type, unit, default and what it allows.",
        "Fill in the rows below the headers. Blank cells take the column's default; tables "
        "that are not needed can stay empty.",
        "The row order of the periods sheet is time order.",
        "This README sheet is skipped when the workbook is read; other sheets not listed "
        "below are ignored with a warning.",
        "Check the workbook with:  emsplan validate <this file>",
        "The full reference of the format is docs/data-format.md in the emsplan repository.",
        "",
    ]
    for line in lines:
        readme.append([line])
    readme["A1"].font = Font(bold=True, size=14)
    readme.append(["table", "required", "description"])
    for cell in readme[readme.max_row]:
        cell.font = Font(bold=True)
    for table in schema.tables().values():
        readme.append([table.name, "yes" if table.required else "no", table.description])
    readme.column_dimensions["A"].width = 14
    readme.column_dimensions["B"].width = 10
    readme.column_dimensions["C"].width = 120

    for table in schema.tables().values():
        sheet = book.create_sheet(title=table.name)
        sheet.append(list(table.column_names))
        for cell, column in zip(sheet[1], table.columns, strict=True):
            cell.font = Font(bold=True)
            cell.comment = Comment(header_note(column), "emsplan", width=320, height=160)
            width = max(len(column.name) + 2, 12)
            sheet.column_dimensions[cell.column_letter].width = width
        if table.name == "settings":
            for setting in schema.settings().values():
                sheet.append([setting.name, setting.default])
        sheet.freeze_panes = "A2"
    atomic_save(path, book.save)
    return path


# -- the reference page ----------------------------------------------------------------
def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _table_section(table: schema.Table) -> list[str]:
    out = [
        f"### {table.name}" + (" (required)" if table.required else ""),
        "",
        table.description,
        "",
        "Key: " + ", ".join(f"`{k}`" for k in table.key) + ".",
        "",
        "| column | type | unit | default | required | allowed / range | refers to | description |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in table.columns:
        cells = [
            f"`{c.name}`" + (" (key)" if c.key else ""),
            _TYPE_WORDS[c.type],
            c.unit,
            _default(c),
            "yes" if c.required else "no",
            _allowed(c),
            _refers(c),
            c.description,
        ]
        out.append("| " + " | ".join(_md(x) for x in cells) + " |")
    out.append("")
    return out


def data_format_markdown() -> str:
    """The reference page of the input format (``docs/data-format.md``), as Markdown."""
    tables = schema.tables()
    out = [
        "# emsplan input data format",
        "",
        "<!-- Generated from src/emsplan/data/schema/*.csv by "
        "`python -m emsplan.data.reference docs/data-format.md`; do not edit by hand. -->",
        "",
        "This page lists every table of an emsplan network, its columns and what they "
        "accept. It is generated from the schema declaration that the readers and the "
        "validation use, so it is always what the software accepts.",
        "",
        "## General rules",
        "",
        *(f"- {rule}" for rule in GENERAL_RULES),
        "",
        "## Tables",
        "",
        "| table | required | description |",
        "| --- | --- | --- |",
        *(
            f"| [`{t.name}`](#{t.name}{'-required' if t.required else ''}) | "
            f"{'yes' if t.required else 'no'} | {_md(t.description)} |"
            for t in tables.values()
        ),
        "",
    ]
    for table in tables.values():
        out.extend(_table_section(table))
    out.extend(
        [
            "## Settings",
            "",
            "The `settings` table holds (setting, value) pairs; a setting that is not given "
            "takes its default.",
            "",
            "| setting | type | default | allowed | description |",
            "| --- | --- | --- | --- | --- |",
            *(
                "| "
                + " | ".join(
                    _md(x)
                    for x in (
                        f"`{s.name}`",
                        _TYPE_WORDS[s.type],
                        s.default,
                        ", ".join(s.allowed),
                        s.description,
                    )
                )
                + " |"
                for s in schema.settings().values()
            ),
            "",
        ]
    )
    return "\n".join(out)


# -- the reference page of the plan --------------------------------------------------
#: What a written plan holds and how to read it, in the order the plan page lists them.
PLAN_RULES: tuple[str, ...] = (
    "`emsplan plan NETWORK --out DIR` (or `plan.write(DIR)` in Python) writes one file per "
    "table below, named after it: CSV (`purchases.csv`, ...) or, with `--format parquet`, "
    "Parquet (`purchases.parquet`, ...). Every table is written, in this order, with these "
    "columns in this order; a table with no rows is written as its header alone. Without "
    "`--out`, `emsplan plan india-2023.xlsx` writes into `india-2023-plan/` in the current "
    "folder, and says so.",
    "A plan folder holds exactly one whole plan: the new plan is written into a hidden "
    "folder beside it (`.DIR.emsplan-new.*`) and takes the folder's place in one step, so "
    "no file of an earlier plan (of the other format, or its `plan.xlsx`) stays beside the "
    "new ones, and a command killed at any moment leaves the earlier plan or the new one, "
    "never a mix (killed in the instant of the swap, the new one waits beside the folder); "
    "the next write finishes or removes what it left. Only a new or empty "
    "folder, or one holding an earlier plan (its `summary.json` and only files named "
    "here), is replaced; any other folder is refused (exit code 2) and left as it is.",
    "Files are created with the modes every program gets from the umask (0644 under the "
    "usual umask 022, the workbook too).",
    "`plan.xlsx` holds the same tables, one sheet each; it is left out of large plans unless "
    "`--workbook` asks for it.",
    "`summary.json` holds the plan's headline facts (below); `solution.sol` (a plan with "
    "discrete decisions solved by HiGHS) is the solver's solution, a warm start for "
    "`--warm-start`.",
    "Quantities below 1e-7 are solver noise: rows of purchases, production, flows, "
    "inventory and unmet demand with less are not written.",
    "Money is in the currency of the network's `currency` setting (`currency` in "
    "`summary.json`); shares are fractions (0.15 for 15%); units are units of the row's item.",
    "Periods are the labels of the network's `periods` table; `all` stands for the whole horizon.",
    "A blank cell is a value that does not apply (no target, no share of a zero value, no "
    "supplier); the column's description says when.",
    "CSV cells are written as they are: a text cell that begins with `=`, `+`, `-` or `@` (a "
    "name in the network, such as a supplier `=SUM(A1)`) stays so, and a spreadsheet that "
    "opens the CSV file may run it as a formula (CSV injection). `plan.xlsx` is safe: it "
    "stores every text cell as text. `--excel-safe-csv` (`plan.write(DIR, "
    "excel_safe_csv=True)`) writes such cells of text columns, and those beginning with a "
    "tab or a carriage return, with a leading `'` (as OWASP recommends), which spreadsheets "
    "show as text; numbers such as -5 are never changed, and a program reading the CSV "
    "then reads the `'` too.",
)


def _output_section(table: schema.OutputTable) -> list[str]:
    out = [
        f"### {table.name}",
        "",
        table.description,
        "",
        "| column | type | unit | description |",
        "| --- | --- | --- | --- |",
    ]
    for c in table.columns:
        cells = [f"`{c.name}`", _OUTPUT_TYPE_WORDS[c.type], c.unit, c.description]
        out.append("| " + " | ".join(_md(x) for x in cells) + " |")
    out.append("")
    return out


def _summary_section() -> list[str]:
    return [
        "## summary.json",
        "",
        "One JSON object; a dotted key (`timings.total`) is a key of the object named before "
        "the dot.",
        "",
        "| key | type | unit | description |",
        "| --- | --- | --- | --- |",
        *(
            "| "
            + " | ".join(
                _md(x) for x in (f"`{k.name}`", _OUTPUT_TYPE_WORDS[k.type], k.unit, k.description)
            )
            + " |"
            for k in schema.summary_keys()
        ),
        "",
    ]


def plan_format_markdown() -> str:
    """The reference page of a written plan (``docs/plan-format.md``), as Markdown."""
    outputs = schema.outputs()
    out = [
        "# emsplan plan format",
        "",
        "<!-- Generated from src/emsplan/data/schema/output*.csv by "
        "`python -m emsplan.data.reference --plan docs/plan-format.md`; do not edit by hand. -->",
        "",
        "This page lists every table of a plan, its columns and what they mean, and the keys "
        "of `summary.json`. It is generated from the declaration that the plan writer uses, "
        "so it is always what a plan holds. The model behind the figures is described in "
        "[model.md](model.md); the input tables in [data-format.md](data-format.md).",
        "",
        "## General rules",
        "",
        *(f"- {rule}" for rule in PLAN_RULES),
        "",
        "## Tables",
        "",
        "| table | description |",
        "| --- | --- |",
        *(f"| [`{t.name}`](#{t.name}) | {_md(t.description)} |" for t in outputs.values()),
        "",
    ]
    for table in outputs.values():
        out.extend(_output_section(table))
    out.extend(_summary_section())
    return "\n".join(out)


# -- the command -----------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Write a reference page: ``python -m emsplan.data.reference [--plan] [PATH]``.

    Without ``--plan`` the input format (``docs/data-format.md``), with it the plan
    format (``docs/plan-format.md``); to PATH, else to stdout."""
    args = list(sys.argv[1:] if argv is None else argv)
    plan = "--plan" in args
    if plan:
        args.remove("--plan")
    text = plan_format_markdown() if plan else data_format_markdown()
    if not args:
        sys.stdout.write(text)
        return 0
    target = Path(args[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
