"""AppTest: every page runs; the calculator agrees with the engine; links and scenario files round-trip."""

from __future__ import annotations

import ast
import json

import pytest
from streamlit.testing.v1 import AppTest

from app import components, state
from tests.app.apps import ENTRY, ROOT, TIMEOUT, opened
from wattprint.db.tables import region_frame
from wattprint.engine.flops import device_hours_from_flops, model_flops
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import DEFAULT_PUE, JobSpec, resolve
from wattprint.engine.whatif import compare_regions, greenest_alternative


def page_list() -> list[tuple[str, str, str, str]]:
    """PAGE_LIST of the entry file, read without running Streamlit (others add pages to it)."""
    tree = ast.parse(ENTRY.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "PAGE_LIST" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("PAGE_LIST not found in streamlit_app.py")


def app() -> AppTest:
    return AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)


@pytest.fixture
def at() -> AppTest:
    test = app()
    test.run()
    assert not test.exception, test.exception
    return test


def result(at: AppTest) -> dict:
    value = at.session_state["calc_result"]
    assert value is not None, [e.value for e in at.error]
    return value


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("entry", page_list(), ids=lambda entry: entry[0])
def test_every_page_runs(entry):
    file = entry[0]
    if not (ROOT / "app" / "views" / file).exists():
        pytest.skip(f"{file} is listed but not written yet")
    test = app()
    test.run()
    test.switch_page(f"views/{file}")
    test.run()
    assert not test.exception, test.exception


def test_defaults_show_a_complete_result(at, databases):
    # 8 x H100 SXM5 (700 W TDP) for 24 h in aws:us-east-1 with the AWS fleet PUE
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=8, hours=24, region="aws:us-east-1", utilization=1.0
    )
    footprint = estimate(resolve(spec, databases))
    shown = result(at)
    assert shown["energy_kwh"] == pytest.approx(footprint.energy_kwh)
    assert shown["co2e_kg"] == pytest.approx(footprint.co2e_kg)
    assert metric(at, "Energy (facility)") == f"{footprint.energy_kwh:,.0f} kWh"
    frame = region_frame(databases.regions)
    ranked = compare_regions(footprint, frame[frame["provider"] == "aws"], None, DEFAULT_PUE)
    greener = greenest_alternative(ranked, "aws:us-east-1")
    assert greener is not None and shown["greener_region"] == greener.region_id
    assert shown["greener_co2e_kg"] == pytest.approx(greener.co2e_kg)
    assert any(greener.region_id in s.value and "Had this run in" in s.value for s in at.success)
    bars = " ".join(str(bar.proto) for bar in at.get("progress"))
    assert "Accelerators" in bars and components.kg(footprint.co2e_kg / footprint.pue) in bars
    assert not at.error


def test_count_region_and_utilisation_match_engine(at, databases):
    at.number_input(key="calc_count").set_value(4)
    at.selectbox(key="calc_region").set_value("gcp:europe-west6")
    at.slider(key="calc_utilization").set_value(0.6)
    at.run()
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=4, hours=24, region="gcp:europe-west6", utilization=0.6
    )
    footprint = estimate(resolve(spec, databases))
    assert result(at)["co2e_kg"] == pytest.approx(footprint.co2e_kg)
    assert result(at)["energy_kwh"] == pytest.approx(footprint.energy_kwh)


def test_grid_custom_pue_cpu_memory_and_embodied(at, databases):
    at.radio(key="calc_location").set_value("grid")
    at.run()
    at.selectbox(key="calc_grid").set_value("country:DE")
    at.radio(key="calc_pue_mode").set_value("custom")
    at.run()
    at.number_input(key="calc_pue").set_value(1.4)
    at.number_input(key="calc_cpu_w").set_value(400.0)
    at.number_input(key="calc_memory_w").set_value(100.0)
    at.radio(key="calc_embodied").set_value("custom")
    at.run()
    at.number_input(key="calc_embodied_kg").set_value(200.0)
    at.run()
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb",
        count=8,
        hours=24,
        region="country:DE",
        utilization=1.0,
        pue=1.4,
        cpu_power_w=400,
        memory_power_w=100,
        embodied_kgco2e=200,
    )
    footprint = estimate(resolve(spec, databases))
    shown = result(at)
    assert shown["co2e_kg"] == pytest.approx(footprint.co2e_kg)
    assert shown["total_co2e_kg"] == pytest.approx(footprint.total_co2e_kg)
    assert shown["embodied_co2e_kg"] > 0


