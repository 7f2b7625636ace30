"""compare --within: the jurisdiction filter of the Compare page and the picker, from the CLI; and
each region's saving in kg beside its %."""

from __future__ import annotations

import json

import pytest

from wattprint.commands.common import fmt
from wattprint.engine.jurisdiction import EEA_MEMBERS, EU_MEMBERS

JOB = (
    "--hardware",
    "nvidia-h100-sxm5-80gb",
    "--count",
    "16",
    "--hours",
    "336",
    "--region",
    "gcp:europe-west9",
)


def ranked(cli, *extra: str) -> list[dict]:
    done = cli("compare", *JOB, *extra, "--json")
    assert done.code == 0, done.stderr
    return json.loads(done.stdout)


def countries(databases, rows: list[dict]) -> set[str]:
    return {databases.regions.get(row["id"]).country for row in rows}


def test_within_keeps_only_the_jurisdiction(cli, databases):
    everywhere = ranked(cli)
    eu = ranked(cli, "--within", "EU")
    eea = ranked(cli, "--within", "eea")
    assert countries(databases, eu) <= EU_MEMBERS
    assert countries(databases, eea) <= EEA_MEMBERS and "NO" in countries(databases, eea)
    assert 0 < len(eu) < len(eea) < len(everywhere)
    # The same regions rank the same: filtering does not re-price anything.
    by_id = {row["id"]: row["co2e_kg"] for row in everywhere}
    assert all(by_id[row["id"]] == row["co2e_kg"] for row in eu)
    assert countries(databases, ranked(cli, "--within", "country:FR")) == {"FR"}
    assert "US" not in countries(databases, ranked(cli, "--within", "non-us"))


def test_within_is_named_in_the_text_and_bad_values_are_one_line(cli):
    done = cli("compare", *JOB, "--within", "eu", "--top", "3")
    assert done.code == 0, done.stderr
    assert ", within European Union (27 members). Left out" in done.stdout
    for bad, words in (("mars", "'mars' is not a jurisdiction"), ("country:IS", "no cloud region within")):
        refused = cli("compare", *JOB, "--within", bad)
        assert refused.code == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
        assert words in refused.stderr


@pytest.mark.parametrize("extra", [(), ("--within", "eu")])
def test_each_saving_is_in_kg_beside_its_percent(cli, extra):
    rows = {row["id"]: row for row in ranked(cli, *extra)}
    text = cli("compare", *JOB, *extra).stdout.splitlines()
    lines = [line for line in text if line[:5].strip().rstrip(".").isdigit()]
    assert lines
    for line in lines:
        region = line.split()[1]
        row = rows[region]
        verb = "saves" if row["savings_kg"] >= 0 else "adds"
        kg = fmt(abs(row["savings_kg"]))
        assert f"{verb} {kg} kg ({abs(row['savings_fraction']):,.1%})" in line, line
