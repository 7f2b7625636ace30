"""Published training-run footprints recomputed by the engine, and a job placed among them.

Each run of :func:`wattprint.db.published.load_published` is recomputed with
:func:`wattprint.engine.footprint.estimate` from the inputs its authors state; the published figure
stays beside the recomputed one with the relative difference and its explanation (rounding,
unstated inputs).

Notes
-----
``rel_diff = (computed - published) / published``. CO2e published in pounds is converted with
the exact 0.45359237 kg/lb; intensities given in lb/kWh likewise.

References
----------
.. [1] Strubell, Ganesh, McCallum (2019), ACL, Table 3. https://arxiv.org/abs/1906.02243
.. [2] Patterson et al. (2021), arXiv:2104.10350, Table 4.
.. [3] Luccioni, Viguier, Ligozat (2022), arXiv:2211.02001, Table 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from wattprint.db.published import PublishedRun
from wattprint.engine import units
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import JobSpec, resolve


@dataclass(frozen=True)
class Recomputed:
    """A published run with the engine's figures beside the published ones."""

    run: PublishedRun
    energy_kwh: float
    co2e_kg: float
    published_energy_kwh: float
    published_co2e_kg: float
    energy_rel_diff: float
    co2e_rel_diff: float


def published_co2e_kg(run: PublishedRun) -> float:
    """The published CO2e of ``run`` in kg."""
    if run.published_co2e_unit == "t":
        return units.tonnes_to_kg(run.published_co2e)
    if run.published_co2e_unit == "lb":
        return units.lb_to_kg(run.published_co2e)
    return run.published_co2e


def run_spec(run: PublishedRun) -> JobSpec:
    """The :class:`JobSpec` of the inputs a run's authors state."""
    if run.intensity_g_per_kwh is not None:
        intensity = run.intensity_g_per_kwh
    else:
        assert run.intensity_lb_per_kwh is not None
        intensity = units.lb_per_kwh_to_g_per_kwh(run.intensity_lb_per_kwh)
    return JobSpec(
        count=run.count,
        hours=run.hours,
        device_hours=run.device_hours,
        power_w=run.power_w,
        total_power_w=run.total_power_w,
        pue=run.pue,
        intensity_g_per_kwh=intensity,
        label=run.model,
    )


def recompute(runs: Sequence[PublishedRun]) -> list[Recomputed]:
    """Every run recomputed from its stated inputs, in the given order."""
    out = []
    for run in runs:
        footprint = estimate(resolve(run_spec(run), None))
        co2e = published_co2e_kg(run)
        out.append(
            Recomputed(
                run=run,
                energy_kwh=footprint.energy_kwh,
                co2e_kg=footprint.co2e_kg,
                published_energy_kwh=run.published_energy_kwh,
                published_co2e_kg=co2e,
                energy_rel_diff=(footprint.energy_kwh - run.published_energy_kwh) / run.published_energy_kwh,
                co2e_rel_diff=(footprint.co2e_kg - co2e) / co2e,
            )
        )
    return out


def share_text(share: float) -> str:
    """A share as a percentage with about two significant figures."""
    percent = share * 100
    if percent >= 10:
        return f"{percent:.0f}%"
    if percent >= 0.1:
        return f"{percent:.1f}%"
    return f"{percent:.2g}%"


def compare_sentence(energy_kwh: float, runs: Sequence[Recomputed], reference_id: str | None = None) -> str:
    """A sentence placing a job's facility energy ``energy_kwh`` [kWh] among published runs.

    Energy, not CO2e: each published CO2e rests on its paper's grid figure (EPA's 2018 US average,
    a Google data centre's gross figure of its year, ...), of a basis and year unlike the job's, so
    only energy compares like with like. The reference is the run ``reference_id`` when given,
    else the smallest published run that used more energy than the job, else the largest.
    """
    ordered = sorted(runs, key=lambda r: r.published_energy_kwh)
    larger = [r for r in ordered if r.published_energy_kwh >= energy_kwh]
    chosen = [r for r in runs if r.run.id == reference_id]
    if reference_id is not None and not chosen:
        from wattprint.errors import UnknownIdError

        raise UnknownIdError(
            "published run", reference_id, [r.run.id for r in runs], "see `wattprint published`"
        )
    reference = chosen[0] if chosen else (larger[0] if larger else ordered[-1])
    share = energy_kwh / reference.published_energy_kwh
    what = (
        f"{reference.run.model} ({_energy(reference.published_energy_kwh)}; {short_citation(reference.run)})"
    )
    if share <= 1:
        return f"This is about {share_text(share)} of the published training energy of {what}."
    return f"This is about {share:,.1f} times the published training energy of {what}."


def _energy(energy_kwh: float) -> str:
    """``"1.51 MWh"``, ``"1,287 MWh"``, ``"27 kWh"``: three significant figures, or whole units."""
    value, unit = (energy_kwh / 1000, "MWh") if energy_kwh >= 1000 else (energy_kwh, "kWh")
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.3g} {unit}"


def short_citation(run: PublishedRun) -> str:
    """``First-author et al. YEAR`` of a run's citation."""
    authors, _, rest = run.citation.partition("(")
    year = rest.split(")")[0]
    first = authors.split(",")[0].strip()
    return f"{first} {year}" if first.endswith("et al.") else f"{first} et al. {year}"


def recomputed_to_dict(item: Recomputed) -> dict[str, object]:
    """JSON-ready row."""
    run = item.run
    return {
        "id": run.id,
        "model": run.model,
        "hardware": run.hardware,
        "year": run.year,
        "source": run.citation,
        "url": run.url,
        "energy_kwh": item.energy_kwh,
        "co2e_kg": item.co2e_kg,
        "published_energy_kwh": item.published_energy_kwh,
        "published_co2e_kg": item.published_co2e_kg,
        "published_co2e": {"value": run.published_co2e, "unit": run.published_co2e_unit},
        "energy_rel_diff": item.energy_rel_diff,
        "co2e_rel_diff": item.co2e_rel_diff,
        "note": run.note,
    }
