"""Shared pieces of the CLI: a parser that fails in one line, strict number types, job options."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from wattprint.db.loader import Databases, load_databases
from wattprint.engine import limits
from wattprint.engine.jobspec import JobSpec
from wattprint.errors import InputError


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def number(
    name: str, minimum: float | None = 0.0, strict: bool = False, maximum: float | None = None
) -> Callable[[str], float]:
    """An argparse type: a finite float within bounds, with a message saying what is valid."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if math.isnan(value) or math.isinf(value):
            raise argparse.ArgumentTypeError(f"{name} must be a finite number, got {text!r}")
        if minimum is not None and (value <= minimum if strict else value < minimum):
            relation = "greater than" if strict else "at least"
            raise argparse.ArgumentTypeError(f"{name} must be {relation} {minimum:g}, got {text}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{name} must be at most {maximum:g}, got {text}")
        return value + 0.0  # -0 is 0: no "-0.0" in any output

    parse.__name__ = name
    return parse


def job_number(name: str, field: str, strict: bool = False) -> Callable[[str], float]:
    """An argparse type for a job field: the flag's bounds, then the one table of limits that
    batch rows and CodeCarbon rows share (:mod:`wattprint.engine.limits`; subnormal values and
    an intensity below 1 gCO2e/kWh are refused with the same words)."""
    spec = limits.FIELDS[field]
    first = number(name, spec.low if not strict else 0.0, strict=strict, maximum=spec.high)

    def parse(text: str) -> float:
        value = first(text)
        reason = limits.problem(field, value)
        if reason is not None:
            raise argparse.ArgumentTypeError(f"{name}: {reason}")
        return value

    parse.__name__ = name
    return parse


def year(text: str) -> int:
    """An argparse type: a four-digit year."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"year must be a whole number like 2023, got {text!r}") from None
    if not 1990 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"year must be between 1990 and 2100, got {value}")
    return value


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def add_job_options(parser: argparse.ArgumentParser) -> None:
    """The options that describe one job (shared by estimate, compare, report, ...)."""
    group = parser.add_argument_group("job")
    group.add_argument("--hardware", metavar="ID", help="hardware id or alias (wattprint hardware list)")
    group.add_argument(
        "--count",
        type=job_number("count", "count", strict=True),
        default=1.0,
        help="number of devices (default 1)",
    )
    group.add_argument("--hours", type=job_number("hours", "hours"), help="wall-clock duration [h]")
    group.add_argument(
        "--device-hours",
        type=job_number("device-hours", "device_hours"),
        help="device-hours [h] (count x hours)",
    )
    group.add_argument(
        "--power-w",
        type=job_number("power-w", "power_w"),
        help="average draw per device [W] (replaces TDP x utilization)",
    )
    group.add_argument(
        "--total-power-w",
        type=job_number("total-power-w", "total_power_w"),
        help="average draw of the whole machine [W]",
    )
    group.add_argument(
        "--utilization",
        type=job_number("utilization", "utilization"),
        help="average draw as a fraction of TDP (default 1.0)",
    )
    group.add_argument(
        "--pue",
        type=job_number("pue", "pue"),
        help="power usage effectiveness (default: the region's, else 1.56)",
    )
    group.add_argument(
        "--pue-included", action="store_true", help="the power figures already include facility overhead"
    )
    group.add_argument(
        "--region", metavar="ID", help="region id, e.g. aws:us-east-1, country:FR (wattprint regions list)"
    )
    group.add_argument("--year", type=year, help="year of the region's intensity (default: latest)")
    group.add_argument(
        "--intensity",
        type=job_number("intensity", "intensity_g_per_kwh"),
        help="grid intensity [gCO2e/kWh] instead of a region",
    )
    group.add_argument(
        "--net-intensity",
        type=job_number("net-intensity", "net_intensity_g_per_kwh"),
        help="market-based intensity [gCO2e/kWh], reported beside",
    )
    group.add_argument(
        "--cpu-power-w",
        type=job_number("cpu-power-w", "cpu_power_w"),
        default=0.0,
        help="host CPU draw for the whole job [W]",
    )
    group.add_argument(
        "--memory-power-w",
        type=job_number("memory-power-w", "memory_power_w"),
        default=0.0,
        help="memory draw for the whole job [W]",
    )
    group.add_argument(
        "--embodied",
        action="store_true",
        help="add the hardware's embodied carbon from the database, amortised: a lower bound (dies "
        "and memory, ACT model) for most accelerators, a manufacturer PCF or study as the high end",
    )
    group.add_argument(
        "--embodied-kg",
        type=number("embodied-kg", maximum=1e6),
        help="embodied carbon per device [kgCO2e], amortised",
    )
    group.add_argument(
        "--host",
        metavar="ID",
        help="host server or node whose manufacturing share --embodied adds (wattprint hardware hosts)",
    )


def job_spec(args: argparse.Namespace) -> JobSpec:
    """The :class:`JobSpec` of parsed job options."""
    return JobSpec(
        hardware=args.hardware,
        count=args.count,
        hours=args.hours,
        device_hours=args.device_hours,
        power_w=args.power_w,
        total_power_w=args.total_power_w,
        utilization=args.utilization,
        pue=args.pue,
        pue_included=args.pue_included,
        region=args.region,
        year=args.year,
        intensity_g_per_kwh=args.intensity,
        net_intensity_g_per_kwh=args.net_intensity,
        cpu_power_w=args.cpu_power_w,
        memory_power_w=args.memory_power_w,
        embodied=args.embodied,
        embodied_kgco2e=args.embodied_kg,
        host=getattr(args, "host", None),
    )


def databases(args: argparse.Namespace) -> Databases:
    """The databases, from --db-dir when given."""
    folder = getattr(args, "db_dir", None)
    return load_databases(Path(folder) if folder else None)


def print_json(data: Any) -> None:
    """Print ``data`` as one JSON document, or nothing at all when a number in it is not finite."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False, default=str)
    except ValueError as error:
        raise InputError(
            f"the result holds a number that is not finite ({error}); check the inputs' sizes"
        ) from None
    sys.stdout.write(text + "\n")


def fmt(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant figures and thousands separators."""
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude < -6 or magnitude >= 18:  # never dozens of zeros: 1.23e-09, 4.56e+20
        return f"{value:.{digits - 1}e}"
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def intensity_words(fields: Mapping[str, Any], databases: Databases | None) -> tuple[str, str]:
    """What a headline says of its grid figure (``fields`` as
    :func:`wattprint.db.tables.intensity_fields`): the basis, publisher and year in brackets
    ("given" for a given intensity), and words naming the place whose figure it is when it is
    another place's (else "")."""
    if not fields.get("intensity_basis"):
        return " (given)", ""
    source = databases.regions.sources.get(str(fields["intensity_source"])) if databases else None
    publisher = source.publisher if source else str(fields["intensity_source"])
    suffix = f" ({fields['intensity_basis']}, {publisher} {fields['intensity_year']})"
    return suffix, str(fields.get("intensity_note") or "")
