"""``wattprint db check``: validate every database file, one line per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wattprint.db.loader import check_databases, check_profile_files, load_databases
from wattprint.errors import DatabaseError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("db", help="database tools", description="Database tools.")
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", parser_class=type(parser))
    check = sub.add_parser(
        "check",
        help="validate every YAML file of hardware_db/ and region_db/",
        description="Validate schema, units, ranges, sources and links; one line per problem.",
    )
    check.set_defaults(handler=run_check)
    parser.set_defaults(handler=_no_action)


def _no_action(args: argparse.Namespace) -> int:
    print("wattprint db: error: give an action: check (see wattprint db --help)", file=sys.stderr)
    return 2


def run_check(args: argparse.Namespace) -> int:
    folder = Path(args.db_dir) if args.db_dir else None
    try:
        # A database whose exact content already validated is answered from the cache.
        databases, problems = load_databases(folder), []
    except DatabaseError:
        databases, problems = check_databases(folder)
    problems = [*problems, *check_profile_files(databases.regions)]
    for problem in problems:
        print(problem, file=sys.stderr)
    devices = len(databases.hardware.devices)
    regions = len(databases.regions.regions)
    profiles = len(databases.regions.profiles)
    status = "ok" if not problems else f"{len(problems)} problems"
    print(f"{status}: {devices} devices, {regions} regions, {profiles} series in {databases.folder}")
    return 1 if problems else 0
