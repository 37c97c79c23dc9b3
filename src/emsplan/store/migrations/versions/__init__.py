"""Revisions of the store's schema, oldest first (see :mod:`emsplan.store.migrations`)."""
