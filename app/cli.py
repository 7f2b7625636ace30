"""``wattprint``: the command-line interface, thin commands over the engine.

Each command lives in :mod:`app.commands` and registers itself with :func:`register`. Any
:class:`~app.errors.WattprintError` ends the program with exit code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app import __version__
from app.commands import batch as batch_command
from app.commands import benchmark, common, compare, dbcheck, estimate, hardware, measure, regions, shift
from app.commands import codecarbon as codecarbon_command
from app.commands import published as published_command
from app.commands import report as report_command
from app.errors import WattprintError

COMMAND_MODULES = (
    estimate,
    compare,
    hardware,
    regions,
    dbcheck,
    shift,
    measure,
    benchmark,
    batch_command,
    report_command,
    published_command,
    codecarbon_command,
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, every command registered."""
    parser = common.OneLineParser(
        prog="wattprint",
        description="Energy and carbon of machine-learning work: estimate, compare, measure, report.",
    )
    parser.add_argument("--version", action="version", version=f"wattprint {__version__}")
    parser.add_argument(
        "--db-dir",
        metavar="DIR",
        help="a folder with its own hardware_db/ and region_db/ (default: the bundled databases)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=common.OneLineParser)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except WattprintError as error:
        print(f"wattprint: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as error:
        # Backstop: a file or device error no command foresaw is still one line, never a traceback.
        where = f" ({error.filename})" if error.filename else ""
        print(f"wattprint: error: {error.strerror or type(error).__name__}{where}", file=sys.stderr)
        return 2
    except OverflowError as error:
        print(f"wattprint: error: a number is too large to compute with ({error})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("wattprint: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
