"""AppTest of the decision pages: region picker, time shifting, batch audit, CodeCarbon import.

What each page shows is compared with a direct engine call on the same inputs.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from app import state
from tests.app.apps import ROOT, routed
from wattprint.db.loader import load_databases
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import resolve

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
    from wattprint.db.series import load_profile

    db = load_databases().regions
    profile = db.profile_for(region_id)
    assert profile is not None
    return load_profile(db.profile_path(profile))


def test_next_hours_start_is_in_local_time_and_equals_the_engine() -> None:
    import datetime as dt

    from wattprint.engine import timeshift

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
    power_kw = at.number_input(key="ts_power_kw").value  # the job's draw: kg for the job, not per kW
    assert metrics["Best start [kg CO2e]"] == f"{plan.best_co2e_kg * power_kw:,.3f}"
    text = " ".join(m.value for m in at.markdown)
    assert f"{plan.basis} of this series" in text.replace("\\", "")  # "a typical June weekday of <year>"
    assert plan.basis.startswith("a typical June weekday of ")
    assert f"Start at {plan.best_start:%H:%M on %A %d %B} (Europe/Paris)" in text.replace("\\", "")


def test_date_outside_the_series_says_so_and_uses_the_nearest_year() -> None:
    import datetime as dt

    from wattprint.engine import timeshift

    at = routed("timeshift.py")
    at.selectbox(key="ts_region").set_value("aws:us-west-1")
    at.text_input(key="ts_timezone").set_value("UTC")
    at.number_input(key="ts_hours").set_value(6.0)
    at.number_input(key="ts_flex_hours").set_value(12.0)
    at.radio(key="ts_method").set_value("flexible-start")
    at.date_input(key="ts_date").set_value(dt.date(2026, 6, 1))
    at.selectbox(key="ts_hour").set_value(3).run()
    assert not at.exception, at.exception
    # The date used is said in a caption (Markdown-escaped: the time zone is typed by the user):
    # the same day in the series' year nearest to 2026 (the series on the page, its year chosen).
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    series = bundled_series("aws:us-west-1")
    year = timeshift.nearest_year(sorted(set(series.index.year)), 2026)
    assert f"Submission used: {year}-06-01 03:00 (UTC). 2026-06-01 is outside this series" in caption
    chosen = series[series.index.year == year]
    result = timeshift.flexible_start(chosen, 6.0, 12.0, f"{year}-06-01T03:00Z")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Savings [%]"] == f"{result.savings_fraction * 100:.1f}"
    # The offer: one click puts the nearest year's date in the field, and the caption goes.
    at.button(key="ts_use_nearest").click().run()
    assert at.date_input(key="ts_date").value == dt.date(year, 6, 1)
    assert not any("outside this series" in c.value for c in at.caption)


# --- batch audit ----------------------------------------------------------------------------------

JOBS = (
    b"name,user,hardware,count,hours,region\n"
    b"a,alice,nvidia-h100-sxm5-80gb,8,10,aws:us-east-1\n"
    b"b,bob,NVIDIA H100 80GB HBM3,4,5,aws:us-east-1\n"  # the name NVML reports: an alias
    b"c,alice,nvidia-h100-sxm5-80gb,2,3,gcp:europe-west6\n"
    b"d,carol,nvidia-h100-sxm5-80gb,x,3,gcp:europe-west6\n"  # fails: count is not a number
)


def one_job_kg(hardware: str, count: float, hours: float, region: str) -> float:
    from wattprint.engine.jobspec import JobSpec

    spec = JobSpec(hardware=hardware, count=count, hours=hours, region=region)
    return estimate(resolve(spec, load_databases())).co2e_kg


def test_batch_groups_by_a_user_column_and_matches_single_estimates() -> None:
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("jobs.csv", JOBS, "text/csv").run()
    assert not at.exception, at.exception
    at.selectbox(key="batch_group").set_value("user").run()
    summary = at.session_state["batch_summary"].set_index("user")
    alice = one_job_kg("nvidia-h100-sxm5-80gb", 8, 10, "aws:us-east-1") + one_job_kg(
        "nvidia-h100-sxm5-80gb", 2, 3, "gcp:europe-west6"
    )
    bob = one_job_kg("nvidia-h100-sxm5-80gb", 4, 5, "aws:us-east-1")
    assert summary.loc["alice", "co2e_kg"] == pytest.approx(alice, rel=1e-9)
    assert summary.loc["bob", "co2e_kg"] == pytest.approx(bob, rel=1e-9)
    assert "carol" not in summary.index  # her only row failed
    assert summary.loc["alice", "jobs"] == 2
    # The failure is counted and shown in red, with its line.
    assert any("1 rows failed" in e.value for e in at.error)
    labels = [m.label for m in at.metric]
    assert ":red[Rows failed]" in labels


def test_batch_merges_hardware_aliases_and_puts_results_first() -> None:
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("jobs.csv", JOBS, "text/csv").run()
    at.selectbox(key="batch_group").set_value("hardware (aliases merged)").run()
    summary = at.session_state["batch_summary"]
    assert list(summary["hardware_id"]) == ["nvidia-h100-sxm5-80gb"]
    assert summary["jobs"].iloc[0] == 3
    results = at.dataframe[0].value
    assert list(results.columns[:4]) == ["line", "name", "co2e_kg", "energy_kwh"]
    assert "power_w" not in results.columns  # an input nobody gave: no empty column
    assert not (results.astype(str) == "None").any().any()


def test_batch_example_file_is_offered_and_audits_without_an_upload() -> None:
    from app import batch_parts

    at = routed("batch.py")
    assert any("example file" in i.value for i in at.info)
    assert at.toggle(key="batch_example").value is False
    at.toggle(key="batch_example").set_value(True).run()
    assert not at.exception, at.exception
    jobs = next(m for m in at.metric if m.label == "Jobs estimated").value
    count = len(batch_parts.EXAMPLE_ROWS)
    assert jobs == f"{count:,} of {count:,}"
    at.selectbox(key="batch_group").set_value("user").run()
    assert set(at.session_state["batch_summary"]["user"]) == {"alice", "bob"}


def test_batch_error_names_the_uploaded_file_not_a_server_path() -> None:
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("my jobs.csv", bytes(range(256)) * 4, "text/csv").run()
    message = " ".join(e.value for e in at.error).replace("\\", "")
    assert "my jobs.csv: not UTF-8 text" in message
    assert "/tmp" not in message and "upload.csv" not in message


def test_batch_sends_a_codecarbon_file_to_the_import_page() -> None:
    emissions = (ROOT / "tests" / "fixtures" / "codecarbon" / "v2_emissions.csv").read_bytes()
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("emissions.csv", emissions, "text/csv").run()
    assert not at.error, [e.value for e in at.error]
    assert any("CodeCarbon" in i.value for i in at.info)
    at.button(key="batch_to_codecarbon").click().run()
    assert not at.exception, at.exception
    assert at.session_state["cc_runs"]["energy_kwh"].sum() > 0
    assert at.selectbox(key="cc_region").value == "aws:us-east-1"  # the file's own cloud region


def test_batch_file_without_hardware_or_region_columns_is_audited_and_grouped() -> None:
    # A measured-power jobs file: no hardware, no region column (the engine adds no absent column).
    jobs = b"name,team,power_w,hours,intensity_g_per_kwh\na,ml,300,2,400\nb,ml,200,1,300\nc,web,100,x,300\n"
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("power.csv", jobs, "text/csv").run()
    assert not at.exception, at.exception
    options = at.selectbox(key="batch_group").options
    assert "hardware (aliases merged)" not in options and "region (aliases merged)" not in options
    at.selectbox(key="batch_group").set_value("team").run()
    assert not at.exception, at.exception
    summary = at.session_state["batch_summary"].set_index("team")
    from wattprint.engine.jobspec import DEFAULT_PUE  # no region: the default PUE

    expected = (300 * 2 / 1000 * DEFAULT_PUE * 400 + 200 * 1 / 1000 * DEFAULT_PUE * 300) / 1000
    assert summary.loc["ml", "co2e_kg"] == pytest.approx(expected, rel=1e-12)
    assert "web" not in summary.index  # its only row failed (hours is not a number)
    assert any("1 rows failed" in e.value for e in at.error)


def test_batch_file_with_a_header_and_no_rows_says_so() -> None:
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("empty.csv", b"name,hours,power_w\n", "text/csv").run()
    assert not at.exception, at.exception
    assert any("no job rows" in i.value for i in at.info)


# --- CodeCarbon import ----------------------------------------------------------------------------

# Rows of a real CodeCarbon 2.3.4 log (project 3CABTP, France) quoted in the README of
# github.com/ADITYA-BHATTACHARYA-DEV/Green-Software-HSF-2025-Documentation (two runs).
REAL_HEADER = (
    "timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,"
    "cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,"
    "cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,"
    "gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue\n"
)
REAL_ROWS = (
    "2024-04-13T21:30:53,3CABTP,2012a217-6530-46c0-b1d2-9c3929fb2397,1.3259670734405518,"
    "1.5712467392432068e-07,1.1849817169035849e-07,12.5,0.0,2.7667794227600098,4.5959485901726615e-06,0,"
    "1.0156469071245054e-06,5.611595497297167e-06,France,FRA,,,,Linux-6.5.0-27-generic-x86_64-with-glibc2.38,"
    "3.11.7,2.3.4,4,Intel(R) Core(TM) i3-10110U CPU @ 2.10GHz,,,2.3387,48.8582,7.378078460693359,"
    "machine,N,1.0\n"
    "2024-04-13T21:31:07,3CABTP,2012a217-6530-46c0-b1d2-9c3929fb2397,16.53349208831787,1.962148159665233e-06,"
    "1.186771765567685e-07,12.5,0.0,2.7667794227600098,5.737896925873227e-05,0,1.2697750729311772e-05,"
    "7.007671998804404e-05,France,FRA,,,,Linux-6.5.0-27-generic-x86_64-with-glibc2.38,3.11.7,2.3.4,4,"
    "Intel(R) Core(TM) i3-10110U CPU @ 2.10GHz,,,2.3387,48.8582,7.378078460693359,machine,N,1.0\n"
    "2024-04-14T09:49:48,3CABTP,db7c84ce-400c-487d-978a-8ecf0e3de370,41.1864070892334,4.402333538952775e-05,"
    "1.068880208320865e-06,42.5,0.0,2.9481554031372075,0.0004850785283578,0,3.358139211158857e-05,"
    "0.0005186599204694,France,FRA,,,,Windows-10-10.0.22631-SP0,3.11.8,2.3.5,4,"
    "Intel(R) Core(TM) i5-7300U CPU @ 2.60GHz,,,2.3387,48.8582,7.861747741699219,machine,N,1.0\n"
)


def test_codecarbon_three_files_one_bad_keeps_the_good_ones() -> None:
    from wattprint.db.codecarbon import parse_emissions
    from wattprint.engine import codecarbon

    v2 = (ROOT / "tests" / "fixtures" / "codecarbon" / "v2_emissions.csv").read_bytes()
    at = routed("codecarbon.py")
    uploader = at.file_uploader(key="cc_files")
    uploader.upload("lab-laptop.csv", (REAL_HEADER + REAL_ROWS).encode(), "text/csv")
    uploader.upload("aws-runs.csv", v2, "text/csv")
    uploader.upload("notes.csv", b"date,comment\n2024-01-01,hello\n", "text/csv")
    at.run()
    assert not at.exception, at.exception
    error = " ".join(e.value for e in at.error).replace("\\", "")
    assert "1 of 3 files not imported" in error
    assert "notes.csv: not a CodeCarbon emissions file" in error
    runs = at.session_state["cc_runs"]
    expected = codecarbon.runs(
        pd.concat(
            [
                parse_emissions(REAL_HEADER + REAL_ROWS, "lab-laptop.csv").rows,
                parse_emissions(v2.decode(), "aws-runs.csv").rows,
            ],
            ignore_index=True,
        )
    )
    assert len(runs) == len(expected) == 4  # two runs in each good file
    assert runs["energy_kwh"].sum() == pytest.approx(expected["energy_kwh"].sum())
    # Re-priced at the chosen region's latest intensity, with a PUE of 1.5 replacing the file's 1.0.
    at.selectbox(key="cc_region").set_value("country:FR")
    at.radio(key="cc_pue_mode").set_value("Apply a PUE").run()
    at.number_input(key="cc_pue").set_value(1.5).run()
    intensity = load_databases().regions.intensity("country:FR").value
    runs = at.session_state["cc_runs"]
    assert runs["co2e_kg"].sum() == pytest.approx(expected["energy_kwh"].sum() * 1.5 * intensity / 1000)
    # No raw UUID as a label: runs are named by project and a short id.
    assert all(len(label) < 40 for label in runs["run"])


def test_codecarbon_region_defaults_to_the_files_country() -> None:
    at = routed("codecarbon.py")
    at.file_uploader(key="cc_files").upload("lab.csv", (REAL_HEADER + REAL_ROWS).encode(), "text/csv").run()
    assert at.selectbox(key="cc_region").value == "country:FR"  # FRA in the file


# --- small defects ----------------------------------------------------------------------------------


def test_hardware_chart_gives_every_vendor_its_own_colour_and_symbol() -> None:
    import json

    at = routed("hardware.py")
    chart = next(e for e in at.get("plotly_chart"))
    traces = json.loads(chart.proto.spec)["data"]
    vendors = [t["name"] for t in traces]
    assert len(vendors) >= 10, vendors
    looks = [(t["marker"]["color"], t["marker"].get("symbol")) for t in traces]
    assert len(set(looks)) == len(looks), looks
    assert len({color for color, _ in looks}) == len(looks)


def test_tables_show_no_none_text() -> None:
    at = routed("hardware.py")
    for frame in (at.dataframe[0].value,):
        assert not (frame.astype(str) == "None").any().any()
    at = routed("regions.py")
    assert not (at.dataframe[0].value.astype(str) == "None").any().any()


def test_database_page_states_the_limit_its_uploaders_enforce() -> None:
    from wattprint.db import upload

    at = routed("database.py")
    limit_mb = upload.MAX_UPLOAD_BYTES // 2**20
    for key in ("db_zip", "db_hardware", "db_region"):
        assert at.file_uploader(key=key).proto.max_upload_size_mb == limit_mb
    caption = " ".join(c.value for c in at.caption)
    assert f"{limit_mb} MB in all" in caption and "MiB" not in caption


def test_codecarbon_runs_are_also_priced_where_they_ran() -> None:
    v2 = (ROOT / "tests" / "fixtures" / "codecarbon" / "v2_emissions.csv").read_bytes()
    at = routed("codecarbon.py")
    at.file_uploader(key="cc_files").upload("aws-runs.csv", v2, "text/csv").run()
    runs = at.session_state["cc_runs"]
    assert set(runs["own_region"]) == {"aws:us-east-1"}
    # Priced at the figure of the year the runs started (2024-05 in v2_emissions.csv).
    ran = load_databases().regions.intensity("aws:us-east-1", 2024)
    assert runs["own_region_co2e_kg"].tolist() == pytest.approx(
        (runs["energy_kwh"] * ran.value / 1000).tolist()
    )
    assert set(runs["own_region_year"]) == {2024}


def test_codecarbon_names_runs_without_an_id_by_file_and_warns_of_runs_in_two_files() -> None:
    # real_v1_experiment_id.csv and real_v1_pandas_index.csv are two versions of the same file of
    # mlco2/codecarbon (examples/emissions.csv, see tests/fixtures/codecarbon/README.md): their
    # first five runs share experiment ids. real_2021_empty_header_cells.csv has no run id at all.
    fixtures = ROOT / "tests" / "fixtures" / "codecarbon"
    names = ("real_v1_experiment_id.csv", "real_v1_pandas_index.csv", "real_2021_empty_header_cells.csv")
    at = routed("codecarbon.py")
    uploader = at.file_uploader(key="cc_files")
    for name in names:
        uploader.upload(name, (fixtures / name).read_bytes(), "text/csv")
    at.run()
    assert not at.exception, at.exception
    runs = at.session_state["cc_runs"]
    shared = set(runs.loc[runs["file"] == names[0], "run_id"]) & set(
        runs.loc[runs["file"] == names[1], "run_id"]
    )
    assert len(shared) == 5
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert f"{len(shared)} run id(s) appear in more than one file" in warning
    no_id = runs[runs["file"] == names[2]]
    assert len(no_id) == 8 and no_id["run"].is_unique
    assert all(
        "…" in label and label.endswith(f".csv:{line}")
        for label, line in zip(no_id["run"], no_id["run_id"].str.rsplit(":", n=1).str[-1], strict=True)
    )
    assert all(len(label) < 40 for label in runs["run"])
    # Every run is priced where its file says it ran (cloud region, else country).
    assert runs["own_region"].notna().all()
