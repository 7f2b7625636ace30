"""The project's own exceptions: each says what is wrong and what is valid, in one line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class WattprintError(Exception):
    """Base of every error the user can cause; the CLI prints it on one line and exits 2."""


class InputError(WattprintError, ValueError):
    """A value given by the user is out of range, missing or in conflict with another."""


class UnknownIdError(WattprintError, LookupError):
    """An id or alias that the database does not know; names the closest valid ids."""

    def __init__(self, kind: str, given: str, valid: Iterable[str], hint: str = "") -> None:
        self.kind = kind
        self.given = given
        self.suggestions = closest(given, valid)
        listing = ", ".join(self.suggestions) if self.suggestions else "none close"
        message = f"unknown {kind} {given!r}; closest valid ids: {listing}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class DatabaseError(WattprintError):
    """A database file that fails validation; ``problems`` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "invalid database"
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first + more)


class MeasurementError(WattprintError):
    """A power backend that cannot be used (no device, no permission, missing library)."""


def closest(given: str, valid: Iterable[str], count: int = 5) -> list[str]:
    """The ``count`` valid ids nearest to ``given`` (case-insensitive, substring hits first)."""
    candidates = list(valid)
    lowered = {candidate.lower(): candidate for candidate in candidates}
    needle = given.strip().lower()
    substring_hits = [c for c in candidates if needle and needle in c.lower()]
    fuzzy = [lowered[m] for m in difflib.get_close_matches(needle, list(lowered), n=count, cutoff=0.4)]
    ordered: list[str] = []
    for candidate in substring_hits[:count] + fuzzy:
        if candidate not in ordered:
            ordered.append(candidate)
    return ordered[:count]
