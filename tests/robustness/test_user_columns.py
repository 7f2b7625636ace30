"""Issue 28, item 1: batch reads the columns schedulers and trackers write, names every column it
does not use, and names a missing job column in one line. Real files from public repositories:

- Slurm ``sacct --parsable2`` output (pipe-delimited, 3 jobs): mahendrapaipuri/ceems,
  pkg/jobstats/schedulers/slurm_test.go (``sacctCmdOutput``), commit
  9eb15a65e0d6426f2e46d7fb490cfe3ca8195606, bytes of the header and rows unchanged.
- CodeCarbon 3.3.0 ``emissions.csv``: tests/fixtures/codecarbon/real_v3_emissions.csv
  (SamBro2901/rl-dissections, see tests/fixtures/codecarbon/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wattprint.db import batchfiles
from wattprint.engine import batch
from wattprint.errors import InputError

SACCT = (
    "JobID|Partition|Account|Group|GID|User|UID|Submit|Start|End|Elapsed|ElapsedRaw|ExitCode|State|NNodes|"
    "NodeList|JobName|WorkDir\n"
    "1479763|part1|acc1|grp|1000|usr|1000|2023-02-21T14:37:02|2023-02-21T14:37:07|2023-02-21T15:26:29|00:49:22"
    "|3000|0:0|CANCELLED by 302137|1|compute-0|test_script1|/home/usr\n"
    "1481508|part1|acc1|grp|1000|usr|1000|2023-02-21T15:48:20|2023-02-21T15:49:06|2023-02-21T15:57:23|00:08:17"
    "|4920|0:0|CANCELLED by 302137|2|compute-[0-2]|test_script2|/home/usr\n"
    "1481510|part1|acc1|grp|1000|usr|1000|2023-02-21T15:48:20|2023-02-21T15:49:06|2023-02-21T15:57:23|00:00:17"
    "|17|0:0|CANCELLED by 302137|2|compute-[0-2]|test_script2|/home/usr\n"
)
NO_LOOKUPS = batch.BatchTables({}, {}, {}, {}, {})
"""Tables with no hardware or region: rows here give power_w and an intensity."""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sacct_export_alone_names_the_missing_power_column(tmp_path: Path) -> None:
    # wattprint batch sacct.txt   (a scheduler export has no power and no place: one line, not 3 failed rows)
    with pytest.raises(InputError, match="no column gives the power; add one of: hardware, power_w"):
        batchfiles.read_jobs(write(tmp_path, "sacct.csv", SACCT), batch.INPUT_COLUMNS)


def test_sacct_columns_are_read_and_every_other_column_is_named(tmp_path: Path) -> None:
    # The export with the two columns a user adds: the GPUs' measured draw and the grid intensity.
    lines = SACCT.splitlines()
    text = lines[0] + "|power_w|intensity_g_per_kwh\n" + "".join(line + "|300|400\n" for line in lines[1:])
    notes: list[str] = []
    chunks = batchfiles.read_job_chunks(write(tmp_path, "sacct.csv", text), batch.INPUT_COLUMNS, notes=notes)
    jobs = next(chunks)
    assert notes[
        0
    ] == "{}: read Start as start, JobName as name, Elapsed as hours ([D-]HH:MM:SS -> h)".format(
        tmp_path / "sacct.csv"
    )
    assert notes[1].endswith(
        "15 column(s) not used in the estimate (passed through to the results): JobID, Partition, "
        "Account, Group, GID, User, UID, Submit, End, ElapsedRaw (hours is read from another column), "
        "ExitCode, State, NNodes, NodeList, WorkDir"
    )
    results = batch.estimate_frame(jobs, NO_LOOKUPS)
    assert list(results["error"]) == ["", "", ""]
    assert list(results["name"]) == ["test_script1", "test_script2", "test_script2"]
    # 00:49:22 = 2,962 s = 0.82278 h; 300 W x 0.82278 h = 0.24683 kWh x PUE 1.56 (no region: the default)
    assert results.loc[0, "duration_h_used"] == pytest.approx(2962 / 3600)
    assert results.loc[0, "energy_kwh"] == pytest.approx(300 * 2962 / 3600 / 1000 * 1.56)
    assert results.loc[2, "duration_h_used"] == pytest.approx(17 / 3600)  # 00:00:17
    assert batch.month_of(results).tolist() == ["2023-02", "2023-02", "2023-02"]  # from sacct's Start


@pytest.mark.parametrize(
    ("header", "row", "count", "hours"),
    [
        ("gpu_count,elapsed_hours", "8,2", 8.0, 2.0),
        ("num_gpus,duration_s", "4,5400", 4.0, 1.5),
        ("gpus,ElapsedRaw", "2,3600", 2.0, 1.0),
        ("AllocTRES,Elapsed", '"billing=8,cpu=8,gres/gpu=4,mem=64G,node=1",1-02:00:00', 4.0, 26.0),
        ("AllocTRES,Elapsed", '"cpu=16,gres/gpu:a100=2,node=1",30:00', 2.0, 0.5),
    ],
)
def test_common_names_are_read(tmp_path: Path, header: str, row: str, count: float, hours: float) -> None:
    text = f"name,power_w,intensity_g_per_kwh,{header}\nj,300,400,{row}\n"
    results = batch.estimate_frame(
        batchfiles.read_jobs(write(tmp_path, "j.csv", text), batch.INPUT_COLUMNS), NO_LOOKUPS
    )
    assert results.loc[0, "error"] == ""
    assert (results.loc[0, "count"], results.loc[0, "duration_h_used"]) == (count, hours)
    assert results.loc[0, "device_hours_used"] == count * hours


def test_alloctres_without_gpus_is_a_row_error(tmp_path: Path) -> None:
    text = 'name,power_w,intensity_g_per_kwh,AllocTRES,hours\nj,300,400,"billing=1,cpu=2,mem=4G,node=1",1\n'
    results = batch.estimate_frame(
        batchfiles.read_jobs(write(tmp_path, "j.csv", text), batch.INPUT_COLUMNS), NO_LOOKUPS
    )
    assert results.loc[0, "error"].startswith("count: not a number (no gres/gpu in billing=1,cpu=2,mem=4G,no")


def test_a_typo_gets_a_suggestion_and_a_half_renamed_file_one_line(tmp_path: Path) -> None:
    notes: list[str] = []
    text = "name,power_w,intensity_g_per_kwh,houres,hours\nj,300,400,2,2\n"
    next(batchfiles.read_job_chunks(write(tmp_path, "t.csv", text), batch.INPUT_COLUMNS, notes=notes))
    assert notes[-1].endswith(
        "1 column(s) not used in the estimate (passed through to the results): houres (did you mean hours?)"
    )
    with pytest.raises(
        InputError, match="no column gives a duration; add one of: hours, device_hours"
    ) as error:
        batchfiles.read_jobs(
            write(tmp_path, "h.csv", "name,power_w,intensity_g_per_kwh,houres\nj,300,400,2\n"),
            batch.INPUT_COLUMNS,
        )
    # The same line lists what the file has that was not read, with its suggestion.
    assert str(error.value).endswith("; columns not read: houres (did you mean hours?)"), error.value


def test_camel_case_gpu_columns_are_read(tmp_path: Path) -> None:
    # Column names as scheduler exports spell them: GPUType, NGPU (no separator between words).
    text = "JobID,GPUType,NGPU,Elapsed,intensity_g_per_kwh\n7,nvidia-a100-sxm4-80gb,4,02:00:00,400\n"
    notes: list[str] = []
    jobs = batchfiles.read_jobs(write(tmp_path, "g.csv", text), batch.INPUT_COLUMNS, notes=notes)
    assert {"hardware", "count", "hours"} <= set(jobs.columns), list(jobs.columns)
    assert "read GPUType as hardware, NGPU as count" in notes[0], notes


def test_a_codecarbon_file_is_sent_to_import_codecarbon() -> None:
    fixture = Path(__file__).parents[1] / "fixtures/codecarbon/real_v3_emissions.csv"
    with pytest.raises(
        InputError, match=r"this is a CodeCarbon emissions file .* `wattprint import-codecarbon"
    ):
        batchfiles.read_jobs(fixture, batch.INPUT_COLUMNS)


# --- The plausibility pass (issue 28, item 1) -------------------------------------------------


def test_implausible_rows_are_flagged_with_their_share_and_excludable(capsys, tmp_path: Path) -> None:
    from tests.robustness.test_csv_inputs import run_cli

    # wattprint batch p.csv --json [--exclude-flagged]: 8 x 700 W for 100,000 h (11 years), 2,048 GPUs
    # for 1 h, and an ordinary 8 GPUs x 24 h; power_w 700 W, intensity 400 g/kWh, default PUE 1.56.
    path = write(
        tmp_path,
        "p.csv",
        "name,power_w,count,hours,intensity_g_per_kwh\n"
        "a,700,8,100000,400\nb,700,2048,1,400\nc,700,8,24,400\n",
    )
    code, out, err = run_cli(capsys, ["batch", str(path), "--json"])
    assert code == 0, err
    import json

    data = json.loads(out)
    energy = {
        "a": 700 * 8 * 100000 / 1000 * 1.56,
        "b": 700 * 2048 / 1000 * 1.56,
        "c": 700 * 8 * 24 / 1000 * 1.56,
    }
    total = sum(energy.values())
    rows = data["flagged"]["rows"]
    assert [(r["name"], r["reason"]) for r in rows] == [
        ("a", "100,000 h is over 30 days"),
        ("b", "2,048 devices is over 1,024"),
    ]
    assert rows[0]["share_of_energy"] == pytest.approx(energy["a"] / total)
    assert data["flagged"]["share_of_energy"] == pytest.approx((energy["a"] + energy["b"]) / total)
    assert (
        data["totals"]["energy_kwh"] == pytest.approx(total) and not data["flagged"]["excluded_from_totals"]
    )
    code, out, err = run_cli(capsys, ["batch", str(path), "--json", "--exclude-flagged"])
    data = json.loads(out)
    assert (
        data["totals"]["energy_kwh"] == pytest.approx(energy["c"]) and data["flagged"]["excluded_from_totals"]
    )
    code, out, err = run_cli(capsys, ["batch", str(path)])
    assert (
        "Flagged for review: 2 rows, 100.0% of the energy (included above; --exclude-flagged leaves them out)"
        in out
    )


def test_top_energy_rule_flags_the_top_tenth_of_a_percent() -> None:
    # 2,000 valid rows of 1..2,000 kWh: the top 0.1% is 2 rows (1,999 and 2,000 kWh).
    import numpy as np
    import pandas as pd

    n = 2000
    results = pd.DataFrame(
        {
            "line": np.arange(2, n + 2),
            "energy_kwh": np.arange(1, n + 1, dtype=float),
            "it_energy_kwh": np.arange(1, n + 1, dtype=float),
            "co2e_kg": np.zeros(n),
            "duration_h_used": np.ones(n),
            "device_hours_used": np.ones(n),
            "error": [""] * n,
        }
    )
    candidates = pd.concat(
        [batch.flag_candidates(results.iloc[:1000], 3), batch.flag_candidates(results.iloc[1000:], 3)]
    )
    flagged = batch.flagged_rows(candidates, n, float(results["energy_kwh"].sum()))
    assert flagged["energy_kwh"].tolist() == [2000.0, 1999.0]
    assert set(flagged["reason"]) == {"in the top 0.1% of energy"}
    assert batch.top_energy_count(999) == 0 and batch.top_energy_count(1000) == 1
