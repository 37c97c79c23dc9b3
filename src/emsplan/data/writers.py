"""Write tables: an ``.xlsx`` workbook (one sheet per table) or a folder of ``.csv``
files, for networks and plans alike; and write a whole folder in one step
(:func:`write_folder`, for plans).

Writing is atomic: the result appears complete, or not at all. Every file and folder
is created as ``open`` and ``mkdir`` create them, with the modes 0666 and 0777 less the
umask (0644 and 0755 under the usual umask 022, 0600 and 0700 under 077), whether it
was written in place or beside and moved in.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emsplan.data import xlsx

#: Suffixes read and written as workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a network's tables (empty ones as headers only) to an ``.xlsx`` workbook, or
    to a folder of CSV files (any other path); atomic."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        write_workbook(dict(tables), path)
    else:
        write_csv_folder(dict(tables), path)
    return path


def write_workbook(
    tables: dict[str, pd.DataFrame], path: Path, notes: dict[str, list[str]] | None = None
) -> None:
    """Write frames as sheets of one workbook, atomically.

    ``notes`` optionally gives, per sheet, a comment for each header cell. Plain tables
    (numbers, booleans, text; no notes) are streamed by :mod:`emsplan.data.xlsx`, 5 to
    10 times faster; others go through openpyxl, with the same header, widths and frozen
    pane.
    """
    if notes is None and xlsx.supported(tables):
        atomic_save(path, lambda name: xlsx.write(tables, name))
        return
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    for blank_sheet in list(book.worksheets):
        book.remove(blank_sheet)
    for name, frame in tables.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for pos, cell in enumerate(sheet[1]):
            if notes and name in notes and pos < len(notes[name]):
                cell.comment = Comment(notes[name][pos], "emsplan", width=300, height=120)
        for number, row in enumerate(frame.itertuples(index=False), start=2):
            values = [_cell(v) for v in row]
            sheet.append(values)
            for pos, value in enumerate(values):
                if _needs_care(value):  # by row number: sheet.max_row scans every cell
                    _set_exactly(sheet.cell(number, pos + 1), value)
        for pos, column in enumerate(frame.columns):
            width = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:200, pos])])
            sheet.column_dimensions[sheet.cell(1, pos + 1).column_letter].width = min(
                max(width + 2, 8), 60
            )
        sheet.freeze_panes = "A2"
    atomic_save(path, book.save)


def _needs_care(value: Any) -> bool:
    """True for values openpyxl would not store as given (see :func:`_set_exactly`)."""
    if isinstance(value, str):
        return value.startswith("=")
    if isinstance(value, float):
        return float(f"{value:.16g}") != value
    return False


def _set_exactly(cell: Any, value: Any) -> None:
    """Store ``value`` in ``cell`` as itself.

    openpyxl stores text that starts with ``=`` as a formula (read back blank,
    and a formula-injection risk), and numbers with 16 significant digits
    (``0.1 + 0.2`` comes back as ``0.3``). Text is forced to be text; a float
    that needs 17 digits is stored through its shortest exact ``repr``, which
    the cell writer passes through unchanged (a workbook's XML holds the
    digits; Excel shows 15 of them).
    """
    if isinstance(value, str):
        cell.data_type = "s"
    else:
        cell._value = repr(value)
        cell.data_type = "n"


def atomic_save(path: Path, save: Any) -> None:
    """``save(name)`` writes a file under a new name beside ``path``, which then replaces
    ``path``; the file's mode is 0666 less the umask (:func:`new_file`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_file(path.parent, f".{path.name}.", path.suffix)
    try:
        save(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def new_file(directory: Path, prefix: str, suffix: str = "") -> Path:
    """A new empty file in ``directory``, named ``prefix``, a random token and ``suffix``,
    created with mode 0666 less the umask, as ``open`` creates files
    (:func:`tempfile.mkstemp` makes them 0600 whatever the umask)."""
    while True:
        path = directory / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return path


def new_folder(directory: Path, prefix: str) -> Path:
    """A new empty folder in ``directory``, named ``prefix`` and a random token, created
    with mode 0777 less the umask, as ``mkdir`` creates folders
    (:func:`tempfile.mkdtemp` makes them 0700 whatever the umask)."""
    while True:
        path = directory / f"{prefix}{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            continue
        return path


def write_csv_folder(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write frames as ``<name>.csv`` files in a folder.

    The files are written to a temporary folder beside ``path`` first and
    moved in only when all are complete.
    """
    path.mkdir(parents=True, exist_ok=True)
    tmp = new_folder(path.parent, f".{path.name}.csv-")
    try:
        for name, frame in tables.items():
            (tmp / f"{name}.csv").write_text(csv_text(frame), encoding="utf-8", newline="")
        for name in tables:
            os.replace(tmp / f"{name}.csv", path / f"{name}.csv")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- a whole folder in one step --------------------------------------------------------
#: The siblings :func:`write_folder` makes beside folder ``NAME``: ``.NAME.emsplan-new.TOKEN``
#: while it is written, ``.NAME.emsplan-old.TOKEN`` for the folder it replaces until that
#: is deleted (TOKEN the same for both).
NEW, OLD = "emsplan-new", "emsplan-old"


def write_folder(
    target: Path, fill: Callable[[Path], None], check: Callable[[Path], None] | None = None
) -> None:
    """Make folder ``target`` hold exactly the files that ``fill`` writes, in one step.

    ``fill(folder)`` writes every file into a new folder beside ``target``
    (``.NAME.emsplan-new.TOKEN``). When it has returned and the files are on disk
    (fsync), the new folder takes the place of ``target`` by two renames: ``target`` to
    ``.NAME.emsplan-old.TOKEN``, then the new folder to ``target``; then the old folder
    is deleted. ``check(target)`` runs before anything is written and again just before
    the swap, and raises to refuse replacing what is there
    (:func:`emsplan.results.writer.check_plan_folder`).

    Why two renames: a rename is the one atomic step that every file system offers, but
    it cannot put a folder in the place of a folder that holds files. A symbolic link
    swapped by one rename could (``target`` a link to the newest folder), but the plan
    folder would then be a link, which copying, archiving, Windows and network drives
    treat unlike a folder, and a link cannot replace a folder that is there already. So
    the folder stays a folder, and the one moment it is missing is between the two
    renames, microseconds. (Linux's ``renameat2(RENAME_EXCHANGE)`` closes that gap on
    some file systems only; one way that repairs itself everywhere is simpler to trust.)

    What a kill leaves, and how the next call repairs it before it writes anything:

    - killed while ``fill`` writes: a partial ``emsplan-new`` folder, and ``target`` as
      it was. The partial folder is deleted.
    - killed between the two renames: no ``target``; its ``emsplan-old`` folder and the
      complete ``emsplan-new`` folder of the same TOKEN. The swap is finished (the new
      folder is renamed to ``target``) and the old folder deleted.
    - killed while the old folder is deleted: ``target`` whole, what is left of the
      ``emsplan-old`` folder. It is deleted.

    Several processes may write the same ``target`` at once: the parent folder is
    locked (``flock``) around the repair and the swap, and each new folder is locked
    while it is written, so that a repair deletes only new folders whose writer has
    died. (Where folders cannot be locked, on Windows or a file system without
    ``flock``, a repair deletes every ``emsplan-new`` folder it finds, and writing one
    folder from one process at a time is up to the user.)

    A symbolic link ``target`` is followed: the folder it points to is replaced.
    Refuses (``OSError``, EBUSY) a ``target`` that is the current folder, which would
    leave the process, and the shell that started it, in a deleted folder. On any failure
    ``target`` is as it was and the new folder is deleted.
    """
    target = target.resolve()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _locked(parent):
        _repair(target)
        _refuse_current_folder(target)
        if check is not None:
            check(target)
        new = new_folder(parent, f".{target.name}.{NEW}.")
        held = _hold(new)
    try:
        fill(new)
        _sync(new)
        with _locked(parent):
            if check is not None:
                check(target)
            _swap(new, target)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    finally:
        if held is not None:
            os.close(held)


def _sibling(target: Path, kind: str, token: str) -> Path:
    return target.parent / f".{target.name}.{kind}.{token}"


def _swap(new: Path, target: Path) -> None:
    """``new`` in the place of ``target`` (see :func:`write_folder`)."""
    if not os.path.lexists(target):
        os.rename(new, target)
        _sync_folder(target.parent)
        return
    old = _sibling(target, OLD, new.name.rsplit(".", 1)[1])
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    _sync_folder(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def _repair(target: Path) -> None:
    """Finish or undo what killed writers of ``target`` left beside it (see
    :func:`write_folder`); called with the parent folder locked."""
    prefix = f".{target.name}."
    stale: dict[str, Path] = {}
    old: dict[str, Path] = {}
    for entry in os.scandir(target.parent):
        if not entry.name.startswith(prefix):
            continue
        kind, _, token = entry.name[len(prefix) :].partition(".")
        if kind == NEW and not _in_use(Path(entry.path)):
            stale[token] = Path(entry.path)
        elif kind == OLD:
            old[token] = Path(entry.path)
    if not os.path.lexists(target):
        finished = next((token for token in old if token in stale), None)
        if finished is not None:
            os.rename(stale.pop(finished), target)
            _sync_folder(target.parent)
    for path in [*stale.values(), *old.values()]:
        shutil.rmtree(path, ignore_errors=True)


def _refuse_current_folder(target: Path) -> None:
    try:
        here = Path.cwd()
    except OSError:  # the current folder was deleted
        return
    if here == target:
        raise OSError(
            errno.EBUSY,
            "it is the current folder, and the folder is replaced whole, which would leave "
            "this shell in a deleted folder; run the command from another folder",
            str(target),
        )


if sys.platform == "win32":  # no flock: no locks (see write_folder)

    @contextmanager
    def _locked(folder: Path) -> Iterator[None]:
        yield

    def _hold(folder: Path) -> int | None:
        return None

    def _in_use(folder: Path) -> bool:
        return False

else:
    import fcntl

    @contextmanager
    def _locked(folder: Path) -> Iterator[None]:
        """``folder`` locked by this process (waiting for others) while the block runs;
        unlocked if the file system cannot lock it."""
        held = _hold(folder, wait=True)
        try:
            yield
        finally:
            if held is not None:
                os.close(held)

    def _hold(folder: Path, wait: bool = True) -> int | None:
        """A descriptor of ``folder`` holding its lock (closing it unlocks), or None if it
        cannot be locked; with ``wait=False`` raises BlockingIOError if another holds it."""
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise
        except OSError:
            os.close(fd)
            return None
        return fd

    def _in_use(folder: Path) -> bool:
        """Whether a live process holds ``folder``'s lock (its writer is still at work)."""
        try:
            held = _hold(folder, wait=False)
        except BlockingIOError:
            return True
        if held is not None:
            os.close(held)
        return False


def _sync(folder: Path) -> None:
    """The files of ``folder`` and its entries on disk (a no-op on Windows)."""
    if sys.platform == "win32":
        return
    for entry in os.scandir(folder):
        if entry.is_file(follow_symlinks=False):
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a folder
        pass
    finally:
        os.close(fd)


def _csv_field(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    text = repr(value) if isinstance(value, float) else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text: a header line, ``\\n`` line ends, exact floats.

    Written by hand because Python 3.11's csv writer (and so pandas) does not
    quote a field holding a lone carriage return when lines end in ``\\n``,
    which splits the row when it is read back.
    """
    lines = [",".join(_csv_field(str(c)) for c in frame.columns)]
    lines.extend(",".join(_csv_field(v) for v in row) for row in frame.itertuples(index=False))
    return "\n".join(lines) + "\n"
