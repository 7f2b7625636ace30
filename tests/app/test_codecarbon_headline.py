"""The CodeCarbon page's headline is the runs as measured, where they ran; pricing every run in
one region is a what-if, labelled as one, with the target's PUE applied to the IT energy.

Files: tests/fixtures/codecarbon/ (README.md there names the repository and commit of each).
real_2021_empty_header_cells.csv is mlco2/codecarbon's examples/emissions.csv of 2021-07-21: eight
runs of March 2020 on aws us-east-2, gcp asia-east1, Canada and azure brazilsouth, no pue column
(its values are CodeCarbon's made-up small integers). Read off its rows by hand:

    run  project        place               energy_consumed [kWh]  emissions [kg]
    2    project_gamma  aws:us-east-2       8                      8
    3    project_delta  gcp:asia-east1      3                      1
    4    project_alpha  country:CA          1                      1
    5    project_theta  azure:brazilsouth   5                      8
    6    project_gamma  aws:us-east-2       7                      8
    7    project_theta  azure:brazilsouth   6                      7
    8    project_delta  gcp:asia-east1      8                      6
    9    project_alpha  country:CA          6                      6

so 44 kWh in all, CodeCarbon's own figure 45 kg, and by place: aws:us-east-2 15 kWh, gcp:asia-east1
11 kWh, azure:brazilsouth 11 kWh, country:CA 7 kWh (the page opens its what-if on aws:us-east-2,
where the most energy ran).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.apps import routed
from wattprint.db.loader import load_databases

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "codecarbon"
KWH_BY_PLACE = {"aws:us-east-2": 15.0, "gcp:asia-east1": 11.0, "azure:brazilsouth": 11.0, "country:CA": 7.0}
TOTAL_KWH = 44.0
CODECARBON_KG = 45.0


def upload(*names: str):
    at = routed("codecarbon.py")
    uploader = at.file_uploader(key="cc_files")
    for name in names:
        uploader.upload(name, (FIXTURES / name).read_bytes(), "text/csv")
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def captions(at) -> str:
    return " ".join(c.value for c in at.caption).replace("\\", "")


@pytest.fixture(scope="module")
def regions():
    return load_databases().regions


def test_the_headline_is_the_runs_as_measured_where_they_ran(regions) -> None:
    at = upload("real_2021_empty_header_cells.csv")
    shown = metrics(at)
    # The first two figures on the page: CodeCarbon's own, and wattprint's at each run's place for
    # 2020, the year the runs started.
    assert list(shown)[:2] == ["CodeCarbon's own figure [kg]", "wattprint, where each ran [kg]"]
    assert shown["CodeCarbon's own figure [kg]"] == "45"
    expected = sum(kwh * regions.intensity(place, 2020).value / 1000 for place, kwh in KWH_BY_PLACE.items())
    assert shown["wattprint, where each ran [kg]"] == f"{expected:,.4g}"
    words = captions(at)
    assert "8 runs, 44 kWh as CodeCarbon measured it (no pue column in the files" in words
    assert "lifecycle basis" in words and "2020 (8 runs)" in words
    assert "not ranked against each other" in words
    # The what-if is named as one, after the headline.
    assert [h.value for h in at.subheader][:2] == [
        "As measured, where each ran",
        "What if every run had been in one region",
    ]


def test_the_what_if_applies_the_target_regions_pue_to_the_it_energy(regions) -> None:
    at = upload("real_2021_empty_header_cells.csv")
    assert at.selectbox(key="cc_region").value == "aws:us-east-2"
    target = regions.intensity("aws:us-east-2")
    pue = regions.pue("aws:us-east-2", target.year)
    assert pue is not None and pue.value > 1.0
    label = "What if all ran in aws:us-east-2 [kg]"
    # No pue column: CodeCarbon's 44 kWh is IT energy; the what-if adds AWS's facility overhead.
    assert metrics(at)[label] == f"{TOTAL_KWH * pue.value * target.value / 1000:,.4g}"
    words = captions(at)
    assert (
        "CodeCarbon measures IT energy only and adds facility overhead only through its pue parameter"
        in words
    )
    assert f"applies aws:us-east-2's PUE {pue.value:g} ({pue.region_id}, {pue.source}, {pue.year})" in words
    # As measured: the overhead is said to be left out, and the figure is the energy as measured.
    at.radio(key="cc_pue_mode").set_value("As measured (no overhead added)").run()
    assert metrics(at)[label] == f"{TOTAL_KWH * target.value / 1000:,.4g}"
    assert f"leaves out aws:us-east-2's facility overhead (its PUE {pue.value:g}" in captions(at)
    # The headline does not move with the what-if.
    assert metrics(at)["CodeCarbon's own figure [kg]"] == "45"


def test_a_country_without_a_pue_is_priced_as_measured_and_says_so(regions) -> None:
    at = upload("real_2021_empty_header_cells.csv")
    at.selectbox(key="cc_region").set_value("country:FR").run()
    assert regions.pue("country:FR") is None
    france = regions.intensity("country:FR")
    assert metrics(at)["What if all ran in country:FR [kg]"] == f"{TOTAL_KWH * france.value / 1000:,.4g}"
    assert "country:FR has no PUE in the database, so the what-if prices the energy as measured" in captions(
        at
    )


def test_runs_with_no_known_place_are_left_out_of_wattprints_figure_and_counted(regions) -> None:
    # real_v2_empty_run_id.csv (mlco2/codecarbon, 2.4.3rc1, a laptop in France) with its last run's
    # place blanked, as an offline tracker without a location writes it: that run (8a1d9822,
    # 1.0573156193607383e-05 kWh) cannot be priced where it ran; the other three are, at France's 2024
    # figure (they ran on 2024-05-31).
    text = (FIXTURES / "real_v2_empty_run_id.csv").read_text()
    head, last = text.rstrip("\n").rsplit("\n", 1)
    blanked = head + "\n" + last.replace(",France,FRA,île-de-france,", ",,,,") + "\n"
    at = routed("codecarbon.py")
    at.file_uploader(key="cc_files").upload("laptop.csv", blanked.encode(), "text/csv").run()
    assert not at.exception, at.exception
    shown = metrics(at)
    assert "wattprint, where 3 of 4 ran [kg]" in shown
    runs = at.session_state["cc_runs"]
    placed = runs[runs["own_region"] == "country:FR"]
    expected = placed["energy_kwh"].sum() * regions.intensity("country:FR", 2024).value / 1000
    assert shown["wattprint, where 3 of 4 ran [kg]"] == f"{expected:,.4g}"
    assert "1 run (1.057e-05 kWh) names no region with a figure and is left out of it" in captions(at)
