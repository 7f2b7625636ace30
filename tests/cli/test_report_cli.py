"""CLI of report, published and batch: formats, JSON keys, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import yaml

from tests.conftest import MINI_DB

JOB = ["--hardware", "nvidia-h100-sxm5-80gb", "--count", "8", "--hours", "72", "--region", "gcp:us-central1"]


def test_report_formats(cli) -> None:
    base = ["--db-dir", str(MINI_DB), "report", *JOB]
    markdown = cli(*base)
    assert markdown.code == 0, markdown.stderr
    assert "kWh" in markdown.stdout and "wattprint estimate" in markdown.stdout
    card = cli(*base, "--format", "model-card")
    assert card.code == 0
    front = yaml.safe_load(card.stdout.strip().strip("-"))
    assert front["co2_eq_emissions"]["emissions"] > 0
    badge = cli(*base, "--format", "badge")
    ET.fromstring(badge.stdout.split("\n\n")[0])
    data = json.loads(cli(*base, "--format", "json", "--social-cost").stdout)
    assert {"markdown", "latex", "bibtex", "model_card", "badge_svg", "cli", "inputs", "footprint"} <= set(
        data
    )
    assert data["social_cost_usd"]["central"] > 0
    latex = cli(*base, "--format", "latex")
    assert r"\citep{" in latex.stdout


def test_report_unknown_region_is_one_line(cli) -> None:
    result = cli(
        "--db-dir",
        str(MINI_DB),
        "report",
        "--hardware",
        "nvidia-h100-sxm5-80gb",
        "--hours",
        "1",
        "--region",
        "mars:1",
    )
    assert result.code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_published_json(cli) -> None:
    result = cli("published", "--json")
    assert result.code == 0, result.stderr
    runs = json.loads(result.stdout)["runs"]
    models = {run["model"] for run in runs}
    assert {"GPT-3", "T5", "Meena", "ELMo"} <= models
    assert all(
        {"energy_kwh", "published_energy_kwh", "co2e_kg", "published_co2e_kg", "note"} <= set(r) for r in runs
    )


def test_batch_cli(cli, tmp_path) -> None:
    jobs = tmp_path / "jobs.csv"
    jobs.write_text(
        "name,hardware,count,hours,region\n"
        "ok,nvidia-h100-sxm5-80gb,8,10,gcp:europe-west6\n"
        "=HYPERLINK(1),nvidia-h100-sxm5-80gb,1,abc,country:CH\n"
        "\n"
        "ok2,Tesla V100-SXM2-16GB,4,20,country:US\n",
        encoding="utf-8",
    )
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    result = cli(
        "--db-dir",
        str(MINI_DB),
        "batch",
        str(jobs),
        "-o",
        str(out),
        "--errors",
        str(errors),
        "--summary",
        "--json",
    )
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["jobs"] == 3 and data["totals"]["failed"] == 1
    # 8 x 700 W x 10 h x 1.10 = 61.6 kWh; 4 x 300 W x 20 h x 1.56 = 37.44 kWh
    assert abs(data["totals"]["energy_kwh"] - (61.6 + 37.44)) < 1e-9
    assert "1 of 3 rows failed" in result.stderr
    assert "line 3: hours: not a number (abc)" in result.stderr
    assert "'=HYPERLINK(1)" in out.read_text()
    assert "line" in errors.read_text().splitlines()[0]
    assert {"region", "hardware", "month"} <= set(data["summaries"])


def test_batch_parquet_round_trip(cli, tmp_path) -> None:
    import pandas as pd

    jobs = tmp_path / "jobs.parquet"
    pd.DataFrame(
        {
            "power_w": [300.0, 250.0],
            "hours": [10.0, 2.0],
            "intensity_g_per_kwh": [400.0, 50.0],
            "pue": [1.5, 1.0],
        }
    ).to_parquet(jobs)
    out = tmp_path / "out.parquet"
    result = cli("batch", str(jobs), "-o", str(out), "--json")
    assert result.code == 0, result.stderr
    results = pd.read_parquet(out)
    assert list(results["line"]) == [1, 2]
    assert results["co2e_kg"].tolist() == [300 * 10 / 1000 * 1.5 * 400 / 1000, 250 * 2 / 1000 * 50 / 1000]


def test_batch_unusable_file_exits_2(cli, tmp_path) -> None:
    missing = cli("batch", str(tmp_path / "nope.csv"))
    assert missing.code == 2 and "no such file" in missing.stderr
    useless = tmp_path / "useless.csv"
    useless.write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = cli("batch", str(useless))
    assert result.code == 2
    assert "no usable columns" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_report_segments_and_the_year_the_work_ran(cli) -> None:
    # Issue 28: the paper's 32 x A100 for 216 h, then 8 of them for 72 h, work that ran after the
    # mini database's latest year for gcp:us-central1 (2024).
    base = ["--db-dir", str(MINI_DB), "report", "--hardware", "nvidia-h100-sxm5-80gb", "--count", "32"]
    done = cli(
        *base, "--hours", "216", "--region", "gcp:us-central1",
        "--segment", "nvidia-h100-sxm5-80gb,8,72,gcp:us-central1", "--ran-in", "2026",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    assert (
        "The work ran in 2 segments, one after another: 32 x NVIDIA H100 SXM5 80GB for 216 h" in done.stdout
    )
    assert "(2024, the latest published up to 2026, the year the work ran; lifecycle basis)" in done.stdout
    assert "--count 8 --hours 72" in done.stdout  # each segment's command line in the reproduce block
    bad = cli(*base, "--hours", "216", "--region", "gcp:us-central1", "--segment", "nvidia-h100-sxm5-80gb,8")
    assert bad.code == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "needs four parts" in bad.stderr
    given = cli(*base, "--hours", "216", "--intensity", "50", "--ran-in", "2024")
    assert given.code == 2 and "--ran-in needs --region" in given.stderr
