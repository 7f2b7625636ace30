"""Page scripts stay thin: widgets, tables and state live in ``app/`` modules tested without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest

VIEWS = Path(__file__).resolve().parents[2] / "app" / "views"
MAX_LINES = 150


@pytest.mark.parametrize("script", sorted(VIEWS.glob("*.py")), ids=lambda path: path.name)
def test_page_script_is_under_150_lines(script: Path) -> None:
    lines = script.read_text(encoding="utf-8").count("\n")
    assert lines < MAX_LINES, f"{script.name} has {lines} lines; move helpers into an app module"
