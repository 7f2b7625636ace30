"""``wattprint import-codecarbon``: CodeCarbon runs re-priced in any region and year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wattprint.commands import common
from wattprint.db import codecarbon as codecarbon_files
from wattprint.db.codecarbon import read_emissions, where_ran_figures
from wattprint.db.exports import terminal_safe
from wattprint.db.names import NameIndex, resolve_reported
from wattprint.engine import codecarbon, units
from wattprint.errors import InputError, WattprintError

COMPARE_SHOWN = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-codecarbon",
        help="read CodeCarbon emissions.csv files: each run priced where it ran, and what-ifs",
        description=(
            "Each run's total is its last row (duration [s], energy_consumed [kWh], emissions [kg]). "
            "The headline is the runs as measured, where they ran: CodeCarbon's own figure and "
            "wattprint's figure at each run's own region (the year it ran, else the latest). "
            "--region adds a what-if: every run priced in that region, with its PUE applied to the "
            "IT energy (CodeCarbon adds no facility overhead unless its pue parameter was set; "
            "--pue measured or a number to choose); --compare prices the total in every region."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CodeCarbon emissions.csv files")
    parser.add_argument("--region", metavar="ID", help="what-if: every run priced in this region")
    parser.add_argument("--year", type=common.year, help="year of the region's intensity (default latest)")
    parser.add_argument(
        "--pue",
        type=_pue_option,
        default="region",
        metavar="region|measured|PUE",
        help="the what-if's PUE: the region's (default; as measured when it has none), the files' "
        "as measured, or a number from 1.0 to 5.0",
    )
    parser.add_argument("--compare", action="store_true", help="the total priced in every region")
    common.add_json(parser)
    parser.set_defaults(handler=run)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _hardware_ids(args: argparse.Namespace, gpu_models: pd.Series) -> list[str | None]:
    """The database id of each run's GPU model (wattprint.db.names lookup); None where it does not resolve."""
    try:
        hardware = common.databases(args).hardware
    except WattprintError:
        return [None] * len(gpu_models)
    index = hardware.index or NameIndex.build(hardware.devices)
    return [resolve_reported(index, _clean(name), hardware.devices)[0] for name in gpu_models]


def _kg(value: float) -> str:
    return "unknown" if value != value else f"{common.fmt(value)} kg"


def _pue_option(text: str) -> str | float:
    """``--pue``: ``region``, ``measured`` or a PUE [-] from 1.0 to 5.0."""
    if text.strip().lower() in ("region", "measured"):
        return text.strip().lower()
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--pue takes region, measured or a number from 1.0 to 5.0, got {text!r}"
        ) from None
    if not 1.0 <= value <= 5.0:
        raise argparse.ArgumentTypeError(f"--pue must be from 1.0 to 5.0, got {text}")
    return value


def _runs(count: int) -> str:
    return f"{count} run" + ("" if count == 1 else "s")


def _sources_words(summary: codecarbon.WhereRan, sources: dict[str, Any]) -> str:
    def named(key: str) -> str:
        return sources[key].publisher if key in sources else key

    used = ", ".join(f"{named(source)} {year} ({_runs(runs)})" for source, year, runs in summary.sources)
    return f"{', '.join(summary.bases) or 'no'} basis" + (f"; {used}" if used else "")


def _sources_words_one(key: str, sources: dict[str, Any]) -> str:
    return sources[key].publisher if key in sources else key


