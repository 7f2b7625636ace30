"""Shared fixtures: the bundled databases, a tiny cited fixture database, the CLI runner."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI_DB = ROOT / "tests" / "fixtures" / "mini_db"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, timeout: float = 120) -> CliResult:
    """Run ``python -m wattprint ARGS`` in a subprocess, as a user would."""
    done = subprocess.run(
        [sys.executable, "-m", "wattprint", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def mini_db() -> Path:
    return MINI_DB


@pytest.fixture(scope="session")
def databases():
    from wattprint.db.loader import load_databases

    return load_databases(ROOT)
