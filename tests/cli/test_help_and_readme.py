"""Every CLI command has help text and is shown in the README."""

from __future__ import annotations

import argparse
from pathlib import Path

from wattprint.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(parser: argparse.ArgumentParser, prefix: str = "wattprint") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                found.append((f"{prefix} {name}", helps.get(name) or ""))
                found.extend(commands(sub, f"{prefix} {name}"))
    return found


def test_every_command_has_help_and_is_in_readme() -> None:
    found = commands(build_parser())
    assert len(found) >= 15
    for command, help_text in found:
        assert help_text.strip(), f"{command} has no help text"
        words = command.split()
        # `wattprint hardware list` may be shown as `wattprint hardware list` or in a `list|show` form.
        assert " ".join(words[:2]) in README, f"{command} is not shown in README.md"
        if len(words) == 3:
            assert words[2] in README, f"{command} is not shown in README.md"
