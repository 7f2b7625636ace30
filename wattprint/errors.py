"""The project's own exceptions: each says what is wrong and what is valid, in one line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping


class WattprintError(Exception):
    """Base of every error the user can cause; the CLI prints it on one line and exits 2."""


class InputError(WattprintError, ValueError):
    """A value given by the user is out of range, missing or in conflict with another."""


class UnknownIdError(WattprintError, LookupError):
    """An id or alias that the database does not know; names the closest valid ids."""

    def __init__(
        self,
        kind: str,
        given: str,
        valid: Iterable[str],
        hint: str = "",
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.given = given
        self.suggestions = closest(given, valid, names=names)
        if self.suggestions:
            message = f"unknown {kind} {given!r}; closest valid ids: {', '.join(self.suggestions)}"
        else:
            message = f"unknown {kind} {given!r}; no valid id or name is close to it"
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


SIMILAR = 0.7
"""Least similarity (:class:`difflib.SequenceMatcher` ratio, 0-1) for a name to be suggested:
below it, suggestions were unrelated ("Jean Zay" -> ``ba:NYIS`` at the former 0.4)."""
SIMILAR_SHORT = 0.8
"""The same for a name or alias under 5 characters, where one letter moves the ratio a lot
("nyc" and the alias "syc" are 0.67 alike)."""
SHORTEST_PART = 3
"""Fewest characters of a given name matched inside a valid name; a word of it matched against a
whole name has more (``est`` in ``aws:us-est-1`` is not Estonia's code)."""


def _plain(text: str) -> str:
    return " ".join(re.split(r"[\s_]+", text.strip().lower()))


def closest(
    given: str, valid: Iterable[str], count: int = 5, names: Mapping[str, str] | None = None
) -> list[str]:
    """Up to ``count`` valid ids that are really like ``given`` (case-insensitive), best first;
    empty when none is.

    Compared with each id and, when given, each of ``names`` (a name or alias -> its id): first
    the ids whose id or name contains ``given`` (3 characters or more: ``paris`` ->
    ``oci:eu-paris-1``), then those with a name equal to a word of ``given`` (``Paris, France`` ->
    the region named France) or holding every word of it (``dell-c4140`` ->
    ``dell-poweredge-c4140``), then those at least :data:`SIMILAR` alike (difflib's ratio;
    :data:`SIMILAR_SHORT` for names under 5 characters), most alike first.

    References
    ----------
    .. [1] Python documentation, ``difflib.get_close_matches`` and ``SequenceMatcher.ratio``,
       https://docs.python.org/3/library/difflib.html
    """
    needle = _plain(given)
    if not needle:
        return []
    labels: dict[str, str] = {}
    for candidate in valid:
        labels.setdefault(_plain(candidate), candidate)
    for name, target in (names or {}).items():
        labels.setdefault(_plain(name), target)
    words = {word for word in re.split(r"[^0-9a-z]+", needle) if len(word) > SHORTEST_PART}
    inside = [labels[label] for label in labels if len(needle) >= SHORTEST_PART and needle in label]
    parts = {part for part in re.split(r"[^0-9a-z]+", needle) if part}
    word_hits = [
        labels[label]
        for label in labels
        if label in words or (len(parts) > 1 and parts <= set(re.split(r"[^0-9a-z]+", label)))
    ]
    scored = []
    for label in labels:
        matcher = difflib.SequenceMatcher(None, needle, label)
        least = SIMILAR_SHORT if min(len(needle), len(label)) < 5 else SIMILAR
        if matcher.real_quick_ratio() >= least and matcher.quick_ratio() >= least:
            ratio = matcher.ratio()
            if ratio >= least:
                scored.append((-ratio, label))
    alike = [label for _, label in sorted(scored)]
    ordered: list[str] = []
    for candidate in inside[:count] + word_hits + [labels[label] for label in alike]:
        if candidate not in ordered:
            ordered.append(candidate)
    return ordered[:count]
