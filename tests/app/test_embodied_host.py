"""Issue 26 from the user's side: the host choice of the calculator and the report page, and the
embodied figure shown as its range with its basis in words, each part on its own line.

Hand-computed figures (Luccioni et al. 2022 amortisation, 6 years x 8,760 h x 85% = 44,676 h):
8 x H100 SXM5 for 100 h = 800 device-hours;
- devices, ACT lower bound 28.6 kg: 28.6 x 800 / 44,676 = 0.512 kg; NVIDIA HGX H100 PCF / 8 =
  164 kg: 164 x 800 / 44,676 = 2.94 kg;
- host, BLOOM's 2,500 kg proxy per 8-GPU server: 2,500 x (800 / 8) / 44,676 = 5.60 kg;
- Dell PowerEdge C4140 PCF (6,800 kg x 18.3% manufacturing = 1,244.4 kg per 4-GPU server, 4-year
  life: 29,784 h): 1,244.4 x (800 / 4) / 29,784 = 8.36 kg.
"""

from __future__ import annotations

import pytest

from app import embodied_text
from tests.app.apps import opened
from wattprint.db.loader import load_databases
from wattprint.engine import report, segments
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve

JOB = {"hardware": "nvidia-h100-sxm5-80gb", "count": "8", "hours": "100", "embodied": "database"}
PROXY = "proxy-gpu-server-8gpu-bloom"


@pytest.fixture(scope="module")
def dbs():  # type: ignore[no-untyped-def]
    return load_databases()


def library_footprint(dbs, host: str | None):  # type: ignore[no-untyped-def]
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb",
        count=8,
        hours=100,
        utilization=1.0,  # the calculator gives its slider's value
        region="aws:us-east-1",
        embodied=True,
        host=host,
    )
    return spec, estimate(resolve(spec, dbs))


def embodied_text_on(at) -> str:  # type: ignore[no-untyped-def]
    """What the page's embodied block says, Markdown escapes removed."""
    shown = [m.value for m in at.markdown if "Embodied \\(making the hardware\\)" in m.value]
    assert len(shown) == 1, [m.value[:80] for m in at.markdown]
    return shown[0].replace("\\", "")


def test_the_host_select_offers_the_hosts_table_only_with_embodied_on(dbs) -> None:  # type: ignore[no-untyped-def]
    at = opened("calculator.py", {**JOB, "embodied": "none"})
    assert not [r for r in at.radio if r.key == "calc_host"]
    assert "host" not in at.query_params
    at.radio(key="calc_embodied").set_value("database").run()
    select = at.radio(key="calc_host")
    hosts = dbs.hardware.hosts
    options = [o.replace("\\", "") for o in select.options]  # Markdown escapes: radio labels are Markdown
    assert options == [embodied_text.host_option(k, hosts) for k in embodied_text.host_choices(hosts)]
    assert len(options) == 1 + len(hosts) >= 7  # none, the proxy, five Boavizta PCF rows
    assert select.value == "none" and at.query_params["host"] == "none"
    assert "Dell PowerEdge C4140: 1,244 kg CO₂e per GPU server of 4 GPUs, manufacturer PCF" in options
    assert any("per GPU server of 8 GPUs, proxy (no published figure" in o for o in options)


def test_choosing_a_host_adds_its_share_as_its_own_line(dbs) -> None:  # type: ignore[no-untyped-def]
    at = opened("calculator.py", JOB)
    before = embodied_text_on(at)
    assert "Host share" not in before
    assert (
        "0.512 – 2.94 kg CO₂e (lower bound (dies and memory); high end with the devices' manufacturer PCF)"
        in before
    )
    at.radio(key="calc_host").set_value(PROXY).run()
    assert not at.exception
    assert at.query_params["host"] == PROXY  # in the URL like every other input
    shown = embodied_text_on(at)
    _, footprint = library_footprint(dbs, PROXY)
    devices, host = footprint.embodied_parts
    assert round(devices.co2e_kg, 3) == 0.512 and round(devices.co2e_kg_high, 2) == 2.94
    assert round(host.co2e_kg, 2) == 5.60
    assert f"- {embodied_text.part_line(host)}" in shown.replace("\\", "")
    assert "Host share (1 × 8-GPU server, proxy (BLOOM's 2,500 kg per server)): 5.60 kg CO₂e, proxy" in shown
    assert "6-year life at 85% use; source: Luccioni, Viguier, Ligozat (arXiv), 2022" in shown
    assert "Devices (8 × NVIDIA H100 SXM5 80GB): 0.512 – 2.94 kg CO₂e, lower bound (dies and memory)" in shown
    assert "Embodied (making the hardware): 6.11 – 8.53 kg CO₂e" in shown  # 0.512 + 5.60 to 2.94 + 5.60
    # what the chosen host's figure includes, its lifetime and its source, in words
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "2,500 kg CO₂e to make one GPU server (proxy (no published figure for this product))" in caption
    assert "Includes the host server without its GPUs" in caption and "Amortised over 6 years" in caption
    assert "Source: Luccioni, Viguier, Ligozat (arXiv), Estimating the Carbon Footprint of BLOOM" in caption


