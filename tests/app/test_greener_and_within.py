"""Decision pages from the user's side (issue 28): Compare stays within a jurisdiction, and the
calculator's greener-region line gives the kg saved beside the % and splits it into grid and PUE."""

from __future__ import annotations

from app import components, state
from tests.app.apps import opened, routed
from wattprint.db.loader import load_databases
from wattprint.engine.jurisdiction import EU_MEMBERS
from wattprint.engine.whatif import saving_split

# The engineer's job: 16 x H100 for two weeks.
JOB = {"count": "16", "hours": "336.0"}


def test_compare_stays_in_the_eu() -> None:
    at = routed("compare.py", {**JOB, "within": "eu"})
    assert at.selectbox(key="compare_within").value == "eu"
    ranked = at.session_state["compare_result"]
    assert set(ranked["country"]) <= EU_MEMBERS, set(ranked["country"])
    assert "NO" not in set(ranked["country"])  # Norway is in the EEA, not the EU
    cleanest = next(m for m in at.metric if m.label == "Cleanest region")
    assert ranked.iloc[0]["id"] in " ".join(c.value for c in at.caption).replace("\\", "")
    # kg saved beside the %
    assert "CO₂e (−" in cleanest.delta and cleanest.delta.startswith("-"), cleanest.delta


def test_greener_line_gives_kg_and_splits_grid_and_pue() -> None:
    at = opened("calculator.py", JOB)
    lines = [s.value for s in at.success if "Had this run in" in s.value]
    assert lines, [s.value for s in at.success]
    dbs = load_databases()
    result = state.compute({**state.DEFAULTS, "count": 16, "hours": 336.0}, dbs)
    option = result.greener_same_provider or result.greener_any_provider
    grid_kg, pue_kg = saving_split(result.footprint, option)
    text = " ".join(lines)
    assert f"(−{components.kg(option.savings_kg)}, −{components.percent(option.savings_fraction)}" in text
    assert f"{components.kg(grid_kg)} from the cleaner grid" in text
    assert f"{components.kg(pue_kg)} from the PUE ({result.footprint.pue:.2f} → {option.pue:.2f})" in text
