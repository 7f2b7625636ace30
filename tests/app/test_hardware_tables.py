"""The Hardware page's filters, tables and efficiency chart, built without a browser from the
bundled hardware database (hardware_db/); expected values are looked up in it directly."""

from __future__ import annotations

import pandas as pd
import pytest

from app import cached, components
from app import hardware_tables as ht
from wattprint.db.loader import HardwareDB, load_databases

H100 = "nvidia-h100-sxm5-80gb"  # released 2022-09, alias "NVIDIA H100 80GB HBM3"
K80 = "nvidia-k80"  # released 2014-11, alias "Tesla K80"


@pytest.fixture(scope="module")
def db() -> HardwareDB:
    return load_databases().hardware


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return cached.hardware_frame()


def ids(rows: pd.DataFrame) -> set[str]:
    return set(rows["id"])


# ---- labels ----------------------------------------------------------------------------------------


def test_units_and_efficiency_columns_follow_the_precision(frame: pd.DataFrame) -> None:
    assert ht.efficiency_column("fp32_tflops") == "fp32_gflops_per_w"
    assert ht.efficiency_column("int8_tops") == "int8_gops_per_w"
    assert ht.throughput_unit("int8_tops") == "TOPS" and ht.throughput_unit("bf16_tflops") == "TFLOPS"
    assert ht.efficiency_unit("int8_tops") == "GOPS/W" and ht.efficiency_unit("fp8_tflops") == "GFLOPS/W"
    for field in ht.PRECISION_LABELS:  # every precision has its efficiency in the page's frame
        assert ht.efficiency_column(field) in frame.columns


def test_fact_labels_cover_every_precision_with_its_unit() -> None:
    assert ht.FACT_LABELS["tdp_w"] == ("TDP", "W")
    assert ht.FACT_LABELS["int8_tops"] == ("INT8 dense", "TOPS")
    assert ht.FACT_LABELS["bf16_tflops"] == ("BF16 dense", "TFLOPS")


# ---- filters ---------------------------------------------------------------------------------------


def test_filter_choices_come_from_the_frame(frame: pd.DataFrame, db: HardwareDB) -> None:
    choices = ht.filter_choices(frame)
    assert {"gpu", "cpu", "tpu"} <= set(choices.kinds)
    assert choices.vendors == sorted({device.vendor for device in db.devices.values()})
    assert choices.first_year <= 2014 <= 2022 <= choices.last_year  # the K80 and the H100


def test_no_filter_keeps_every_device(frame: pd.DataFrame, db: HardwareDB) -> None:
    choices = ht.filter_choices(frame)
    kept = ht.filtered(frame, ht.HardwareFilters(years=(choices.first_year, choices.last_year)))
    assert len(kept) == len(db.devices)
    assert ht.count_heading(kept, frame) == f"{len(db.devices)} of {len(db.devices)} devices"


def test_search_matches_id_name_and_alias_case_blind(frame: pd.DataFrame) -> None:
    by_id = ht.filtered(frame, ht.HardwareFilters(search=" H100 "))
    assert H100 in ids(by_id) and K80 not in ids(by_id)
    assert list(ht.filtered(frame, ht.HardwareFilters(search="Tesla K80"))["id"]) == [K80]
    # "Tesla P100-PCIE-16GB" is in neither the id nor the name "NVIDIA Tesla P100 PCIe 16GB": its alias.
    by_alias = ht.filtered(frame, ht.HardwareFilters(search="tesla p100-pcie-16gb"))
    assert list(by_alias["id"]) == ["nvidia-p100-pcie-16gb"]
    assert ht.filtered(frame, ht.HardwareFilters(search="no such device")).empty


def test_kind_and_vendor_filters_keep_only_those_rows(frame: pd.DataFrame) -> None:
    amd_gpus = ht.filtered(frame, ht.HardwareFilters(kind="gpu", vendor="amd"))
    assert len(amd_gpus) > 0
    assert set(amd_gpus["kind"]) == {"gpu"} and set(amd_gpus["vendor"]) == {"amd"}
    assert "amd-epyc-9965" not in ids(amd_gpus)  # an AMD CPU
    nvidia = ht.filtered(frame, ht.HardwareFilters(vendor="nvidia"))
    assert {H100, K80} <= ids(nvidia)


