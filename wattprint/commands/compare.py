"""``wattprint compare``: one job in every region, cleanest first, on one intensity basis."""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter

import pandas as pd

from wattprint.commands import common
from wattprint.db.loader import source_family
from wattprint.db.schema import DEFAULT_BASIS, INTENSITY_BASES
from wattprint.db.tables import excluded_regions, ranking_scope, region_frame
from wattprint.engine import jurisdiction, units
from wattprint.engine.footprint import estimate
from wattprint.engine.jobspec import DEFAULT_PUE, needs_databases, resolve
from wattprint.engine.whatif import STALE_AFTER_YEARS, compare_regions
from wattprint.errors import InputError

KINDS = ("cloud", "country", "grid", "world")
DEFAULT_KINDS = ("cloud",)
COLUMNS = [
    "rank",
    "id",
    "name",
    "kind",
    "provider",
    "intensity_g_per_kwh",
    "intensity_basis",
    "intensity_year",
    "intensity_source",
    "intensity_from",
    "intensity_kind",
    "stale",
    "pue_used",
    "energy_kwh",
    "co2e_kg",
    "savings_kg",
    "savings_fraction",
    "low_carbon",
]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="rank every region for one job, cleanest first",
        description="The same job in every cloud region of the database, ranked on one intensity basis "
        "(default lifecycle), with savings against its own region on that basis.",
    )
    common.add_job_options(parser)
    parser.add_argument("--provider", help="only these providers, comma-separated (e.g. aws,gcp)")
    parser.add_argument(
        "--kind", help="only these kinds, comma-separated: cloud, country, grid, world (default: cloud)"
    )
    parser.add_argument(
        "--basis",
        default=DEFAULT_BASIS,
        help=f"rank only figures of this basis: {', '.join(INTENSITY_BASES)} (default: {DEFAULT_BASIS})",
    )
    parser.add_argument(
        "--source",
        help="rank on this source's figures (e.g. ember-owid-carbon-intensity, eia-930, ifi-grid-factors, "
        "avert); default: electricity-maps-yearly for lifecycle, else the source covering most regions",
    )
    parser.add_argument(
        "--within",
        default="anywhere",
        help="only regions within this jurisdiction: anywhere (default), eu, eea, us, non-us or "
        "country:XX (a two-letter country code)",
    )
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


def left_out_line(left_out: pd.DataFrame, basis: str) -> str:
    """One line: how many regions had no figure of ``basis`` and why."""
    if left_out.empty:
        return "Left out: none (every region in scope has a figure of this basis)."
    reasons = Counter(str(reason).split(" (")[0] for reason in left_out["reason"])
    parts = "; ".join(f"{count} {reason}" for reason, count in reasons.most_common())
    return f"Left out {len(left_out)} region(s) without a comparable {basis} figure: {parts}."


def saving_words(savings_kg: float, fraction: float) -> str:
    """A region's saving against the baseline in kg and %: "saves 45.0 kg (35.5%)", "adds ..."."""
    verb = "saves" if savings_kg >= 0 else "adds"
    return f"{verb} {common.fmt(abs(savings_kg))} kg ({abs(fraction):,.1%})"


