"""``wattprint``: the command-line interface, thin commands over the engine.

Each command lives in :mod:`wattprint.commands` and registers itself with its ``register``; only the
module of the command being run is imported (see :data:`COMMANDS`). Any
:class:`~wattprint.errors.WattprintError` ends the program with exit code 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from wattprint import __version__
from wattprint.commands.common import OneLineParser
from wattprint.errors import WattprintError

COMMANDS = {
    "estimate": "estimate",
    "compare": "compare",
    "hardware": "hardware",
    "regions": "regions",
    "db": "dbcheck",
    "shift": "shift",
    "measure": "measure",
    "merge-logs": "merge_logs",
    "benchmark": "benchmark",
    "batch": "batch",
    "report": "report",
    "published": "published",
    "inference": "inference",
    "import-codecarbon": "codecarbon",
}
"""Each command's name and the module under :mod:`wattprint.commands` that registers it, in the
order ``wattprint --help`` lists them. A module is imported only when its command is run (or
when the whole parser is built, for help), so a command pays only for the libraries it uses."""

_GLOBAL_VALUE_OPTIONS = ("--db-dir",)


def command_module(name: str) -> ModuleType:
    """The module of the command ``name`` (a key of :data:`COMMANDS`)."""
    return importlib.import_module(f"wattprint.commands.{COMMANDS[name]}")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (its first word that is not an option or an option's
    value), or None when there is none or it is not a command."""
    words = iter(argv)
    for word in words:
        if word == "--":
            return None
        if word.startswith("-"):
            # An option of the top-level parser that takes a value, possibly abbreviated.
            if "=" not in word and any(o.startswith(word) and len(word) > 2 for o in _GLOBAL_VALUE_OPTIONS):
                next(words, None)
            continue
        return word if word in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command registered, or only the command ``only`` (which imports
    just that command's module)."""
    parser = OneLineParser(
        prog="wattprint",
        description="Energy and carbon of machine-learning work: estimate, compare, measure, report.",
    )
    parser.add_argument("--version", action="version", version=f"wattprint {__version__}")
    parser.add_argument(
        "--db-dir",
        metavar="DIR",
        help="a folder with its own hardware_db/ and region_db/ (default: the bundled databases)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in [only] if only else COMMANDS:
        command_module(name).register(subparsers)
    return parser


def check_db_dir(text: str) -> None:
    """Refuse a ``--db-dir`` that is not a folder (missing, a file, a symbolic link loop) at once,
    whether or not the command looks anything up."""
    from pathlib import Path

    from wattprint.db.loader import resolve_folder
    from wattprint.errors import InputError

    folder = resolve_folder(Path(text))
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise InputError(f"--db-dir {text!r} {what}; give a folder with hardware_db/ and region_db/")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(chosen_command(arguments))
    args = parser.parse_args(arguments)
    if not getattr(args, "handler", None):
        print("wattprint: error: give a command: " + ", ".join(COMMANDS) + " (see --help)", file=sys.stderr)
        return 2
    try:
        if getattr(args, "db_dir", None):
            check_db_dir(args.db_dir)
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
