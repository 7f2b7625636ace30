"""LaTeX and BibTeX reports from a hostile database: every text field is printed, never run.

The database folder (``--db-dir``) holds a source whose title and publisher carry TeX commands
(``\\input{/etc/passwd}``, ``\\write18{...}``), unbalanced braces and comment signs, and a device
alias with a line break that would end the ``%`` comment of the reproduce block. The commands
are the ones a user runs: ``wattprint --db-dir DB report --hardware ALIAS ... --format latex``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import MINI_DB
from wattprint.cli import main
from wattprint.engine import report

HOSTILE_TITLE = r"Datasheet \input{/etc/passwd} \write18{touch /tmp/pwned} } 50% {\catcode`\^^M=9"
HOSTILE_PUBLISHER = "NVIDIA} and {\\def\\x{1}} % @misc{evil,"
ALIAS = "V100 box\n\\input{/etc/passwd} %"

# The only commands wattprint itself writes in its LaTeX and BibTeX output.
ALLOWED_COMMANDS = {
    "citep",
    "textsubscript",
    "textbackslash",
    "textasciitilde",
    "textasciicircum",
    "textbraceleft",
    "textbraceright",
}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    target = tmp_path / "db"
    shutil.copytree(MINI_DB, target)
    sources = target / "hardware_db" / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace(
        "    publisher: NVIDIA\n    title: NVIDIA Tesla V100 GPU Accelerator datasheet\n",
        f"    publisher: {HOSTILE_PUBLISHER!r}\n    title: {HOSTILE_TITLE!r}\n".replace("\\\\", "\\"),
        1,
    )
    sources.write_text(text, encoding="utf-8")
    gpus = target / "hardware_db" / "gpus.yaml"
    gpus.write_text(
        gpus.read_text().replace(
            'aliases: ["Tesla V100-SXM2-16GB"]', 'aliases: ["V100 box\\n\\\\input{/etc/passwd} %"]'
        ),
        encoding="utf-8",
    )
    return target


def run(db: Path, fmt: str, capsys) -> str:
    code = main(
        [
            "--db-dir",
            str(db),
            "report",
            "--hardware",
            ALIAS,
            "--hours",
            "10",
            "--intensity",
            "400",
            "--format",
            fmt,
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def live_text(latex: str) -> str:
    """The LaTeX source without its comments (an unescaped % to the end of the line)."""
    return "\n".join(re.sub(r"(?<!\\)%.*", "", line) for line in latex.splitlines())


def commands(text: str) -> set[str]:
    return set(re.findall(r"\\([A-Za-z@]+)", text))


def test_the_fixture_is_hostile(db: Path) -> None:
    # Guard: the strings really reached the database (otherwise the tests below prove nothing).
    text = (db / "hardware_db" / "sources.yaml").read_text()
    assert "\\input{/etc/passwd}" in text and "\\write18" in text


def test_latex_runs_no_command_from_the_database(db: Path, capsys) -> None:
    latex = run(db, "latex", capsys)
    live = live_text(latex)
    assert commands(live) <= ALLOWED_COMMANDS, commands(live) - ALLOWED_COMMANDS
    # The reproduce block is comments only, also for the alias's line break.
    block = latex.split("% Reproduce with:", 1)[1].strip().splitlines()
    assert block and all(line.startswith("% ") for line in block), block


def test_bibtex_fields_are_inert_and_balanced(db: Path, capsys) -> None:
    bib = run(db, "bibtex", capsys)
    entry = bib[bib.index("@misc{db-nvidia-v100-datasheet") :]
    entry = entry[: entry.index("\n}\n") + 3]
    assert "\\textbackslash{}input\\textbraceleft{}/etc/passwd\\textbraceright{}" in entry
    assert commands(entry) <= ALLOWED_COMMANDS, commands(entry) - ALLOWED_COMMANDS
    for line in entry.splitlines()[1:-1]:
        value = line.split(" = ", 1)[1]
        assert value.count("{") == value.count("}"), line
        assert re.search(r"(?<!\\)%", value.removeprefix("{").removesuffix("},")) is None or "url" in line, (
            line
        )
    assert bib.count("@misc{") == sum(1 for line in bib.splitlines() if line.startswith("@misc{"))


def test_bibtex_url_cannot_end_the_field() -> None:
    assert report.bibtex_url("https://x.example/a}b{c\\d e\nf") == "https://x.example/a%7Db%7Bc%5Cd%20ef"


@pytest.mark.parametrize("text", [HOSTILE_TITLE, HOSTILE_PUBLISHER, ALIAS, "\\", "}}}{{{", "a\rb\nc"])
def test_escapes_leave_no_command_and_no_line_break(text: str) -> None:
    for escaped in (report.latex_escape(text), report.bibtex_verbatim(text)):
        assert commands(escaped) <= ALLOWED_COMMANDS
        assert "\n" not in escaped and "\r" not in escaped
        assert re.search(r"(?<!\\)[%#$&_]", escaped) is None
    verbatim = report.bibtex_verbatim(text)
    assert verbatim.count("{") == verbatim.count("}")
