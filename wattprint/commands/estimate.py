"""``wattprint estimate``: the footprint of one job."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from wattprint.api import FlopsRequest, estimate_spec
from wattprint.commands import common
from wattprint.engine.footprint import Assumption, Footprint
from wattprint.engine.jobspec import JobSpec, needs_databases
from wattprint.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "estimate",
        help="energy [kWh] and CO2e [kg] of one job",
        description="Energy = W x h x PUE; CO2e = energy x grid intensity. Every assumption is printed.",
    )
    common.add_job_options(parser)
    parser.add_argument(
        "--basis",
        choices=("lifecycle", "marginal"),
        default="lifecycle",
        help="the region's intensity: lifecycle average (default, for a footprint) or marginal (what one "
        "kWh more or less emits: EPA AVERT for US regions, IFI operating margin elsewhere), labelled",
    )
    add_flops_options(parser)
    common.add_json(parser)
    parser.set_defaults(handler=run)


def add_flops_options(parser: argparse.ArgumentParser) -> None:
    """The job's length as work instead of hours: total FLOPs, or parameters x tokens."""
    group = parser.add_argument_group("length as work (instead of --hours or --device-hours)")
    group.add_argument(
        "--flops", type=common.number("flops", 0.0, strict=True, maximum=1e35), help="total work [FLOP]"
    )
    group.add_argument(
        "--params", type=common.number("params", 0.0, strict=True, maximum=1e15), help="model parameters [-]"
    )
    group.add_argument(
        "--tokens", type=common.number("tokens", 0.0, strict=True, maximum=1e18), help="tokens processed [-]"
    )
    group.add_argument(
        "--task",
        choices=["training", "inference"],
        default="training",
        help="6 x params x tokens (training, default) or 2 x params x tokens (inference)",
    )
    group.add_argument(
        "--mfu",
        type=common.number("mfu", 0.0, strict=True, maximum=1.0),
        help="model-FLOPs utilisation, a fraction of the peak (default 0.4)",
    )
    group.add_argument(
        "--precision", help="whose peak FLOP/s to use: bf16 (default), fp16, fp8, fp4, tf32, fp32, fp64, int8"
    )


def flops_request(args: argparse.Namespace) -> FlopsRequest | None:
    """The FLOPs route the options ask for, or None when the job's length is given in hours."""
    if args.flops is None and args.params is None and args.tokens is None:
        if args.mfu is not None or args.precision is not None:
            raise InputError("--mfu and --precision apply to a job given as --flops or --params and --tokens")
        return None
    return FlopsRequest(args.flops, args.params, args.tokens, args.task, args.mfu, args.precision)


def render(
    footprint: Footprint,
    assumptions: Sequence[Assumption] | None = None,
    intensity: tuple[str, str] = ("", ""),
) -> str:
    """Plain-text result with its range and assumptions; ``intensity``
    (:func:`~wattprint.commands.common.intensity_words`) follows the grid figure."""
    r = footprint.range
    lines = [
        f"Energy:      {common.fmt(footprint.energy_kwh)} kWh "
        f"(IT {common.fmt(footprint.it_energy_kwh)} kWh x PUE {footprint.pue:g})",
        f"CO2e:        {common.fmt(footprint.co2e_kg)} kg "
        f"(range {common.fmt(r.co2e_kg_low)}-{common.fmt(r.co2e_kg_high)} kg) "
        f"at {common.fmt(footprint.intensity_g_per_kwh)} gCO2e/kWh{intensity[0]}",
    ]
    if intensity[1]:
        lines.append(f"             {intensity[1]}")
    if footprint.market_co2e_kg is not None:
        lines.append(
            f"Market-based CO2e: {common.fmt(footprint.market_co2e_kg)} kg (net intensity, reported beside)"
        )
    if footprint.embodied_parts:
        lines.extend(render_embodied(footprint))
        lines.append(f"Total:       {common.fmt(footprint.total_co2e_kg)} kg")
    lines.append(
        f"Draw:        {common.fmt(footprint.power_w)} W over {common.fmt(footprint.duration_h)} h "
        f"({common.fmt(footprint.device_hours)} device-hours)"
    )
    lines.append("Assumptions:")
    for a in footprint.assumptions if assumptions is None else assumptions:
        value = common.fmt(a.value) if isinstance(a.value, float) else str(a.value)
        year = f", {a.year}" if a.year else ""
        lines.append(f"  - {a.name}: {value} {a.unit} ({a.source}{year})")
    return "\n".join(lines)


