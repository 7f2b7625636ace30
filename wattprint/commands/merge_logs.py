"""``wattprint merge-logs``: one total from the logs the nodes of a distributed run wrote."""

from __future__ import annotations

import argparse

from wattprint.commands import common
from wattprint.measure.track import merge_logs


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "merge-logs",
        help="add the energy of several nodes' measurement logs into one total [kWh, kg]",
        description=(
            "Adds the logs that wattprint.track (one per node: LOG.node-NODE.jsonl) or wattprint "
            "measure wrote; refuses two logs of the same node (its devices would count twice). Rank "
            "logs (LOG.rank-N.jsonl, attribute='process') give each rank's share. Example: "
            "wattprint merge-logs run.node-*.jsonl run.rank-*.jsonl --region aws:us-east-1"
        ),
    )
    parser.add_argument("logs", nargs="+", metavar="LOG", help="node logs, and rank logs if any")
    parser.add_argument("--region", metavar="ID", help="region for CO2e, e.g. aws:us-east-1")
    parser.add_argument("--year", type=common.year, help="year of the region's intensity (default: latest)")
    parser.add_argument(
        "--intensity",
        type=common.number("intensity", maximum=5000.0),
        help="grid intensity [gCO2e/kWh] instead of a region",
    )
    common.add_json(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    merged = merge_logs(
        args.logs,
        region=args.region,
        year=args.year,
        intensity_g_per_kwh=args.intensity,
        db_dir=getattr(args, "db_dir", None),
    )
    if args.json:
        common.print_json(merged.to_dict())
        return 0
    for node in merged.nodes:
        energy = "none" if node["energy_j"] is None else f"{common.fmt(node['energy_j'])} J"
        state = "" if node["complete"] else " (run did not end: killed or still running)"
        fake = " [FAKE]" if node["fake"] else ""
        print(f"node {node['node']}: {energy} over {common.fmt(node['duration_s'])} s{state}{fake}")
    for rank in merged.ranks:
        energy = "none" if rank["energy_j"] is None else f"{common.fmt(rank['energy_j'])} J"
        why = f" ({rank['reason']})" if rank["reason"] else ""
        print(f"  rank {rank['rank']} on node {rank['node']}: {energy}{why}")
    if merged.energy_kwh is None:
        print(f"Total: no energy ({merged.energy_reason})")
    else:
        print(f"Total: {common.fmt(merged.energy_kwh)} kWh over {len(merged.nodes)} node(s)")
    if merged.co2e_kg is not None and merged.intensity is not None:
        i = merged.intensity
        label = f"{i['region']}, {i['basis']} {i['year']}" if i["region"] else "given intensity"
        figure = common.fmt(i["intensity_g_per_kwh"])
        print(f"CO2e:  {common.fmt(merged.co2e_kg)} kg at {figure} g/kWh ({label})")
        if i.get("note"):
            print(f"       {i['note']}")
    return 0
