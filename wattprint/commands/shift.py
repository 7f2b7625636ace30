"""``wattprint shift``: Flexible Start or Pause and Resume of one job over an intensity series."""

from __future__ import annotations

import argparse

import pandas as pd

from wattprint.commands import common
from wattprint.db.loader import intensity_kind, profile_years
from wattprint.db.schema import Profile
from wattprint.db.series import load_profile, read_user_series
from wattprint.engine import units
from wattprint.engine.timeshift import (
    MAX_WINDOW_H,
    GapPolicy,
    ShiftResult,
    flexible_start,
    pause_and_resume,
    shift_to_dict,
)
from wattprint.errors import InputError
from wattprint.files import input_file


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "shift",
        help="carbon saved by delaying (Flexible Start) or pausing (Pause and Resume) a job",
        description=(
            "A job of --hours D submitted at --start must end by start + D + F. Flexible Start runs it "
            "without a break at the cleanest start; Pause and Resume runs the cleanest D hours of the "
            "window (Dodge et al. 2022, arXiv:2206.05229). The job draws a constant power."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--region",
        metavar="ID",
        help="a cloud region, country or grid id whose grid zone has a bundled hourly series "
        "(68 Electricity Maps zones, see docs/timeshift.md)",
    )
    source.add_argument(
        "--series",
        metavar="FILE.csv",
        help="a CSV of timestamp + gCO2e/kWh (also Electricity Maps and WattTime exports)",
    )
    parser.add_argument(
        "--hours",
        type=common.number("hours", 0.0, strict=True, maximum=MAX_WINDOW_H),
        required=True,
        help="job length D [h]",
    )
    flex = parser.add_mutually_exclusive_group(required=True)
    flex.add_argument(
        "--flex-hours", type=common.number("flex-hours", maximum=MAX_WINDOW_H), help="flexibility F [h]"
    )
    flex.add_argument("--flex-percent", type=common.number("flex-percent"), help="flexibility F as %% of D")
    parser.add_argument(
        "--method", choices=("flexible-start", "pause-resume"), required=True, help="how the job may move"
    )
    parser.add_argument(
        "--start",
        metavar="ISO8601",
        help="submission time, UTC when no offset is given (default: the series' first timestamp)",
    )
    parser.add_argument(
        "--basis",
        choices=("lifecycle", "marginal"),
        default="lifecycle",
        help="with --region: average life-cycle series (default, Electricity Maps) or marginal rates "
        "(EPA AVERT 2023 hourly, US regions): the two answer different questions and are never mixed",
    )
    parser.add_argument(
        "--year",
        type=int,
        help="with --region: the calendar year of the series (default: the newest bundled for its zone)",
    )
    parser.add_argument(
        "--power-w",
        type=common.number("power-w", 0.0, strict=True, maximum=1e9),
        help=f"constant draw of the job at the grid [W] (default {DEFAULT_POWER_W:,.0f}, said in the output)",
    )
    job = parser.add_argument_group("the job's draw from its devices, instead of --power-w")
    job.add_argument("--hardware", metavar="ID", help="hardware id or a name as machines report it")
    job.add_argument(
        "--count", type=common.job_number("count", "count", strict=True), help="number of devices (default 1)"
    )
    job.add_argument(
        "--utilization",
        type=common.job_number("utilization", "utilization"),
        help="average draw as a fraction of TDP (default 1.0, the upper bound)",
    )
    job.add_argument(
        "--pue",
        type=common.job_number("pue", "pue"),
        help="power usage effectiveness (default: the region's, else the industry average 1.56)",
    )
    parser.add_argument(
        "--min-chunk-hours",
        type=common.number("min-chunk-hours", 0.0, strict=True),
        help="pause-resume: shortest run between pauses [h]",
    )
    parser.add_argument("--max-pauses", type=int, help="pause-resume: most pauses allowed")
    parser.add_argument(
        "--fill-gaps",
        action="store_true",
        help="interpolate gaps in the series (flagged) instead of refusing it",
    )
    common.add_json(parser)
    parser.set_defaults(handler=run)


def _series(args: argparse.Namespace) -> tuple[pd.Series, str]:
    if args.series:
        return read_user_series(input_file(args.series, "series file")), str(args.series)
    regions = common.databases(args).regions
    region = regions.get(args.region)
    year = getattr(args, "year", None)
    basis = getattr(args, "basis", "lifecycle")
    profile = regions.profile_for(region.id, year, basis)
    if profile is None and basis == "marginal":
        raise InputError(
            f"{region.id} has no hourly marginal series: only US regions have one (EPA AVERT 2023, by "
            "AVERT region); elsewhere marginal figures are annual (compare --basis marginal)"
        )
    if profile is None:
        zone = next((link for e in regions.chain(region) for link in e.linked), None)
        where = f"{region.id} (grid zone {zone})" if zone else region.id
        available = regions.profiles_for(region.id, basis)
        if available:
            years = sorted({y for p in available for y in range(*_span(p))})
            raise InputError(
                f"{where} has no bundled hourly series for {year}; years: {', '.join(map(str, years))}"
            )
        zones = sorted(
            {p.grid.removeprefix("zone:") for p in regions.profiles.values() if p.grid.startswith("zone:")}
        )
        raise InputError(
            f"{where} has no bundled hourly series (none is published offline for its zone); zones "
            f"with one: {', '.join(zones)}. Pass --series FILE.csv for your own."
        )
    return load_profile(regions.profile_path(profile)), profile.id


