"""AppTest: every Time shifting option goes into the page's URL, and that URL restores the page.

A session sets the options; its query string opens a fresh session, which must show the same
widget values and the same results. Bad link values are ignored with a warning that names them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from wattprint.db.loader import load_databases
from wattprint.db.series import load_profile

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "app" / "streamlit_app.py"
TIMEOUT = 60
NUMBERS = ("ts_next_hours", "ts_next_within", "ts_hours", "ts_flex_hours", "ts_flex_percent", "ts_power_kw")
CHOICES = ("ts_source", "ts_flex_mode", "ts_method")


def opened(query: dict[str, str]) -> AppTest:
    """A fresh session whose first request is ``/timeshift?<query>``."""
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.switch_page("views/timeshift.py")
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> dict[str, object]:
    """Every option widget's value, and every metric, as the page shows them."""
    drawn = {widget.key for widget in at.number_input}  # one flexibility box is drawn, per its mode
    values: dict[str, object] = {key: at.number_input(key=key).value for key in NUMBERS if key in drawn}
    values.update({key: at.radio(key=key).value for key in CHOICES})
    for key in ("ts_region", "ts_year", "ts_next_hour", "ts_hour"):
        values[key] = at.selectbox(key=key).value
    values["ts_timezone"] = at.text_input(key="ts_timezone").value
    values["ts_fill_gaps"] = at.checkbox(key="ts_fill_gaps").value
    values["ts_next_date"] = at.date_input(key="ts_next_date").value
    values["ts_date"] = at.date_input(key="ts_date").value
    values.update({f"metric {m.label}": m.value for m in at.metric})
    return values


def link_of(at: AppTest) -> dict[str, str]:
    return {name: value[-1] if isinstance(value, list) else value for name, value in at.query_params.items()}


def test_a_link_restores_every_option_and_the_same_results() -> None:
    at = opened({"count": "4", "hours": "12.0"})
    at.selectbox(key="ts_region").set_value("aws:eu-west-2").run()
    at.checkbox(key="ts_fill_gaps").check()
    at.text_input(key="ts_timezone").set_value("Europe/London")
    at.number_input(key="ts_next_hours").set_value(5)
    at.number_input(key="ts_next_within").set_value(30)
    at.date_input(key="ts_next_date").set_value(dt.date(2026, 7, 2))
    at.selectbox(key="ts_next_hour").set_value(9)
    at.number_input(key="ts_hours").set_value(7.5)
    at.radio(key="ts_flex_mode").set_value("+ % of job length").run()
    at.number_input(key="ts_flex_percent").set_value(75.0)
    at.radio(key="ts_method").set_value("pause-resume")
    at.number_input(key="ts_power_kw").set_value(2.5)
    at.date_input(key="ts_date").set_value(dt.date(2020, 3, 14))
    at.selectbox(key="ts_hour").set_value(17).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    before = shown(at)
    link = link_of(at)
    # The link carries the job and every option, numbers included.
    assert link["count"] == "4" and link["hours"] == "12.0"
    assert link["ts_region"] == "aws:eu-west-2" and link["ts_method"] == "pause-resume"
    assert link["ts_hours"] == "7.5" and link["ts_flex_percent"] == "75.0" and link["ts_power_kw"] == "2.5"
    assert link["ts_date"] == "2020-03-14" and link["ts_next_date"] == "2026-07-02"
    assert link["ts_fill_gaps"] == "true" and link["ts_timezone"] == "Europe/London"

    again = opened(link)
    assert not again.warning, [w.value for w in again.warning]
    after = shown(again)
    assert after == before
    # Not the page's defaults: the restored values are the ones set above.
    assert after["ts_hours"] == 7.5 and after["ts_power_kw"] == 2.5 and after["ts_hour"] == 17
    assert after["ts_method"] == "pause-resume" and after["ts_region"] == "aws:eu-west-2"
    assert any(key.startswith("metric Pause and Resume") for key in after)


def test_a_link_option_wins_over_the_jobs_own_length() -> None:
    # The page opens on the job's 12 h unless the link says otherwise.
    at = opened({"hours": "12.0"})
    assert at.number_input(key="ts_hours").value == 12.0
    at = opened({"hours": "12.0", "ts_hours": "3.0", "ts_power_kw": "0.5"})
    assert at.number_input(key="ts_hours").value == 3.0
    assert at.number_input(key="ts_power_kw").value == 0.5


def test_bad_link_values_are_ignored_with_a_warning_naming_them() -> None:
    at = opened(
        {
            "ts_method": "teleport",
            "ts_hours": "-4",
            "ts_region": "mars:olympus-1",
            "ts_timezone": "Mars/Olympus",
            "ts_date": "yesterday",
            "ts_year": "1999",
            "ts_flex_hours": "8.0",
        }
    )
    assert not at.error, [e.value for e in at.error]
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # Markdown escapes
    for name in ("ts_method", "ts_hours", "ts_region", "ts_timezone", "ts_date", "ts_year"):
        assert name in warning, (name, warning)
    assert "teleport" in warning and "mars:olympus-1" in warning
    # The valid value of the same link is kept; the bad ones fall back to the defaults.
    assert at.number_input(key="ts_flex_hours").value == 8.0
    assert at.radio(key="ts_method").value == "flexible-start"
    assert at.number_input(key="ts_hours").value == 24.0  # the default job's length
    assert at.text_input(key="ts_timezone").value == "UTC"
    assert str(at.selectbox(key="ts_year").value) == max(at.selectbox(key="ts_year").options, key=int)


