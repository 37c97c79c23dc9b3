"""Alembic migrations of the store (``script_location`` ``emsplan.store:migrations``).

:data:`HEAD` is the newest revision; a new migration in ``versions/`` must
update it (``tests/test_store.py`` checks that it does).
"""

HEAD = "0002"
