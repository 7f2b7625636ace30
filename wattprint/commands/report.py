"""``wattprint report``: a paper statement, BibTeX, model-card metadata or badge for one job."""

from __future__ import annotations

import argparse

from wattprint.commands import common
from wattprint.engine import report
from wattprint.engine.footprint import estimate, footprint_to_dict
from wattprint.engine.jobspec import needs_databases, resolve

FORMATS = ("markdown", "latex", "bibtex", "model-card", "json", "badge")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="paper statement (Markdown/LaTeX), BibTeX, model card or badge for one job",
        description=(
            "A statement of a job's energy and CO2e with its range, hardware, device-hours, region, "
            "intensity year, PUE and method, every source cited, and the inputs to reproduce it."
        ),
    )
    common.add_job_options(parser)
    parser.add_argument("--format", choices=FORMATS, default="markdown", help="output (default markdown)")
    parser.add_argument(
        "--social-cost",
        action="store_true",
        help="add the social cost of carbon (US EPA 2023: US$190/t, range 120-340)",
    )
    parser.add_argument(
        "--training-type",
        choices=("pre-training", "fine-tuning"),
        default="pre-training",
        help="for the model card (default pre-training)",
    )
    parser.add_argument(
        "--compare-published",
        action="store_true",
        help="add a sentence placing the job's energy among published training runs "
        "(energy, as their CO2e rest on other grids' figures)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    spec = common.job_spec(args)
    databases = common.databases(args) if needs_databases(spec) else None
    footprint = estimate(resolve(spec, databases))
    comparison = None
    if args.compare_published:
        from wattprint.db.published import load_published
        from wattprint.engine.published import compare_sentence, recompute

        comparison = compare_sentence(footprint.energy_kwh, recompute(load_published()))
    result = report.statement(
        spec,
        footprint,
        databases,
        social_cost=args.social_cost,
        comparison=comparison,
        training_type=args.training_type,
    )
    if args.format == "markdown":
        print(report.markdown_document(result), end="")
    elif args.format == "latex":
        print(report.latex_document(result), end="")
    elif args.format == "bibtex":
        print(result.bibtex, end="")
    elif args.format == "model-card":
        print("---\n" + result.model_card + "---")
    elif args.format == "badge":
        print(result.badge_svg)
        print()
        print(result.badge_markdown)
    else:
        data = report.statement_to_dict(result)
        data["footprint"] = footprint_to_dict(footprint)
        common.print_json(data)
    return 0
