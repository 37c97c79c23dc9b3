"""``emsplan serve``: run the team server (the REST API, and planning jobs beside it)."""

from __future__ import annotations

import ipaddress
import secrets
import socket
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.options import DbOption, open_store
from emsplan.cli.render import err

if TYPE_CHECKING:
    from emsplan.store import Store


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Fail now, clearly, if the address is taken or not this machine's."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise Fail(
                f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Another program "
                "(perhaps another emsplan serve) uses the port: pick another with --port, "
                "or give an address of this machine with --host."
            ) from None


def seed_demo(store: Store) -> list[tuple[str, str, str]]:
    """The demo: the bundled example as scenario ``base``, planned and shown to its
    partner EMS-A, and users ``demo`` (planner) and ``ems-a`` (partner) with new random
    passwords; returns (user, role, password) to print."""
    from emsplan.data import examples
    from emsplan.scenarios.stored import add_scenario, plan_scenario
    from emsplan.store.store import as_author
    from emsplan.store.team import Team

    team = Team(store)
    logins = []
    for name, role, partner in (("demo", "planner", None), ("ems-a", "partner", "EMS-A")):
        if team.user(name) is None:
            password = secrets.token_urlsafe(12)
            team.add_user(name, role, password, partner)
            logins.append((name, role, password))
    if not any(s.name == "base" for s in store.scenarios()):
        err().print("Planning the bundled example india-2023 as scenario base (about 15 s) ...")
        with as_author("demo"):
            add_scenario(store, "base", base=examples.load("india-2023"), description="the example")
            outcome = plan_scenario(store, "base")
        team.share(outcome.plan_id, "EMS-A", "demo")
    return logins


@app.command("serve")
@guarded
def serve_command(
    host: Annotated[
        str, typer.Option(help="The address to listen on (loopback: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port.", min=1, max=65535)] = 8000,
    db: DbOption = None,
    workers: Annotated[
        int, typer.Option(help="Planning jobs run at once; the rest queue.", min=1, max=64)
    ] = 2,
    max_upload_mb: Annotated[
        float, typer.Option(help="The largest upload accepted (413 beyond).", min=0.1)
    ] = 50.0,
    max_expanded_mb: Annotated[
        float,
        typer.Option(help="The most an uploaded workbook or zip may expand to.", min=1.0),
    ] = 500.0,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM), to serve HTTPS.", exists=True)
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(help="TLS private key (PEM).", exists=True)
    ] = None,
    behind_tls_proxy: Annotated[
        bool,
        typer.Option(
            help="A reverse proxy on this machine terminates TLS: trust its X-Forwarded "
            "headers and mark cookies Secure.",
        ),
    ] = False,
    insecure_http: Annotated[
        bool,
        typer.Option(
            help="Serve plain HTTP on a non-loopback address (passwords and plans cross the "
            "network unencrypted: only for a closed test network).",
        ),
    ] = False,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
    demo: Annotated[
        bool,
        typer.Option(
            help="Try it: a fresh store in a temporary folder with the bundled example "
            "planned and demo users (their passwords printed); loopback only.",
        ),
    ] = False,
) -> None:
    """Run the team server: the REST API under /api (docs at /api/docs) and the
    planning jobs, on the store (SQLite by default, PostgreSQL by --db URL).

    \b
    Examples:
      emsplan serve
      emsplan serve --demo
      emsplan serve --db postgresql+psycopg://emsplan:PW@db:5432/emsplan --workers 4
      emsplan serve --host 0.0.0.0 --ssl-certfile cert.pem --ssl-keyfile key.pem
    """
    import uvicorn

    from emsplan.store.team import Team
    from emsplan.web.app import create_app
    from emsplan.web.settings import ServerSettings

    tls = ssl_certfile is not None and ssl_keyfile is not None
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise Fail("Give both --ssl-certfile and --ssl-keyfile to serve HTTPS, or neither.")
    if not is_loopback(host) and not tls and not insecure_http:
        raise Fail(
            f"Refusing to serve plain HTTP on {host}: other machines could read passwords "
            "and plans on the way. Serve HTTPS (--ssl-certfile and --ssl-keyfile), or keep "
            "--host 127.0.0.1 behind a reverse proxy that terminates TLS "
            "(--behind-tls-proxy; see docs/server.md), or, on a closed test network only, "
            "pass --insecure-http."
        )
    if demo and not is_loopback(host):
        raise Fail("--demo serves on this machine only: leave --host at 127.0.0.1.")
    logins: list[tuple[str, str, str]] = []
    if demo and db is None:
        db = str(Path(tempfile.mkdtemp(prefix="emsplan-demo-")) / "demo.db")
    with open_store(db) as store:  # migrations and a clear error before listening
        if demo:
            _check_port(host, port)
            logins = seed_demo(store)
        url = store.url
        shown = store.display_url
        users = Team(store).users()
    _check_port(host, port)
    settings = ServerSettings(
        db=url,
        workers=workers,
        max_upload_mb=max_upload_mb,
        max_expanded_mb=max_expanded_mb,
        secure_cookies=tls or behind_tls_proxy,
    )
    scheme = "https" if tls else "http"
    where = f"[{host}]" if ":" in host else host
    err().print(
        Text(
            f"emsplan serves {scheme}://{where}:{port}/ (the API under /api, its docs at "
            f"/api/docs) on the store {shown}, {workers} planning job(s) at once. Ctrl-C "
            "stops it."
        )
    )
    for name, role, password in logins:
        err().print(Text(f"Sign in at {scheme}://{where}:{port}/ as {name} ({role}): {password}"))
    if not users:
        err().print(
            Text(
                "No users yet: nobody can log in. Add one with: emsplan user add NAME --role admin"
            )
        )
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=log_level,
        ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
        ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None,
        proxy_headers=behind_tls_proxy,
        forwarded_allow_ips="127.0.0.1" if behind_tls_proxy else None,
        server_header=False,
    )
