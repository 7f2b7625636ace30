"""After an edit, a cached load parses only the files whose bytes changed; it still validates and
checks every file, so an edit is always seen and a broken one always reported."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import MINI_DB
from wattprint.db import loader
from wattprint.db.loader import load_databases
from wattprint.errors import DatabaseError

GPUS = "hardware_db/gpus.yaml"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(MINI_DB, target)
    return target


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "cache"
    monkeypatch.setenv(loader.CACHE_DIR_ENV, str(folder))
    loader._load_cached.cache_clear()
    yield folder
    loader._load_cached.cache_clear()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first line of every YAML text the loader parses."""
    seen: list[str] = []
    original = yaml.load

    def counting(stream: str, Loader: type) -> object:
        seen.append(stream.splitlines()[0] if stream else "")
        return original(stream, Loader=Loader)

    monkeypatch.setattr(yaml, "load", counting)
    return seen


def fresh_load(db: Path) -> loader.Databases:
    loader._load_cached.cache_clear()
    return load_databases(db)


def yaml_files(db: Path) -> int:
    found = [*db.glob("*_db/*.yaml"), *db.glob("region_db/profiles/index.yaml")]
    return len(found)


def test_an_edit_parses_only_the_edited_file(db: Path, cache: Path, parsed: list[str]) -> None:
    fresh_load(db)
    assert len(parsed) == yaml_files(db) >= 4
    assert len(list(cache.glob("parsed-files-*.pickle"))) == 1
    text = (db / GPUS).read_text(encoding="utf-8").replace("{value: 300,", "{value: 310,", 1)
    (db / GPUS).write_text(text, encoding="utf-8")
    parsed.clear()
    edited = fresh_load(db)
    assert len(parsed) == 1
    assert edited.hardware.get("nvidia-v100-sxm2-16gb").tdp_w.value == 310
    # Unchanged since: the whole-database cache answers, nothing is parsed.
    parsed.clear()
    fresh_load(db)
    assert parsed == []


def test_a_broken_edit_is_reported_and_its_fix_parses_one_file(
    db: Path, cache: Path, parsed: list[str]
) -> None:
    fresh_load(db)
    good = (db / GPUS).read_text(encoding="utf-8")
    (db / GPUS).write_text(good + "devices: []\n", encoding="utf-8")
    with pytest.raises(DatabaseError, match="given twice"):
        fresh_load(db)
    (db / GPUS).write_text(good.replace("{value: 300,", "{value: 305,", 1), encoding="utf-8")
    parsed.clear()
    fixed = fresh_load(db)
    assert len(parsed) == 1
    assert fixed.hardware.get("nvidia-v100-sxm2-16gb").tdp_w.value == 305


def test_a_validation_problem_in_an_unchanged_file_is_still_reported(db: Path, cache: Path) -> None:
    # Parsed data is reused, but validation is not skipped: a TDP below the range fails again.
    text = (db / GPUS).read_text(encoding="utf-8").replace("{value: 300,", "{value: 1,", 1)
    (db / GPUS).write_text(text, encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DatabaseError):
            fresh_load(db)


def test_a_parsed_files_cache_others_can_write_is_ignored(db: Path, cache: Path, parsed: list[str]) -> None:
    fresh_load(db)
    (stored,) = cache.glob("parsed-files-*.pickle")
    stored.chmod(0o666)
    for cached in cache.glob("databases-*.pickle"):
        cached.unlink()
    parsed.clear()
    fresh_load(db)
    assert len(parsed) == yaml_files(db)


def test_cache_off_parses_every_file_every_time(
    db: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[str]
) -> None:
    monkeypatch.setenv(loader.CACHE_DIR_ENV, "off")
    try:
        fresh_load(db)
        fresh_load(db)
    finally:
        loader._load_cached.cache_clear()
    assert len(parsed) == 2 * yaml_files(db)
