"""Catalogue of bad command-line inputs and the answer each must get: exit 2, one line, no traceback.

Each row: the arguments, and a fragment the one-line message must contain (what is wrong and
what is valid). Run in-process through ``wattprint.cli.main`` for speed; the subprocess path is
covered in tests/cli.
"""

from __future__ import annotations

import pytest

from wattprint.cli import main

BASE = ["estimate", "--power-w", "300", "--intensity", "400"]

CATALOGUE = [
    # numbers
    (["estimate", "--hours", "-1", "--power-w", "300", "--intensity", "400"], "hours must be at least 0"),
    (["estimate", "--hours", "nan", "--power-w", "300", "--intensity", "400"], "finite"),
    (["estimate", "--hours", "inf", "--power-w", "300", "--intensity", "400"], "finite"),
    (["estimate", "--hours", "1e308", "--power-w", "1e308", "--intensity", "400"], "at most"),
    (["estimate", "--hours", "ten", "--power-w", "300", "--intensity", "400"], "must be a number"),
    (["estimate", "--hours", "", "--power-w", "300", "--intensity", "400"], "must be a number"),
    (
        ["estimate", "--hours", "1", "--count", "0", "--power-w", "300", "--intensity", "400"],
        "greater than 0",
    ),
    (["estimate", "--hours", "1", "--power-w", "-300", "--intensity", "400"], "at least 0"),
    (["estimate", "--hours", "1", "--power-w", "300", "--intensity", "-4"], "at least 0"),
    (["estimate", "--hours", "1", "--power-w", "300", "--intensity", "99999"], "at most 5000"),
    (
        ["estimate", "--hours", "1", "--power-w", "300", "--intensity", "400", "--pue", "0.5"],
        "pue must be at least 1",
    ),
    (
        ["estimate", "--hours", "1", "--hardware", "nvidia-t4", "--utilization", "3", "--intensity", "4"],
        "at most 1.5",
    ),
    (
        ["estimate", "--hours", "1", "--power-w", "300", "--region", "aws:us-east-1", "--year", "20x"],
        "whole number",
    ),
    (
        ["estimate", "--hours", "1", "--power-w", "300", "--region", "aws:us-east-1", "--year", "1800"],
        "between 1990",
    ),
    # ids
    (["estimate", "--hours", "1", "--hardware", "h100", "--intensity", "400"], "closest valid ids"),
    (["estimate", "--hours", "1", "--hardware", "", "--intensity", "400"], "give the power"),
    (
        ["estimate", "--hours", "1", "--power-w", "3", "--region", "us-east-1"],
        "closest valid ids: aws:us-east-1",
    ),
    (
        ["estimate", "--hours", "1", "--power-w", "3", "--region", "aws:us-east-1", "--year", "1995"],
        "valid years",
    ),
    (["hardware", "show", "a100"], "closest valid ids"),
    (["regions", "show", "europe-west6"], "gcp:europe-west6"),
    (["regions", "nearest", "95", "0"], "at most 90"),
    # conflicts
    (["estimate", "--hours", "1", "--device-hours", "8", "--power-w", "3", "--intensity", "4"], "not both"),
    (
        ["estimate", "--hours", "1", "--power-w", "3", "--intensity", "4", "--pue", "1.1", "--pue-included"],
        "not both",
    ),
    (
        ["estimate", "--hours", "1", "--power-w", "3", "--intensity", "4", "--region", "aws:us-east-1"],
        "not both",
    ),
    (
        ["estimate", "--hours", "1", "--power-w", "3", "--total-power-w", "9", "--intensity", "4"],
        "whole machine",
    ),
    (
        ["estimate", "--hours", "1", "--power-w", "3", "--utilization", "0.5", "--intensity", "4"],
        "average draw",
    ),
    (["estimate", "--hours", "1", "--power-w", "3", "--intensity", "4", "--year", "2022"], "give --region"),
    (["estimate", "--hours", "1", "--power-w", "3", "--intensity", "4", "--embodied"], "embodied"),
    (["estimate", "--hours", "1", "--intensity", "4"], "give the power"),
    (["estimate", "--bogus"], "unrecognized arguments"),
    (["frobnicate"], "invalid choice"),
    (["compare", "--hours", "1", "--power-w", "3", "--intensity", "4", "--kind", "planet"], "valid: cloud"),
]


@pytest.mark.parametrize("args, fragment", CATALOGUE, ids=[" ".join(a)[:60] for a, _ in CATALOGUE])
def test_bad_input_gets_one_clear_line(capsys, args: list[str], fragment: str) -> None:
    try:
        code = main(args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert code == 2, captured
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in captured.err
