"""Hostile database folders and uploads: each refused in one line, before parsing completes.

Each case is what a user could put in a ``--db-dir`` folder or a zip on the web Database page:
deep nesting (libyaml's composer crashes the interpreter on it unchecked), a 5,000-digit integer,
duplicate keys, a profile path outside the database, a ``*.yaml`` that is a folder or a FIFO, too
many nodes or aliases. Every case runs in this process: a hang or a crash fails the run.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from tests.conftest import MINI_DB
from wattprint.cli import main
from wattprint.db import loader
from wattprint.db.loader import MAX_ALIASES, MAX_DEPTH, MAX_NODES_PER_FILE, check_databases, load_databases
from wattprint.db.upload import check_upload
from wattprint.errors import DatabaseError

GPUS = "hardware_db/gpus.yaml"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(MINI_DB, target)
    return target


def problems_with(db: Path, relative: str, text: str | bytes) -> list[str]:
    path = db / relative
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return check_databases(db)[1]


def has(problems: list[str], *fragments: str) -> bool:
    return any(all(f in p for f in fragments) for p in problems)


DEEP_FLOW = "family: x\ndevices: " + "[" * 100_000 + "]" * 100_000 + "\n"
DEEP_BLOCK = "family: x\nextra:\n" + "".join("  " * i + "- \n" for i in range(1, 200))
DEEP_MAPPING = "family: x\nextra: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n"


@pytest.mark.parametrize("text", [DEEP_FLOW, DEEP_BLOCK, DEEP_MAPPING], ids=["flow", "block", "mapping"])
def test_deep_nesting_is_refused_without_recursion(db: Path, text: str) -> None:
    problems = problems_with(db, "hardware_db/deep.yaml", text)
    assert has(problems, "deep.yaml", f"nested deeper than {MAX_DEPTH}"), problems


def test_five_thousand_digit_integer_is_refused(db: Path) -> None:
    text = (db / GPUS).read_text().replace("{value: 300,", "{value: " + "9" * 5000 + ",", 1)
    assert has(problems_with(db, GPUS, text), "gpus.yaml", "a number of 5000 characters")


@pytest.mark.parametrize("number", [".inf", "-.inf", ".nan", "1e999"])
def test_non_finite_numbers_are_refused(db: Path, number: str) -> None:
    text = (db / GPUS).read_text().replace("{value: 300,", f"{{value: {number},", 1)
    problems = problems_with(db, GPUS, text)
    assert has(problems, "gpus.yaml", "finite"), problems


def test_second_tdp_w_is_an_error_not_a_silent_winner(db: Path) -> None:
    text = (
        (db / GPUS)
        .read_text()
        .replace(
            "    tdp_w: {value: 300, source: nvidia-v100-datasheet, year: 2020}\n",
            "    tdp_w: {value: 300, source: nvidia-v100-datasheet, year: 2020}\n"
            "    tdp_w: {value: 30, source: nvidia-v100-datasheet, year: 2020}\n",
            1,
        )
    )
    assert has(problems_with(db, GPUS, text), "gpus.yaml", "'tdp_w' is given twice")


def test_second_devices_key_is_an_error_not_zero_devices(db: Path) -> None:
    text = (db / GPUS).read_text() + "devices: []\n"
    assert has(problems_with(db, GPUS, text), "gpus.yaml", "'devices' is given twice")


def test_duplicate_key_in_flow_mapping(db: Path) -> None:
    text = (db / GPUS).read_text().replace("{value: 300,", "{value: 300, value: 3,", 1)
    assert has(problems_with(db, GPUS, text), "'value' is given twice")


def test_too_many_nodes_is_refused_before_building_objects(db: Path) -> None:
    text = "family: x\ndevices: [" + "1," * (MAX_NODES_PER_FILE + 10) + "1]\n"
    assert has(problems_with(db, "hardware_db/many.yaml", text), "many.yaml", "YAML nodes")


def test_alias_bomb_is_refused(db: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, MAX_ALIASES)]
    text = "family: x\n" + "\n".join(lines) + "\ndevices: []\n"
    assert has(problems_with(db, "hardware_db/laughs.yaml", text), "laughs.yaml", "aliases")


def write_index(db: Path, file_name: str) -> None:
    profiles = db / "region_db" / "profiles"
    profiles.mkdir(exist_ok=True)
    (profiles / "index.yaml").write_text(
        "profiles:\n"
        "  - {id: p, name: P, file: " + repr(file_name) + ", grid: country:CH, resolution_minutes: 60,\n"
        "     start: '2022-01-01', end: '2022-12-31', source: x, method: m}\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    "file_name, fragment",
    [
        ("/etc/passwd", "absolute path"),
        ("../../hardware_db/gpus.yaml", "leaves the profiles/ folder"),
        ("link.csv", "resolves outside"),
    ],
)
def test_profile_paths_stay_inside_the_database(db: Path, file_name: str, fragment: str) -> None:
    write_index(db, file_name)
    (db / "region_db" / "profiles" / "link.csv").symlink_to("/etc/passwd")
    problems = check_databases(db)[1]
    assert has(problems, "index.yaml", repr(file_name), fragment), problems


def test_yaml_named_folder_fifo_and_device_do_not_hang(db: Path) -> None:
    (db / "hardware_db" / "folder.yaml").mkdir()
    os.mkfifo(db / "hardware_db" / "pipe.yaml")
    (db / "region_db" / "zero.yaml").symlink_to("/dev/zero")
    problems = check_databases(db)[1]
    assert has(problems, "folder.yaml", "is a folder")
    assert has(problems, "pipe.yaml", "not a regular file")
    assert has(problems, "zero.yaml", "not a regular file")


def test_cli_answers_a_hostile_db_dir_in_one_line(db: Path, capsys) -> None:
    # wattprint --db-dir DIR hardware list, with a deeply nested file and a FIFO in DIR
    (db / "hardware_db" / "deep.yaml").write_text(DEEP_FLOW, encoding="utf-8")
    os.mkfifo(db / "hardware_db" / "pipe.yaml")
    code = main(["--db-dir", str(db), "hardware", "list"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "deep.yaml" in lines[0] and "more problems" in lines[0], err


def zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def mini_files() -> dict[str, str]:
    return {str(p.relative_to(MINI_DB)): p.read_text() for p in MINI_DB.rglob("*.yaml")}


@pytest.mark.parametrize(
    "name, text, fragment",
    [
        ("hardware_db/deep.yaml", DEEP_FLOW, "nested deeper"),
        ("hardware_db/big.yaml", "family: x\ndevices: [" + "1," * 300_000 + "1]\n", "YAML nodes"),
        ("hardware_db/digits.yaml", "family: x\nn: " + "1" * 5000 + "\ndevices: []\n", "5000 characters"),
        ("region_db/dup.yaml", "regions: []\nregions: []\n", "given twice"),
    ],
    ids=["deep", "19 MB of nodes", "digits", "duplicate"],
)
def test_upload_of_a_hostile_zip_is_a_list_of_problems(name: str, text: str, fragment: str) -> None:
    # What the web Database page calls with the uploaded zip; it must return, not raise.
    files = mini_files()
    files[name] = text
    result = check_upload([("zip", "hostile.zip", zipped(files))])
    assert not result.valid
    assert has(list(result.problems), name, fragment), result.problems


def test_the_bundled_databases_still_load_strictly() -> None:
    databases, problems = check_databases()
    assert problems == []
    assert len(databases.hardware.devices) > 100 and len(databases.regions.regions) > 100


# The cache of parsed databases ----------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(loader.CACHE_DIR_ENV, str(folder))
    loader._load_cached.cache_clear()
    yield folder
    loader._load_cached.cache_clear()


def test_cache_is_written_then_used_and_follows_every_edit(db: Path, cache: Path) -> None:
    first = load_databases(db)
    assert len(list(cache.glob("databases-*.pickle"))) == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    loader._load_cached.cache_clear()
    again = load_databases(db)
    assert again.hardware.devices == first.hardware.devices
    # An edit is a new key: the new value is read, never the cached one.
    text = (db / GPUS).read_text().replace("{value: 300,", "{value: 310,", 1)
    (db / GPUS).write_text(text, encoding="utf-8")
    loader._load_cached.cache_clear()
    edited = load_databases(db)
    assert edited.hardware.get("nvidia-v100-sxm2-16gb").tdp_w.value == 310
    # A broken edit is reported, not hidden behind the cache.
    (db / GPUS).write_text(text + "devices: []\n", encoding="utf-8")
    loader._load_cached.cache_clear()
    with pytest.raises(DatabaseError, match="given twice"):
        load_databases(db)


def test_cache_file_others_can_write_is_ignored(db: Path, cache: Path) -> None:
    load_databases(db)
    (cached,) = cache.glob("databases-*.pickle")
    cached.write_bytes(b"not a pickle")
    cached.chmod(0o666)
    loader._load_cached.cache_clear()
    assert load_databases(db).hardware.devices  # ignored, loaded from the YAML


def test_unwritable_cache_folder_still_loads(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(loader.CACHE_DIR_ENV, str(blocker / "cache"))  # a folder under a file
    loader._load_cached.cache_clear()
    try:
        assert load_databases(db).regions.regions
    finally:
        loader._load_cached.cache_clear()


def test_cache_off(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(loader.CACHE_DIR_ENV, "off")
    assert loader.cache_dir() is None
    loader._load_cached.cache_clear()
    try:
        assert load_databases(db).hardware.devices
    finally:
        loader._load_cached.cache_clear()


def test_the_same_upload_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Database page reruns on every click: an upload seen before is not validated again.
    from wattprint.db import upload

    calls: list[int] = []
    real = upload._check_upload
    monkeypatch.setattr(upload, "_check_upload", lambda uploads: calls.append(1) or real(uploads))
    data = zipped({**mini_files(), "hardware_db/deep.yaml": DEEP_FLOW})
    first = check_upload([("zip", "same.zip", data)])
    again = check_upload([("zip", "same.zip", data)])
    assert again == first and len(calls) == 1
    check_upload([("zip", "same.zip", data + b"\0")])
    assert len(calls) == 2
