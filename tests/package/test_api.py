"""The Python API equals the CLI, is documented with examples that run, and imports nothing heavy."""

from __future__ import annotations

import ast
import doctest
import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import wattprint
from wattprint.errors import InputError, WattprintError

ROOT = Path(__file__).resolve().parents[2]


def cli_json(*argv: str) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "wattprint", *argv, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


JOBS = [
    (
        {"hardware": "nvidia-h100-sxm5-80gb", "count": 8, "hours": 24, "region": "aws:us-east-1"},
        ["--hardware", "nvidia-h100-sxm5-80gb", "--count", "8", "--hours", "24", "--region", "aws:us-east-1"],
    ),
    (
        {"device_hours": 1000, "power_w": 300, "pue": 1.5, "intensity_g_per_kwh": 400},
        ["--device-hours", "1000", "--power-w", "300", "--pue", "1.5", "--intensity", "400"],
    ),
    (
        {"hardware": "NVIDIA A100-SXM4-80GB", "count": 4, "hours": 10, "region": "country:FR", "year": 2022},
        [
            "--hardware",
            "NVIDIA A100-SXM4-80GB",
            "--count",
            "4",
            "--hours",
            "10",
            "--region",
            "country:FR",
            "--year",
            "2022",
        ],
    ),
    (
        {
            "hardware": "nvidia-h100-sxm5-80gb",
            "count": 8,
            "params": 7e9,
            "tokens": 1e11,
            "mfu": 0.35,
            "region": "gcp:europe-west6",
        },
        [
            "--hardware",
            "nvidia-h100-sxm5-80gb",
            "--count",
            "8",
            "--params",
            "7e9",
            "--tokens",
            "1e11",
            "--mfu",
            "0.35",
            "--region",
            "gcp:europe-west6",
        ],
    ),
]


@pytest.mark.parametrize(("kwargs", "argv"), JOBS)
def test_estimate_equals_the_cli_json(kwargs: dict, argv: list[str]) -> None:
    assert wattprint.estimate(**kwargs).to_dict() == cli_json("estimate", *argv)


def test_the_flops_route_is_the_calculators() -> None:
    from app import state
    from wattprint.db.loader import load_databases

    values = {
        **state.DEFAULTS,
        "hardware": "nvidia-h100-sxm5-80gb",
        "count": 8.0,
        "duration": "flops",
        "flops_input": "params_tokens",
        "params_b": 7.0,
        "tokens_b": 100.0,
        "task": "training",
        "mfu": 0.35,
        "precision": "bf16",
        "location": "cloud",
        "region": "gcp:europe-west6",
    }
    built = state.build(values, load_databases())
    api = wattprint.estimate(
        hardware="nvidia-h100-sxm5-80gb",
        count=8,
        params=7e9,
        tokens=1e11,
        mfu=0.35,
        precision="bf16",
        region="gcp:europe-west6",
    )
    assert built.spec.device_hours == pytest.approx(api.flops.device_hours, rel=1e-12)
    assert built.flops_note == api.flops.note
    # 6 x 7e9 x 1e11 FLOPs / (989.4e12 FLOP/s x 0.35) / 3600 s/h, H100 SXM5 dense BF16 peak
    assert api.flops.device_hours == pytest.approx(6 * 7e9 * 1e11 / (989.4e12 * 0.35) / 3600, rel=1e-3)


def test_compare_and_report_equal_their_commands() -> None:
    argv = [
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--count",
        "8",
        "--hours",
        "24",
        "--region",
        "aws:us-east-1",
    ]
    rows = wattprint.compare(
        hardware="nvidia-h100-sxm5-80gb", count=8, hours=24, region="aws:us-east-1", top=5
    )
    assert rows == cli_json("compare", *argv, "--top", "5")
    text = wattprint.report(hardware="nvidia-h100-sxm5-80gb", count=8, hours=24, region="aws:us-east-1")
    done = subprocess.run(
        [sys.executable, "-m", "wattprint", "report", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert text == done.stdout


def test_inference_equals_its_command() -> None:
    argv = [
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--params",
        "8e9",
        "--batch",
        "64",
        "--input-tokens",
        "200",
        "--output-tokens",
        "300",
    ]
    api = wattprint.inference(
        hardware="nvidia-h100-sxm5-80gb", params=8e9, batch=64, input_tokens=200, output_tokens=300
    )
    assert api == cli_json("inference", *argv)


def test_bad_input_raises_the_clis_one_line_message() -> None:
    with pytest.raises(WattprintError, match=r"nvidia-h999.*closest valid ids"):
        wattprint.estimate(hardware="nvidia-h999", hours=1, region="aws:us-east-1")
    with pytest.raises(InputError, match="count"):
        wattprint.compare(hardware="nvidia-h100-sxm5-80gb", count=-1, hours=1)
    with pytest.raises(InputError, match="not several"):
        wattprint.estimate(hardware="nvidia-h100-sxm5-80gb", hours=3, params=7e9, tokens=1e9)
    with pytest.raises(InputError, match="mfu"):
        wattprint.estimate(device_hours=3, power_w=100, intensity_g_per_kwh=300, mfu=0.3)


def test_import_wattprint_loads_nothing_heavy() -> None:
    probe = (
        "import sys, wattprint\n"
        "heavy = ('streamlit', 'plotly', 'pandas', 'numpy', 'pydantic', 'pynvml', 'torch', 'transformers',"
        " 'app')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd="/", capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["wattprint", "wattprint.api", "wattprint.measure.track"])
def test_the_documented_examples_run(module: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_the_library_never_imports_the_web_app_or_ui_toolkits() -> None:
    offenders = []
    for path in sorted((ROOT / "wattprint").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in ("app", "streamlit", "plotly"):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not offenders, offenders


def test_every_package_of_the_library_is_packaged() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "wattprint").rglob("__init__.py")
    }
    assert found <= listed, f"not in pyproject's packages: {sorted(found - listed)}"
