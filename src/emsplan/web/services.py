"""What every request handler shares: the store, the team tables, the settings, the job
runner and the login throttle (one of each per server process)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from emsplan.store import Store
from emsplan.store.team import Team
from emsplan.web.jobs import JobRunner
from emsplan.web.security import LoginThrottle
from emsplan.web.settings import ServerSettings


@dataclass
class Services:
    settings: ServerSettings
    store: Store
    team: Team
    throttle: LoginThrottle
    runner: JobRunner | None = None


def services(request: Request) -> Services:
    """The server's services (a FastAPI dependency)."""
    found: Services = request.app.state.services
    return found
