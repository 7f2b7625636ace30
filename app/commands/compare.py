"""``wattprint compare``: one job in every region, cleanest first."""

from __future__ import annotations

import argparse
import math

from app.commands import common
from app.db.tables import region_frame
from app.engine.footprint import estimate
from app.engine.jobspec import DEFAULT_PUE, needs_databases, resolve
from app.engine.whatif import compare_regions
from app.errors import InputError

KINDS = ("cloud", "country", "grid", "world")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="rank every region for one job, cleanest first",
        description="The same job in every region of the database, with savings against its own region.",
    )
    common.add_job_options(parser)
    parser.add_argument("--provider", help="only these providers, comma-separated (e.g. aws,gcp)")
    parser.add_argument("--kind", help="only these kinds, comma-separated: cloud, country, grid, world")
    parser.add_argument("--top", type=int, help="show only the N cleanest")
    common.add_json(parser)
    parser.set_defaults(handler=run)


def _split(text: str | None, valid: tuple[str, ...] | None = None, what: str = "") -> list[str] | None:
    if not text:
        return None
    items = [item.strip().lower() for item in text.split(",") if item.strip()]
    if valid is not None:
        for item in items:
            if item not in valid:
                raise InputError(f"unknown {what} {item!r}; valid: {', '.join(valid)}")
    return items


def run(args: argparse.Namespace) -> int:
    spec = common.job_spec(args)
    dbs = common.databases(args)
    job = resolve(spec, dbs if needs_databases(spec) else None)
    footprint = estimate(job)
    frame = region_frame(dbs.regions, args.year)
    providers = _split(args.provider)
    if providers is not None:
        known = sorted({p for p in frame["provider"].dropna()})
        for provider in providers:
            if provider not in known:
                raise InputError(f"unknown provider {provider!r}; valid: {', '.join(known)}")
        frame = frame[frame["provider"].isin(providers)]
    kinds = _split(args.kind, KINDS, "kind")
    if kinds is not None:
        frame = frame[frame["kind"].isin(kinds)]
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    ranked = compare_regions(footprint, frame, fixed_pue, DEFAULT_PUE)
    if args.top is not None:
        if args.top < 1:
            raise InputError(f"--top must be at least 1, got {args.top}")
        ranked = ranked.head(args.top)
    columns = [
        "rank",
        "id",
        "name",
        "kind",
        "provider",
        "intensity_g_per_kwh",
        "intensity_year",
        "pue_used",
        "energy_kwh",
        "co2e_kg",
        "savings_kg",
        "savings_fraction",
        "low_carbon",
    ]
    if args.json:
        records = ranked[columns].to_dict(orient="records")
        for record in records:
            for key, value in record.items():
                if isinstance(value, float) and math.isnan(value):
                    record[key] = None
        common.print_json(records)
        return 0
    print(f"Baseline: {common.fmt(footprint.co2e_kg)} kg CO2e ({common.fmt(footprint.energy_kwh)} kWh)")
    for row in ranked.itertuples():
        leaf = " low-carbon" if row.low_carbon else ""
        print(
            f"{row.rank:4d}. {row.id:30} {row.intensity_g_per_kwh:7.1f} g/kWh ({row.intensity_year}) "
            f"{common.fmt(row.co2e_kg):>10} kg  {row.savings_fraction:+7.1%}{leaf}"
        )
    return 0
