"""``emsplan user``: the team server's users (add, list, remove, set-password)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.options import DbOption, open_store
from emsplan.cli.render import Col, fitted_table, out

user_app = typer.Typer(
    name="user",
    help=(
        "The team server's users and their roles: admin (users, everything), planner "
        "(upload, scenarios, plans, sweeps), viewer (reads everything), partner (only the "
        "plans shown to it, and in them only its own sites' rows, without money).\n\n"
        "Example: echo 'a long password' | emsplan user add asha --role planner "
        "--password-stdin"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(user_app)

PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts); "
        "without it, it is asked for twice at the terminal.",
    ),
]


def _password(from_stdin: bool) -> str:
    """The new password: stdin's first line, or typed twice (never an argument, which
    would land in the shell's history and the process list)."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise Fail("--password-stdin: standard input held no password (an empty line).")
        return password
    if not sys.stdin.isatty():
        raise Fail(
            "Give the password on standard input with --password-stdin, e.g. "
            "printf '%s\\n' \"$PASSWORD\" | emsplan user add NAME --role planner "
            "--password-stdin, or run the command at a terminal to type it."
        )
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
@guarded
def user_add(
    name: Annotated[str, typer.Argument(help="The user's login name.", show_default=False)],
    role: Annotated[
        str,
        typer.Option(help="admin, planner, viewer or partner.", show_default=False),
    ],
    partner: Annotated[
        str | None,
        typer.Option(
            help="For a partner user: the value of sites.partner it is bound to (EMS-A).",
            show_default=False,
        ),
    ] = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add a user of the team server.

    \b
    Examples:
      emsplan user add asha --role admin
      printf '%s\\n' "$PW" | emsplan user add ems-a --role partner --partner EMS-A --password-stdin
    """
    from emsplan.store.team import Team, check_user

    check_user(name, role, partner, None)  # before asking for the password
    password = _password(password_stdin)
    with open_store(db) as store:
        user = Team(store).add_user(name, role, password, partner)
        Team(store).audit("cli", "add user", name, detail=role)
    bound = f", bound to partner {user.partner}" if user.partner else ""
    out().print(Text(f"User {user.name} added with the role {user.role}{bound}."))


@user_app.command("list")
@guarded
def user_list(db: DbOption = None) -> None:
    """List the users, their roles and partners."""
    from emsplan.store.team import Team

    with open_store(db) as store:
        users = Team(store).users()
    if not users:
        out().print("No users yet; add one with: emsplan user add NAME --role admin")
        return
    rows = [[u.name, u.role, u.partner or ""] for u in users]
    out().print(fitted_table([Col("user"), Col("role"), Col("partner")], rows))


@user_app.command("remove")
@guarded
def user_remove(
    name: Annotated[str, typer.Argument(help="The user's login name.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Remove a user; their sessions end at once."""
    from emsplan.store.team import Team

    with open_store(db) as store:
        Team(store).remove_user(name)
        Team(store).audit("cli", "remove user", name)
    out().print(Text(f"User {name} removed."))


@user_app.command("set-password")
@guarded
def user_set_password(
    name: Annotated[str, typer.Argument(help="The user's login name.", show_default=False)],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Set a user's password; their other sessions end."""
    from emsplan.store.team import Team

    with open_store(db) as store:
        team = Team(store)
        if team.user(name) is None:
            raise Fail(f"There is no user {name!r}; `emsplan user list` shows them.")
        team.set_password(name, _password(password_stdin))
        team.audit("cli", "set password", name)
    out().print(Text(f"Password of {name} set."))