def test_a_link_with_a_manufacturer_pcf_host_opens_with_it(dbs) -> None:  # type: ignore[no-untyped-def]
    at = opened("calculator.py", {**JOB, "host": "dell-poweredge-c4140"})
    assert at.radio(key="calc_host").value == "dell-poweredge-c4140"
    shown = embodied_text_on(at)
    assert "Host share (2 × Dell PowerEdge C4140): 8.36 kg CO₂e, manufacturer PCF, 4-year life" in shown
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "shared by its 4 GPUs" in caption and "licence ODbL 1.0" in caption


def test_an_unknown_host_in_a_link_is_refused_inline() -> None:
    at = opened("calculator.py", {**JOB, "host": "no-such-server"})
    warnings = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "unknown host 'no-such-server'; using none" in warnings
    assert at.radio(key="calc_host").value == "none"
    assert "Host share" not in embodied_text_on(at)


def test_the_report_page_states_each_part_as_the_library_does(dbs) -> None:  # type: ignore[no-untyped-def]
    at = opened("report.py", {**JOB, "host": PROXY})
    assert at.radio(key="calc_host").value == PROXY
    spec, _ = library_footprint(dbs, PROXY)
    priced, further, footprint = segments.priced_in(spec, (), dbs, None)
    statement = report.statement(priced, footprint, dbs, segments=further)
    paragraphs = [m.value for m in at.markdown if m.value.startswith("The work ran on")]
    assert paragraphs == [statement.markdown]
    text = statement.markdown
    assert "lower bound (dies and memory)" in text and "manufacturer PCF: NVIDIA, 2024" in text
    assert "host (8-GPU server, proxy (BLOOM's 2,500 kg per server)): 5.60 kg, proxy" in text
    assert text.count("6-year life at 85% use") == 2  # the lifetime of each part
    assert "source: Luccioni, Viguier, Ligozat (arXiv), 2022" in text
    # the range, never its lower bound alone as the figure, and the total as a range too
    assert "add 6.11 kg to 8.53 kg (lower bound (dies and memory); host: proxy" in text
    mid = statement.central.co2e_kg
    low, high = report.mass(mid + footprint.embodied_low_kg), report.mass(mid + footprint.embodied_high_kg)
    assert f"for a total of {low} to {high} CO2e" in text
    assert "8 x 28.6 kgCO2e" in text and "1 x 2,500 kgCO2e" in text
    # and the page's own lines give the range, with the operational figure the page shows (central)
    shown = embodied_text_on(at)
    assert "Host share (1 × 8-GPU server" in shown
    assert f"Total (operational {statement.central.co2e_kg:,.0f} kg CO₂e + embodied)" in shown


def test_span_and_count_words() -> None:
    assert embodied_text.span(0.512, 2.94) == "0.512 – 2.94 kg CO₂e"
    assert embodied_text.span(0.512, None) == "at least 0.512 kg CO₂e"
    assert embodied_text.span(5.6, 5.6) == "5.60 kg CO₂e"
    assert embodied_text.count(1, "CPU socket") == "1 CPU socket"
    assert embodied_text.count(8, "GPU") == "8 GPUs"
    assert embodied_text.amount(0.5) == "0.500"


def test_the_hardware_page_says_each_devices_range_and_lists_the_hosts(dbs) -> None:  # type: ignore[no-untyped-def]
    at = opened("hardware.py")
    at.selectbox(key="hw_detail").set_value("nvidia-h100-sxm5-80gb").run()
    captions = [c.value.replace("\\", "") for c in at.caption]
    device = dbs.hardware.get("nvidia-h100-sxm5-80gb")
    said = embodied_text.device_caption(device, dbs.hardware.sources)
    assert said in captions
    # ACT lower bound 28.6 kg (Gupta et al. 2022) to NVIDIA's HGX H100 PCF 1,312 kg / 8 = 164 kg
    assert said.startswith(
        "Embodied carbon per device: 28.6 – 164 kg CO₂e. Low end: 28.6 kg CO₂e, lower bound"
    )
    assert "High end: 164 kg CO₂e, manufacturer PCF: one eighth of an HGX H100 baseboard" in said
    hosts = [c for c in captions if "kg CO₂e to make one" in c]
    assert len(hosts) == len(dbs.hardware.hosts)
    assert any(c.startswith("Dell PowerEdge C4140 (dell-poweredge-c4140). 1,244 kg CO₂e") for c in hosts)


def test_a_given_figure_per_device_is_said_as_the_users(dbs) -> None:  # type: ignore[no-untyped-def]
    # 150 kg per device given, 8 devices x 100 h: 150 x 800 / 44,676 = 2.69 kg; Dell C4140: 8.36 kg
    spec = JobSpec(
        hardware="nvidia-a100-sxm4-40gb",
        count=8,
        hours=100,
        intensity_g_per_kwh=0.0,
        embodied_kgco2e=150.0,
        host="dell-poweredge-c4140",
    )
    lines = embodied_text.embodied_lines(estimate(resolve(spec, dbs)))
    assert lines[0] == "Embodied (making the hardware): 11.0 kg CO₂e (given; host: manufacturer PCF)"
    devices = "Devices (8 × your figure, 150 kg CO₂e each): 2.69 kg CO₂e, given, 6-year life at 85% use"
    assert lines[1] == devices
    assert lines[2].startswith("Host share (2 × Dell PowerEdge C4140): 8.36 kg CO₂e, manufacturer PCF")
    assert lines[3] == "Total (operational 0 kg CO₂e + embodied): 11.0 kg CO₂e"
