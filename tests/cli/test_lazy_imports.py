"""The CLI imports only what the chosen command needs: start-up stays quick for commands that
use no tables or charts. Checked on ``sys.modules`` of a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wattprint import cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "plotly", "streamlit", "pyarrow")


def running(argv: list[str]) -> str:
    """Code that runs the CLI in-process on ``argv``, its output discarded, and checks it succeeded."""
    return (
        "import contextlib, io\nfrom wattprint.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main({argv!r}) == 0"
    )


def loaded_after(code: str) -> set[str]:
    """Which of :data:`HEAVY` a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WATTPRINT_CACHE_DIR": "off"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_imports_no_data_or_ui_library() -> None:
    assert loaded_after("import wattprint.cli") == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["hardware", "list"],
        ["regions", "list"],
        ["estimate", "--device-hours", "10", "--power-w", "300", "--intensity", "400"],
        ["estimate", "--hardware", "nvidia-h100-sxm5-80gb", "--hours", "2", "--region", "aws:us-east-1"],
    ],
)
def test_commands_without_tables_run_without_pandas(argv: list[str]) -> None:
    assert loaded_after(running(argv)) == set()


def test_a_command_that_ranks_regions_does_load_pandas() -> None:
    # The check above can fail: compare builds a table of every region.
    argv = ["compare", "--device-hours", "10", "--power-w", "300", "--region", "aws:us-east-1"]
    assert "pandas" in loaded_after(running(argv))


def test_the_command_is_found_past_the_top_level_options() -> None:
    assert cli.chosen_command(["--db-dir", "hardware", "regions", "list"]) == "regions"
    assert cli.chosen_command(["--db", "x", "hardware", "list"]) == "hardware"
    assert cli.chosen_command(["--db-dir=x", "estimate"]) == "estimate"
    assert cli.chosen_command(["--help"]) is None
    assert cli.chosen_command(["nope", "list"]) is None
    assert cli.chosen_command([]) is None


def test_only_the_chosen_command_is_registered_and_all_for_help() -> None:
    sub = next(a for a in cli.build_parser("hardware")._actions if a.dest == "command")
    assert list(sub.choices) == ["hardware"]
    full = next(a for a in cli.build_parser()._actions if a.dest == "command")
    assert list(full.choices) == list(cli.COMMANDS)


def test_an_unknown_command_still_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        cli.main(["estmate", "--hours", "1"])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert all(repr(name) in err for name in cli.COMMANDS)


def test_global_option_before_the_command_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db-dir", str(ROOT), "hardware", "show", "nvidia-h100-sxm5-80gb"]) == 0
    assert "nvidia-h100-sxm5-80gb" in capsys.readouterr().out
