"""Published footprints: the job is placed among published runs like with like (energy, or one grid)."""

from __future__ import annotations

import pytest

from app import published_parts as parts
from wattprint.db.published import load_published
from wattprint.engine.published import recompute

GRID = parts.JobGrid(32.6, "32.6 g/kWh, lifecycle 2025, gcp:europe-west6")


@pytest.fixture(scope="module")
def runs():
    return parts.table(recompute(load_published()))


def test_table_carries_each_papers_grid_figure(runs):
    rows = runs.set_index("id")
    # Strubell et al. 2019: EPA 0.954 lb/kWh = 432.7 g/kWh; Patterson et al. 2021 Table 4: T5 545 g/kWh
    assert rows.loc["strubell-bert-base", "grid_g_per_kwh"] == pytest.approx(0.954 * 453.59237, rel=1e-9)
    assert rows.loc["patterson-t5", "grid_g_per_kwh"] == 545


def test_energy_bars_are_published_energy_and_the_job(runs):
    chart = parts.chart_frame(runs, parts.ENERGY, 14_451.0, None)
    values = dict(zip(chart["model"], chart["value"], strict=True))
    assert values["BERT base (V100)"] == 1507
    assert values[parts.YOUR_JOB] == 14_451.0
    assert chart["value"].is_monotonic_increasing
    assert len(chart) == len(runs) + 1


def test_co2e_bars_put_every_run_on_the_jobs_grid(runs):
    chart = parts.chart_frame(runs, parts.CO2E_AT_JOB_GRID, 471.0, GRID)
    values = dict(zip(chart["model"], chart["value"], strict=True))
    assert values["BERT base (V100)"] == pytest.approx(1507 * 32.6 / 1000)
    published_bert = runs.set_index("id").loc["strubell-bert-base", "published_co2e_kg"]
    assert values["BERT base (V100)"] != pytest.approx(published_bert)  # not the paper's own grid
    with pytest.raises(ValueError, match="grid"):
        parts.chart_frame(runs, parts.CO2E_AT_JOB_GRID, 471.0, None)


def test_captions_say_what_the_bars_rest_on():
    assert "not ranked" in parts.basis_caption(parts.ENERGY, None)
    assert GRID.label in parts.basis_caption(parts.CO2E_AT_JOB_GRID, GRID)
    assert "log scale" in parts.axis_title(parts.ENERGY)


def test_figure_has_the_job_in_grey_and_an_energy_axis(runs):
    chart = parts.chart_frame(runs, parts.ENERGY, 14_451.0, None)
    figure = parts.figure(chart, parts.ENERGY)
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.xaxis.title.text == parts.axis_title(parts.ENERGY)
    job_traces = [t for t in figure.data if parts.YOUR_JOB in list(t.y)]
    assert len(job_traces) == 1 and job_traces[0].marker.color == parts.components.GREY


def test_the_sentence_compares_energy_whichever_the_view():
    assert parts.energy_kwh(parts.ENERGY, 1507.0, None) == 1507.0
    # 49.1 kg on a 32.6 g/kWh grid is the energy of 1,507 kWh
    assert parts.energy_kwh(parts.CO2E_AT_JOB_GRID, 1507 * 32.6 / 1000, GRID) == pytest.approx(1507.0)
    with pytest.raises(ValueError):
        parts.energy_kwh(parts.CO2E_AT_JOB_GRID, 1.0, None)