def run(args: argparse.Namespace) -> int:
    basis = str(args.basis).strip().lower()
    if basis not in INTENSITY_BASES:
        raise InputError(f"unknown basis {args.basis!r}; valid: {', '.join(INTENSITY_BASES)}")
    spec = common.job_spec(args)
    dbs = common.databases(args)
    job = resolve(spec, dbs if needs_databases(spec) else None)
    footprint = estimate(job)
    source = source_family(str(args.source).strip()) if args.source else None
    if source is not None:
        known_sources = sorted({source_family(key) for key in dbs.regions.sources})
        if source not in known_sources:
            raise InputError(f"unknown source {args.source!r}; valid: {', '.join(known_sources)}")
    frame = region_frame(dbs.regions, args.year, basis, source)
    left_out = excluded_regions(dbs.regions, args.year, basis, source)
    scope = ranking_scope(dbs.regions, args.year, basis, source)
    if frame.empty:
        years = sorted(
            {
                y
                for r in dbs.regions.regions
                for y in dbs.regions.intensity_years(r, basis, scope.source or None)
            }
        )
        valid = f"; its years: {years[0]}-{years[-1]}" if years else ""
        raise InputError(
            f"no region has a {basis} figure from {scope.source or 'any source'} for {args.year}{valid} "
            "(another source may have it: --source)"
        )
    providers = _split(args.provider)
    if providers is not None:
        known = sorted({p for p in dbs.regions.providers} | {p for p in frame["provider"].dropna()})
        for provider in providers:
            if provider not in known:
                raise InputError(f"unknown provider {provider!r}; valid: {', '.join(known)}")
        frame = frame[frame["provider"].isin(providers)]
        left_out = left_out[left_out["provider"].isin(providers)]
    kinds = _split(args.kind, KINDS, "kind") or list(DEFAULT_KINDS)
    frame = frame[frame["kind"].isin(kinds)]
    left_out = left_out[left_out["kind"].isin(kinds)]
    within = jurisdiction.check(str(args.within))
    if within != "anywhere":
        frame = frame[jurisdiction.within(frame["country"], within)]
        countries = [dbs.regions.regions[region_id].country for region_id in left_out["id"]]
        left_out = left_out[jurisdiction.within(countries, within)]
        if frame.empty:
            raise InputError(
                f"no {'/'.join(kinds)} region within {jurisdiction.name(within)} has a {basis} figure"
            )
    fixed_pue = 1.0 if spec.pue_included else spec.pue
    baseline: float | None = None
    baseline_note = borrowed = ""
    if spec.region:
        try:
            own = dbs.regions.intensity(spec.region, scope.year, basis, scope.source)
            baseline = footprint.energy_kwh * own.value / units.G_PER_KG
            borrowed = dbs.regions.borrowed_note(spec.region, own.region_id, basis)
        except InputError:
            baseline_note = (
                f"{spec.region} has no {basis} figure from {scope.source} for {scope.year}: "
                "savings are not computed."
            )
    elif basis == DEFAULT_BASIS:
        baseline = footprint.co2e_kg
    else:
        baseline_note = "a given intensity has no stated basis: savings are not computed."
    ranked = compare_regions(
        footprint, frame, fixed_pue, DEFAULT_PUE, baseline if baseline is not None else 0.0
    )
    if baseline is None:
        ranked["savings_kg"] = math.nan
        ranked["savings_fraction"] = math.nan
    newest = int(ranked["intensity_year"].max())
    if args.top is not None:
        if args.top < 1:
            raise InputError(f"--top must be at least 1, got {args.top}")
        ranked = ranked.head(args.top)
    kind = ", ".join(sorted(set(frame["intensity_kind"]))) if not frame.empty else ""
    what = (
        f"{len(frame)} {'/'.join(kinds)} region(s) on the {basis} basis ({kind}), source {scope.source}, "
        f"year {scope.year_rule}" + (f", within {jurisdiction.name(within)}" if within != "anywhere" else "")
    )
    if args.json:
        records = ranked[COLUMNS].to_dict(orient="records")
        for record in records:
            for key, value in record.items():
                if isinstance(value, float) and math.isnan(value):
                    record[key] = None
        common.print_json(records)
        print(f"Ranked {what}. {left_out_line(left_out, basis)}", file=sys.stderr)
        if borrowed:
            print(f"Baseline: {borrowed}", file=sys.stderr)
        return 0
    if baseline is not None:
        energy = common.fmt(footprint.energy_kwh)
        print(f"Baseline: {common.fmt(baseline)} kg CO2e ({energy} kWh), {basis} basis")
        if borrowed:
            print(f"          {borrowed}")
    else:
        print(f"Baseline: {common.fmt(footprint.energy_kwh)} kWh; {baseline_note}")
    print(f"Ranked {what}. {left_out_line(left_out, basis)}")
    print(f"* = figure more than {STALE_AFTER_YEARS} years older than the newest here ({newest}).")
    for row in ranked.itertuples():
        leaf = " low-carbon" if row.low_carbon else ""
        stale = "*" if row.stale else " "
        saving = ""
        if not math.isnan(row.savings_fraction):
            saving = saving_words(row.savings_kg, row.savings_fraction)
        print(
            f"{row.rank:4d}. {row.id:30} {row.intensity_g_per_kwh:7.1f} g/kWh {row.intensity_basis} "
            f"{row.intensity_year}{stale} {common.fmt(row.co2e_kg):>10} kg  {saving}{leaf}"
        )
    return 0
