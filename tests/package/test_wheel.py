"""The built wheel, installed with its dependencies into a fresh virtual environment outside the
repository, answers like the checkout: the CLI, the API, the bundled databases, no ``app`` package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
JOB = ["--hardware", "nvidia-h100-sxm5-80gb", "--count", "8", "--hours", "24", "--region", "aws:us-east-1"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    (found,) = out.glob("wattprint-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no system site-packages) with the wheel and its dependencies."""
    where = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    pip = [str(where / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
    # The checkout's pins, so the fresh environment resolves like `make` does (no newer majors).
    constraints = ROOT / "requirements.txt"
    subprocess.run([*pip, "-c", str(constraints), str(wheel)], check=True, capture_output=True, text=True)
    return where


def outside(venv: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WATTPRINT_DB_DIR")}
    return subprocess.run([*argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_wheel_holds_the_library_and_its_data_and_no_app(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert "app" not in top
    assert {n.split("/")[0] for n in names if not n.startswith("wattprint-")} == {"wattprint"}
    for needed in (
        "wattprint/_bundled/hardware_db/nvidia-datacenter.yaml",
        "wattprint/_bundled/region_db/aws.yaml",
        "wattprint/_bundled/region_db/curated/cloud_regions.csv",
        "wattprint/_bundled/region_db/profiles/index.yaml",
        "wattprint/db/published.yaml",
    ):
        assert needed in names, needed
    for folder in ("hardware_db", "region_db"):  # every file contributors keep there ships
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                relative = path.relative_to(ROOT).as_posix()
                assert f"wattprint/_bundled/{relative}" in names, relative
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Requires-Dist: pydantic" in text and "Provides-Extra: app" in text
    assert 'streamlit>=1.40; extra == "app"' in text


def test_cli_and_api_from_another_folder_equal_the_checkout(venv: Path, tmp_path: Path) -> None:
    clone = subprocess.run(
        [sys.executable, "-m", "wattprint", "estimate", *JOB, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    installed = outside(venv, str(venv / "bin" / "wattprint"), "estimate", *JOB, "--json", cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert json.loads(installed.stdout) == json.loads(clone.stdout)

    code = (
        "import sys, wattprint\n"
        "f = wattprint.estimate(hardware='nvidia-h100-sxm5-80gb', count=8, hours=24,"
        " region='aws:us-east-1')\n"
        "print(f.co2e_kg)\n"
        "print(wattprint.__file__)\n"
        "print(sorted(m for m in ('streamlit', 'plotly', 'app') if m in sys.modules))"
    )
    api = outside(venv, str(venv / "bin" / "python"), "-c", code, cwd=tmp_path)
    assert api.returncode == 0, api.stderr
    co2e, location, heavy = api.stdout.strip().splitlines()
    assert float(co2e) == json.loads(clone.stdout)["co2e_kg"]
    assert str(venv) in location and str(ROOT) not in location
    assert heavy == "[]"

    version = outside(venv, str(venv / "bin" / "wattprint"), "--version", cwd=tmp_path)
    assert version.returncode == 0
    assert version.stdout.strip().endswith(subprocess_version())


def test_the_installed_databases_pass_their_own_check(venv: Path, tmp_path: Path) -> None:
    done = outside(venv, str(venv / "bin" / "wattprint"), "db", "check", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def subprocess_version() -> str:
    from wattprint import __version__

    return __version__