def test_duration_from_flops_matches_6nd(at, databases):
    at.radio(key="calc_duration").set_value("flops")
    at.run()
    at.number_input(key="calc_params_b").set_value(7.0)
    at.number_input(key="calc_tokens_b").set_value(140.0)
    at.number_input(key="calc_mfu").set_value(0.4)
    at.run()
    # 6 x 7e9 x 140e9 = 5.88e21 FLOPs at 989.4 TFLOP/s bf16 x 40%
    device_hours = device_hours_from_flops(model_flops(7e9, 140e9, "training"), 989.4, 0.4)
    assert result(at)["device_hours"] == pytest.approx(device_hours)
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb",
        count=8,
        device_hours=device_hours,
        region="aws:us-east-1",
        utilization=1.0,
    )
    assert result(at)["co2e_kg"] == pytest.approx(estimate(resolve(spec, databases)).co2e_kg)


def test_custom_watts_and_custom_intensity(at, databases):
    at.radio(key="calc_hw_mode").set_value("custom")
    at.radio(key="calc_location").set_value("custom")
    at.run()
    at.number_input(key="calc_custom_w").set_value(250.0)
    at.number_input(key="calc_intensity").set_value(100.0)
    at.run()
    spec = JobSpec(power_w=250, count=8, hours=24, intensity_g_per_kwh=100)
    assert result(at)["co2e_kg"] == pytest.approx(estimate(resolve(spec, databases)).co2e_kg)


def test_serving_lifetime(at):
    at.toggle(key="calc_serve").set_value(True)
    at.run()
    at.number_input(key="calc_requests_per_day").set_value(1000.0)
    at.number_input(key="calc_wh_per_request").set_value(2.0)
    at.number_input(key="calc_days").set_value(10.0)
    at.run()
    # 1000 x 2 Wh x 10 d = 20 kWh IT, x the AWS fleet PUE
    shown = result(at)
    pue = shown["energy_kwh"] / (8 * 700 * 24 / 1000)
    assert shown["serving_energy_kwh"] == pytest.approx(20 * pue)


def test_bad_input_is_an_inline_error(at):
    # a device with no embodied figure in the database (data-centre GPUs now have one)
    at.selectbox(key="calc_hardware").set_value("nvidia-geforce-rtx-4090")
    at.radio(key="calc_embodied").set_value("database")
    at.run()
    assert not at.exception
    assert at.error and "embodied" in at.error[0].value
    assert at.session_state["calc_result"] is None


def test_query_string_restores_inputs():
    test = app()
    test.query_params.update(
        {"count": "3", "region": "azure:westeurope", "hours": "12.5", "utilization": "0.7", "year": "latest"}
    )
    test.run()
    assert not test.exception
    assert test.number_input(key="calc_count").value == 3
    assert test.selectbox(key="calc_region").value == "azure:westeurope"
    assert test.number_input(key="calc_hours").value == 12.5
    assert test.slider(key="calc_utilization").value == 0.7


def test_bad_query_values_are_ignored_with_a_warning():
    test = app()
    test.query_params.update({"count": "lots", "hardware": "no-such-gpu"})
    test.run()
    assert not test.exception
    assert test.number_input(key="calc_count").value == 8
    assert test.selectbox(key="calc_hardware").value == "nvidia-h100-sxm5-80gb"
    assert len(test.warning) == 2


