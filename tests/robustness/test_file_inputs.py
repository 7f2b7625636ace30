"""Issue 27: every case of the file-input probe, as the command a user would type.

Each test failed before the fix (a traceback, a hang, a silently wrong value or lost data) and
checks the one-line answer, or the right value, now. Fixtures are built in the test.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import MINI_DB
from tests.robustness.test_csv_inputs import assert_one_line, run_cli
from wattprint.db import exports
from wattprint.db.codecarbon import read_emissions

H100 = "nvidia-h100-sxm5-80gb"
JOB = f"{H100},2,3,aws:us-east-1"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


# --- tracebacks -------------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["1500-01-01T00:00Z", "1500-01-01T00:00", "3000-01-01T00:00+01:00"])
def test_series_dates_outside_pandas_range(capsys, tmp_path: Path, stamp: str) -> None:
    # wattprint shift --series old.csv --hours 1 --flex-hours 1 --method flexible-start
    path = write(tmp_path, "old.csv", f"time,intensity_g_per_kwh\n2022-01-01T00:00Z,100\n{stamp},120\n")
    args = ["shift", "--series", str(path), "--hours", "1", "--flex-hours", "1", "--method", "flexible-start"]
    code, _, err = run_cli(capsys, args)
    assert_one_line(code, err, f"line 3: column 'time' has '{stamp}', outside the dates a series can hold")
    assert "1677-09-22 to 2262-04-11" in err


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n", "mixed"])
def test_batch_reads_every_line_ending(capsys, tmp_path: Path, ending: str) -> None:
    # wattprint batch cr.csv --json   (2 jobs of 2 x H100 for 3 h: 6 device-hours each)
    ends = ["\r", "\n", "\r\n"] if ending == "mixed" else [ending] * 3
    text = "name,hardware,count,hours,region" + ends[0] + f"a,{JOB}" + ends[1] + f"b,{JOB}" + ends[2]
    code, out, err = run_cli(capsys, ["batch", str(write(tmp_path, "cr.csv", text)), "--json"])
    assert code == 0, err
    totals = json.loads(out)["totals"]
    assert (totals["jobs"], totals["failed"], totals["device_hours"]) == (2, 0, 12.0)


def test_parquet_nested_job_column_is_one_line(capsys, tmp_path: Path) -> None:
    # wattprint batch nested.parquet   (hours holds lists)
    path = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"hardware": [H100], "hours": [[1.0]], "region": ["aws:us-east-1"]}), path)
    code, _, err = run_cli(capsys, ["batch", str(path)])
    assert_one_line(code, err, "column 'hours' holds list<element: double> values")


def test_parquet_nested_columns_outside_the_schema_are_counted_not_read(capsys, tmp_path: Path) -> None:
    # wattprint batch tags.parquet --json   (a list and a struct column beside one job)
    path = tmp_path / "tags.parquet"
    table = {
        "hardware": [H100],
        "hours": [1.0],
        "region": ["aws:us-east-1"],
        "tags": [[1, 2]],
        "meta": [{"a": 1}],
    }
    pq.write_table(pa.table(table), path)
    code, out, err = run_cli(capsys, ["batch", str(path), "--json"])
    assert code == 0, err
    assert json.loads(out)["totals"]["failed"] == 0
    assert "2 column(s) not used in the estimate (not read): tags, meta" in err


def test_db_dir_symlink_loop_is_one_line(capsys, tmp_path: Path) -> None:
    # wattprint --db-dir lp1 estimate ...   (lp1 -> lp2 -> lp1)
    os.symlink(tmp_path / "lp2", tmp_path / "lp1")
    os.symlink(tmp_path / "lp1", tmp_path / "lp2")
    args = [
        "--db-dir",
        str(tmp_path / "lp1"),
        "estimate",
        "--hours",
        "1",
        "--power-w",
        "1",
        "--intensity",
        "400",
    ]
    code, _, err = run_cli(capsys, args)
    assert_one_line(code, err, "a symbolic link loop")


def profile_db(tmp_path: Path, content: bytes) -> Path:
    """The mini databases with one profile for country:CH whose file holds ``content``."""
    db = tmp_path / "db"
    shutil.copytree(MINI_DB, db)
    (db / "region_db/profiles").mkdir()
    (db / "region_db/profiles/ch.csv.gz").write_bytes(content)
    (db / "region_db/profiles/index.yaml").write_text(
        "profiles:\n- id: ch-2022\n  name: CH\n  file: ch.csv.gz\n  grid: country:CH\n"
        "  resolution_minutes: 60\n  start: '2022-01-01T00:00:00+00:00'\n  end: '2022-01-01T05:00:00+00:00'\n"
        "  source: ember-owid\n  method: test\n"
    )
    regions = db / "region_db/regions.yaml"
    regions.write_text(
        regions.read_text().replace("  - id: country:CH\n", "  - id: country:CH\n    profile: ch-2022\n", 1)
    )
    return db


GOOD_PROFILE = "timestamp,intensity_g_per_kwh,filled\n" + "".join(
    f"2022-01-01T0{h}:00:00+00:00,{100 + h},0\n" for h in range(6)
)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-not-deflate", "not a readable gzip file"),
        (gzip.compress(b"0" * (65 * 2**20)), "unzips to more than 64 MiB"),  # a 65 MiB bomb of ~64 KiB
    ],
    ids=["corrupt gzip", "gzip bomb"],
)
def test_bad_profile_is_one_line_and_db_check_names_it(
    capsys, tmp_path: Path, content: bytes, fragment: str
) -> None:
    db = profile_db(tmp_path, content)
    # wattprint --db-dir db shift --region country:CH --hours 1 --flex-hours 2 --method flexible-start
    args = ["--db-dir", str(db), "shift", "--region", "country:CH", "--hours", "1", "--flex-hours", "2"]
    code, _, err = run_cli(capsys, [*args, "--method", "flexible-start"])
    assert_one_line(code, err, fragment)
    # wattprint --db-dir db db check   (said "ok" before)
    code, out, err = run_cli(capsys, ["--db-dir", str(db), "db", "check"])
    assert code == 1 and not out.startswith("ok")
    assert "profile ch-2022:" in err and fragment in err


def test_good_profile_passes_db_check(capsys, tmp_path: Path) -> None:
    db = profile_db(tmp_path, gzip.compress(GOOD_PROFILE.encode()))
    code, out, err = run_cli(capsys, ["--db-dir", str(db), "db", "check"])
    assert code == 0 and out.startswith("ok"), err


# --- hangs ------------------------------------------------------------------------------------


def test_wide_parquet_reads_only_the_job_columns(capsys, tmp_path: Path) -> None:
    # wattprint batch wide.parquet --json   (1 row, 5,000 extra text columns; took 36 s before)
    data = {"hardware": [H100], "hours": ["x"], "region": ["aws:us-east-1"]}
    data.update({f"x{i}": ["a"] for i in range(5000)})
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table(data), path)
    code, _, err = run_cli(capsys, ["batch", str(path), "--json"])
    assert code == 0
    assert "5,000 column(s) not used in the estimate (not read)" in err and "and 4,970 more" in err
    assert len(err.splitlines()) == 3  # the note, the failed row, the count: no warnings


def test_wide_csv_is_refused_in_one_line(capsys, tmp_path: Path) -> None:
    # wattprint batch wide.csv   (1,003 columns)
    header = "hardware,hours,region," + ",".join(f"x{i}" for i in range(1000))
    path = write(
        tmp_path, "wide.csv", header + "\n" + f"{H100},1,aws:us-east-1," + ",".join("1" * 1000) + "\n"
    )
    code, _, err = run_cli(capsys, ["batch", str(path)])
    assert_one_line(code, err, "1,003 columns is over the limit of 1,000")


def test_measure_escalates_to_sigkill_and_exits_143(tmp_path: Path) -> None:
    # wattprint measure --backend fake --kill-after 1 -- python ign.py   (ign.py ignores SIGTERM)
    script = write(
        tmp_path,
        "ign.py",
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\ntime.sleep(120)\n",
    )
    command = [sys.executable, "-m", "wattprint", "measure", "--backend", "fake", "--kill-after", "1", "--"]
    process = subprocess.Popen(
        [*command, sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    assert process.stdout is not None
    while time.monotonic() < deadline:  # wait for the child to be running
        line = process.stdout.readline()
        if b"ready" in line:
            break
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert b"sending SIGKILL" in err


# --- silently wrong ---------------------------------------------------------------------------


def batch_json(capsys, tmp_path: Path, text: str) -> tuple[dict, str]:
    code, out, err = run_cli(capsys, ["batch", str(write(tmp_path, "b.csv", text)), "--json"])
    assert code == 0, err
    return json.loads(out), err


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("count", "nan", "line 2: count: not a number (nan); valid: 0.001-100,000,000 devices"),
        ("power_w", "NaN", "line 2: power_w: not a number (NaN); valid: 0-1,000,000,000 W"),
        ("pue", "nan", "line 2: pue: not a number (nan); valid: 1.0-5.0"),
        ("count", "1e13", "line 2: count: 1e+13 is out of range; valid: 0.001-100,000,000 devices"),
        ("count", "1e-320", "line 2: count: 9.99989e-321 is out of range; valid: 0.001-100,000,000 devices"),
        ("hours", "1e12", "line 2: hours: 1e+12 is out of range; valid: 0-10,000,000 h"),
        ("pue", "0.5", "line 2: pue: 0.5 is out of range; valid: 1.0-5.0"),
        ("power_w", "1e-320", "line 2: power_w: 9.99989e-321 is too small to be a measurement"),
    ],
)
def test_batch_row_limits_are_the_flags(capsys, tmp_path: Path, column: str, cell: str, message: str) -> None:
    # wattprint batch b.csv --json   (one bad cell; the other row is computed)
    values = {
        "name": "a",
        "count": "1",
        "hours": "2",
        "power_w": "300",
        "pue": "1.2",
        "intensity_g_per_kwh": "400",
    }
    header = ",".join(values)
    good = ",".join(values.values())
    values[column] = cell
    data, err = batch_json(capsys, tmp_path, f"{header}\n{','.join(values.values())}\n{good}\n")
    assert message in err
    assert data["totals"]["failed"] == 1
    assert data["totals"]["energy_kwh"] == pytest.approx(300 * 2 / 1000 * 1.2)  # the good row only


def test_flags_refuse_what_rows_refuse(capsys) -> None:
    # wattprint estimate --hours 1 --power-w 300 --intensity 0.4   (batch refused 0.4 as kg/kWh)
    code, _, err = run_cli(capsys, ["estimate", "--hours", "1", "--power-w", "300", "--intensity", "0.4"])
    assert_one_line(code, err, "0.4 looks like kg/kWh")
    # wattprint estimate --hours 1e-320 ...   (printed 0.0000...0468 kWh before)
    code, _, err = run_cli(
        capsys, ["estimate", "--hours", "1e-320", "--power-w", "300", "--intensity", "400"]
    )
    assert_one_line(code, err, "too small to be a measurement")


@pytest.mark.parametrize(
    "args",
    [
        ["estimate", "--hours", "-0", "--power-w", "300", "--intensity", "400", "--json"],
        ["estimate", "--hours", "1", "--power-w", "-0", "--intensity", "400", "--json"],
        ["estimate", "--hours", "1", "--power-w", "300", "--intensity", "-0"],
        [
            "compare",
            "--hardware",
            H100,
            "--count",
            "8",
            "--hours",
            "-0",
            "--region",
            "aws:us-east-1",
            "--json",
        ],
        ["report", "--hardware", H100, "--hours", "-0", "--region", "aws:us-east-1", "--format", "json"],
        ["report", "--hardware", H100, "--hours", "-0", "--region", "aws:us-east-1"],
    ],
)
def test_no_negative_zero_from_the_flags(capsys, args: list[str]) -> None:
    code, out, err = run_cli(capsys, args)
    assert code == 0, err
    assert "-0.0" not in out and not re.search(r"(^|[\s(:])-0\b", out)


def test_no_negative_zero_in_batch_outputs(capsys, tmp_path: Path) -> None:
    # wattprint batch nz.csv --json -o out.csv   (hours -0)
    path = write(tmp_path, "nz.csv", f"hardware,hours,region\n{H100},-0,aws:us-east-1\n")
    out_csv = tmp_path / "out.csv"
    code, out, err = run_cli(capsys, ["batch", str(path), "--json", "-o", str(out_csv)])
    assert code == 0, err
    assert "-0" not in out and "-0" not in out_csv.read_text()


CODECARBON_HEADER = "timestamp,project_name,run_id,duration,emissions,energy_consumed,pue\n"


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ("2024-01-01T00:00:00,p,r1,3600,1,1e308,1.0", "energy_consumed 1e+308 is out of range"),
        ("2024-01-01T00:00:00,p,r1,3600,1,2,-5", "pue '-5': -5 is out of range; valid: 1.0-5.0"),
        ("2024-01-01T00:00:00,p,r1,3600,1,2,0", "pue '0': 0 is out of range; valid: 1.0-5.0"),
    ],
)
def test_codecarbon_rows_get_the_same_limits(capsys, tmp_path: Path, row: str, fragment: str) -> None:
    # wattprint import-codecarbon emissions.csv   (printed "inf kg", or passed a PUE of -5 through)
    good = "2024-01-01T00:00:00,p,r2,3600,0.5,1.5,1.2"
    path = write(tmp_path, "emissions.csv", CODECARBON_HEADER + row + "\n" + good + "\n")
    assert any(fragment in warning for warning in read_emissions(path).warnings)
    code, out, err = run_cli(capsys, ["import-codecarbon", str(path)])
    assert code == 0, err
    assert "inf" not in out and "1 runs" in out and fragment in err


# --- data loss, injection ---------------------------------------------------------------------


@pytest.mark.parametrize("form", ["--input={}", "-o{}", "{}"])
def test_measure_log_is_never_a_file_of_the_command(capsys, tmp_path: Path, form: str) -> None:
    # wattprint measure --log in.csv -- python -c pass --input=in.csv
    data = write(tmp_path, "in.csv", "a,b\n1,2\n")
    args = ["measure", "--backend", "fake", "--log", str(data), "--", sys.executable, "-c", "pass"]
    code, _, err = run_cli(capsys, [*args, form.format(data)])
    assert_one_line(code, err, "writing it would destroy the input")
    assert data.read_text() == "a,b\n1,2\n"


def test_measure_log_with_other_content_is_refused(capsys, tmp_path: Path) -> None:
    # wattprint measure --log notes.txt -- true   (notes.txt holds text)
    notes = write(tmp_path, "notes.txt", "my notes\n")
    code, _, err = run_cli(capsys, ["measure", "--backend", "fake", "--log", str(notes), "--", "true"])
    assert_one_line(code, err, "line 1 is not a wattprint sample")
    assert notes.read_text() == "my notes\n"


def test_codecarbon_project_name_escapes_are_shown_not_run(capsys, tmp_path: Path) -> None:
    # wattprint import-codecarbon emissions.csv   (project name sets the title and clears the screen)
    row = "2024-01-01T00:00:00,\x1b]0;pwned\x07\x1b[2J,r1,3600,0.5,1.5,1.2\n"
    path = write(tmp_path, "emissions.csv", CODECARBON_HEADER + row)
    code, out, err = run_cli(capsys, ["import-codecarbon", str(path)])
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out


def test_csv_download_quotes_a_cell_with_cr() -> None:
    # The Batch page's download of a cell "\r=1+1": a reader splitting rows on CR saw =1+1 as a cell.
    text = exports.safe_csv(pd.DataFrame({"name": ["\r=1+1", "ok"], "co2e_kg": [1.0, 2.0]}))
    assert text == 'name,co2e_kg\r\n"\'\r=1+1",1.0\r\nok,2.0\r\n'
    assert pd.read_csv(__import__("io").StringIO(text))["name"].tolist() == ["'\r=1+1", "ok"]


# --- smaller ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([], "give a command: estimate"),
        (["db"], "give an action: check"),
        (["--db-dir", "/nonexistent", "hardware", "list"], "--db-dir '/nonexistent' does not exist"),
        (["measure", "--backend", "fake", "--region", "", "--", "true"], "--region is empty"),
        (
            ["measure", "--backend", "fake", "--year", "2022", "--", "true"],
            "--year chooses a region's intensity",
        ),
    ],
)
def test_smaller_cases_are_one_line_on_stderr(capsys, args: list[str], fragment: str) -> None:
    code, out, err = run_cli(capsys, args)
    assert_one_line(code, err, fragment)
    assert out == ""


def test_import_codecarbon_empty_region_is_refused(capsys) -> None:
    fixture = str(Path(__file__).parents[1] / "fixtures/codecarbon/v2_emissions.csv")
    code, _, err = run_cli(capsys, ["import-codecarbon", fixture, "--region", ""])
    assert_one_line(code, err, "--region is empty")


def test_pyarrow_message_is_one_line(capsys, tmp_path: Path) -> None:
    # wattprint batch broken.parquet   (pyarrow's message runs over two lines)
    path = write(tmp_path, "broken.parquet", b"PAR1" + b"\x00" * 64 + b"PAR1")
    code, _, err = run_cli(capsys, ["batch", str(path)])
    assert_one_line(code, err, "not a readable Parquet file")


def test_upload_that_unpacks_past_the_limit_is_refused(monkeypatch) -> None:
    # A Parquet upload: 1,000 rows of 53-character text, ~3 kB on disk, ~58 kB uncompressed.
    import io

    from wattprint.db import batchfiles
    from wattprint.engine import batch
    from wattprint.errors import InputError

    monkeypatch.setattr(batchfiles, "MAX_UPLOAD_UNPACKED_BYTES", 50 * 1024)
    buffer = io.BytesIO()
    table = {
        "hardware": [f"{i:03d}" + "x" * 50 for i in range(1000)],
        "hours": [1.0] * 1000,
        "region": ["a"] * 1000,
    }
    pq.write_table(pa.table(table), buffer, compression="zstd")
    assert len(buffer.getvalue()) < 50 * 1024
    with pytest.raises(InputError, match="of data \\(uncompressed\\) is over the 0 MiB limit of an upload"):
        batchfiles.read_job_buffer(buffer.getvalue(), "jobs.parquet", batch.INPUT_COLUMNS)


def test_no_negative_zero_from_a_series(capsys, tmp_path: Path) -> None:
    # wattprint shift --series z.csv --hours 1 --flex-hours 2 --method flexible-start --json   (values -0)
    rows = "".join(f"2022-01-01T0{h}:00Z,-0\n" for h in range(4))
    path = write(tmp_path, "z.csv", "timestamp,intensity_g_per_kwh\n" + rows)
    args = ["shift", "--series", str(path), "--hours", "1", "--flex-hours", "2", "--method", "flexible-start"]
    for extra in ([], ["--json"]):
        code, out, err = run_cli(capsys, [*args, *extra])
        assert code == 0, err
        assert "-0.0" not in out and not re.search(r"(^|[\s(:])-0\b", out)
