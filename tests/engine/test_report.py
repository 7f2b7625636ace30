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


def test_statement_contents(result) -> None:
    text = result.markdown
    # 8 x 700 W x 0.8 x 72 h = 322.56 kWh IT; x 1.10 = 354.8 kWh; x 413 g/kWh = 146.5 kg
    assert "355 kWh" in text
    assert "147 kg CO2e" in text
    assert "8 x NVIDIA H100 SXM5 80GB" in text
    assert "576 device-hours" in text
    assert "gcp:us-central1" in text and "(2024, lifecycle basis)" in text
    assert "PUE of 1.10" in text
    assert f"wattprint {__version__}" in text
    assert "Strubell et al., 2019" in text and "Patterson et al., 2021" in text
    assert "range" in text
    # US EPA 2023: 0.1465 t x $190 = $27.8
    assert "US$27.8" in text
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
    assert f"({resolved.year}, {resolved.basis} basis)" in result.latex
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
    assert block["emissions"] == pytest.approx(322.56 * 1.1 * 413, rel=1e-6)  # grams
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