def test_widget_change_updates_query_string(at):
    at.number_input(key="calc_count").set_value(16)
    at.run()
    assert at.query_params["count"] == ["16"] or at.query_params["count"] == "16"
    params = {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}
    again = app()
    again.query_params.update(params)
    again.run()
    assert again.session_state["calc_result"] == at.session_state["calc_result"]


def test_scenario_file_round_trip(at):
    at.number_input(key="calc_count").set_value(2)
    at.selectbox(key="calc_region").set_value("gcp:us-central1")
    at.run()
    document = at.session_state["calc_scenario_json"]
    assert json.loads(document)["schema_version"] == 1
    fresh = app()
    fresh.run()
    fresh.file_uploader(key="calc_upload").upload("s.json", document.encode(), "application/json")
    fresh.run()
    assert not fresh.exception and not fresh.error
    assert fresh.number_input(key="calc_count").value == 2
    assert fresh.selectbox(key="calc_region").value == "gcp:us-central1"
    assert fresh.session_state["calc_result"] == at.session_state["calc_result"]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"format": "wattprint-scenario", "schema_version": 99, "job": {}}',
        b'{"format": "wattprint-scenario", "schema_version": 1, "job": {"count": "x", "hours": 1}}',
        b"\xff\xfe",
    ],
    ids=["text", "list", "version", "type", "binary"],
)
def test_bad_upload_shows_error(at, content):
    at.file_uploader(key="calc_upload").upload("bad.json", content, "application/json")
    at.run()
    assert not at.exception
    assert any("Could not load" in e.value for e in at.error)
    assert at.session_state["calc_result"] is not None


def test_compare_page_uses_calculator_job(at, databases):
    at.number_input(key="calc_count").set_value(2)
    at.run()
    at.switch_page("views/compare.py")
    at.run()
    assert not at.exception
    ranked = at.session_state["compare_result"]
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=2, hours=24, region="aws:us-east-1", utilization=1.0
    )
    footprint = estimate(resolve(spec, databases))
    frame = region_frame(databases.regions)
    expected = compare_regions(footprint, frame[frame["kind"] == "cloud"], None, DEFAULT_PUE)
    assert list(ranked["id"]) == list(expected["id"])
    assert ranked["co2e_kg"].tolist() == pytest.approx(expected["co2e_kg"].tolist())
    at.multiselect(key="compare_providers").set_value(["gcp"])
    at.run()
    assert set(at.session_state["compare_result"]["provider"]) == {"gcp"}


def test_picker_recommends(at):
    at.switch_page("views/picker.py")
    at.run()
    assert not at.exception
    best = at.session_state["picker_result"]
    assert len(best) == 5 and all(best["reason"].str.contains("gCO2e/kWh"))
    at.text_input(key="picker_latlon").set_value("95, 0")
    at.run()
    assert not at.exception and at.error


def test_state_round_trip_every_field():
    values = dict(state.DEFAULTS)
    values.update(count=5, hours=1.0 / 3.0, serve=True, serve_basis="model", location="grid")
    params = state.to_params(values)
    parsed, problems = state.parse_params(params)
    assert not problems
    for name, value in parsed.items():
        assert value == values[name], name


def test_user_strings_are_not_rendered_as_markdown(at):
    at.file_uploader(key="calc_upload").upload(
        "![x](http://example.com/a.png).json", b"{", "application/json"
    )
    at.run()
    message = next(e.value for e in at.error if "Could not load" in e.value)
    assert "\\!\\[x\\]\\(http" in message


def opened_at(page: str, query: dict[str, str]) -> AppTest:
    """A fresh session whose first request is ``/<page>?<query>``."""
    return opened(page, query)