DEFAULT_POWER_W = 1000.0
"""The draw a job is given when neither --power-w nor --hardware is [W]; the output says so."""


def job_draw(args: argparse.Namespace) -> tuple[float, str]:
    """The job's constant draw at the grid [W] and where it comes from, in words: --power-w,
    the devices' TDP x count x utilisation x PUE as ``estimate`` computes it, or the default."""
    device_options = (args.count, args.utilization, args.pue)
    if args.hardware is None:
        if any(option is not None for option in device_options):
            raise InputError("--count, --utilization and --pue describe the devices: give --hardware too")
        if args.power_w is None:
            return DEFAULT_POWER_W, (
                f"the default {DEFAULT_POWER_W:,.0f} W: give --power-w or --hardware for the job's own draw"
            )
        return args.power_w, "given"
    if args.power_w is not None:
        raise InputError("give --power-w or --hardware, not both")
    from wattprint.engine.footprint import estimate
    from wattprint.engine.jobspec import JobSpec, resolve

    dbs = common.databases(args)
    spec = JobSpec(
        hardware=args.hardware,
        count=args.count if args.count is not None else 1.0,
        hours=args.hours,
        utilization=args.utilization,
        pue=args.pue,
        region=args.region,
        intensity_g_per_kwh=None if args.region else 0.0,  # a series file: only the PUE default is used
    )
    footprint = estimate(resolve(spec, dbs))
    device = dbs.hardware.get(args.hardware)
    utilization = args.utilization if args.utilization is not None else 1.0
    pue = (
        f"PUE {footprint.pue:g}"
        if args.pue is not None or args.region
        else f"the industry-average PUE {footprint.pue:g} (no region)"
    )
    words = f"{spec.count:g} x {device.name}, TDP x {utilization:g} x {pue}"
    return footprint.energy_kwh / footprint.duration_h * units.W_PER_KW, words


def _span(profile: Profile) -> tuple[int, int]:
    first, last = profile_years(profile)
    return first, last + 1


def _start(text: str | None) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        raise InputError(f"--start must be ISO 8601 like 2022-06-01T00:00:00+00:00, got {text!r}") from None
    if pd.isna(stamp):
        raise InputError(f"--start must be ISO 8601 like 2022-06-01T00:00:00+00:00, got {text!r}")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp


def render(result: ShiftResult, series_name: str, draw: str = "given") -> str:
    """Plain-text result; ``draw`` says where the job's power comes from (:func:`job_draw`)."""
    lines = [
        f"Series:    {series_name} ({result.slot_minutes:g}-minute slots)",
        f"Job:       {common.fmt(result.duration_h)} h at {common.fmt(result.power_kw * units.W_PER_KW)} W, "
        f"submitted {result.start.isoformat()}, flexibility {common.fmt(result.flex_h)} h",
        f"Draw:      {draw}",
        f"Baseline:  {common.fmt(result.baseline_co2e_kg)} kg CO2e (start at once, no pause)",
        f"{result.method}: {common.fmt(result.shifted_co2e_kg)} kg CO2e, "
        f"saves {common.fmt(result.baseline_co2e_kg - result.shifted_co2e_kg)} kg "
        f"({result.savings_fraction * 100:.1f}%)",
        f"Pauses:    {result.pauses} ({result.pauses_per_hour:.3g} per hour)",
        "Schedule (UTC):",
    ]
    lines.extend(f"  {a.isoformat()} -> {b.isoformat()}" for a, b in result.schedule)
    if result.filled_slots:
        lines.append(f"Note: {result.filled_slots} slots used lie in gaps filled by interpolation")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.method != "pause-resume" and (args.min_chunk_hours is not None or args.max_pauses is not None):
        raise InputError("--min-chunk-hours and --max-pauses apply only to --method pause-resume")
    if args.year is not None and not args.region:
        raise InputError("--year chooses the year of a bundled series: give --region too")
    if args.basis != "lifecycle" and not args.region:
        raise InputError("--basis chooses a bundled series: give --region too (a --series file says its own)")
    if args.max_pauses is not None and args.max_pauses < 0:
        raise InputError(f"--max-pauses must be a whole number >= 0, got {args.max_pauses}")
    series, name = _series(args)
    flex_hours = args.flex_hours if args.flex_hours is not None else args.hours * args.flex_percent / 100.0
    power_w, draw = job_draw(args)
    power_kw = power_w / units.W_PER_KW
    gaps: GapPolicy = "fill" if args.fill_gaps else "refuse"
    start = _start(args.start)
    if args.method == "flexible-start":
        result = flexible_start(series, args.hours, flex_hours, start, power_kw, gaps)
    else:
        result = pause_and_resume(
            series, args.hours, flex_hours, start, power_kw, args.min_chunk_hours, args.max_pauses, gaps
        )
    kind = None
    if args.region and args.basis == "marginal":
        profile = common.databases(args).regions.profiles[name]
        kind = f"{intensity_kind('marginal', profile.source)}, {profile.source}"
    if args.json:
        data = shift_to_dict(result)
        data["series"] = name
        data["power_from"] = draw
        if args.region:
            data["intensity_basis"] = args.basis
            data["intensity_kind"] = kind or "average"
        common.print_json(data)
    else:
        print(render(result, name, draw))
        if kind:
            print(
                f"Basis:     {kind}: what one kWh more or less emits in each hour (the question of "
                "shifting), not the average intensity a footprint is reported with."
            )
    return 0
