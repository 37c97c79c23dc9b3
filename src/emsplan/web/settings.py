"""The team server's settings: where the store is, how many jobs run at once, limits.

``emsplan serve`` builds them from its options; :func:`emsplan.web.app.create_app`
takes them, or reads them from the environment (``EMSPLAN_SERVE_*``) when uvicorn
starts the app from its import string.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

#: The environment variable that carries the settings to a server started by import string.
ENV = "EMSPLAN_SERVE_SETTINGS"

MB = 1024 * 1024


@dataclass(frozen=True)
class ServerSettings:
    """How the server runs.

    Attributes
    ----------
    db : the store (a SQLite path or a SQLAlchemy URL); None: the default store.
    workers : how many planning jobs run at once; the rest wait in the queue.
    max_upload_mb : the largest upload accepted (413 beyond).
    max_expanded_mb : the most a workbook or zip may expand to when read (zip bombs).
    session_hours : how long a login lasts.
    secure_cookies : mark the session cookie ``Secure`` (served over TLS, directly or
        behind a proxy).
    login_attempts : failed logins allowed per user name and per client address in
        ``login_window_s`` seconds before further attempts are refused (429).
    sweep_workers : the Dask workers of one sweep or stress job.
    """

    db: str | None = None
    workers: int = 2
    max_upload_mb: float = 50.0
    max_expanded_mb: float = 500.0
    session_hours: float = 12.0
    secure_cookies: bool = False
    login_attempts: int = 5
    login_window_s: float = 900.0
    sweep_workers: int = 1

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)

    @property
    def max_expanded_bytes(self) -> int:
        return int(self.max_expanded_mb * MB)

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServerSettings:
        text = os.environ.get(ENV)
        return cls(**json.loads(text)) if text else cls()
