"""Catalogue: ``wattprint batch`` never destroys an input, never leaves a partial output, and
answers every bad file or OS error in one line with exit code 2 (the exact command in each case).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.robustness.test_csv_inputs import assert_one_line, run_cli
from wattprint.engine import batch

H100 = "nvidia-h100-sxm5-80gb"
JOBS = "name,hardware,count,hours,region\n" + "".join(
    f"j{i},{H100},2,{i + 1},aws:us-east-1\n" for i in range(6)
)


@pytest.fixture
def jobs(tmp_path: Path) -> Path:
    path = tmp_path / "b.csv"
    path.write_text(JOBS, encoding="utf-8")
    return path


def test_output_is_the_input(capsys, jobs: Path) -> None:
    # wattprint batch b.csv -o b.csv
    code, _, err = run_cli(capsys, ["batch", str(jobs), "-o", str(jobs)])
    assert_one_line(code, err, "is the input")
    assert jobs.read_text(encoding="utf-8") == JOBS


def test_output_is_a_hard_link_to_the_input(capsys, jobs: Path, tmp_path: Path) -> None:
    # wattprint batch b.csv -o link.csv   (link.csv: a hard link to b.csv)
    link = tmp_path / "link.csv"
    os.link(jobs, link)
    code, _, err = run_cli(capsys, ["batch", str(jobs), "-o", str(link)])
    assert_one_line(code, err, "is the input")
    assert jobs.read_text(encoding="utf-8") == JOBS


def test_errors_file_is_the_input(capsys, jobs: Path) -> None:
    # wattprint batch b.csv --errors b.csv
    code, _, err = run_cli(capsys, ["batch", str(jobs), "--errors", str(jobs)])
    assert_one_line(code, err, "is the input")
    assert jobs.read_text(encoding="utf-8") == JOBS


def test_output_and_errors_the_same_file(capsys, jobs: Path, tmp_path: Path) -> None:
    # wattprint batch b.csv -o out.csv --errors out.csv
    out = tmp_path / "out.csv"
    code, _, err = run_cli(capsys, ["batch", str(jobs), "-o", str(out), "--errors", str(out)])
    assert_one_line(code, err, "-o and --errors name the same file")


@pytest.mark.parametrize(
    "make_output, fragment",
    [
        (lambda tmp: tmp / "nonexistent" / "dir" / "out.csv", "does not exist; create it first"),
        (lambda tmp: (tmp / "out.csv").mkdir() or tmp / "out.csv", "is a folder"),
        (lambda tmp: os.mkfifo(tmp / "out.csv") or tmp / "out.csv", "is a named pipe (FIFO)"),
        (lambda tmp: tmp / "out.xlsx", "unknown file type '.xlsx'"),
    ],
    ids=["missing folder", "folder", "fifo", "unknown suffix"],
)
def test_unusable_output(capsys, jobs: Path, tmp_path: Path, make_output, fragment: str) -> None:
    # wattprint batch b.csv -o /nonexistent/dir/out.csv | -o out.csv/ (a folder) | -o fifo.csv
    out = make_output(tmp_path)
    code, _, err = run_cli(capsys, ["batch", str(jobs), "-o", str(out)])
    assert_one_line(code, err, fragment)


def test_fifo_input_is_refused_without_hanging(capsys, tmp_path: Path) -> None:
    # wattprint batch fifo.csv
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, ["batch", str(fifo)])
    assert_one_line(code, err, "is a named pipe (FIFO); give a regular file")


def test_unreadable_input(capsys, jobs: Path, monkeypatch) -> None:
    # wattprint batch b.csv   (b.csv without read permission; simulated: tests may run as root)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda path, mode: False if Path(path) == jobs else real_access(path, mode)
    )
    code, _, err = run_cli(capsys, ["batch", str(jobs)])
    assert_one_line(code, err, "cannot be read: permission denied")


@pytest.mark.parametrize("rows", ["0.5", "0", "-3", "1e12", "many"])
def test_chunk_rows_must_be_whole(capsys, jobs: Path, rows: str) -> None:
    # wattprint batch b.csv --chunk-rows 0.5
    code, _, err = run_cli(capsys, ["batch", str(jobs), "--chunk-rows", rows])
    assert_one_line(code, err, "chunk-rows must be a whole number")


def test_overflowing_row_is_an_error_row(capsys, tmp_path: Path) -> None:
    # wattprint batch b.csv --json   (one row of 1 GW x 1e12 device-hours: each within its limit)
    path = tmp_path / "b.csv"
    path.write_text("power_w,device_hours,region\n1e9,1e12,aws:us-east-1\n300,2,aws:us-east-1\n")
    code, out, err = run_cli(capsys, ["batch", str(path), "--json"])
    assert code == 0, err
    assert "line 2: energy_kwh: not a finite number below 1e+15 kWh" in err
    assert '"failed": 1' in out and "Infinity" not in out


def test_parquet_output_with_a_column_changing_type_between_chunks(capsys, tmp_path: Path) -> None:
    # wattprint batch b.csv -o out.parquet --chunk-rows 2   ("note" is numbers, then text)
    path = tmp_path / "b.csv"
    rows = [f"{H100},1,aws:us-east-1,{note}" for note in ("1", "2", "x", "y", "", "3")]
    path.write_text("hardware,hours,region,note\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out.parquet"
    code, _, err = run_cli(capsys, ["batch", str(path), "-o", str(out), "--chunk-rows", "2"])
    assert code == 0, err
    table = pq.read_table(out)
    assert table.num_rows == 6 and str(table.schema.field("note").type) == "string"
    assert table.column("note").to_pylist() == ["1", "2", "x", "y", None, "3"]
    assert not list(tmp_path.glob(".out.parquet.*"))  # no temporary file left


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_failure_mid_write_leaves_the_old_output(
    capsys, jobs: Path, tmp_path: Path, monkeypatch, suffix
) -> None:
    # wattprint batch b.csv -o out.SUFFIX --chunk-rows 2   (the third chunk fails)
    out = tmp_path / f"out.{suffix}"
    out.write_bytes(b"previous results")
    real, calls = batch.estimate_frame, []

    def failing(frame: pd.DataFrame, tables: batch.BatchTables) -> pd.DataFrame:
        calls.append(1)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(frame, tables)

    monkeypatch.setattr(batch, "estimate_frame", failing)
    code, _, err = run_cli(capsys, ["batch", str(jobs), "-o", str(out), "--chunk-rows", "2"])
    assert code == 2, err
    assert err.strip().splitlines()[-1] == "wattprint: error: No space left on device"  # after progress lines
    assert out.read_bytes() == b"previous results"
    assert [p.name for p in tmp_path.iterdir()] == sorted(["b.csv", f"out.{suffix}"]) or set(
        p.name for p in tmp_path.iterdir()
    ) == {"b.csv", f"out.{suffix}"}


def test_output_replaced_only_when_complete(capsys, jobs: Path, tmp_path: Path) -> None:
    # wattprint batch b.csv -o out.csv   (out.csv exists: replaced by the full results)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    code, _, err = run_cli(capsys, ["batch", str(jobs), "-o", str(out)])
    assert code == 0, err
    assert len(pd.read_csv(out)) == 6


# --- import-codecarbon: special and unreadable files ------------------------------------------


def test_codecarbon_fifo_is_refused_without_hanging(capsys, tmp_path: Path) -> None:
    # wattprint import-codecarbon fifo.csv
    fifo = tmp_path / "emissions.csv"
    os.mkfifo(fifo)
    code, _, err = run_cli(capsys, ["import-codecarbon", str(fifo)])
    assert_one_line(code, err, "is a named pipe (FIFO); give a regular file")


def test_codecarbon_unreadable_file(capsys, tmp_path: Path, monkeypatch) -> None:
    # wattprint import-codecarbon emissions.csv   (no read permission; simulated: tests may run as root)
    path = tmp_path / "emissions.csv"
    path.write_text("timestamp,run_id,duration,emissions,energy_consumed\n2024-01-01T00:00:00,r,60,0.1,0.5\n")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode))
    code, _, err = run_cli(capsys, ["import-codecarbon", str(path)])
    assert_one_line(code, err, "cannot be read: permission denied")


@pytest.mark.parametrize(
    "row, fragment",
    [
        ("2024-01-01T00:00:00,r,60,,0.5", None),  # empty emissions: the run's CodeCarbon CO2e unknown
        ("2024-01-01T00:00:00,r,60,0.1,", "no CodeCarbon rows with energy"),
        ("2024-01-01T00:00:00,r,60,0.1,-4.50", "no CodeCarbon rows with energy"),
        ("2024-01-01T00:00:00,r,60,0.1,nan", "no CodeCarbon rows with energy"),
    ],
    ids=["empty emissions", "empty energy", "negative energy", "nan energy"],
)
def test_codecarbon_bad_numbers_never_zero(capsys, tmp_path: Path, row: str, fragment: str | None) -> None:
    # wattprint import-codecarbon emissions.csv --json
    path = tmp_path / "emissions.csv"
    path.write_text(f"timestamp,run_id,duration,emissions,energy_consumed\n{row}\n")
    code, out, err = run_cli(capsys, ["import-codecarbon", str(path), "--json"])
    if fragment is None:
        assert code == 0, err
        assert '"codecarbon_co2e_kg": null' in out and "line 2: emissions is empty" in err
    else:
        assert code == 2 and fragment in err and "line 2: energy_consumed" in err
        assert len(err.strip().splitlines()) == 1
