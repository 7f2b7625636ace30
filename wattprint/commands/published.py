"""``wattprint published``: well-known training runs recomputed beside their published figures."""

from __future__ import annotations

import argparse

from wattprint.commands import common
from wattprint.db.published import load_published
from wattprint.engine.published import recompute, recomputed_to_dict


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "published",
        help="published training footprints (Strubell 2019, Patterson 2021, BLOOM) recomputed",
        description="Each run is recomputed from its stated inputs; the published figure is shown beside it.",
    )
    common.add_json(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    rows = recompute(load_published())
    if args.json:
        common.print_json({"runs": [recomputed_to_dict(row) for row in rows]})
        return 0
    header = (
        f"{'model':<28} {'energy kWh':>12} {'published':>12} {'CO2e kg':>12} {'published':>12} {'diff':>7}"
    )
    print(header)
    for row in rows:
        print(
            f"{row.run.model[:28]:<28} {common.fmt(row.energy_kwh):>12} "
            f"{common.fmt(row.published_energy_kwh):>12} {common.fmt(row.co2e_kg):>12} "
            f"{common.fmt(row.published_co2e_kg):>12} {row.co2e_rel_diff:>+7.1%}"
        )
    print("\nSources and notes:")
    for row in rows:
        print(f"  {row.run.model}: {row.run.citation}. {row.run.note}")
    return 0
