"""Where data may be processed: keep regions within the EU, the EEA, the US, outside it, or a country.

A jurisdiction is written ``anywhere``, ``eu``, ``eea``, ``us``, ``non-us`` or ``country:XX``
(ISO 3166-1 alpha-2). A region is within it by its ``country`` code; a region whose country is
unknown is within ``anywhere`` only.

References
----------
.. [1] European Union, "EU countries" (27 member states),
   https://european-union.europa.eu/principles-countries-history/eu-countries_en (accessed 2026).
.. [2] EFTA, "EEA Agreement" (the EU member states with Iceland, Liechtenstein and Norway),
   https://www.efta.int/eea (accessed 2026).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from wattprint.errors import InputError

EU_MEMBERS = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip
"""The 27 member states of the European Union (European Union, "EU countries", 2026)."""
EEA_MEMBERS = EU_MEMBERS | {"IS", "LI", "NO"}
"""The European Economic Area: the EU with Iceland, Liechtenstein and Norway (EFTA, 2026)."""

GROUPS = {
    "anywhere": "Anywhere",
    "eu": "European Union (27 members)",
    "eea": "European Economic Area (EU, Iceland, Liechtenstein, Norway)",
    "us": "United States",
    "non-us": "Outside the United States",
}
"""Jurisdictions other than a single country, and their names."""


def check(jurisdiction: str) -> str:
    """``jurisdiction`` in its written form; InputError naming the valid forms when it is none."""
    text = jurisdiction.strip()
    if text.lower() in GROUPS:
        return text.lower()
    if text.lower().startswith("country:") and len(text) == 10 and text[8:].isalpha():
        return "country:" + text[8:].upper()
    raise InputError(
        f"{jurisdiction[:40]!r} is not a jurisdiction; use one of {', '.join(GROUPS)} or country:XX "
        "(a two-letter country code, e.g. country:FR)"
    )


def choices(countries: Iterable[object]) -> list[str]:
    """Every group, then ``country:XX`` for each known country code among ``countries``, sorted."""
    codes = sorted({str(code).upper() for code in countries if isinstance(code, str) and len(code) == 2})
    return [*GROUPS, *(f"country:{code}" for code in codes)]


def name(jurisdiction: str) -> str:
    """A jurisdiction in words: "European Union (27 members)", "Country FR"."""
    if jurisdiction in GROUPS:
        return GROUPS[jurisdiction]
    return f"Country {jurisdiction.split(':', 1)[-1]}"


def within(countries: Iterable[object], jurisdiction: str) -> npt.NDArray[np.bool_]:
    """For each country code (None or NaN when unknown), whether it lies within ``jurisdiction``."""
    which = check(jurisdiction)
    codes = [str(code).upper() if isinstance(code, str) else None for code in countries]
    if which == "anywhere":
        return np.ones(len(codes), dtype=bool)
    if which == "eu":
        keep = [code in EU_MEMBERS for code in codes]
    elif which == "eea":
        keep = [code in EEA_MEMBERS for code in codes]
    elif which == "us":
        keep = [code == "US" for code in codes]
    elif which == "non-us":
        keep = [code is not None and code != "US" for code in codes]
    else:
        keep = [code == which[8:] for code in codes]
    return np.array(keep, dtype=bool)


__all__ = ["EEA_MEMBERS", "EU_MEMBERS", "GROUPS", "check", "choices", "name", "within"]
