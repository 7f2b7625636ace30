"""Safe exports: every CSV wattprint writes neutralises formula cells; no user text becomes HTML.

- :func:`wattprint.db.exports.neutralise_formulas` is the one function; text cells that begin with
  ``= + - @``, a tab or a carriage return get a leading ``'`` (OWASP, "CSV Injection"). Numbers,
  including negative ones, stay numbers.
- A static scan of ``app/`` checks that every ``.to_csv(`` and every CSV ``download_button``
  goes through it.
- A static scan of ``app`` checks that ``unsafe_allow_html=True`` and ``st.html`` are used
  only with constant text (none is used today).
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattprint.cli import main
from wattprint.db import batchfiles, exports

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
LIBRARY = ROOT / "wattprint"
SAFE_FUNCTIONS = {"neutralise_formulas", "safe_csv"}
RISKY = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']
HARMLESS = ["plain", "nvidia-h100", "a=b", " =x", "", "'=already"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_gets_a_quote(text: str) -> None:
    frame = pd.DataFrame({"name": [text], "count": [-3.0]})
    out = exports.neutralise_formulas(frame)
    assert out.loc[0, "name"] == "'" + text
    assert out.loc[0, "count"] == -3.0, "negative numbers stay numbers"
    assert frame.loc[0, "name"] == text, "the input frame is not changed"


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_unchanged(text: str) -> None:
    assert exports.neutralise_formulas(pd.DataFrame({"name": [text]})).loc[0, "name"] == text


def test_missing_values_categories_and_headers() -> None:
    frame = pd.DataFrame(
        {
            "name": ["=a", None, float("nan")],
            "kind": pd.Categorical(["-x", "y", "-x"]),
            "text": pd.array(["@b", pd.NA, "ok"], dtype="string"),
            "=evil header": [1, 2, 3],
        }
    )
    out = exports.neutralise_formulas(frame)
    assert out["name"].tolist()[0] == "'=a" and out["name"].isna().tolist()[1:] == [True, True]
    assert out["kind"].tolist() == ["'-x", "y", "'-x"]
    assert out["text"].tolist()[0] == "'@b" and pd.isna(out["text"].tolist()[1])
    assert "'=evil header" in out.columns


def test_safe_csv_round_trip() -> None:
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "ok"], "co2e_kg": [-1.5, 2.0]})
    rows = list(csv.DictReader(io.StringIO(exports.safe_csv(frame))))
    assert rows[0]["name"].startswith("'=") and rows[0]["co2e_kg"] == "-1.5"


text_cells = st.one_of(st.none(), st.text(max_size=12))


@settings(max_examples=200, deadline=None)
@given(st.lists(text_cells, min_size=1, max_size=8))
def test_no_written_cell_starts_a_formula(cells: list[str | None]) -> None:
    out = exports.neutralise_formulas(pd.DataFrame({"name": cells}))
    for before, after in zip(cells, out["name"], strict=True):
        if isinstance(before, str):
            assert not after.startswith(exports.FORMULA_PREFIXES)
            assert after in (before, "'" + before)


def test_batchfiles_reexports_the_shared_function() -> None:
    assert batchfiles.neutralise_formulas is exports.neutralise_formulas


@pytest.mark.parametrize("engine", ["pandas", "dask"])
def test_cli_batch_outputs_are_neutralised(tmp_path: Path, capsys, engine: str) -> None:
    if engine == "dask":
        pytest.importorskip("dask.dataframe")
    folder = tmp_path / "jobs"
    folder.mkdir()
    jobs = folder / "jobs.csv"
    jobs.write_text(
        "name,hardware,count,hours,region\n"
        '"=HYPERLINK(""http://x"")",nvidia-h100-sxm5-80gb,1,1,aws:us-east-1\n'
        "-bad,not-a-gpu,1,1,aws:us-east-1\n",
        encoding="utf-8",
    )
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    source = str(folder) if engine == "dask" else str(jobs)
    code = main(["batch", source, "--engine", engine, "-o", str(out), "--errors", str(errors)])
    capsys.readouterr()
    assert code == 0
    for written in (out, errors):
        with written.open(newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                assert not any(cell.startswith(exports.FORMULA_PREFIXES) for cell in row), (written, row)
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8")


# --- static scans -----------------------------------------------------------------------------


def _python_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _names_in(node: ast.AST) -> set[str]:
    found: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_safe(node: ast.AST, assigned: dict[str, set[str]]) -> bool:
    if isinstance(node, ast.Lambda):  # deferred download data: judge what the lambda returns
        return _is_safe(node.body, assigned)
    if isinstance(node, ast.Call) and _callee(node) in SAFE_FUNCTIONS | {"map_partitions"}:
        return bool(_names_in(node) & SAFE_FUNCTIONS)
    if isinstance(node, ast.Name):
        return bool(assigned.get(node.id, set()) & SAFE_FUNCTIONS)
    return False


def test_every_csv_written_goes_through_the_shared_function() -> None:
    unsafe: list[str] = []
    checked = 0
    for path in [*_python_files(LIBRARY), *_python_files(APP)]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned: dict[str, set[str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, set()).update(_names_in(node.value))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            checked += _callee(node) in ("to_csv", "download_button")
            if _callee(node) == "to_csv":
                receiver = node.func.value if isinstance(node.func, ast.Attribute) else node
                if not _is_safe(receiver, assigned) and path.name != "exports.py":
                    unsafe.append(where)
            if _callee(node) == "download_button":
                name = node.args[2] if len(node.args) > 2 else None
                name = next((k.value for k in node.keywords if k.arg == "file_name"), name)
                if isinstance(name, ast.Constant) and str(name.value).endswith(".csv"):
                    data = node.args[1] if len(node.args) > 1 else None
                    data = next((k.value for k in node.keywords if k.arg == "data"), data)
                    if isinstance(data, ast.Lambda):  # deferred download: judge what it returns
                        data = data.body
                    ok = isinstance(data, ast.Call) and (
                        _callee(data) == "safe_csv"
                        or (_callee(data) == "to_csv" and _is_safe(data.func.value, assigned))  # type: ignore[attr-defined]
                    )
                    if not ok:
                        unsafe.append(where + " (download)")
    assert checked >= 6, "the scan found the known writers (batch CLI, batch and compare pages)"
    assert not unsafe, f"CSV written without exports.neutralise_formulas: {unsafe}"


def _constant_text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def test_no_user_text_is_rendered_as_html() -> None:
    offenders: list[str] = []
    for path in _python_files(APP):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            unsafe = next((k for k in node.keywords if k.arg == "unsafe_allow_html"), None)
            enabled = unsafe is not None and not (
                isinstance(unsafe.value, ast.Constant) and unsafe.value.value is False
            )
            if (enabled or _callee(node) == "html") and not all(_constant_text(a) for a in node.args[:1]):
                offenders.append(where)
    assert not offenders, f"HTML built from non-constant text: {offenders}"
