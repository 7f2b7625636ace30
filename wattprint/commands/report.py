"""``wattprint report``: a paper statement, BibTeX, model-card metadata or badge for one job."""

from __future__ import annotations

import argparse

from wattprint.commands import common
from wattprint.db.loader import Databases
from wattprint.engine import report
from wattprint.engine.footprint import Footprint, estimate, footprint_to_dict
from wattprint.engine.jobspec import JobSpec, needs_databases, resolve

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
        "--ran-in",
        type=common.year,
        help="the year the work ran: the grid figure of that year, or the latest published before "
        "it, and the statement says which (default: --year, else the latest, said so)",
    )
    parser.add_argument(
        "--segment",
        action="append",
        default=[],
        metavar="HARDWARE,COUNT,HOURS,REGION",
        help="a further segment run after the job (repeat for more), e.g. "
        "nvidia-a100-sxm4-80gb,8,72,country:FR; it takes the job's utilisation, PUE and grid year",
    )
    parser.add_argument(
        "--compare-published",
        action="store_true",
        help="add a sentence placing the job's energy among published training runs "
        "(energy, as their CO2e rest on other grids' figures)",
    )
    serve = parser.add_argument_group("serving (Patterson et al. 2021: the lifetime beside training)")
    serve.add_argument(
        "--serve-requests-per-day",
        type=common.number("serve-requests-per-day", 0.0, strict=True, maximum=1e13),
        help="requests per day once deployed; adds the serving energy and the break-even day",
    )
    serve.add_argument(
        "--serve-days", type=common.number("serve-days", 0.0, strict=True, maximum=36_500), default=365.0
    )
    serve.add_argument(
        "--serve-wh-per-request",
        type=common.number("serve-wh-per-request", 0.0, strict=True, maximum=1e6),
        help="measured energy per request [Wh]; else --serve-params with the job's hardware",
    )
    serve.add_argument(
        "--serve-params",
        type=common.number("serve-params", 0.0, strict=True, maximum=1e14),
        help="parameters",
    )
    serve.add_argument("--serve-batch", type=common.number("serve-batch", 1.0, maximum=1e6), default=1.0)
    serve.add_argument(
        "--serve-input-tokens", type=common.number("serve-input-tokens", maximum=1e8), default=100.0
    )
    serve.add_argument(
        "--serve-output-tokens",
        type=common.number("serve-output-tokens", 0.0, strict=True, maximum=1e8),
        default=400.0,
    )
    parser.set_defaults(handler=run)


def serving(args: argparse.Namespace, databases: Databases | None, footprint: Footprint) -> str | None:
    """The serving sentence (training at the statement's central energy), or None without
    --serve-requests-per-day."""
    import math

    from wattprint.errors import InputError

    if args.serve_requests_per_day is None:
        return None
    if args.serve_wh_per_request is not None:
        wh, basis = args.serve_wh_per_request, "measured"
    elif args.serve_params is not None and args.hardware and databases is not None:
        from wattprint.engine.inference import VALIDATION_MEDIAN_LOG_ERROR, serving_per_request

        device = databases.hardware.get(args.hardware)
        one = serving_per_request(
            device,
            databases.hardware.sources,
            parameters=args.serve_params,
            batch_size=args.serve_batch,
            input_tokens=args.serve_input_tokens,
            output_tokens=args.serve_output_tokens,
        )
        wh = one.wh_per_request
        basis = (
            f"wattprint's roofline inference model on {one.device_count:g} x {device.name} at batch "
            f"{args.serve_batch:g}, {args.serve_output_tokens:g} output tokens, validated against ML.ENERGY "
            f"measurements within a median factor of {math.exp(VALIDATION_MEDIAN_LOG_ERROR):.2f}"
        )
    else:
        raise InputError(
            "--serve-requests-per-day needs --serve-wh-per-request, or --serve-params and --hardware"
        )
    training_kwh = report.central(footprint).energy_kwh
    return report.serving_sentence(
        training_kwh, wh, args.serve_requests_per_day, args.serve_days, footprint.pue, basis
    )


def run(args: argparse.Namespace) -> int:
    from wattprint.engine import segments
    from wattprint.errors import InputError

    spec = common.job_spec(args)
    databases = common.databases(args) if needs_databases(spec) or args.segment else None
    further: tuple[JobSpec, ...] = ()
    if args.ran_in is not None and not spec.region:
        raise InputError("--ran-in needs --region (the grid whose year it picks)")
    if args.segment or args.ran_in is not None:
        assert databases is not None
        parsed = segments.parse_segments(";".join(args.segment))
        further = segments.segment_specs(spec, parsed, databases)
        spec, further, footprint = segments.priced_in(spec, further, databases, args.ran_in)
    else:
        footprint = estimate(resolve(spec, databases))
    comparison = None
    if args.compare_published:
        from wattprint.db.published import load_published
        from wattprint.engine.published import compare_sentence, recompute

        comparison = compare_sentence(footprint.energy_kwh, recompute(load_published()))
    serving_text = serving(args, databases, footprint)
    if serving_text:
        comparison = f"{comparison} {serving_text}" if comparison else serving_text
    result = report.statement(
        spec,
        footprint,
        databases,
        social_cost=args.social_cost,
        comparison=comparison,
        training_type=args.training_type,
        segments=further,
        work_year=args.ran_in,
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
