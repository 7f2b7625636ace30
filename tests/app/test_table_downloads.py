"""Every table of the Regions, Hardware and Batch pages has a CSV download of its own whose text
cells a spreadsheet would run as formulas are neutralised (the table toolbar's export is off).

The pages run on a copy of the bundled databases in which every region and device name and every
source's publisher begins with ``=``, so each download holds such cells; the download's data is
produced by calling the deferred callable Streamlit registers for the button, as a click would.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
import yaml
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from wattprint.db import exports

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "app" / "views"
TIMEOUT = 60
FORMULA = '=HYPERLINK("http://example.invalid","x") '


def _rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _hostile_names(data: dict[str, Any]) -> None:
    for key in ("regions", "devices"):
        for entry in data.get(key) or []:
            entry["name"] = FORMULA + entry["name"]


def _hostile_publishers(data: dict[str, Any]) -> None:
    for source in data["sources"].values():
        source["publisher"] = "@" + source["publisher"]


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("hardware_db", "region_db"):
        shutil.copytree(ROOT / name, tmp_path / name)
        for path in (tmp_path / name).glob("*.yaml"):
            _rewrite(path, _hostile_publishers if path.name == "sources.yaml" else _hostile_names)
    monkeypatch.setenv("WATTPRINT_DB_DIR", str(tmp_path))
    monkeypatch.setenv("WATTPRINT_CACHE_DIR", "off")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], Any]]:
    """Deferred download callables by the file id their button carries."""
    found: dict[str, Callable[[], Any]] = {}
    original = MediaFileManager.add_deferred

    def record(self: MediaFileManager, data_callable: Callable[[], Any], *args: Any, **kwargs: Any) -> str:
        file_id = original(self, data_callable, *args, **kwargs)
        found[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


def downloads(at: AppTest, deferred: dict[str, Callable[[], Any]]) -> dict[str, list[list[str]]]:
    """The rows of every CSV download button on the page, by the button's key."""
    rows: dict[str, list[list[str]]] = {}
    for button in at.get("download_button"):
        data = deferred[button.proto.deferred_file_id]()
        if isinstance(data, str):  # CSV; Parquet downloads are bytes
            rows[str(button.key)] = list(csv.reader(io.StringIO(data)))
    return rows


def assert_neutralised(rows: list[list[str]], expect_formula: bool = True) -> None:
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, "the download holds rows"
    assert not [c for c in cells if c.startswith(exports.FORMULA_PREFIXES)]
    if expect_formula:
        assert any(c.startswith(("'=", "'@")) for c in cells), "the hostile names reached the download"


def test_regions_page_downloads_are_formula_safe(hostile_db: Path, deferred: dict[str, Any]) -> None:
    at = AppTest.from_file(str(PAGES / "regions.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    # A Google Cloud region has all of: history, the provider's own figures and CFE.
    at.selectbox(key="reg_detail").set_value("gcp:europe-west1").run()
    assert not at.exception, at.exception
    found = downloads(at, deferred)
    for key in ("reg_table_dl", "reg_history_dl", "reg_provider_figures_dl", "reg_cfe_dl"):
        assert key in found, sorted(found)
        assert_neutralised(found[key])
    assert len(found["reg_table_dl"]) - 1 == len(at.dataframe[0].value)


def test_regions_without_a_figure_have_their_own_download(hostile_db: Path, deferred: dict[str, Any]) -> None:
    at = AppTest.from_file(str(PAGES / "regions.py"), default_timeout=TIMEOUT).run()
    # The operational basis is missing for some regions (their figure is lifecycle only).
    at.selectbox(key="reg_basis").set_value("operational").run()
    assert not at.exception, at.exception
    found = downloads(at, deferred)
    assert "reg_missing_dl" in found, sorted(found)
    assert_neutralised(found["reg_missing_dl"])


def test_hardware_page_downloads_are_formula_safe(hostile_db: Path, deferred: dict[str, Any]) -> None:
    at = AppTest.from_file(str(PAGES / "hardware.py"), default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    found = downloads(at, deferred)
    for key in ("hw_table_dl", "hw_facts_dl"):
        assert key in found, sorted(found)
        assert_neutralised(found[key])
    assert len(found["hw_table_dl"]) - 1 == len(at.dataframe[0].value)


def test_batch_failed_rows_have_their_own_formula_safe_download(deferred: dict[str, Any]) -> None:
    st.cache_resource.clear()
    st.cache_data.clear()
    jobs = (
        "hardware,count,hours,region\n"
        "nvidia-h100-sxm5-80gb,1,1,aws:us-east-1\n"
        '"=HYPERLINK(""http://example.invalid"")",1,1,aws:us-east-1\n'
        "nvidia-h100-sxm5-80gb,1,1,@SUM(A1)\n"
    )
    at = AppTest.from_file(str(PAGES / "batch.py"), default_timeout=TIMEOUT).run()
    at.file_uploader(key="batch_upload").upload("jobs.csv", jobs.encode(), "text/csv").run()
    assert not at.exception, at.exception
    found = downloads(at, deferred)
    assert "batch_errors_dl" in found, sorted(found)
    rows = found["batch_errors_dl"]
    assert rows[0] == ["line", "error"]
    assert [row[0] for row in rows[1:]] == ["3", "4"]
    assert_neutralised(rows, expect_formula=False)
    assert_neutralised(found["batch_dl"])
