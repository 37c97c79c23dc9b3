"""The team server: a REST API (FastAPI) over the store, with users and roles, and
planning jobs that run in worker processes beside the web process.

``emsplan serve`` runs it; :func:`emsplan.web.app.create_app` builds the app. See
docs/server.md for running it and docs/architecture.md for where it sits.
"""
