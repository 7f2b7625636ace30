"""Catalogue of messy CSV files and the answer each must get, for the three commands reading CSVs.

- ``wattprint batch``: an unusable file exits 2 with one line on stderr naming the file and
  what is valid; bad rows keep the valid rows, go to the ``--errors`` report with their line
  and reason, and stderr counts them (exit 0). No row is lost.
- ``wattprint shift --series``: any bad file or row exits 2 with one line naming the line and
  column (a series with a hole cannot be scheduled over).
- ``wattprint import-codecarbon``: a file that is not CodeCarbon's exits 2 with one line; bad
  rows are skipped with a warning naming the line and field.

Units: a column carrying a unit wattprint does not read (``intensity_kg_per_kwh``) is refused
with the list of valid columns; values in (0, 1) where gCO2e/kWh is expected look like kg/kWh
and are refused (batch: that row; series: the file).
"""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wattprint.cli import main
from wattprint.db.codecarbon import MAX_FILE_BYTES as CODECARBON_MAX_BYTES
from wattprint.db.series import MAX_SERIES_BYTES

ROOT = Path(__file__).resolve().parents[2]
H100 = "nvidia-h100-sxm5-80gb"
JOB = f"ok,{H100},8,24,aws:us-east-1"
BATCH_HEADER = "name,hardware,count,hours,region"
SERIES_OK = "timestamp,intensity_g_per_kwh\n" + "".join(
    f"2022-01-01T{h:02d}:00Z,{100 + 10 * h}\n" for h in range(6)
)
CC_HEADER = "timestamp,project_name,run_id,duration,emissions,emissions_rate,energy_consumed,country_iso_code"
CC_ROW = "2024-01-01T00:00:00,p,r1,3600,0.1,0.00003,0.5,FRA"
BINARY = bytes(range(256)) * 8


