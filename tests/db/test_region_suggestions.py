"""An unknown region suggests only ids really like what was typed, and says plainly when none is
(issue 28: "Jean Zay" suggested ``ba:NYIS``, a New York grid, at difflib's 0.4 cutoff).

The names are ones users type for where a job ran: a supercomputer (Jean Zay, the French national
machine run by IDRIS near Paris), a city, a country, a cloud region with a typo."""

from __future__ import annotations

import pytest

from wattprint.db.loader import load_databases
from wattprint.errors import UnknownIdError, closest


@pytest.fixture(scope="module")
def regions():
    return load_databases().regions


def unknown(regions, name: str) -> UnknownIdError:
    with pytest.raises(UnknownIdError) as raised:
        regions.get(name)
    return raised.value


def test_jean_zay_matches_nothing_and_says_so(regions) -> None:
    error = unknown(regions, "Jean Zay")
    assert error.suggestions == []
    assert "no valid id or name is close to it" in str(error)
    assert "ba:NYIS" not in str(error) and "zone:ZA" not in str(error)
    assert "give its country (e.g. country:FR) or its cloud region" in str(error)


def test_a_site_named_with_its_country_points_to_the_country(regions) -> None:
    # "France" is the name of country:FR in the region database.
    assert unknown(regions, "Jean Zay (IDRIS, Orsay, France)").suggestions == ["country:FR"]
    assert "country:FR" in unknown(regions, "Paris, France").suggestions


def test_a_city_suggests_the_regions_named_after_it_and_nothing_unrelated(regions) -> None:
    paris = unknown(regions, "Paris").suggestions
    assert paris[0] == "oci:eu-paris-1"  # "paris" is inside the id
    assert "aws:eu-west-3" in paris  # AWS names eu-west-3 "Europe (Paris)"
    assert not [s for s in paris if s.startswith(("ba:", "us-state:", "country:"))], paris


def test_a_country_name_and_a_typo_find_their_ids(regions) -> None:
    assert "country:FR" in unknown(regions, "france").suggestions
    assert unknown(regions, "aws:us-est-1").suggestions[0] == "aws:us-east-1"
    assert unknown(regions, "contry:FR").suggestions[0] == "country:FR"


def test_short_names_need_a_close_match(regions) -> None:
    # "nyc" is 0.67 alike the Seychelles' code "syc": not suggested; eGRID's NYC Westchester is.
    assert unknown(regions, "NYC").suggestions == ["egrid:NYCW"]
    assert unknown(regions, "IDRIS").suggestions == []


def test_closest_on_its_own() -> None:
    ids = ["nvidia-h100-sxm5-80gb", "nvidia-a100-sxm4-80gb", "nvidia-a100-sxm4-40gb", "amd-mi300x"]
    assert closest("h100", ids) == ["nvidia-h100-sxm5-80gb"]  # inside the id
    assert closest("nvidia-a100-sxm-80gb", ids)[0] == "nvidia-a100-sxm4-80gb"  # 0.98 alike
    assert closest("Jean Zay", ids) == []
    assert closest("  ", ids) == []
    # A name maps to its id; a word of the given text equal to a whole name counts.
    assert closest("MI300X accelerator", ids, names={"mi300x": "amd-mi300x"}) == ["amd-mi300x"]