def render_embodied(footprint: Footprint) -> list[str]:
    """The embodied lines: the figure with its basis in words, its range, and each part."""
    high = footprint.embodied_high_kg
    span = (
        f"range {common.fmt(footprint.embodied_low_kg)}-{common.fmt(high)} kg"
        if high is not None
        else f"at least {common.fmt(footprint.embodied_low_kg)} kg; no published whole-product figure"
    )
    lines = [f"Embodied:    {common.fmt(footprint.embodied_co2e_kg)} kg, {footprint.embodied_basis} ({span})"]
    for part in footprint.embodied_parts:
        upper = ""
        if part.high_basis and part.co2e_kg_high is not None:
            upper = f"; high {common.fmt(part.co2e_kg_high)} kg ({part.high_basis})"
        lines.append(
            f"  - {part.part}: {part.name}, {common.fmt(part.co2e_kg)} kg ({part.basis}{upper}), "
            f"{common.fmt(part.units)} x {common.fmt(part.per_unit_kgco2e)} kg over "
            f"{part.lifetime_years:g} years at {part.lifetime_utilization:.0%} use"
        )
    return lines


NO_LOCATION = "not computed: no --region or --intensity (energy and embodied carbon only)"


def embodied_only(spec: JobSpec) -> bool:
    """True for a job that asks for embodied carbon but gives no location: its energy and embodied
    carbon are computed, its operational CO2e is not (never a guessed grid)."""
    located = bool(spec.region) or spec.intensity_g_per_kwh is not None
    return not located and (spec.embodied or spec.embodied_kgco2e is not None)


def without_operational(data: dict[str, Any]) -> dict[str, Any]:
    """The JSON of an embodied-only job: every operational CO2e figure null, and why."""
    for key in ("co2e_kg", "market_co2e_kg", "total_co2e_kg", "intensity_g_per_kwh"):
        data[key] = None
    data["range"]["co2e_kg"] = {"low": None, "high": None}
    data["operational_co2e"] = NO_LOCATION
    data["assumptions"] = [a for a in data["assumptions"] if a["name"] != "grid intensity"]
    return data


def run(args: argparse.Namespace) -> int:
    spec = common.job_spec(args)
    if args.basis != "lifecycle":
        if not spec.region:
            raise InputError(
                "--basis chooses a region's figure: give --region (a given --intensity has no basis)"
            )
        spec = replace(spec, basis=args.basis)
    request = flops_request(args)
    dbs = common.databases(args) if needs_databases(spec) or request is not None else None
    if embodied_only(spec):
        # A placeholder intensity lets the engine run; no figure computed from it is printed.
        result = estimate_spec(replace(spec, intensity_g_per_kwh=0.0), dbs, request)
        if args.json:
            common.print_json(without_operational(result.to_dict()))
            return 0
        if result.flops is not None:
            print(f"Length:      {result.flops.note}")
        kept = [a for a in result.assumptions if a.name != "grid intensity"]
        text = render(result.footprint, kept).splitlines()
        text[1] = f"CO2e:        {NO_LOCATION}"
        text = [line for line in text if not line.startswith("Total:")]
        print("\n".join(text))
        return 0
    result = estimate_spec(spec, dbs, request)
    if args.json:
        common.print_json(result.to_dict())
    else:
        if result.flops is not None:
            print(f"Length:      {result.flops.note}")
        print(render(result.footprint, result.assumptions, common.intensity_words(result.intensity, dbs)))
    return 0