def test_year_range_and_undated_devices(frame: pd.DataFrame) -> None:
    undated = frame.loc[frame["release_year"].isna(), "id"].iloc[0]
    old = ht.filtered(frame, ht.HardwareFilters(years=(2014, 2014)))
    assert K80 in ids(old) and H100 not in ids(old)
    assert undated in ids(old)  # kept by default: no date is not "outside the range"
    dated_only = ht.filtered(frame, ht.HardwareFilters(years=(2014, 2014), include_undated=False))
    assert K80 in ids(dated_only) and undated not in ids(dated_only)
    assert (dated_only["release_year"] == 2014).all()


# ---- tables ----------------------------------------------------------------------------------------


def test_device_table_has_names_and_units_in_its_headings(frame: pd.DataFrame, db: HardwareDB) -> None:
    table = ht.device_table(ht.filtered(frame, ht.HardwareFilters(search="h100")))
    assert {"Name", "TDP [W]", "FP32 [TFLOPS]", "INT8 [TOPS]", "Released", "TDP source"} <= set(table.columns)
    row = table.set_index("id").loc[H100]
    device = db.get(H100)
    assert row["Name"] == device.name and row["Name"] != H100
    assert row["TDP [W]"] == device.tdp_w.value
    assert row["Released"] == device.release_date


def test_detail_picker_opens_on_the_h100_when_offered(frame: pd.DataFrame) -> None:
    options = ht.detail_options(frame, frame)
    assert options[ht.default_index(options)] == H100
    cpus = ht.filtered(frame, ht.HardwareFilters(kind="cpu"))
    options = ht.detail_options(cpus, frame)
    assert H100 not in options and ht.default_index(options) == 0
    assert ht.detail_options(frame.iloc[0:0], frame) == list(frame["id"])  # nothing kept: every device


def test_fact_table_cites_each_value(db: HardwareDB) -> None:
    device = db.get(H100)
    facts = ht.fact_table(device, db.sources).set_index("Quantity")
    tdp = facts.loc["TDP"]
    source = db.sources[device.tdp_w.source]
    assert tdp["Value"] == device.tdp_w.value and tdp["Unit"] == "W"
    assert tdp["Year"] == device.tdp_w.year
    assert tdp["Publisher"] == source.publisher and tdp["Title"] == source.title
    assert str(tdp["URL"]).startswith("http")
    fp32 = device.fp32_tflops
    assert fp32 is not None
    efficiency = facts.loc["FP32 efficiency"]
    assert efficiency["Value"] == pytest.approx(round(fp32.value * 1000 / device.tdp_w.value, 2))
    assert efficiency["Unit"] == "GFLOPS/W" and efficiency["Publisher"] == "derived"
    assert facts.loc["INT8 efficiency", "Unit"] == "GOPS/W"
    for field, (label, _unit) in ht.FACT_LABELS.items():  # each fact the device has, and only those
        assert (label in facts.index) == (getattr(device, field) is not None), field


def test_properties_table_shows_aliases_and_power_range(db: HardwareDB) -> None:
    h100 = ht.properties_table(db.get(H100)).set_index("Property")["Value"]
    assert h100["Aliases"] == ", ".join(db.get(H100).aliases)
    assert h100["Released"] == "2022-09"
    assert "Configurable power" not in h100.index
    epyc = db.get("amd-epyc-9965")
    assert epyc.power_range_w is not None
    shown = ht.properties_table(epyc).set_index("Property")["Value"]
    assert shown["Configurable power"] == f"{epyc.power_range_w.min:g}-{epyc.power_range_w.max:g} W"
    assert "None" not in set(shown)


# ---- efficiency trend ------------------------------------------------------------------------------


def test_trend_rows_need_a_figure_and_a_release_date(frame: pd.DataFrame) -> None:
    everything = ht.trend_rows(frame, frame.iloc[0:0], "int8_tops", only_filtered=False)
    assert everything["int8_gops_per_w"].notna().all() and everything["release"].notna().all()
    assert len(everything) < len(frame)
    nvidia = ht.filtered(frame, ht.HardwareFilters(vendor="nvidia"))
    only = ht.trend_rows(frame, nvidia, "fp32_tflops", only_filtered=True)
    assert set(only["vendor"]) == {"nvidia"} and H100 in ids(only)
    assert ht.no_trend_text("int8_tops") == "No device here has both a INT8 figure and a release date."


