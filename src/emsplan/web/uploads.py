"""Uploaded networks: an .xlsx workbook or a .zip of CSV files, checked before anything
is stored.

The body's size is bounded as it arrives (:class:`BodyLimit`, 413); the archive's
expanded size is bounded before a byte is expanded (a zip bomb, 413); the network is
read and validated, and its errors come back as 422 with every problem as the command
line reports it (table, row, key, column, value, message).
"""

from __future__ import annotations

import contextlib
import math
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emsplan.core.problems import Problem
from emsplan.data.network import Network
from emsplan.web.security import ApiError

#: The most members an uploaded archive may have.
MAX_MEMBERS = 2000


class TooLarge(Exception):
    """A request body past the server's upload limit."""


class BodyLimit:
    """ASGI middleware: a request whose body passes ``limit`` bytes gets 413, whether or
    not it declared its length (the body is counted as it arrives, never held whole)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        seen = 0
        started = False
        too_large = False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large:
                # The app's own answer to a body it could not read whole: FastAPI turns
                # the TooLarge raised while it parses the body into 400 "There was an
                # error parsing the body". Answer 413 instead, once.
                if not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(TooLarge):  # answered 413 below
            await self.app(scope, counting_receive, tracking_send)
        if too_large and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        from starlette.responses import JSONResponse

        mb = self.limit / (1024 * 1024)
        response = JSONResponse(
            {
                "detail": f"The upload is larger than this server accepts ({mb:g} MB); "
                "split it, or ask the server's admin to raise --max-upload-mb."
            },
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def problem_json(problem: Problem) -> dict[str, Any]:
    """A problem as the API reports it."""
    value = problem.value
    unusual = value is not None and not isinstance(value, str | int | float | bool)
    if unusual or (isinstance(value, float) and not math.isfinite(value)):
        value = str(value)
    return {
        "severity": str(problem.severity),
        "table": problem.table,
        "row": problem.row,
        "key": {str(k): str(v) for k, v in problem.key.items()},
        "column": problem.column,
        "value": value,
        "message": problem.message,
        "where": problem.where,
        "text": str(problem),
    }


def _archive(data: bytes, filename: str, max_expanded: int) -> zipfile.ZipFile:
    """The upload as a zip archive (an .xlsx is one), its expanded size checked."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ApiError(
            422,
            f"The upload {filename!r} is neither an .xlsx workbook nor a .zip of CSV files "
            f"(it is not a readable zip archive: {exc}). Upload the network workbook "
            "(emsplan network template) or a zip of its CSV files.",
        ) from None
    expanded = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or expanded > max_expanded:
        raise ApiError(
            413,
            f"The upload {filename!r} expands to {expanded / 2**20:,.0f} MB in "
            f"{len(members)} files, more than this server reads ({max_expanded / 2**20:g} MB, "
            f"{MAX_MEMBERS} files); a network that large is not a planning network (or the "
            "file is a zip bomb). The admin can raise --max-expanded-mb.",
        )
    return archive


def read_upload(data: bytes, filename: str, max_expanded: int) -> Network:
    """The validated network of an upload; :class:`ApiError` (413 or 422) or
    :class:`~emsplan.core.problems.InputError` (422, every problem) if it cannot be read
    or has errors."""
    from emsplan.data.readers import read

    archive = _archive(data, filename, max_expanded)
    names = archive.namelist()
    stem = Path(filename).stem or "network"
    with tempfile.TemporaryDirectory(prefix="emsplan-upload-") as tmp:
        if "[Content_Types].xml" in names or filename.lower().endswith(".xlsx"):
            path = Path(tmp) / f"{stem}.xlsx"
            path.write_bytes(data)
        else:
            path = Path(tmp) / stem
            path.mkdir()
            _extract_csvs(archive, path, filename)
        return read(path)


def _extract_csvs(archive: zipfile.ZipFile, folder: Path, filename: str) -> None:
    """The .csv members of ``archive`` into ``folder``, by their base names only."""
    csvs = [
        m
        for m in archive.infolist()
        if not m.is_dir()
        and m.filename.lower().endswith(".csv")
        and not PurePosixPath(m.filename).name.startswith(("._", "."))
    ]
    if not csvs:
        raise ApiError(
            422,
            f"The zip {filename!r} holds no .csv file; put one CSV per input table in it "
            "(sites.csv, items.csv, ...), or upload the workbook.",
        )
    seen: set[str] = set()
    for member in csvs:
        name = PurePosixPath(member.filename).name
        if name.lower() in seen:
            raise ApiError(
                422,
                f"The zip {filename!r} holds two files named {name!r} (in different "
                "folders); keep one per table.",
            )
        seen.add(name.lower())
        try:
            (folder / name).write_bytes(archive.read(member))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ApiError(
                422, f"The zip {filename!r} is damaged: {name!r} cannot be read ({exc})."
            ) from None
