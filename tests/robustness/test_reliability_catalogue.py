"""Catalogue of inputs that once gave a traceback, a hang or a silent infinity, and what each gets now.

Every row is the exact command a user types (after ``wattprint``) and a fragment of the one line
it must print on stderr: exit code 2, nothing on stdout (no partial JSON, no "inf kWh"), no
traceback. Special files are made in a temporary folder; nothing here may hang (each command runs
in-process, so a hang would stall the test run visibly).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from wattprint.cli import main
from wattprint.engine.footprint import Job, estimate
from wattprint.errors import InputError

JOB = ["--power-w", "300", "--intensity", "400"]
COUNT_REFUSED = "count: 9.99989e-321 is out of range; valid: 0.001-100,000,000 devices"
SHIFT = [
    "shift",
    "--region",
    "aws:us-west-1",
    "--hours",
    "1",
    "--flex-hours",
    "2",
    "--method",
    "flexible-start",
]

NUMERIC = [
    # overflow of a duration: OverflowError before, partial JSON with --json
    (["estimate", "--hours", "1e308", *JOB], "hours must be at most"),
    (["estimate", "--hours", "1e308", *JOB, "--json"], "hours must be at most"),
    # a subnormal count would make duration = device-hours / count infinite: refused by the flag,
    # in the words of the shared limits (wattprint/engine/limits.py) that batch rows get too
    (["estimate", "--device-hours", "1", "--count", "1e-320", *JOB], COUNT_REFUSED),
    (["estimate", "--device-hours", "1", "--count", "1e-320", *JOB, "--json"], COUNT_REFUSED),
    (["estimate", "--device-hours", "1e12", "--count", "0.001", *JOB], "1,141-year"),
    (["estimate", "--hours", "9e6", "--count", "1e8", *JOB], "device-hours is over the limit"),
    (["estimate", "--hours", "1", "--count", "1e300", *JOB], "count must be at most"),
    (["estimate", "--hours", "1", *JOB, "--net-intensity", "1e308"], "net-intensity must be at most"),
    (["compare", "--hours", "1e308", *JOB], "hours must be at most"),
    (["compare", "--device-hours", "1", "--count", "1e-320", *JOB], COUNT_REFUSED),
    (["report", "--hours", "1e308", *JOB], "hours must be at most"),
    (["report", "--hours", "1e308", *JOB, "--format", "model-card"], "hours must be at most"),
    (["report", "--device-hours", "1", "--count", "1e-320", *JOB, "--format", "latex"], COUNT_REFUSED),
    (
        [
            "shift",
            "--region",
            "aws:us-west-1",
            "--hours",
            "1e308",
            "--flex-hours",
            "2",
            "--method",
            "flexible-start",
        ],
        "hours must be at most",
    ),
    (
        [
            "shift",
            "--region",
            "aws:us-west-1",
            "--hours",
            "1",
            "--flex-percent",
            "1e308",
            "--method",
            "pause-resume",
        ],
        "flex_h must be at most",
    ),
    (
        [
            "shift",
            "--region",
            "aws:us-west-1",
            "--hours",
            "999999",
            "--flex-hours",
            "999999",
            "--method",
            "flexible-start",
        ],
        "needs data until",
    ),
    # dates outside what pandas handles: OutOfBoundsDatetime before
    ([*SHIFT, "--start", "2300-01-01"], "outside the dates handled"),
    ([*SHIFT, "--start", "1600-01-01T00:00+00:00"], "outside the dates handled"),
    ([*SHIFT, "--start", "2262-04-11T23:00+00:00"], "after the series ends"),
    ([*SHIFT, "--start", "NaT"], "must be ISO 8601"),
]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line(code: int, out: str, err: str, fragment: str) -> None:
    assert code == 2, (code, out, err)
    assert out == "", f"nothing may reach stdout on an error, got {out[:200]!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("args, fragment", NUMERIC, ids=[" ".join(a)[:70] for a, _ in NUMERIC])
def test_numeric_guard(capsys, args: list[str], fragment: str) -> None:
    assert_one_line(*run_cli(args, capsys), fragment)


@pytest.mark.parametrize("fmt", ["markdown", "latex", "bibtex", "model-card", "json", "badge"])
def test_report_at_the_bounds_is_finite(capsys, fmt: str) -> None:
    # The largest job the guard accepts: every figure printed is a finite number.
    args = ["report", "--hours", "1e6", "--count", "1e6", "--power-w", "1e9", "--intensity", "5000"]
    code, out, err = run_cli([*args, "--format", fmt], capsys)
    assert code == 0, err
    assert not re.search(r"\b(inf|nan|infinity)\b|\.inf\b", out, re.IGNORECASE), out
    if fmt == "json":
        json.loads(out)


def test_estimate_json_at_the_bounds_is_one_document(capsys) -> None:
    code, out, err = run_cli(
        ["estimate", "--hours", "1e6", "--count", "1e6", "--power-w", "1e9", "--intensity", "5000", "--json"],
        capsys,
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["energy_kwh"] == pytest.approx(1e6 * 1e6 * 1e9 / 1000 * data["pue"])


@pytest.mark.parametrize(
    "job, fragment",
    [
        (Job(intensity_g_per_kwh=400, duration_h=1e308, measured_power_w=300), "limit"),
        (Job(intensity_g_per_kwh=400, device_hours=1, device_count=1e-320, measured_power_w=300), "count"),
        (Job(intensity_g_per_kwh=400, duration_h=1, measured_power_w=300, cpu_power_w=1e308), "implausible"),
        (
            Job(intensity_g_per_kwh=400, duration_h=1, measured_power_w=300, net_intensity_g_per_kwh=1e308),
            "not a grid intensity",
        ),
        (
            Job(intensity_g_per_kwh=400, duration_h=1, device_power_w=300, utilization_range=(0.5, 1e308)),
            "utilization range",
        ),
    ],
)
def test_engine_guard_serves_every_caller(job: Job, fragment: str) -> None:
    # The web app and the library call the engine directly: the same guard answers them.
    with pytest.raises(InputError, match=fragment):
        estimate(job)


def test_series_special_files_are_refused_before_opening(tmp_path: Path, capsys) -> None:
    fifo = tmp_path / "series.csv"
    os.mkfifo(fifo)
    base = ["shift", "--hours", "1", "--flex-hours", "2", "--method", "flexible-start", "--series"]
    for path, fragment in (
        (fifo, "named pipe"),
        (Path("/dev/zero"), "device file"),
        (tmp_path, "is a folder"),
        (tmp_path / "missing.csv", "does not exist"),
        (Path("/etc/passwd/series.csv"), "cannot be read: Not a directory"),  # an OS error, not a traceback
    ):
        assert_one_line(*run_cli([*base, str(path)], capsys), fragment)
