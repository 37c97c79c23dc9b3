"""The API's request and answer bodies (they are the OpenAPI description too)."""

from __future__ import annotations

import json
import math
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """A request body: unknown fields are refused (422), not ignored."""

    model_config = ConfigDict(extra="forbid")


class Login(Strict):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class LoggedIn(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer TOKEN'.")
    csrf: str = Field(description="For cookie sessions: send as the X-CSRF-Token header.")
    user: str
    role: str
    partner: str | None = None


class Me(BaseModel):
    user: str
    role: str
    partner: str | None = None


class ProblemOut(BaseModel):
    severity: str
    table: str
    row: int | None = None
    key: dict[str, str] = {}
    column: str | None = None
    value: str | int | float | bool | None = None
    message: str
    where: str
    text: str


class NetworkAdded(BaseModel):
    id: str = Field(description="The network's content hash; scenarios name it.")
    name: str
    warnings: list[ProblemOut]


#: An override, as one line (``demand.qty*=1.1``) or as an object (see docs/scenarios.md).
OverrideIn = str | dict[str, Any]


class ScenarioIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    network: str | None = Field(
        None, description="The base network's id (from POST /api/networks), 6+ characters."
    )
    from_scenario: str | None = Field(
        None, description="Start from this stored scenario instead (its base and overrides)."
    )
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=500)
    description: str = Field("", max_length=2000)
    replace: bool = False


class ScenarioOut(BaseModel):
    name: str
    description: str
    base: str
    network: str
    overrides: list[Any]
    created_at: str
    created_by: str
    latest_plan: int | None = None


class OverridesIn(Strict):
    network: str | None = Field(None, max_length=64)
    from_scenario: str | None = Field(None, max_length=100)
    overrides: list[str] = Field(max_length=500)


class OverrideChecked(BaseModel):
    override: str
    ok: bool
    message: str


class OverridesChecked(BaseModel):
    overrides: list[OverrideChecked]


class PlanRequest(Strict):
    time_limit: float | None = Field(None, gt=0, le=7 * 24 * 3600, description="Seconds.")
    mip_gap: float | None = Field(None, ge=0, le=1)


class JobQueued(BaseModel):
    job: int


class JobOut(BaseModel):
    id: int
    kind: str
    target: str
    params: dict[str, Any]
    status: Literal["queued", "running", "done", "failed", "interrupted"]
    progress: float
    stage: str
    message: str
    plan: int | None = None
    sweep: str | None = None
    created_by: str
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


class SweepIn(Strict):
    scenario: str = Field(min_length=1, max_length=100, description="A stored scenario.")
    variations: list[OverrideIn] = Field(min_length=1, max_length=100)
    samples: int = Field(100, ge=1, le=10_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    time_limit: float | None = Field(None, gt=0, le=24 * 3600)
    mip_gap: float | None = Field(None, ge=0, le=1)
    tables: bool = True


class StressIn(Strict):
    plan: str = Field(
        min_length=1, max_length=100, description="A plan id (#12 or 12) or a scenario's name."
    )
    variations: list[OverrideIn] = Field(min_length=1, max_length=100)
    samples: int = Field(50, ge=1, le=10_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    time_limit: float | None = Field(None, gt=0, le=24 * 3600)
    mip_gap: float | None = Field(None, ge=0, le=1)
    tables: bool = False


class ShareIn(Strict):
    partner: str = Field(min_length=1, max_length=100)


class UserIn(Strict):
    name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "planner", "viewer", "partner"]
    partner: str | None = Field(None, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class TablePage(BaseModel):
    table: str
    columns: list[str]
    total: int = Field(description="Rows that pass the filters.")
    offset: int
    limit: int
    rows: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    store: str
    workers: dict[str, Any]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON objects; NaN and infinities become null (JSON has neither)."""
    loaded: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return loaded


def finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None, for strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value