def run_cli(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    try:
        code = main(args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def make(tmp_path: Path, name: str, content: bytes | str | None) -> Path:
    """``content`` written to tmp_path/name; ``None`` makes a folder, ``"<missing>"`` nothing."""
    path = tmp_path / name
    if content is None:
        path.mkdir()
    elif content == "<missing>":
        pass
    else:
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def assert_one_line(code: int, err: str, fragment: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert fragment in lines[0], lines[0]


# --- batch: unusable files --------------------------------------------------------------------

BATCH_REFUSED = [
    ("wrong columns", "foo,bar\n1,2\n", "no usable columns (found foo, bar); valid columns: name"),
    (
        "kg/kWh column",
        f"{BATCH_HEADER},intensity_kg_per_kwh\n{JOB},0.4\n",
        "'intensity_kg_per_kwh' has a unit",
    ),
    (
        "minutes column",
        "name,power_w,duration_min,intensity_g_per_kwh\na,300,60,400\n",
        "valid columns: name",
    ),
    ("empty file", "", "the file is empty"),
    ("header only blank", "\n\n", "no header line"),
    ("binary file", BINARY, "not UTF-8 text"),
    (
        "latin-1 text",
        "name,hardware,hours,power_w,intensity_g_per_kwh\nr\xe9sum\xe9,,1,3,4\n".encode("latin-1"),
        "not UTF-8",
    ),
    ("folder", None, "is a folder"),
    ("missing file", "<missing>", "no such file"),
]


@pytest.mark.parametrize("case, content, fragment", BATCH_REFUSED, ids=[c[0] for c in BATCH_REFUSED])
def test_batch_refuses_unusable_file(tmp_path: Path, capsys, case: str, content, fragment: str) -> None:
    path = make(tmp_path, "jobs.csv", content)
    out = tmp_path / "out.csv"
    code, _, err = run_cli(capsys, ["batch", str(path), "-o", str(out)])
    assert_one_line(code, err, fragment)
    assert str(path) in err
    assert not out.exists() or out.stat().st_size == 0, "nothing half-written for an unusable file"


def test_batch_unknown_suffix(tmp_path: Path, capsys) -> None:
    path = make(tmp_path, "jobs.xlsx", f"{BATCH_HEADER}\n{JOB}\n")
    code, _, err = run_cli(capsys, ["batch", str(path)])
    assert_one_line(code, err, "unknown file type '.xlsx'; valid: .csv, .parquet")


# --- batch: readable variants -----------------------------------------------------------------

BATCH_READ = [
    ("comma", f"{BATCH_HEADER}\n{JOB}\n"),
    ("byte order mark", "\ufeff" + f"{BATCH_HEADER}\n{JOB}\n"),
    ("semicolon", f"{BATCH_HEADER}\n{JOB}\n".replace(",", ";")),
    ("tab", f"{BATCH_HEADER}\n{JOB}\n".replace(",", "\t")),
    ("CRLF line ends", f"{BATCH_HEADER}\r\n{JOB}\r\n"),
    ("spaces around header", " name , hardware , count , hours , region \n" + JOB + "\n"),
    ("blank lines", f"{BATCH_HEADER}\n\n{JOB}\n\n"),
    ("result columns read back", f"{BATCH_HEADER},energy_kwh,co2e_kg,error\n{JOB},1,2,\n"),
]


@pytest.mark.parametrize("case, content", BATCH_READ, ids=[c[0] for c in BATCH_READ])
def test_batch_reads_variants(tmp_path: Path, capsys, case: str, content: str) -> None:
    path = make(tmp_path, "jobs.csv", content)
    code, out, err = run_cli(capsys, ["batch", str(path), "--json"])
    assert code == 0, err
    assert '"jobs": 1' in out and '"failed": 0' in out, out


# --- batch: bad rows keep the good ones -------------------------------------------------------

BATCH_ROWS = [
    ("not a number", f"bad,{H100},x,24,aws:us-east-1", "count: not a number (x)"),
    ("negative hours", f"bad,{H100},8,-1,aws:us-east-1", "hours: -1 is out of range"),
    ("zero devices", f"bad,{H100},0,24,aws:us-east-1", "count: 0 is out of range"),
    ("infinite hours", f"bad,{H100},8,inf,aws:us-east-1", "hours: must be a finite number"),
    ("unknown hardware", "bad,h100,8,24,aws:us-east-1", "closest valid ids"),
    ("unknown region", f"bad,{H100},8,24,us-east-1", "closest valid ids: aws:us-east-1"),
    ("ends mid-row", f"bad,{H100}", "hours: give a duration"),
    ("too many fields", f"bad,{H100},8,24,aws:us-east-1,extra", ""),
]


@pytest.mark.parametrize("case, row, fragment", BATCH_ROWS, ids=[c[0] for c in BATCH_ROWS])
def test_batch_row_errors_keep_valid_rows(tmp_path: Path, capsys, case: str, row: str, fragment: str) -> None:
    text = f"{BATCH_HEADER}\n{JOB}\n{row}\n{JOB.replace('ok', 'ok2')}"  # the last line has no newline
    path = make(tmp_path, "jobs.csv", text)
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    code, _, err = run_cli(capsys, ["batch", str(path), "-o", str(out), "--errors", str(errors)])
    if case == "too many fields":  # pandas cannot align the row: the whole file is refused
        assert_one_line(code, err, "not a readable CSV file")
        return
    assert code == 0, err
    assert "1 of 3 rows failed" in err
    assert "line 3:" in err and fragment in err
    with out.open(newline="") as handle:
        results = list(csv.DictReader(handle))
    assert [r["name"] for r in results] == ["ok", "bad", "ok2"], "every row is kept, in order"
    assert float(results[0]["co2e_kg"]) > 0 and float(results[2]["co2e_kg"]) > 0
    assert results[1]["co2e_kg"] == "" and fragment in results[1]["error"]
    with errors.open(newline="") as handle:
        failed = list(csv.DictReader(handle))
    assert [r["line"] for r in failed] == ["3"] and fragment in failed[0]["error"]


def test_batch_values_that_look_like_kg_per_kwh(tmp_path: Path, capsys) -> None:
    text = "name,power_w,hours,intensity_g_per_kwh\nkg,300,1,0.4\ng,300,1,400\nzero,300,1,0\n"
    path = make(tmp_path, "jobs.csv", text)
    code, _, err = run_cli(capsys, ["batch", str(path)])
    assert code == 0
    assert "line 2: intensity_g_per_kwh: 0.4 looks like kg/kWh" in err
    assert "1 of 3 rows failed" in err


def test_batch_formula_cells_are_neutralised(tmp_path: Path, capsys) -> None:
    text = (
        f'{BATCH_HEADER}\n=HYPERLINK("http://x"),{H100},1,1,aws:us-east-1\n@SUM(A1),h100,1,1,aws:us-east-1\n'
    )
    path = make(tmp_path, "jobs.csv", text)
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    code, _, _ = run_cli(capsys, ["batch", str(path), "-o", str(out), "--errors", str(errors)])
    assert code == 0
    for written in (out, errors):
        with written.open(newline="") as handle:
            for row in csv.DictReader(handle):
                assert not row["name"].startswith(("=", "@")), row


@pytest.mark.slow
def test_batch_100_mb_in_chunks_with_bounded_memory(tmp_path: Path) -> None:
    """A 100 MB file (2.4 million jobs, one bad row in 1000) is processed in chunks and finishes.

    Bound: peak RSS under 600 MiB; reading it whole takes over 1 GiB (frames + object strings).
    """
    path = tmp_path / "big.csv"
    block = (f"{JOB}\n" * 999 + f"bad,{H100},x,24,aws:us-east-1\n").encode()
    with path.open("wb") as handle:
        handle.write(f"{BATCH_HEADER}\n".encode())
        blocks = 0
        while handle.tell() < 100 * 1024 * 1024:
            handle.write(block)
            blocks += 1
    rows = blocks * 1000
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    # The peak of this process's own memory (VmHWM of /proc/self/status): getrusage's ru_maxrss
    # keeps the forking parent's peak across exec, so it would report the test runner's size.
    script = (
        "import re, sys; from wattprint.cli import main; code = main(sys.argv[1:]); "
        "status = open('/proc/self/status').read(); "
        "print('maxrss_kb', re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1)); sys.exit(code)"
    )
    args = ["batch", str(path), "--chunk-rows", "100000", "-o", str(out), "--errors", str(errors), "--json"]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak_mib = int(done.stdout.rsplit("maxrss_kb", 1)[1]) / 1024
    assert peak_mib < 600, f"peak RSS {peak_mib:.0f} MiB"
    assert f"{rows // 1000:,} of {rows:,} rows failed" in done.stderr
    with out.open("rb") as handle:
        assert sum(1 for _ in handle) == rows + 1, "every row written"
    with errors.open("rb") as handle:
        assert sum(1 for _ in handle) == rows // 1000 + 1


# --- shift --series ---------------------------------------------------------------------------

SERIES_REFUSED = [
    ("no timestamp column", "when_x,foo\n1,2\n", "no timestamp column among when_x, foo"),
    ("no intensity column", "timestamp,a,b\n2022-01-01T00:00Z,1,2\n", "no intensity column"),
    (
        "kg/kWh column",
        SERIES_OK.replace("intensity_g_per_kwh", "intensity_kg_per_kwh"),
        "'intensity_kg_per_kwh' is not in gCO2e/kWh",
    ),
    (
        "lb/MWh column",
        SERIES_OK.replace("intensity_g_per_kwh", "co2_lbs_per_mwh"),
        "valid columns: timestamp",
    ),
    (
        "kg-like values",
        "timestamp,intensity_g_per_kwh\n2022-01-01T00:00Z,0.4\n2022-01-01T01:00Z,0.3\n",
        "looks like kg/kWh",
    ),
    (
        "bad timestamp",
        SERIES_OK.replace("2022-01-01T03:00Z", "yesterday"),
        "line 5: column 'timestamp' has 'yesterday'",
    ),
    ("day-first date", SERIES_OK.replace("2022-01-01T03:00Z", "31/12/2021 03:00"), "line 5"),
    ("not a number", SERIES_OK.replace(",130", ",abc"), "line 5: column 'intensity_g_per_kwh' has 'abc'"),
    ("empty value", SERIES_OK.replace(",130", ","), "line 5: column 'intensity_g_per_kwh' is empty"),
    (
        "negative value",
        SERIES_OK.replace(",130", ",-130"),
        "line 5: column 'intensity_g_per_kwh' is negative",
    ),
    ("duplicate time", SERIES_OK + "2022-01-01T00:00Z,5\n", "lines 2 and 8"),
    ("ends mid-row", SERIES_OK + "2022-01-01T06:0", "line 8 of series.csv has 1 fields"),
    ("header only", "timestamp,intensity_g_per_kwh\n", "has a header but no rows"),
    ("empty file", "", "is empty"),
    ("binary file", BINARY, "not UTF-8 text"),
    ("broken gzip", b"\x1f\x8b\x08\x00garbage", "not a readable gzip file"),
    ("folder", None, "is a folder"),
    ("missing file", "<missing>", "does not exist"),
]


@pytest.mark.parametrize("case, content, fragment", SERIES_REFUSED, ids=[c[0] for c in SERIES_REFUSED])
def test_series_refuses_bad_file(tmp_path: Path, capsys, case: str, content, fragment: str) -> None:
    path = make(tmp_path, "series.csv", content)
    args = ["shift", "--series", str(path), "--hours", "1", "--flex-hours", "2", "--method", "flexible-start"]
    code, _, err = run_cli(capsys, args)
    assert_one_line(code, err, fragment)


SERIES_READ = [
    ("comma", SERIES_OK),
    ("byte order mark", "\ufeff" + SERIES_OK),
    ("semicolon", SERIES_OK.replace(",", ";")),
    ("tab", SERIES_OK.replace(",", "\t")),
    ("CRLF", SERIES_OK.replace("\n", "\r\n")),
    ("gzip", gzip.compress(SERIES_OK.encode())),
    ("unsorted", "timestamp,intensity_g_per_kwh\n" + "".join(reversed(SERIES_OK.splitlines(True)[1:]))),
]


@pytest.mark.parametrize("case, content", SERIES_READ, ids=[c[0] for c in SERIES_READ])
def test_series_reads_variants(tmp_path: Path, capsys, case: str, content) -> None:
    path = make(tmp_path, "series.csv", content)
    args = ["shift", "--series", str(path), "--hours", "1", "--flex-hours", "2", "--method", "flexible-start"]
    code, out, err = run_cli(capsys, [*args, "--json"])
    assert code == 0, err
    assert '"savings_fraction"' in out


def test_series_over_size_limit_is_refused_unread(tmp_path: Path, capsys) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:  # sparse: no 64 MiB written
        handle.seek(MAX_SERIES_BYTES + 1)
        handle.write(b"\n")
    args = ["shift", "--series", str(path), "--hours", "1", "--flex-hours", "2", "--method", "flexible-start"]
    code, _, err = run_cli(capsys, args)
    assert_one_line(code, err, f"larger than {MAX_SERIES_BYTES // 2**20} MiB")


def test_series_gzip_bomb_is_refused(tmp_path: Path, capsys) -> None:
    bomb = gzip.compress(b"timestamp,intensity_g_per_kwh\n" + b"0" * (MAX_SERIES_BYTES + 10), compresslevel=9)
    assert len(bomb) < 200_000
    path = make(tmp_path, "series.csv.gz", bomb)
    args = ["shift", "--series", str(path), "--hours", "1", "--flex-hours", "2", "--method", "flexible-start"]
    code, _, err = run_cli(capsys, args)
    assert_one_line(code, err, "unzips to more than")


# --- import-codecarbon ------------------------------------------------------------------------

CODECARBON_REFUSED = [
    ("wrong columns", "foo,bar\n1,2\n", "not a CodeCarbon emissions file (missing duration, emissions"),
    (
        "no valid row",
        f"{CC_HEADER}\n{CC_ROW.replace(',0.5,', ',xyz,')}\n",
        "line 2: energy_consumed is 'xyz'",
    ),
    ("empty file", "", "empty; expected CodeCarbon's emissions.csv header"),
    ("binary file", BINARY, "not UTF-8 text"),
    ("folder", None, "is a folder"),
    ("missing file", "<missing>", "no such file"),
]


@pytest.mark.parametrize(
    "case, content, fragment", CODECARBON_REFUSED, ids=[c[0] for c in CODECARBON_REFUSED]
)
def test_codecarbon_refuses_bad_file(tmp_path: Path, capsys, case: str, content, fragment: str) -> None:
    path = make(tmp_path, "emissions.csv", content)
    code, _, err = run_cli(capsys, ["import-codecarbon", str(path)])
    assert_one_line(code, err, fragment)


CODECARBON_WARNED = [
    ("ends mid-row", f"{CC_HEADER}\n{CC_ROW}\n2024-01-01T01:00:00,p,r2,36", "line 3: truncated last line"),
    (
        "bad number",
        f"{CC_HEADER}\n{CC_ROW}\n{CC_ROW.replace('3600', 'soon')}\n",
        "line 3: duration is 'soon'",
    ),
    ("repeated header", f"{CC_HEADER}\n{CC_ROW}\n{CC_HEADER}\n", "line 3: repeated header line skipped"),
]


@pytest.mark.parametrize("case, content, fragment", CODECARBON_WARNED, ids=[c[0] for c in CODECARBON_WARNED])
def test_codecarbon_skips_bad_rows_with_a_warning(
    tmp_path: Path, capsys, case: str, content, fragment
) -> None:
    path = make(tmp_path, "emissions.csv", content)
    code, out, err = run_cli(capsys, ["import-codecarbon", str(path), "--json"])
    assert code == 0, err
    assert fragment in err and '"runs": 1' in out


@pytest.mark.parametrize(
    "case, content",
    [
        ("byte order mark", f"\ufeff{CC_HEADER}\n{CC_ROW}\n"),
        ("semicolon", f"{CC_HEADER}\n{CC_ROW}\n".replace(",", ";")),
        ("tab", f"{CC_HEADER}\n{CC_ROW}\n".replace(",", "\t")),
    ],
)
def test_codecarbon_reads_variants(tmp_path: Path, capsys, case: str, content: str) -> None:
    path = make(tmp_path, "emissions.csv", content)
    code, out, err = run_cli(capsys, ["import-codecarbon", str(path), "--json"])
    assert code == 0, err
    assert '"energy_kwh": 0.5' in out


def test_codecarbon_over_size_limit_is_refused_unread(tmp_path: Path, capsys) -> None:
    path = tmp_path / "emissions.csv"
    with path.open("wb") as handle:
        handle.seek(CODECARBON_MAX_BYTES + 1)
        handle.write(b"\n")
    code, _, err = run_cli(capsys, ["import-codecarbon", str(path)])
    assert_one_line(code, err, f"larger than {CODECARBON_MAX_BYTES // 2**20} MiB")
