"""AppTest of the decision pages: region picker, time shifting, batch audit, CodeCarbon import.

What each page shows is compared with a direct engine call on the same inputs.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.db.loader import load_databases
from app.engine.footprint import estimate
from app.engine.jobspec import resolve
from app.ui import state

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "app" / "ui" / "streamlit_app.py"
TIMEOUT = 60


def routed(page: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT).run()
    at.switch_page(f"views/{page}")
    at.query_params.clear()
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


# --- region picker ------------------------------------------------------------------------------


def test_picker_kg_per_region_equals_the_engine() -> None:
    at = routed("picker.py")
    table = at.dataframe[0].value
    assert len(table) == 5
    dbs = load_databases()
    spec = state.build(state.DEFAULTS, dbs).spec
    for region_id, shown in zip(table["Region"], table["kg CO₂e for the job"], strict=True):
        # The job estimated directly in that region: the same number as the picker's.
        direct = estimate(resolve(dataclasses.replace(spec, region=region_id, year=None), dbs))
        assert shown == pytest.approx(direct.co2e_kg, rel=1e-9), region_id


def test_picker_weights_come_from_and_go_to_the_url() -> None:
    at = routed("picker.py", {"carbon": "0.2", "distance": "1", "price": "0", "near": "Tokyo", "top": "3"})
    assert at.slider(key="picker_carbon").value == pytest.approx(0.2)
    assert at.multiselect(key="picker_cities").value == ["Tokyo"]
    table = at.dataframe[0].value
    assert len(table) == 3
    # Near Tokyo with a heavy distance weight: every pick is within 1,500 km of Tokyo.
    assert (table["Distance [km]"] < 1500).all(), table
    at.slider(key="picker_price").set_value(0.5).run()
    assert at.query_params["price"] in ("0.5", ["0.5"])


def test_picker_unknown_price_is_not_worst() -> None:
    # From near New York with a price weight, AWS and Azure (no price index) must still appear.
    at = routed(
        "picker.py", {"carbon": "1", "distance": "0.5", "price": "0.5", "at": "40.71, -74.0", "top": "10"}
    )
    table = at.dataframe[0].value
    providers = set(table["Provider"])
    assert providers - {"gcp"}, providers
    assert "unknown" in set(table["Price index"])
    assert (table["Distance [km]"] < 6000).all(), table


def test_picker_bad_link_value_is_named() -> None:
    at = routed("picker.py", {"carbon": "lots", "near": "Atlantis"})
    warning = " ".join(w.value for w in at.warning)
    assert "carbon" in warning and "Atlantis" in warning
    assert at.slider(key="picker_carbon").value == pytest.approx(1.0)


# --- time shifting: the next hours ------------------------------------------------------------------


def bundled_series(region_id: str):  # type: ignore[no-untyped-def]
    from app.db.series import load_profile

    db = load_databases().regions
    profile = db.profile_for(region_id)
    assert profile is not None
    return load_profile(db.profile_path(profile))


def test_next_hours_start_is_in_local_time_and_equals_the_engine() -> None:
    import datetime as dt

    from app.engine import timeshift

    at = routed("timeshift.py")
    at.selectbox(key="ts_region").set_value("aws:us-west-1")
    at.text_input(key="ts_timezone").set_value("Europe/Paris")
    at.number_input(key="ts_next_hours").set_value(3)
    at.number_input(key="ts_next_within").set_value(24)
    at.date_input(key="ts_next_date").set_value(dt.date(2026, 6, 17))
    at.selectbox(key="ts_next_hour").set_value(8).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    plan = timeshift.plan_next_hours(
        bundled_series("aws:us-west-1"), "2026-06-17T08:00", 3, 24, "Europe/Paris"
    )
    assert str(plan.best_start.tz) == "Europe/Paris"
    assert metrics["Start at (Europe/Paris)"] == f"{plan.best_start:%a %H:%M}"
    assert metrics["Expected then [kg CO2e per kW]"] == f"{plan.best_co2e_kg:,.3f}"
    text = " ".join(m.value for m in at.markdown)
    assert "a typical June weekday of 2022" in text
    assert f"Start at {plan.best_start:%H:%M on %A %d %B} (Europe/Paris)" in text.replace("\\", "")


def test_date_outside_the_series_says_so_and_uses_the_nearest_year() -> None:
    import datetime as dt

    from app.engine import timeshift

    at = routed("timeshift.py")
    at.selectbox(key="ts_region").set_value("aws:us-west-1")
    at.text_input(key="ts_timezone").set_value("UTC")
    at.number_input(key="ts_hours").set_value(6.0)
    at.number_input(key="ts_flex_hours").set_value(12.0)
    at.radio(key="ts_method").set_value("flexible-start")
    at.date_input(key="ts_date").set_value(dt.date(2026, 6, 1))
    at.selectbox(key="ts_hour").set_value(3).run()
    assert not at.exception, at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "2026-06-01 is outside this series" in warning and "2022-06-01" in warning
    series = bundled_series("aws:us-west-1")
    result = timeshift.flexible_start(series[series.index.year == 2022], 6.0, 12.0, "2022-06-01T03:00Z")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Savings [%]"] == f"{result.savings_fraction * 100:.1f}"
