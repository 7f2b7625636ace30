"""``wattprint estimate``: the footprint of one job."""

from __future__ import annotations

import argparse

from wattprint.commands import common
from wattprint.db.tables import intensity_fields
from wattprint.engine.footprint import Footprint, estimate, footprint_to_dict
from wattprint.engine.jobspec import needs_databases, resolve


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "estimate",
        help="energy [kWh] and CO2e [kg] of one job",
        description="Energy = W x h x PUE; CO2e = energy x grid intensity. Every assumption is printed.",
    )
    common.add_job_options(parser)
    common.add_json(parser)
    parser.set_defaults(handler=run)


def render(footprint: Footprint) -> str:
    """Plain-text result with its range and assumptions."""
    r = footprint.range
    lines = [
        f"Energy:      {common.fmt(footprint.energy_kwh)} kWh "
        f"(IT {common.fmt(footprint.it_energy_kwh)} kWh x PUE {footprint.pue:g})",
        f"CO2e:        {common.fmt(footprint.co2e_kg)} kg "
        f"(range {common.fmt(r.co2e_kg_low)}-{common.fmt(r.co2e_kg_high)} kg) "
        f"at {common.fmt(footprint.intensity_g_per_kwh)} gCO2e/kWh",
    ]
    if footprint.market_co2e_kg is not None:
        lines.append(
            f"Market-based CO2e: {common.fmt(footprint.market_co2e_kg)} kg (net intensity, reported beside)"
        )
    if footprint.embodied_co2e_kg:
        lines.append(f"Embodied:    {common.fmt(footprint.embodied_co2e_kg)} kg")
        lines.append(f"Total:       {common.fmt(footprint.total_co2e_kg)} kg")
    lines.append(
        f"Draw:        {common.fmt(footprint.power_w)} W over {common.fmt(footprint.duration_h)} h "
        f"({common.fmt(footprint.device_hours)} device-hours)"
    )
    lines.append("Assumptions:")
    for a in footprint.assumptions:
        value = common.fmt(a.value) if isinstance(a.value, float) else str(a.value)
        year = f", {a.year}" if a.year else ""
        lines.append(f"  - {a.name}: {value} {a.unit} ({a.source}{year})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    spec = common.job_spec(args)
    dbs = common.databases(args) if needs_databases(spec) else None
    footprint = estimate(resolve(spec, dbs))
    if args.json:
        data = footprint_to_dict(footprint)
        data.update(intensity_fields(dbs.regions if dbs else None, spec.region, spec.year))
        common.print_json(data)
    else:
        print(render(footprint))
    return 0
