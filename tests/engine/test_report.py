"""Paper statement, BibTeX, model card and badge of a realistic job."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import yaml

from tests.conftest import MINI_DB
from wattprint import __version__
from wattprint.db.loader import load_databases
from wattprint.db.published import load_published
from wattprint.engine import report
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve
from wattprint.engine.published import compare_sentence, recompute

# 8 x H100 for 72 h in GCP us-central1 (413 g/kWh, 2024), Google fleet PUE 1.10 (2023)
SPEC = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=72, utilization=0.8, region="gcp:us-central1")


@pytest.fixture(scope="module")
def mini():
    return load_databases(MINI_DB)


@pytest.fixture(scope="module")
def result(mini):
    footprint = estimate(resolve(SPEC, mini))
    return report.statement(SPEC, footprint, mini, social_cost=True)


def result_footprint(result) -> object:
    return estimate(resolve(SPEC, load_databases(MINI_DB)))


def test_statement_contents(result) -> None:
    text = result.markdown
    # 8 x 700 W x 0.8 x 72 h = 322.56 kWh IT; x 1.10 = 354.8 kWh; x 413 g/kWh = 146.5 kg: the top of
    # the range (TDP x utilisation); its bottom is 60% of it, 212.9 kWh / 87.9 kg. The statement gives
    # the middle, 0.8 x 354.8 = 283.9 kWh and 283.85 x 0.413 = 117.2 kg, with the range.
    assert "an estimated 284 kWh (range 213-355 kWh)" in text
    low_kg = report.mass(
        result_footprint(result).range.co2e_kg_low
    )  # the grid's 5-year range: not this test's
    assert f"emitted 117 kg CO2e (range {low_kg} to 147 kg)" in text
    assert "upper end assumes the devices drew that power all the time" in text
    assert "8 x NVIDIA H100 SXM5 80GB" in text
    assert "576 device-hours" in text
    assert "gcp:us-central1" in text
    assert "(2024, the latest published year: the year the work ran was not given; lifecycle basis)" in text
    assert "PUE of 1.10" in text
    assert f"wattprint {__version__}" in text
    assert "Strubell et al., 2019" in text and "Patterson et al., 2021" in text
    assert "range" in text
    # US EPA 2023: 0.11723 t (the central figure) x $190 = $22.3
    assert "US$22.3" in text
    document = report.markdown_document(result)
    assert "wattprint estimate --hardware nvidia-h100-sxm5-80gb --count 8 --hours 72" in document
    assert '"region": "gcp:us-central1"' in document


def test_latex_escapes_special_characters() -> None:
    assert report.latex_escape("50% & a_b #1 $5 {x}") == r"50\% \& a\_b \#1 \$5 \{x\}"


def test_latex_statement_is_escaped(mini) -> None:
    spec = JobSpec(power_w=300, count=2, hours=10, intensity_g_per_kwh=400, pue=1.2)
    footprint = estimate(resolve(spec, None))
    latex = report.statement(spec, footprint, None, social_cost=True).latex
    body = re.sub(r"\\[a-zA-Z]+(\{[^}]*\})?|\\[%&_#$]", "", latex)
    for char in "%&_#$":
        assert char not in body, f"unescaped {char} in {latex}"
    assert r"\citep{strubell2019energy" in latex
    assert r"US\$190" in latex


def test_latex_statement_names_the_basis_and_year(result) -> None:
    # The same lookup as the Markdown statement: gcp:us-central1 on the lifecycle basis, latest year.
    resolved = load_databases(MINI_DB).regions.intensity("gcp:us-central1")
    assert f"({resolved.year}, the latest published year" in result.latex
    assert f"{resolved.basis} basis)" in result.latex
    # The model card states no intensity (the Hub's co2_eq_emissions has no such field).
    assert "g/kWh" not in result.model_card


def test_a_given_intensity_is_not_given_a_basis() -> None:
    spec = JobSpec(power_w=300, count=2, hours=10, intensity_g_per_kwh=400, pue=1.2)
    text = report.statement(spec, estimate(resolve(spec, None)), None).markdown
    assert "400 gCO2e/kWh (as given)" in text and "basis" not in text.split("gCO2e/kWh")[1][:30]


def test_bibtex_parses_as_entries(result) -> None:
    entries = re.findall(r"@(\w+)\{([^,]+),\n((?:  \w+ = \{.*\},\n)+)\}", result.bibtex)
    keys = [key for _, key, _ in entries]
    assert len(entries) == result.bibtex.count("@")
    for expected in ("strubell2019energy", "patterson2021carbon", "lacoste2019quantifying", "epa2023scghg"):
        assert expected in keys
    assert any(key.startswith("db-") for key in keys)  # the database sources of the region and hardware
    assert "db-google-region-carbon-2024" in keys and "db-nvidia-h100-datasheet" in keys
    for _, _, body in entries:
        for value in re.findall(r"= \{(.*)\},", body):
            assert value.count("{") == value.count("}")


def test_embodied_cites_bloom(mini) -> None:
    spec = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=72, region="country:CH", embodied=True)
    footprint = estimate(resolve(spec, mini))
    keys = [ref.key for ref in report.statement(spec, footprint, mini).references]
    assert "luccioni2023bloom" in keys


def test_model_card_yaml(result) -> None:
    data = yaml.safe_load(result.model_card)
    block = data["co2_eq_emissions"]
    assert set(block) >= {"emissions", "source", "training_type", "geographical_location", "hardware_used"}
    # grams, the central figure of the statement: 0.8 x 322.56 kWh x 1.1 x 413 g/kWh
    assert block["emissions"] == pytest.approx(0.8 * 322.56 * 1.1 * 413, rel=1e-6)
    assert "emissions: 117231.206  # grams of CO2e" in result.model_card
    assert block["source"] == f"wattprint {__version__}"
    assert block["training_type"] == "pre-training"
    assert "Iowa" in block["geographical_location"]


def test_badge_is_valid_xml_and_escapes_text() -> None:
    svg, snippet = report.badge(1.5, 12.0, label='<CO2e & "x">')
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = [el.text for el in root.iter() if el.tag.endswith("text")]
    assert texts[0] == '<CO2e & "x">'
    assert "1.50 kg" in texts[1] and "12.0 kWh" in texts[1]
    assert snippet.startswith("![") and snippet.endswith("(wattprint-badge.svg)")


def test_published_comparison_sentence_is_on_energy(mini) -> None:
    runs = {row.run.id: row for row in recompute(load_published())}
    gpt3 = runs["patterson-gpt3"].published_energy_kwh  # Patterson et al. 2021 Table 4: 1,287 MWh
    sentence = compare_sentence(gpt3 * 0.003, list(runs.values()), reference_id="patterson-gpt3")
    expected = f"GPT-3 ({gpt3 / 1000:,.0f} MWh; Patterson et al. 2021)"
    assert f"about 0.3% of the published training energy of {expected}" in sentence
    # default: the smallest run that used more energy than the job (BERT base: 1,507 kWh, Strubell 2019)
    bert = runs["strubell-bert-base"]
    assert bert.published_energy_kwh == 1507
    smaller = max(r.published_energy_kwh for r in runs.values() if r.published_energy_kwh < 1507)
    between = (smaller + 1507) / 2
    sentence = compare_sentence(between, list(runs.values()))
    assert f"{between / 1507:.0%} of the published training energy of BERT base (V100) (1.51 MWh" in sentence
    assert "emissions" not in sentence and "CO2e" not in sentence
    assert "times the published training energy of" in compare_sentence(1e12, list(runs.values()))


def test_published_runs_reproduce() -> None:
    rows = {row.run.id: row for row in recompute(load_published())}
    assert len(rows) >= 12
    # Strubell 2019 Table 3, BERT base: 1507 kWh, 1438 lb
    assert rows["strubell-bert-base"].energy_kwh == pytest.approx(1507, abs=0.5)
    # Patterson 2021 Table 4, GPT-3: 1,287 MWh, 552.1 t (14.8 days rounded)
    assert rows["patterson-gpt3"].co2e_rel_diff == pytest.approx(0.0, abs=0.005)
    # Luccioni 2022 Table 1, BLOOM dynamic: 433,196 kWh, 24.69 t
    assert rows["luccioni-bloom"].energy_kwh == pytest.approx(433_196, abs=1)
    for row in rows.values():
        assert abs(row.energy_rel_diff) < 0.02, row.run.id
        assert abs(row.co2e_rel_diff) < 0.02, row.run.id


def test_statement_says_what_is_not_counted(result, mini) -> None:
    # Issue 28: CPUs and memory default to 0 W; the statement must say they were left out.
    text = result.markdown
    assert "Not counted: the host CPUs (no CPU power given), memory (no memory power given)" in text
    assert "network switches, shared storage and the embodied emissions of making the hardware" in text
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb",
        count=8,
        hours=72,
        region="country:CH",
        embodied=True,
        cpu_power_w=400,
    )
    with_cpu = report.statement(spec, estimate(resolve(spec, mini)), mini).markdown
    assert "host CPUs" not in with_cpu and "embodied emissions of making" not in with_cpu
    assert "memory (no memory power given)" in with_cpu


def test_a_measured_draw_is_its_own_central_figure() -> None:
    # 2 x 300 W measured x 10 h x 1.2 = 7.2 kWh, +/-5% (NVML accuracy): the point is the middle.
    spec = JobSpec(power_w=300, count=2, hours=10, intensity_g_per_kwh=400, pue=1.2)
    result = report.statement(spec, estimate(resolve(spec, None)), None)
    assert "an estimated 7.20 kWh (range 6.84-7.56 kWh)" in result.markdown
    assert "Drawing an average of 600 W" in result.markdown
    assert result.central is not None and not result.central.upper_bound


def test_the_grid_year_follows_the_year_the_work_ran(mini) -> None:
    years = mini.regions.intensity_years("gcp:us-central1")
    ran = max(years) + 1  # work that ran after the latest published year
    assert report.grid_year(mini, "gcp:us-central1", ran) == max(years)
    assert report.grid_year(mini, "gcp:us-central1", min(years)) == min(years)
    assert report.grid_year(mini, "gcp:us-central1", min(years) - 5) == min(years)
    assert report.grid_year(mini, "gcp:us-central1", None) is None
    spec = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=8, hours=72, region="gcp:us-central1", year=max(years)
    )
    text = report.statement(spec, estimate(resolve(spec, mini)), mini, work_year=ran).markdown
    assert f"({max(years)}, the latest published up to {ran}, the year the work ran; lifecycle basis)" in text
    same = report.statement(spec, estimate(resolve(spec, mini)), mini).markdown
    assert f"({max(years)}, the year the work ran; lifecycle basis)" in same


def test_bibtex_cites_the_tool_with_author_and_version(result) -> None:
    entry = result.bibtex.split("@misc{wattprint,")[1].split("\n}")[0]
    assert "author = {{The wattprint maintainers}}" in entry
    assert f"version = {{{__version__}}}" in entry
    # No url: the project has no published address, and a guessed one would send readers astray.
    assert "url =" not in entry and "Python package wattprint" in entry
    assert "title = {wattprint: energy and carbon of machine-learning work}" in entry


def test_segments_are_each_named_and_summed(mini) -> None:
    # The paper: 32 x A100 for 216 h (9 days), then a 72 h search on 8 of them, same region.
    from wattprint.engine.footprint import estimate_segments

    first = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=32, hours=216, utilization=1.0, region="country:CH"
    )
    second = JobSpec(
        hardware="nvidia-h100-sxm5-80gb", count=8, hours=72, utilization=1.0, region="gcp:us-central1"
    )
    footprint = estimate_segments([resolve(first, mini), resolve(second, mini)])
    result = report.statement(first, footprint, mini, segments=[second])
    text = result.markdown
    assert "The work ran in 2 segments, one after another: 32 x NVIDIA H100 SXM5 80GB for 216 h" in text
    assert (
        "(6,912 device-hours)" in text and "8 x NVIDIA H100 SXM5 80GB for 72.0 h (576 device-hours)" in text
    )
    assert "288 h and 7,488 device-hours in all" in text
    assert "32 x A100 for 234 h" not in text
    # Each segment's central energy is the middle of its own range: 0.8 x its energy.
    parts = footprint.segments
    assert result.central is not None
    assert result.central.energy_kwh == pytest.approx(0.8 * (parts[0].energy_kwh + parts[1].energy_kwh))
    assert "nvidia-h100-sxm5-80gb --count 32 --hours 216" in result.cli.splitlines()[0]
    assert "--count 8 --hours 72" in result.cli.splitlines()[1]
    assert report.statement_to_dict(result)["segments"][0]["region"] == "gcp:us-central1"
    card = yaml.safe_load(result.model_card)["co2_eq_emissions"]
    assert card["hardware_used"] == "32 x NVIDIA H100 SXM5 80GB; 8 x NVIDIA H100 SXM5 80GB"
    keys = [ref.key for ref in result.references]
    assert "db-google-region-carbon-2024" in keys  # the second segment's source is cited


def test_a_grid_priced_with_its_countrys_figure_says_so(databases) -> None:
    # Issue 28: eGRID RFCM (RFC Michigan) has only a direct figure; on the lifecycle basis its
    # figure is the United States'. The statement names whose figure it is, beside the grid's name.
    region = databases.regions.get("egrid:RFCM")
    resolved = databases.regions.intensity("egrid:RFCM")
    assert resolved.region_id not in {region.id, *region.linked}  # the data behind the case
    spec = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=10, region="egrid:RFCM")
    text = report.statement(spec, estimate(resolve(spec, databases)), databases).markdown
    owner = databases.regions.get(resolved.region_id)
    assert (
        f"the figure of {owner.name} [{owner.id}]: eGRID RFCM (RFC Michigan) has no lifecycle figure" in text
    )
    # A cloud region priced with its own grid's figure names no other place.
    spec = JobSpec(hardware="nvidia-h100-sxm5-80gb", count=8, hours=10, region="gcp:europe-west9")
    assert (
        "the figure of" not in report.statement(spec, estimate(resolve(spec, databases)), databases).markdown
    )


def test_a_segment_on_another_places_figure_says_so_in_its_own_words(databases) -> None:
    # Two segments, the second in California (no lifecycle figure of its own): the segment's words
    # name the national figure it is priced on; the Paris segment names none.
    from wattprint.engine.footprint import estimate_segments

    first = JobSpec(hardware="nvidia-a100-sxm4-80gb", count=32, hours=216, region="gcp:europe-west9")
    second = JobSpec(hardware="nvidia-a100-sxm4-80gb", count=8, hours=72, region="us-state:CA")
    footprint = estimate_segments([resolve(first, databases), resolve(second, databases)])
    text = report.statement(first, footprint, databases, segments=[second]).markdown
    assert (
        "in California [us-state:CA] (priced on the figure of United States (Electricity Maps US) [zone:US]: "
        "California has no lifecycle figure of its own)" in text
    )
    assert "[gcp:europe-west9] (priced on" not in text
    # With the borrowed place first, the energy-weighted mean is not called that place's figure.
    footprint = estimate_segments([resolve(second, databases), resolve(first, databases)])
    text = report.statement(second, footprint, databases, segments=[first]).markdown
    assert text.count("has no lifecycle figure of its own") == 1, text
    assert "gCO2e/kWh (the figure of" not in text
