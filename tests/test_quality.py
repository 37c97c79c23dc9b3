"""Lint, format and types are part of the test suite; generated docs must be current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from emsplan.data.reference import data_format_markdown, plan_format_markdown


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
        "docs/data-format.md is stale: run `python -m emsplan.data.reference docs/data-format.md`"
    )


def test_plan_format_doc_is_current() -> None:
    """docs/plan-format.md is generated from the output declaration; regenerate it when this
    fails."""
    committed = (ROOT / "docs" / "plan-format.md").read_text(encoding="utf-8")
    assert committed == plan_format_markdown(), (
        "docs/plan-format.md is stale: run "
        "`python -m emsplan.data.reference --plan docs/plan-format.md`"
    )


def setup_commands() -> list[str]:
    """The commands of the code block in README.md's "Set up" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_setup_is_two_commands_and_ci_runs_the_second() -> None:
    commands = setup_commands()
    assert len(commands) == 2, commands
    assert commands[0].startswith("pip install . && emsplan ")
    assert commands[1] == 'pip install ".[test]" && python -m pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "set -euo pipefail" in ci
    assert ci[-1] == commands[1]
