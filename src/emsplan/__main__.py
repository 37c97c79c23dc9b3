"""``python -m emsplan``: the command line."""

from __future__ import annotations

from emsplan.cli import main

main()
