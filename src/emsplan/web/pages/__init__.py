"""The dashboard's pages, server-rendered from Jinja templates (``web/templates``) with
charts drawn as inline SVG (:mod:`emsplan.web.charts`) and a little JavaScript
(``web/static/app.js``: live job progress, sortable grids, overrides checked as typed).
Everything a page loads is served by emsplan itself, so the pages work offline.
"""

from __future__ import annotations

from fastapi import APIRouter

from emsplan.web.pages import analysis_pages, plan_page, views

router = APIRouter(include_in_schema=False)
for module in (views, plan_page, analysis_pages):
    router.include_router(module.router)

__all__ = ["router"]