def test_report_link_opens_that_jobs_statement(databases):
    # 16 x A100 SXM4 80GB for 48 h on the French grid at 70% of TDP
    query = {
        "hardware": "nvidia-a100-sxm4-80gb",
        "count": "16",
        "hours": "48.0",
        "utilization": "0.7",
        "location": "grid",
        "grid": "country:FR",
        "format": "latex",
    }
    at = opened_at("report.py", query)
    spec = JobSpec(hardware="nvidia-a100-sxm4-80gb", count=16, hours=48, region="country:FR", utilization=0.7)
    footprint = estimate(resolve(spec, databases))
    texts = at.session_state["report_texts"]
    assert "16 x NVIDIA A100" in texts["markdown"] and "country:FR" in texts["markdown"]
    assert json.loads(texts["json"])["footprint"]["co2e_kg"] == pytest.approx(footprint.co2e_kg)
    assert at.radio(key="report_format").value == "latex"
    assert any("\\citep{" in c.value and c.language == "latex" for c in at.code)
    assert at.number_input(key="calc_count").value == 16  # the report edits the same job
    assert at.slider(key="calc_utilization").value == 0.7
    assert at.query_params["format"] in (["latex"], "latex")


def test_compare_link_restores_job_and_filters(databases):
    at = opened_at("compare.py", {"count": "64", "hours": "336.0", "kinds": "cloud", "providers": "gcp,aws"})
    assert at.multiselect(key="compare_providers").value == ["gcp", "aws"]
    ranked = at.session_state["compare_result"]
    assert set(ranked["provider"]) == {"gcp", "aws"}
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=64, hours=336, region="aws:us-east-1", utilization=1.0
    )
    footprint = estimate(resolve(spec, databases))
    assert metric(at, "Your choice") == components.kg(footprint.co2e_kg)


def test_published_your_job_defaults_to_the_job_on_energy(databases):
    at = opened_at("published.py", {"count": "2", "hours": "10.0"})
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=2, hours=10, region="aws:us-east-1", utilization=1.0
    )
    footprint = estimate(resolve(spec, databases))
    assert at.radio(key="published_compare_on").value == "energy"
    assert metric(at, "Your job") == components.kwh(footprint.energy_kwh)
    assert "published training energy" in at.markdown[-1].value.replace("\\", "")
    at.radio(key="published_compare_on").set_value("co2e").run()
    assert metric(at, "Your job") == components.kg(footprint.co2e_kg)
    shown = " ".join(c.value for c in at.caption)
    assert f"at your job's grid figure ({components.num(footprint.intensity_g_per_kwh)} g/kWh" in shown
    assert "aws:us-east-1" in shown
    at.radio(key="published_your_kg_from").set_value("typed").run()
    at.number_input(key="published_your_kg").set_value(5000.0).run()
    assert at.query_params["your_kg"] in (["5000.0"], "5000.0")
    assert at.query_params["compare_on"] in (["co2e"], "co2e")


def test_a_job_edited_on_the_report_is_the_calculators(databases):
    at = opened_at("report.py", {})
    at.number_input(key="calc_count").set_value(3).run()
    at.switch_page("views/calculator.py").run()
    assert at.number_input(key="calc_count").value == 3
    assert result(at)["co2e_kg"] == pytest.approx(
        estimate(
            resolve(
                JobSpec(
                    hardware="nvidia-h100-sxm5-80gb",
                    count=3,
                    hours=24,
                    region="aws:us-east-1",
                    utilization=1.0,
                ),
                databases,
            )
        ).co2e_kg
    )


def test_device_type_splits_the_hardware_list(databases):
    at = app()
    at.run()
    options = at.selectbox(key="calc_hardware").options
    assert all(databases.hardware.get(key.split(" · ")[-1]).kind != "cpu" for key in options[:20])
    at.radio(key="calc_device_group").set_value("cpus").run()
    cpu = at.selectbox(key="calc_hardware").value
    assert databases.hardware.get(cpu).kind == "cpu" and not at.exception
    assert result(at)["co2e_kg"] > 0
    # A link to a CPU opens the CPU list with that CPU chosen.
    again = app()
    again.query_params.update({"hardware": cpu})
    again.run()
    assert again.radio(key="calc_device_group").value == "cpus"
    assert again.selectbox(key="calc_hardware").value == cpu
