"""Lint, format and types are part of the test suite; generated docs must be current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from emsplan.reference import data_format_markdown


def run_tool(*args: str) -> None:
    """Run ``python -m <tool> ...`` from the repository root; fail with its output."""
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}", False)


def test_ruff_check() -> None:
    run_tool("ruff", "check", "src", "tests")


def test_ruff_format() -> None:
    run_tool("ruff", "format", "--check", "src", "tests")


def test_mypy() -> None:
    run_tool("mypy")


def test_data_format_doc_is_current() -> None:
    """docs/data-format.md is generated from the schema; regenerate it when this fails."""
    committed = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert committed == data_format_markdown(), (
        "docs/data-format.md is stale: run `python -m emsplan.reference docs/data-format.md`"
    )
