"""AppTest of the Regions, Hardware and Region picker pages: names beside ids in the pickers, no
emoji (drawn as empty boxes without an emoji font), and text from a database shown literally.

The hostile database is a copy of the fixture database (tests/fixtures/mini_db) whose names and
notes carry Markdown and HTML; it is opened through ``WATTPRINT_DB_DIR``, as ``--db-dir`` does.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from app.components import place_name
from app.safe import plain
from tests.app.apps import ROOT, TIMEOUT, routed
from tests.app.test_no_stray_text import shown_texts
from tests.conftest import MINI_DB
from wattprint.db.loader import CACHE_DIR_ENV, DB_DIR_ENV, load_databases

VIEWS = ROOT / "app" / "views"
HOSTILE = "**bold** [x](http://evil) <b>"
EMOJI = re.compile("[\U0001f000-\U0001faff\ufe0f]")
"""Emoji and pictographs (U+1F000 to U+1FAFF) and the emoji variation selector."""


def page(name: str) -> AppTest:
    return AppTest.from_file(str(VIEWS / name), default_timeout=TIMEOUT).run()


def markdown_bodies(at: AppTest) -> list[str]:
    """Every text Streamlit renders as Markdown on the page: bodies, captions, labels, metrics."""
    bodies = [e.value for kind in ("title", "subheader", "markdown", "caption") for e in getattr(at, kind)]
    bodies += [e.value for kind in ("warning", "info", "error", "success") for e in getattr(at, kind)]
    bodies += [e.label for kind in ("expander", "checkbox", "selectbox") for e in getattr(at, kind)]
    bodies += [text for m in at.metric for text in (m.label, m.value)]
    return [str(body) for body in bodies]


def cells(at: AppTest) -> list[str]:
    return [str(cell) for frame in at.dataframe for cell in frame.value.astype(str).to_numpy().ravel()] + [
        str(cell) for table in at.table for cell in table.value.astype(str).to_numpy().ravel()
    ]


# ---- no emoji ---------------------------------------------------------------------------------------


def test_emoji_probe_matches_the_old_marks() -> None:
    assert EMOJI.search("\U0001f343") and EMOJI.search("\U0001f9ee")  # the leaf, the abacus
    assert not EMOJI.search(":material/eco: Zürich → CO₂e")


def test_no_emoji_in_the_app_sources() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "wattprint").rglob("*.py")])
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert not found, found


@pytest.mark.parametrize("name", ["regions.py", "hardware.py", "picker.py"])
def test_pages_draw_no_emoji(name: str) -> None:
    at = routed(name)
    assert not at.exception, at.exception
    texts = shown_texts(at) + cells(at)
    assert len(texts) > 20, "the page drew nothing"
    assert not [t for t in texts if EMOJI.search(t)]


def test_low_carbon_mark_is_the_material_icon_and_a_word_in_the_table() -> None:
    at = page("regions.py")
    assert at.checkbox(key="reg_low_only").label.endswith("(:material/eco:)")
    at.checkbox(key="reg_low_only").check().run()
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["Low carbon"]) == {"yes"}
    counts = {m.label: m.value for m in at.metric[:4]}  # the counts above the filters
    assert counts["Low-carbon :material/eco:"] == counts["Regions listed (lifecycle)"] == str(len(table))
    assert ":material/eco:" in at.metric[4].value  # One region: Zurich's grid is low-carbon
    assert ":material/calculate:" in str(routed("picker.py").get("page_link")[0].proto)


# ---- names beside ids -------------------------------------------------------------------------------


def test_region_picker_lists_names_and_keeps_the_id() -> None:
    at = page("regions.py")
    picker = at.selectbox(key="reg_detail")
    assert picker.value == "gcp:europe-west6"
    assert "Zürich (gcp:europe-west6)" in picker.options  # the name without its own id
    assert all(option.endswith(")") for option in picker.options)
    provider = at.selectbox(key="reg_provider")
    assert provider.value == "All" and "Google Cloud (gcp)" in provider.options
    provider.set_value("gcp").run()
    assert not at.exception and set(at.dataframe[0].value["Provider"]) == {"gcp"}


def test_device_picker_lists_names_and_keeps_the_id() -> None:
    at = page("hardware.py")
    picker = at.selectbox(key="hw_detail")
    h100 = load_databases().hardware.get("nvidia-h100-sxm5-80gb")
    assert picker.value == "nvidia-h100-sxm5-80gb"
    assert f"{h100.name} · nvidia-h100-sxm5-80gb" in picker.options  # as the calculator lists it
    picker.set_value("nvidia-v100-sxm2-16gb").run()
    assert not at.exception and at.expander[0].label.endswith("(nvidia-v100-sxm2-16gb)")


def test_picker_metrics_name_the_regions() -> None:
    at = routed("picker.py")
    best = at.session_state["picker_result"].iloc[0]
    assert at.metric[0].label == "Best pick"
    assert plain(f"{place_name(best['id'], best['name'])} ({best['id']})") in [c.value for c in at.caption]
    h100 = load_databases().hardware.get("nvidia-h100-sxm5-80gb").name
    job_box = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert f"**Job:** 8 × {h100}, 24.0 h" in job_box  # the device's name, not the raw id
    assert not any(c.value.startswith("For the job:") for c in at.caption)  # the job box says it once


# ---- hostile text from a database ----------------------------------------------------------------------


def write_hostile_db(root: Path) -> Path:
    """A copy of the fixture database at ``root``: Switzerland's grid named :data:`HOSTILE`, Zurich
    inheriting its figures with :data:`HOSTILE` notes, the H100's name, notes, form factor and alias
    :data:`HOSTILE`. Also used by the browser test of the same pages."""
    shutil.copytree(MINI_DB, root)
    regions_file = root / "region_db" / "regions.yaml"
    regions = yaml.safe_load(regions_file.read_text(encoding="utf-8"))
    for region in regions["regions"]:
        if region["id"] == "country:CH":
            region["name"] = HOSTILE
        if region["id"] == "gcp:europe-west6":  # no figure of its own: it inherits Switzerland's
            del region["intensity_g_per_kwh"]
            region["notes"] = HOSTILE
    regions_file.write_text(yaml.safe_dump(regions), encoding="utf-8")
    gpus_file = root / "hardware_db" / "gpus.yaml"
    gpus = yaml.safe_load(gpus_file.read_text(encoding="utf-8"))
    for device in gpus["devices"]:
        if device["id"] == "nvidia-h100-sxm5-80gb":
            device.update(name=HOSTILE, notes=HOSTILE, form_factor=HOSTILE, aliases=[HOSTILE])
    gpus_file.write_text(yaml.safe_dump(gpus), encoding="utf-8")
    return root


@pytest.fixture
def hostile_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = write_hostile_db(tmp_path / "db")
    monkeypatch.setenv(DB_DIR_ENV, str(root))
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield root
    st.cache_resource.clear()
    st.cache_data.clear()


def assert_literal(at: AppTest, expected_times: int) -> None:
    assert not at.exception, at.exception
    bodies = markdown_bodies(at)
    assert not [body for body in bodies if HOSTILE in body]  # never as Markdown
    assert sum(body.count(plain(HOSTILE)) for body in bodies) >= expected_times


def test_regions_page_shows_database_text_literally(hostile_db: Path) -> None:
    at = page("regions.py")
    assert load_databases(hostile_db).regions.get("country:CH").name == HOSTILE  # the copy is read
    assert at.selectbox(key="reg_detail").value == "gcp:europe-west6"
    inherited = [c.value for c in at.caption if "inherited from the grid" in c.value]
    assert inherited == [f"Lifecycle intensity inherited from the grid `country:CH` ({plain(HOSTILE)})."]
    assert plain(HOSTILE) in [c.value for c in at.caption]  # the notes
    assert_literal(at, 2)


def test_hardware_page_shows_database_text_literally(hostile_db: Path) -> None:
    at = page("hardware.py")
    assert at.selectbox(key="hw_detail").value == "nvidia-h100-sxm5-80gb"
    assert at.expander[0].label == f"{plain(HOSTILE)} (nvidia-h100-sxm5-80gb)"
    properties = at.table[0].value.set_index("Property")["Value"]
    assert properties["Form factor"] == plain(HOSTILE) and properties["Aliases"] == plain(HOSTILE)
    assert plain(HOSTILE) in [c.value for c in at.caption]  # the notes
    assert_literal(at, 2)


def test_hardware_counts_above_the_filters_follow_them() -> None:
    at = page("hardware.py")
    at.selectbox(key="hw_kind").select("cpu").run()
    table = at.dataframe[0].value
    counts = {m.label: m.value for m in at.metric[:4]}
    assert counts["CPUs"] == f"{len(table):,}" and counts["Accelerators"] == "0"
    assert counts["Devices listed"].startswith(f"{len(table):,} of ")
