"""User-supplied database folders (--db-dir): each bad file gets a clear line naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import MINI_DB
from wattprint.cli import main
from wattprint.db.loader import MAX_FILE_BYTES, check_databases


@pytest.fixture
def db(tmp_path: Path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(MINI_DB, target)
    return target


def problems_after(db: Path, relative: str, text: str) -> list[str]:
    (db / relative).write_text(text, encoding="utf-8")
    return check_databases(db)[1]


def test_object_building_yaml_tag_is_refused(db: Path) -> None:
    problems = problems_after(
        db,
        "hardware_db/evil.yaml",
        "family: x\ndevices: !!python/object/apply:os.system ['echo pwned > /tmp/wattprint-pwned']\n",
    )
    assert any("evil.yaml" in p and "not valid safe YAML" in p for p in problems)
    assert not Path("/tmp/wattprint-pwned").exists()


def test_wrong_type_names_the_field(db: Path) -> None:
    text = (db / "hardware_db/gpus.yaml").read_text().replace("{value: 300,", "{value: three hundred,", 1)
    problems = problems_after(db, "hardware_db/gpus.yaml", text)
    assert any("gpus.yaml" in p and "devices.0.tdp_w.value" in p for p in problems)


def test_missing_field_is_named(db: Path) -> None:
    text = (db / "region_db/regions.yaml").read_text().replace("    name: Zurich\n", "", 1)
    problems = problems_after(db, "region_db/regions.yaml", text)
    assert any("regions.yaml" in p and "name" in p and "Field required" in p for p in problems)


def test_duplicate_ids_are_reported(db: Path) -> None:
    text = (db / "hardware_db/gpus.yaml").read_text()
    body = text.split("devices:\n", 1)[1]
    renamed = body.replace("Tesla V100-SXM2-16GB", "Tesla V100 copy").replace(
        "NVIDIA H100 80GB HBM3", "H100 copy"
    )
    problems = problems_after(db, "hardware_db/more.yaml", "family: dup\ndevices:\n" + renamed)
    assert any("more.yaml" in p and "already defined in gpus.yaml" in p for p in problems)


def test_duplicate_region_ids_are_reported(db: Path) -> None:
    text = (db / "region_db/regions.yaml").read_text()
    regions = text.split("regions:\n", 1)[1]
    problems = problems_after(db, "region_db/copy.yaml", "regions:\n" + regions)
    assert any("already defined" in p for p in problems)


def test_out_of_range_values(db: Path) -> None:
    text = (db / "region_db/regions.yaml").read_text().replace("value: 15.0", "value: 4000.0")
    text = text.replace("value: 1.10", "value: 0.7")
    problems = problems_after(db, "region_db/regions.yaml", text)
    assert any("outside 0-1500" in p for p in problems)
    assert any("pue" in p and "outside" in p for p in problems)


def test_huge_file_is_refused_without_reading(db: Path) -> None:
    huge = db / "hardware_db" / "huge.yaml"
    with huge.open("wb") as handle:
        handle.seek(MAX_FILE_BYTES + 1)
        handle.write(b"\n")
    problems = check_databases(db)[1]
    assert any("huge.yaml" in p and "byte limit" in p for p in problems)


def test_not_a_mapping_and_binary(db: Path) -> None:
    problems = problems_after(db, "hardware_db/list.yaml", "- just\n- a list\n")
    assert any("expected a mapping" in p for p in problems)
    (db / "hardware_db/binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    assert any("binary.yaml" in p for p in check_databases(db)[1])


def test_every_command_reading_databases_takes_db_dir(db: Path, capsys) -> None:
    (db / "hardware_db/bad.yaml").write_text("family: [\n", encoding="utf-8")
    assert main(["--db-dir", str(db), "db", "check"]) == 1
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "Traceback" not in err
    code = main(["--db-dir", str(db), "estimate", "--hardware", "nvidia-h100-sxm5-80gb", "--hours", "1",
                 "--intensity", "100"])  # fmt: skip
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "bad.yaml" in lines[0]
    assert main(["--db-dir", str(db / "missing"), "hardware", "list"]) == 2
    err = capsys.readouterr().err  # a missing folder is named before anything is read
    assert "missing" in err and "does not exist" in err and len(err.strip().splitlines()) == 1


H100 = "nvidia-h100-sxm5-80gb"
DB_COMMANDS = [
    ["estimate", "--hardware", H100, "--hours", "1", "--region", "aws:us-east-1"],
    ["compare", "--hardware", H100, "--hours", "1", "--region", "aws:us-east-1"],
    ["report", "--hardware", H100, "--hours", "1", "--region", "aws:us-east-1", "--format", "json"],
    ["hardware", "list"],
    ["hardware", "show", H100],
    ["hardware", "match", "NVIDIA H100 80GB HBM3"],
    ["regions", "list"],
    ["regions", "show", "aws:us-east-1"],
    ["regions", "nearest", "48.85", "2.35"],
    ["shift", "--region", "aws:us-west-1", "--hours", "1", "--flex-hours", "2", "--method", "flexible-start"],
    ["batch", "{jobs}"],
    ["import-codecarbon", "{emissions}", "--region", "aws:us-east-1"],
]


@pytest.mark.parametrize("args", DB_COMMANDS, ids=[" ".join(a[:2]) for a in DB_COMMANDS])
def test_db_dir_with_a_broken_file_is_one_line(db: Path, tmp_path: Path, capsys, args: list[str]) -> None:
    # Each command that reads the databases takes --db-dir and names the broken file in one line.
    (db / "region_db/broken.yaml").write_text("regions: [\n", encoding="utf-8")
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("name,power_w,hours,intensity_g_per_kwh\na,300,1,400\n", encoding="utf-8")
    emissions = tmp_path / "emissions.csv"
    emissions.write_text("duration,emissions,energy_consumed\n3600,0.1,0.5\n", encoding="utf-8")
    filled = [a.format(jobs=jobs, emissions=emissions) for a in args]
    try:
        code = main(["--db-dir", str(db), *filled])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "broken.yaml" in lines[0], err
