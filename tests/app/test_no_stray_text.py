"""Every page shows only text meant for it: no docstring of the project, no bare "None" or "nan".

Streamlit's "magic" draws any bare expression of a page script (a string statement documenting a
constant was once drawn on the calculator). Magic is off, page scripts hold no bare expressions,
and each page's rendered text is checked against every docstring in ``app/``.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import ENTRY, ROOT, TIMEOUT, page_list

VIEWS = ROOT / "app" / "views"
PLACEHOLDERS = {"None", "nan", "NaN", "null", "[]", "{}", "()"}
PROBE_CHARS = 60


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def project_docstrings() -> list[str]:
    """Module, class and function docstrings and every other bare string statement under app/."""
    found: list[str] = []
    for path in sorted([*(ROOT / "app").rglob("*.py"), *(ROOT / "wattprint").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            body = getattr(node, "body", None)
            if not isinstance(body, list):
                continue
            for statement in body:
                if (
                    isinstance(statement, ast.Expr)
                    and isinstance(statement.value, ast.Constant)
                    and isinstance(statement.value.value, str)
                ):
                    text = squash(statement.value.value)
                    if len(text) >= 25:
                        found.append(text[:PROBE_CHARS])
    return found


DOCSTRINGS = project_docstrings()


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def shown_texts(at: AppTest) -> list[str]:
    """Every string of every element the page drew (labels, bodies, captions, help, options)."""
    texts: list[str] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        proto = getattr(node, "proto", None)
        if proto is not None and node.type not in ("plotly_chart", "arrow_data_frame", "dataframe"):
            texts.extend(squash(s) for s in strings(MessageToDict(proto)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return texts


def test_docstring_probe_finds_real_docstrings():
    # The probe list is not empty and holds a known module docstring (so the page check can fail).
    assert len(DOCSTRINGS) > 100
    assert any(d.startswith("Shared rendering helpers") for d in DOCSTRINGS)


def leaks(at: AppTest) -> tuple[list[str], list[str]]:
    texts = shown_texts(at)
    return [d for d in DOCSTRINGS for t in texts if d in t], [t for t in texts if t in PLACEHOLDERS]


def test_checker_flags_a_drawn_docstring_and_none():
    # What magic did to a documented constant: the docstring drawn as Markdown; and a bare None.
    script = f"import streamlit as st\nst.markdown({DOCSTRINGS[0]!r})\nst.caption('None')\n"
    at = AppTest.from_string(script).run()
    leaked, placeholders = leaks(at)
    assert leaked == [DOCSTRINGS[0]] and placeholders == ["None"]


def test_magic_is_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["runner"]["magicEnabled"] is False


@pytest.mark.parametrize("path", sorted(VIEWS.glob("*.py")), ids=lambda p: p.name)
def test_page_scripts_have_no_bare_expressions(path: Path):
    # With magic on, each of these would be drawn; calls (st.title(...)) are the only bare expressions.
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0])
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body
    }
    bare = [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and not isinstance(node.value, (ast.Call, ast.Await))
        and id(node) not in docstrings
    ]
    assert not bare, bare


@pytest.mark.parametrize("entry", page_list(), ids=lambda entry: entry[0])
def test_page_shows_no_docstring_or_placeholder(entry):
    file = entry[0]
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    at.run()
    if file != page_list()[0][0]:
        at.switch_page(f"views/{file}")
        at.run()
    assert not at.exception, at.exception
    assert shown_texts(at), "the page drew nothing"
    leaked, placeholders = leaks(at)
    assert not leaked, leaked
    assert not placeholders, placeholders


def test_static_tables_escape_markdown():
    # st.table renders Markdown: a unit "-" became a bullet, and a source could hold an image link.
    import pandas as pd

    from app.components import plain_table

    frame = plain_table(pd.DataFrame({"unit": ["-"], "source": ["![x](http://example.com/a.png)"], "n": [1]}))
    assert frame["unit"][0] == "\\-" and frame["source"][0].startswith("\\!\\[x\\]") and frame["n"][0] == 1
