"""AppTest of the data pages: Hardware, Regions, Time shifting, Measure.

Each page runs without an exception, and what it shows equals a direct call of the database or
the engine with the same inputs.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from wattprint.db.loader import load_databases
from wattprint.db.series import load_profile
from wattprint.engine import timeshift
from wattprint.measure import session
from wattprint.measure.sampler import summarise_log

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "app" / "views"
ENTRY = ROOT / "app" / "streamlit_app.py"
TIMEOUT = 60
DATA_PAGES = ("hardware.py", "regions.py", "timeshift.py", "measure.py")


def page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / name), default_timeout=TIMEOUT).run()


@pytest.mark.parametrize("name", DATA_PAGES)
def test_page_runs_without_exception(name: str) -> None:
    at = page(name)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("name", DATA_PAGES)
def test_page_runs_through_the_router(name: str) -> None:
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT).run()
    at.switch_page(f"views/{name}").run()
    assert not at.exception, at.exception


def test_hardware_search_and_filters_match_the_database() -> None:
    at = page("hardware.py")
    everything = at.dataframe[0].value
    db = load_databases().hardware
    assert len(everything) == len(db.devices)
    at.text_input(key="hw_search").input("h100")
    at.selectbox(key="hw_kind").set_value("gpu")
    at.selectbox(key="hw_vendor").set_value("nvidia").run()
    assert not at.exception
    shown = list(at.dataframe[0].value["id"])
    expected = [
        d.id
        for d in db.filter(kind="gpu", vendor="nvidia")
        if "h100" in d.id or "h100" in d.name.lower() or any("h100" in a.lower() for a in d.aliases)
    ]
    assert expected, "the bundled database has H100 entries"
    assert shown == expected
    assert len(shown) < len(everything)


def test_hardware_search_matches_aliases() -> None:
    at = page("hardware.py")
    at.text_input(key="hw_search").input("Tesla K80").run()
    assert list(at.dataframe[0].value["id"]) == ["nvidia-k80"]  # alias "Tesla K80"


def test_hardware_detail_cites_sources() -> None:
    at = page("hardware.py")
    at.selectbox(key="hw_detail").set_value("nvidia-h100-sxm5-80gb").run()
    facts = at.dataframe[1].value  # the table, then the facts
    tdp = facts[facts["Quantity"] == "TDP"].iloc[0]
    device = load_databases().hardware.get("nvidia-h100-sxm5-80gb")
    assert tdp["Value"] == device.tdp_w.value
    assert tdp["URL"].startswith("http")


@pytest.mark.parametrize("year", [2022, 2020])
def test_regions_table_equals_region_db(year: int) -> None:
    at = page("regions.py")
    at.selectbox(key="reg_year").set_value(year).run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("id")
    db = load_databases().regions
    age = dt.date.today().year - year
    checked = 0
    for region_id in ("gcp:europe-west6", "aws:us-east-1", "country:FR", "azure:westeurope"):
        if year not in db.intensity_years(region_id):
            assert region_id not in table.index
            continue
        expected = db.intensity(region_id, year).value
        assert table.loc[region_id, "Intensity [gCO2e/kWh]"] == pytest.approx(expected)
        assert table.loc[region_id, "Year"].startswith(f"{year} ({age} year")
        leaf = "yes" if expected <= 200.0 else ""  # a word: table cells draw no icons
        assert table.loc[region_id, "Low carbon"] == leaf
        checked += 1
    assert checked >= 2


def test_regions_provider_filter() -> None:
    at = page("regions.py")
    at.selectbox(key="reg_provider").set_value("gcp").run()
    ids = at.dataframe[0].value["id"]
    assert len(ids) > 0
    assert all(i.startswith("gcp:") for i in ids)


def test_timeshift_savings_equal_the_engine() -> None:
    at = page("timeshift.py")
    at.selectbox(key="ts_region").set_value("aws:us-west-1")
    at.number_input(key="ts_hours").set_value(6.0)
    at.number_input(key="ts_power_kw").set_value(1.0)  # the page opens on the shared job's draw
    at.number_input(key="ts_flex_hours").set_value(12.0)
    at.radio(key="ts_method").set_value("pause-resume")
    at.date_input(key="ts_date").set_value(dt.date(2022, 6, 1))
    at.selectbox(key="ts_hour").set_value(3).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    db = load_databases().regions
    profile = db.profile_for("aws:us-west-1", 2022)  # one file per zone-year: the 2022 one
    assert profile is not None and profile.id == "em-us-cal-ciso-2022"
    series = load_profile(db.profile_path(profile))
    year = series[series.index.year == 2022]
    result = timeshift.pause_and_resume(year, 6.0, 12.0, "2022-06-01T03:00:00+00:00")
    assert metrics["Savings [%]"] == f"{result.savings_fraction * 100:.1f}"
    assert metrics["Started at submission [kg CO2e]"] == f"{result.baseline_co2e_kg:,.3f}"
    assert metrics["Pause and Resume [kg CO2e]"] == f"{result.shifted_co2e_kg:,.3f}"


def test_timeshift_flexibility_in_percent_and_upload() -> None:
    at = page("timeshift.py")
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    assert not at.exception
    rows = "".join(f"2024-01-01T{h:02d}:00:00Z,{100 + 50 * (h % 5)}\n" for h in range(24))
    csv = ("timestamp,intensity_g_per_kwh\n" + rows).encode()
    at.file_uploader(key="ts_upload").set_value(("series.csv", csv, "text/csv")).run()
    at.number_input(key="ts_hours").set_value(6.0).run()  # the page opens on the shared job's 24 h
    assert not at.error, [e.value for e in at.error]
    at.radio(key="ts_flex_mode").set_value("+ % of job length")
    at.run()
    at.number_input(key="ts_flex_percent").set_value(50.0)
    at.radio(key="ts_method").set_value("flexible-start").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    from wattprint.db.series import read_user_series

    result = timeshift.flexible_start(read_user_series(csv), 6.0, 3.0, "2024-01-01T00:00:00+00:00")
    assert metrics["Savings [%]"] == f"{result.savings_fraction * 100:.1f}"


def test_timeshift_opens_on_the_shared_job() -> None:
    # 2 x H100 SXM5 for 30 h in aws:eu-west-2: the page takes 30 h, energy / 30 h [kW] and the region
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.query_params.update({"count": "2", "hours": "30.0", "region": "aws:eu-west-2"})
    at.run()
    at.switch_page("views/timeshift.py").run()
    assert not at.exception, at.exception
    energy_kwh = at.session_state["calc_result"]["energy_kwh"]
    assert at.number_input(key="ts_hours").value == 30.0
    assert at.selectbox(key="ts_region").value == "aws:eu-west-2"  # it has an hourly series
    assert at.number_input(key="ts_power_kw").value == pytest.approx(energy_kwh / 30.0)
    assert "count=2" in "&".join(f"{k}={v}" for k, v in at.query_params.items()).replace("['2']", "2")


def test_timeshift_bad_upload_is_an_inline_error() -> None:
    at = page("timeshift.py")
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    at.file_uploader(key="ts_upload").set_value(
        ("bad.csv", b"timestamp,intensity_g_per_kwh\nyesterday,5\n", "text/csv")
    )
    at.run()
    assert not at.exception
    assert any("ISO 8601" in e.value for e in at.error)


def write_log(path: Path) -> Path:
    """A tiny sampler log: one device with an energy counter, 4 samples 1 s apart."""
    records = [
        {
            "type": "header",
            "version": 1,
            "backend": "nvml",
            "fake": False,
            "scope": "whole GPU",
            "interval_s": 1.0,
            "started_unix_s": 0.0,
            "devices": [
                {
                    "index": 0,
                    "name": "NVIDIA H100 80GB HBM3",
                    "uuid": "GPU-x",
                    "kind": "gpu",
                    "has_energy_counter": True,
                }
            ],
        },
        *(
            {
                "type": "sample",
                "t_s": float(t),
                "power_w": [300.0 + 10 * t],
                "energy_j": [300.0 * t + 5 * t * t],
            }
            for t in range(4)
        ),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.skipif(session.detect("nvml").available, reason="this machine has an NVIDIA GPU")
def test_measure_without_gpu_says_so_and_loads_a_saved_log(tmp_path: Path) -> None:
    at = page("measure.py")
    assert any("No GPU found" in w.value for w in at.warning)
    log = write_log(tmp_path / "log.jsonl")
    at.file_uploader(key="ms_log").set_value(("log.jsonl", log.read_bytes(), "application/x-ndjson")).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    expected = summarise_log(log)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Energy [Wh]"] == f"{expected.energy_j / 3600:,.3f}"  # 945 J counter delta
    assert metrics["Average power [W]"] == f"{expected.average_power_w:,.1f}"
    assert not any("FAKE" in label for label in metrics)


def test_measure_bad_log_is_an_inline_error() -> None:
    at = page("measure.py")
    at.file_uploader(key="ms_log").set_value(("x.jsonl", b"not json\n", "application/x-ndjson")).run()
    assert not at.exception
    assert any("no header line" in e.value for e in at.error)


def test_measure_fake_demo_is_labelled_and_reaches_the_calculator() -> None:
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT).run()
    at.switch_page("views/measure.py").run()
    at.toggle(key="ms_demo_log").set_value(True).run()
    assert not at.exception, at.exception
    assert any("FAKE (replayed trace)" in w.value for w in at.warning)
    assert all("(FAKE)" in m.label for m in at.metric if "power" in m.label or "Energy" in m.label)
    at.button(key="ms_saved_send").click().run()
    assert not at.exception, at.exception
    power_w = at.session_state["measured_power_w"]
    assert power_w == pytest.approx(322.55, rel=1e-3)  # demo trace average over 30 s
    assert at.session_state["calc_measured_w"] == pytest.approx(power_w)
    assert at.session_state["calc_power"] == "measured"
