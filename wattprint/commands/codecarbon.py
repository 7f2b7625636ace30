"""``wattprint import-codecarbon``: CodeCarbon runs re-priced in any region and year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wattprint.commands import common
from wattprint.db.codecarbon import read_emissions
from wattprint.db.exports import terminal_safe
from wattprint.db.names import NameIndex, resolve_reported
from wattprint.engine import codecarbon
from wattprint.errors import InputError, WattprintError

COMPARE_SHOWN = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import-codecarbon",
        help="read CodeCarbon emissions.csv files and re-price each run in a region",
        description=(
            "Each run's total is its last row (duration [s], energy_consumed [kWh], emissions [kg]). "
            "The measured energy is kept (PUE as in the file, else 1.0); --region prices it at that "
            "grid's intensity; --compare prices the total in every region."
        ),
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="CodeCarbon emissions.csv files")
    parser.add_argument("--region", metavar="ID", help="re-price at this region's intensity")
    parser.add_argument("--year", type=common.year, help="year of the region's intensity (default latest)")
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


def run(args: argparse.Namespace) -> int:
    if args.region is not None and not args.region.strip():
        raise InputError("--region is empty; give a region id, e.g. country:FR (wattprint regions list)")
    if args.year is not None and not args.region:
        raise InputError("--year chooses a region's intensity; give --region too")
    files = [read_emissions(Path(name)) for name in args.files]
    warnings = [w for f in files for w in f.warnings]
    rows = pd.concat([f.rows for f in files], ignore_index=True)
    table = codecarbon.runs(rows)
    if table.empty:
        first = f" ({warnings[0]})" if warnings else ""
        raise InputError("no CodeCarbon rows with energy in " + ", ".join(args.files) + first)
    intensity = None
    databases = common.databases(args) if (args.region or args.compare) else None
    table["gpu_hardware_id"] = _hardware_ids(args, table["gpu_model"])
    if args.region:
        assert databases is not None
        region = databases.regions.get(args.region)
        resolved = databases.regions.intensity(region.id, args.year)
        intensity = resolved
        table["co2e_kg"] = codecarbon.reprice(table, resolved.value)
    total_energy = float(table["energy_kwh"].sum())
    totals: dict[str, Any] = {
        "runs": len(table),
        "duration_h": float(table["duration_h"].sum()),
        "energy_kwh": total_energy,
        "codecarbon_co2e_kg": float(table["codecarbon_co2e_kg"].sum()),
        "runs_without_codecarbon_co2e": int(table["codecarbon_co2e_kg"].isna().sum()),
    }
    if intensity is not None:
        totals["co2e_kg"] = float(table["co2e_kg"].sum())
    compare: list[codecarbon.WhatIf] = []
    if args.compare:
        assert databases is not None
        options = []
        for region_id in sorted(databases.regions.regions):
            if databases.regions.intensity_series(region_id):
                resolved_each = databases.regions.intensity(region_id)
                options.append((region_id, resolved_each.value, resolved_each.year))
        compare = codecarbon.what_if(total_energy, options)
    for warning in warnings:
        print(f"wattprint: warning: {terminal_safe(warning)}", file=sys.stderr)
    pue_note = (
        "energy as measured by CodeCarbon; PUE from the file where given, else 1.0 (no facility overhead)"
    )
    if args.json:
        keep = [c for c in codecarbon.RUN_COLUMNS if c not in ("gpu_count", "codecarbon_version")]
        keep.append("gpu_hardware_id")
        if intensity is not None:
            keep.append("co2e_kg")
        data: dict[str, Any] = {
            "runs": [{k: _clean(v) for k, v in row.items()} for row in table[keep].to_dict("records")],
            "totals": totals,
            "warnings": warnings,
            "pue_note": pue_note,
        }
        if intensity is not None:
            data["region"] = {
                "id": intensity.region_id,
                "intensity_g_per_kwh": intensity.value,
                "year": intensity.year,
                "source": intensity.source,
            }
        if compare:
            data["compare"] = [w.__dict__ for w in compare]
        common.print_json(data)
        return 0
    for _, row in table.iterrows():
        line = (
            f"{terminal_safe(row['run_id'])[:36]:<36}  {terminal_safe(row['project_name'] or '')[:20]:<20} "
            f"{common.fmt(row['duration_h'])} h  {common.fmt(row['energy_kwh'])} kWh  "
            f"CodeCarbon {_kg(row['codecarbon_co2e_kg'])}"
        )
        if intensity is not None:
            line += f"  -> {common.fmt(row['co2e_kg'])} kg in {intensity.region_id}"
        print(line)
    print(
        f"Total: {totals['runs']} runs, {common.fmt(totals['duration_h'])} h, "
        f"{common.fmt(total_energy)} kWh, "
        f"CodeCarbon {common.fmt(totals['codecarbon_co2e_kg'])} kg"
        + (
            f" (unknown for {totals['runs_without_codecarbon_co2e']} runs)"
            if totals["runs_without_codecarbon_co2e"]
            else ""
        )
        + (
            f", {common.fmt(totals['co2e_kg'])} kg at {common.fmt(intensity.value)} gCO2e/kWh "
            f"({intensity.region_id}, {intensity.year})"
            if intensity is not None
            else ""
        )
    )
    print(f"Note: {pue_note}.")
    if compare:
        print("\nWhat if (total energy in each region, lowest first):")
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