def test_the_page_follows_a_job_changed_on_another_page() -> None:
    at = opened({"hours": "12.0"})
    at.radio(key="ts_method").set_value("pause-resume").run()
    at.switch_page("views/calculator.py").run()
    at.number_input(key="calc_hours").set_value(30.0).run()
    at.switch_page("views/timeshift.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="ts_hours").value == 30.0  # the job's new length
    assert at.radio(key="ts_method").value == "pause-resume"  # the page's own choice is kept


ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # app.safe.plain's Markdown escapes


def page_texts(node: object) -> list[str]:
    """Every text the page draws (Markdown, captions, alerts, labels, metric values, options),
    with Markdown's backslash escapes taken out."""
    found = []
    for name in ("value", "label", "help", "options"):
        try:
            value = getattr(node, name, None)
        except Exception:  # an element without that field (AppTest raises for some)
            continue
        values = value if isinstance(value, list) else [value]
        found.extend(ESCAPED.sub(r"\1", item) for item in values if isinstance(item, str))
    for child in getattr(node, "children", {}).values():
        found.extend(page_texts(child))
    return found


def assert_no_error(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_tokyo_on_a_date_after_the_series_shows_the_same_day_of_2022() -> None:
    # The series' last hours fall in 2023 in Tokyo; the page once picked 2023 and stopped with
    # "start 2023-05-31T18:00:00+00:00 is after the series ends".
    at = opened({"ts_region": "aws:us-west-1", "ts_timezone": "Asia/Tokyo", "ts_date": "2026-06-01"})
    assert_no_error(at)
    used = [c.value for c in at.caption if "Submission used" in c.value]
    assert len(used) == 1, used
    text = ESCAPED.sub(r"\1", used[0])
    # CISO's Electricity Maps series now run 2021-2024: the same day of the newest year.
    assert text.startswith("Submission used: 2024-06-01 00:00 (Asia/Tokyo). 2026-06-01 is outside")
    assert at.date_input(key="ts_date").value == dt.date(2026, 6, 1)  # the link's date stays
    assert any(m.label.startswith("Started at submission") for m in at.metric)


def test_no_text_on_the_page_has_a_double_full_stop() -> None:
    # The default region's series had gaps filled when compiled (the caption once read
    # "compiled.. Intensity basis"); an upload names its own columns.
    at = opened({"ts_region": "aws:us-west-1"})
    assert_no_error(at)
    texts = page_texts(at._tree)
    assert any("Intensity basis" in text for text in texts)
    assert not [text for text in texts if ".." in text]


def series_days() -> tuple[pd.Series, str]:
    """The default region's bundled series (region_db) and that region."""
    db = load_databases().regions
    profile = db.profile_for("aws:us-west-1")
    assert profile is not None
    return load_profile(db.profile_path(profile)), "aws:us-west-1"


@pytest.mark.parametrize("timezone", ["America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("edge", ["first", "last"])
def test_a_zone_at_the_series_first_and_last_day_shows_no_error(timezone: str, edge: str) -> None:
    # UTC-8/-7, UTC+14 and UTC-11: the series' first and last local days are partial days.
    series, region = series_days()
    local = pd.DatetimeIndex(series.index).tz_convert(timezone)
    day = (local[0] if edge == "first" else local[-1]).date()
    for hour in ("0", "23"):
        query = {"ts_region": region, "ts_timezone": timezone, "ts_date": day.isoformat(), "ts_hour": hour}
        query |= {"ts_next_date": day.isoformat(), "ts_next_hour": hour}
        at = opened(query)
        assert_no_error(at)
        assert any(m.label.startswith("Started at submission") for m in at.metric)
        assert at.date_input(key="ts_date").value == day


def test_an_hour_skipped_by_the_clock_change_is_no_traceback() -> None:
    # 02:00 does not exist in Los Angeles on 13 March 2022 or 8 March 2026 (summer time starts).
    at = opened(
        {
            "ts_timezone": "America/Los_Angeles",
            "ts_date": "2022-03-13",
            "ts_hour": "2",
            "ts_next_date": "2026-03-08",
            "ts_next_hour": "2",
        }
    )
    assert_no_error(at)
    deadline = next(c.value for c in at.caption if c.value.startswith("The job must finish"))
    assert "= 2022-03-14 15:00 (America/Los_Angeles)" in deadline  # from 03:00, + 24 h + 12 h


def test_marginal_basis_offers_only_us_regions_and_their_avert_series() -> None:
    # Issue 24: the page's marginal choice uses EPA AVERT's hourly rates (US regions only),
    # says what marginal means, and names the basis in its caption; never an average series.
    at = opened({"ts_basis": "marginal", "ts_region": "aws:us-east-1"})
    assert_no_error(at)
    region = at.selectbox(key="ts_region")
    assert region.value == "aws:us-east-1"
    # each option names its series: marginal ones only (AVERT, or SGIP's own two entries)
    assert region.options and all(("(avert-" in label) or ("(sgip-" in label) for label in region.options)
    assert not any(label.startswith(("aws:eu-west-3 ", "aws:ap-northeast-1 ")) for label in region.options)
    captions = " ".join(c.value for c in at.caption)
    assert "Intensity basis: marginal" in captions and "EPA AVERT" in captions