def run(args: argparse.Namespace) -> int:
    if args.region is not None and not args.region.strip():
        raise InputError("--region is empty; give a region id, e.g. country:FR (wattprint regions list)")
    if args.year is not None and not args.region:
        raise InputError("--year chooses a region's intensity; give --region too")
    if args.pue != "region" and not args.region:
        raise InputError("--pue sets the what-if's PUE; give --region too")
    files = [read_emissions(Path(name)) for name in args.files]
    warnings = [w for f in files for w in f.warnings]
    rows = pd.concat([f.rows for f in files], ignore_index=True)
    table = codecarbon.runs(rows)
    if table.empty:
        first = f" ({warnings[0]})" if warnings else ""
        raise InputError("no CodeCarbon rows with energy in " + ", ".join(args.files) + first)
    databases = common.databases(args)
    table["gpu_hardware_id"] = _hardware_ids(args, table["gpu_model"])
    table["own_region"] = [
        codecarbon.own_region(r, databases.regions.names) for r in table.to_dict("records")
    ]
    table["ran_year"] = codecarbon.run_years(table)
    table = codecarbon.price_where_ran(table, where_ran_figures(table, databases.regions))
    summary = codecarbon.where_ran(table)
    files_pue = codecarbon.files_pue_words(table)
    what_if_pue: float | None = None
    intensity = None
    pue_note = None
    if args.region:
        region = databases.regions.get(args.region)
        intensity = databases.regions.intensity(region.id, args.year)
        mode = args.pue if isinstance(args.pue, str) else "given"
        what_if_pue, pue_note = codecarbon_files.what_if_pue(
            table,
            databases.regions,
            region.id,
            intensity.year,
            mode,
            args.pue if mode == "given" else None,
        )
        table["what_if_energy_kwh"] = codecarbon.what_if_energy_kwh(table, what_if_pue)
        table["co2e_kg"] = table["what_if_energy_kwh"] * intensity.value / units.G_PER_KG
    total_energy = float(table["energy_kwh"].sum())
    totals: dict[str, Any] = {
        "runs": len(table),
        "duration_h": float(table["duration_h"].sum()),
        "energy_kwh": total_energy,
        "codecarbon_co2e_kg": summary.codecarbon_co2e_kg,
        "runs_without_codecarbon_co2e": summary.codecarbon_unknown_runs,
        "where_ran_co2e_kg": summary.co2e_kg,
        "where_ran_priced_runs": summary.priced_runs,
        "where_ran_unpriced_energy_kwh": summary.unpriced_energy_kwh,
        "where_ran_other_year_runs": summary.other_year_runs,
    }
    if intensity is not None:
        totals["what_if_co2e_kg"] = float(table["co2e_kg"].sum())
        totals["what_if_energy_kwh"] = float(table["what_if_energy_kwh"].sum())
    compare: list[codecarbon.WhatIf] = []
    if args.compare:
        options = []
        for region_id in sorted(databases.regions.regions):
            if databases.regions.intensity_series(region_id):
                resolved_each = databases.regions.intensity(region_id)
                options.append((region_id, resolved_each.value, resolved_each.year))
        compare = codecarbon.what_if(total_energy, options)
    for warning in warnings:
        print(f"wattprint: warning: {terminal_safe(warning)}", file=sys.stderr)
    energy_note = f"{codecarbon.CODECARBON_ENERGY}; here {files_pue}"
    if args.json:
        keep = [c for c in codecarbon.RUN_COLUMNS if c not in ("gpu_count", "codecarbon_version")]
        keep += ["gpu_hardware_id", "own_region", "ran_year"]
        keep += [c for c in table.columns if c.startswith("own_region_")]
        if intensity is not None:
            keep += ["what_if_energy_kwh", "co2e_kg"]
        data: dict[str, Any] = {
            "runs": [{k: _clean(v) for k, v in row.items()} for row in table[keep].to_dict("records")],
            "totals": totals,
            "where_ran": {
                "co2e_kg": summary.co2e_kg,
                "priced_runs": summary.priced_runs,
                "bases": list(summary.bases),
                "sources": [{"source": s, "year": y, "runs": n} for s, y, n in summary.sources],
                "codecarbon_co2e_kg": summary.codecarbon_co2e_kg,
            },
            "warnings": warnings,
            "energy_note": energy_note,
        }
        if intensity is not None:
            data["what_if"] = {
                "region": args.region,
                "id": intensity.region_id,
                "intensity_g_per_kwh": intensity.value,
                "year": intensity.year,
                "basis": intensity.basis,
                "source": intensity.source,
                "pue": what_if_pue,
                "pue_note": pue_note,
                "co2e_kg": totals["what_if_co2e_kg"],
            }
        if compare:
            data["compare"] = [w.__dict__ for w in compare]
        common.print_json(data)
        return 0
    for _, row in table.iterrows():
        place = row["own_region"] if isinstance(row["own_region"], str) else "place unknown"
        line = (
            f"{terminal_safe(row['run_id'])[:36]:<36}  {terminal_safe(row['project_name'] or '')[:20]:<20} "
            f"{common.fmt(row['duration_h'])} h  {common.fmt(row['energy_kwh'])} kWh  "
            f"CodeCarbon {_kg(row['codecarbon_co2e_kg'])}  "
            f"where it ran ({place}) {_kg(row['own_region_co2e_kg'])}"
        )
        if intensity is not None:
            line += f"  [what if in {args.region}: {common.fmt(row['co2e_kg'])} kg]"
        print(line)
    print(
        f"Total: {totals['runs']} runs, {common.fmt(totals['duration_h'])} h, "
        f"{common.fmt(total_energy)} kWh measured"
    )
    print("As measured, where each ran:")
    print(
        f"  CodeCarbon's own figure: {common.fmt(summary.codecarbon_co2e_kg)} kg CO2e "
        "(CodeCarbon's intensity for each run's place)"
        + (f"; unknown for {summary.codecarbon_unknown_runs} runs" if summary.codecarbon_unknown_runs else "")
    )
    if summary.priced_runs:
        print(
            f"  wattprint at each run's own region: {common.fmt(summary.co2e_kg)} kg CO2e "
            f"for {summary.priced_runs} of {summary.runs} runs "
            f"({_sources_words(summary, databases.regions.sources)})"
        )
    else:
        print("  wattprint at each run's own region: unknown (no run names a region wattprint knows)")
    if summary.priced_runs and summary.priced_runs < summary.runs:
        print(
            f"  not priced by wattprint: {_runs(summary.runs - summary.priced_runs)} "
            f"({common.fmt(summary.unpriced_energy_kwh)} kWh) "
            f"{'names' if summary.runs - summary.priced_runs == 1 else 'name'} no region with a figure"
        )
    if summary.other_year_runs:
        print(
            f"  {_runs(summary.other_year_runs)} priced at a figure of another year than they ran "
            "(the database has none for their year: its latest)"
        )
    if intensity is not None:
        print(
            f"What if every run had been in {args.region}: {common.fmt(totals['what_if_co2e_kg'])} kg CO2e "
            f"at {common.fmt(intensity.value)} gCO2e/kWh ({intensity.basis} basis, "
            f"{_sources_words_one(intensity.source, databases.regions.sources)} "
            f"{intensity.year}, from {intensity.region_id}), {common.fmt(totals['what_if_energy_kwh'])} kWh"
        )
        print(f"  PUE: {pue_note}")
    print(f"Note: {energy_note}.")
    if compare:
        print("\nWhat if (total energy as measured in each region, lowest first):")
        shown = (
            compare
            if len(compare) <= 2 * COMPARE_SHOWN
            else compare[:COMPARE_SHOWN] + compare[-COMPARE_SHOWN:]
        )
        for item in shown:
            print(
                f"  {item.region_id:<28} {common.fmt(item.intensity_g_per_kwh):>8} g/kWh "
                f"({item.intensity_year})"
                f"  {common.fmt(item.co2e_kg)} kg"
            )
    return 0