def test_trend_figure_plots_efficiency_per_vendor(frame: pd.DataFrame, db: HardwareDB) -> None:
    plotted = ht.trend_rows(frame, frame, "fp32_tflops", only_filtered=False)
    figure = ht.trend_figure(plotted, "fp32_tflops")
    assert {trace.name for trace in figure.data} == set(plotted["vendor"].map(components.vendor_name))
    looks = [(trace.marker.color, trace.marker.symbol) for trace in figure.data]
    assert len(set(looks)) == len(looks)  # no two vendors look alike
    assert figure.layout.yaxis.type == "log"
    assert figure.layout.yaxis.title.text == "FP32 efficiency [GFLOPS/W]"
    (nvidia,) = [trace for trace in figure.data if trace.name == "NVIDIA"]
    device = db.get(H100)
    assert device.fp32_tflops is not None
    at = [hover[0] for hover in nvidia.customdata].index(H100)
    assert nvidia.y[at] == pytest.approx(device.fp32_tflops.value * 1000 / device.tdp_w.value)
    assert ht.trend_caption(len(plotted), "fp32_tflops").startswith(f"{len(plotted)} devices. Efficiency")


@pytest.mark.parametrize(
    "vendor,name",
    [("nvidia", "NVIDIA"), ("amd", "AMD"), ("intel", "Intel"), ("moorethreads", "Moore Threads")],
)
def test_vendors_and_kinds_are_written_as_people_write_them(vendor: str, name: str) -> None:
    assert components.vendor_name(vendor) == name
    assert components.kind_name("gpu") == "GPU" and components.kind_name("soc") == "SoC"


def test_device_table_and_properties_show_vendor_and_kind_names(frame: pd.DataFrame, db: HardwareDB) -> None:
    table = ht.device_table(frame[frame["id"] == H100])
    assert table["Vendor"].iloc[0] == "NVIDIA" and table["Kind"].iloc[0] == "GPU"
    details = dict(ht.properties_table(db.get(H100)).itertuples(index=False))
    assert details["Vendor"] == "NVIDIA" and details["Kind"] == "GPU"


def test_trend_figure_escapes_names_plotly_would_draw_as_html(frame: pd.DataFrame) -> None:
    plotted = ht.trend_rows(frame, frame, "fp32_tflops", only_filtered=False).head(3).copy()
    plotted["name"] = "**bold** [x](http://evil) <b>"
    plotted["vendor"] = '<a href="http://evil">v</a>'
    figure = ht.trend_figure(plotted, "fp32_tflops")
    (trace,) = figure.data
    assert set(trace.hovertext) == {"**bold** [x](http://evil) &lt;b&gt;"}
    assert trace.name == '&lt;a href="http://evil"&gt;v&lt;/a&gt;'
    assert plotted["name"].iloc[0].endswith("<b>")  # the caller's rows are left as they were


def test_fact_table_labels_embodied_by_basis(db: HardwareDB) -> None:
    # H100: ACT lower bound 28.6 kg (Gupta et al. 2022) and NVIDIA's HGX H100 PCF / 8 = 164 kg
    facts = ht.fact_table(db.get(H100), db.sources).set_index("Quantity")
    low = facts.loc["Embodied, lower bound (dies and memory)"]
    high = facts.loc["Embodied, whole product"]
    assert (low["Value"], low["Year"]) == (28.6, 2022)
    assert high["Value"] == 164 and str(high["Title"]).startswith("manufacturer PCF: ")
    assert high["Publisher"] == "NVIDIA" and str(high["URL"]).startswith("https://")


def test_headline_words_say_the_embodied_basis_and_range() -> None:
    from app.embodied_text import range_words
    from wattprint.engine.footprint import Embodied, Job, estimate

    # 8 GPUs x 100 h over 44,676 h: 28.6 kg -> 0.512 kg low; 164 kg -> 2.94 kg high
    job = Job(
        intensity_g_per_kwh=0.0,
        duration_h=100,
        device_count=8,
        device_power_w=700,
        embodied=Embodied(
            28.6,
            basis="lower bound (dies and memory)",
            lower_bound=True,
            per_device_kgco2e_high=164,
            high_basis="manufacturer PCF",
        ),
    )
    words = range_words(estimate(job))
    assert (
        words
        == "0.512 – 2.94 kg CO₂e (lower bound (dies and memory); high end with the devices' manufacturer PCF)"
    )
    unbounded = estimate(
        Job(
            **{
                **job.__dict__,
                "embodied": Embodied(28.6, basis="lower bound (dies and memory)", lower_bound=True),
            }
        )
    )
    assert range_words(unbounded) == (
        "at least 0.512 kg CO₂e (lower bound (dies and memory); no published whole-product figure)"
    )
