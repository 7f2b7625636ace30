"""The Region picker from the user's side (issue 28): an engineer placing a 2-week 16 x H100 job
in the EU near Paris. Unknown prices never rank first, the price is named for what it is, and the
picks stay within the jurisdiction asked for."""

from __future__ import annotations

import dataclasses

import pytest

from app import state
from tests.app.apps import routed
from wattprint.db.loader import load_databases
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import resolve
from wattprint.engine.jurisdiction import EEA_MEMBERS, EU_MEMBERS

JOB = {"count": "16", "hours": "336.0"}
NEAR_PARIS = {"carbon": "1", "distance": "0.5", "price": "0.5", "at": "48.85, 2.35", "top": "10"}


def test_price_is_left_out_unless_every_candidate_has_one() -> None:
    at = routed("picker.py", {**JOB, **NEAR_PARIS})
    assert "Google E2 vCPU index, a CPU price" in at.slider(key="picker_price").label
    notes = " ".join(i.value for i in at.info).replace("\\", "")
    assert (
        "Price is left out of the score" in notes and "candidates have one (Google's E2 vCPU index)" in notes
    )
    table = at.dataframe[0].value
    # With price out, the picks are ordered by the job's kg and distance alone: GCP Paris (known
    # price) is no longer put behind AWS Paris (no price) when it emits less.
    ranked = list(table["Region"])
    dbs = load_databases()
    spec = state.build({**state.DEFAULTS, "count": 16, "hours": 336.0}, dbs).spec

    def kg(region: str) -> float:
        return estimate(resolve(dataclasses.replace(spec, region=region, year=None), dbs)).co2e_kg

    if (
        "gcp:europe-west9" in ranked
        and "aws:eu-west-3" in ranked
        and kg("gcp:europe-west9") < kg("aws:eu-west-3")
    ):
        assert ranked.index("gcp:europe-west9") < ranked.index("aws:eu-west-3")
    # Google Cloud in Germany: every candidate has a price, and price counts.
    at = routed("picker.py", {**JOB, **NEAR_PARIS, "providers": "gcp", "within": "country:DE"})
    assert not any("Price is left out" in i.value for i in at.info)
    assert "unknown" not in set(at.dataframe[0].value["Price index"])


@pytest.mark.parametrize("within, members", [("eu", EU_MEMBERS), ("eea", EEA_MEMBERS)])
def test_picks_stay_within_the_jurisdiction(within: str, members: frozenset[str]) -> None:
    at = routed("picker.py", {**JOB, **NEAR_PARIS, "within": within})
    assert at.selectbox(key="picker_within").value == within
    dbs = load_databases()
    table = at.dataframe[0].value
    countries = {dbs.regions.get(region).country for region in table["Region"]}
    assert countries <= members, countries
    assert "CH" not in countries  # the three Swiss regions of 'Continent: Europe' are out
    assert at.query_params["within"] in ([within], within)


def test_a_bad_jurisdiction_in_a_link_is_named() -> None:
    at = routed("picker.py", {**JOB, "within": "mars"})
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "within='mars'" in warning
    assert at.selectbox(key="picker_within").value == "anywhere"


@pytest.mark.parametrize("within", ["EU", "eu", " Eu "])
def test_compare_reads_a_jurisdiction_as_the_picker_does(within: str) -> None:
    # "within=EU" in a Compare link was dropped without a word and every region ranked.
    at = routed("compare.py", {**JOB, "within": within})
    assert at.selectbox(key="compare_within").value == "eu"
    dbs = load_databases()
    ranked = at.session_state["compare_result"]
    assert {dbs.regions.get(region).country for region in ranked["id"]} <= EU_MEMBERS
    assert not at.warning


def test_compare_names_a_jurisdiction_it_ignores() -> None:
    at = routed("compare.py", {**JOB, "within": "mars"})
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "within='mars'" in warning
    assert at.selectbox(key="compare_within").value == "anywhere"
