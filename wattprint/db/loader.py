"""Load, validate and look up the hardware and region databases.

All database file I/O sits here. Every problem is reported as one line naming the file and the
field. YAML is read with libyaml's safe loader (no tags that build objects) under limits that
hold before parsing completes, so a hostile ``--db-dir`` or upload costs little:

- only regular files are read (a folder, FIFO or device named ``*.yaml`` is refused unopened);
- a file over :data:`MAX_FILE_BYTES`, nesting deeper than :data:`MAX_DEPTH`, more than
  :data:`MAX_NODES_PER_FILE` nodes (:data:`MAX_NODES_TOTAL` over a database) or
  :data:`MAX_ALIASES` aliases is refused during a first pass over the parser's events, before
  any object is built (libyaml's composer recurses and would crash on deep nesting);
- a number of more than :data:`MAX_NUMBER_CHARS` characters and a non-finite number
  (``.inf``, ``.nan``) are refused, and so is a key given twice in one mapping (a second
  ``tdp_w`` or ``devices:`` would otherwise win silently);
- a profile's ``file`` must name a file inside ``region_db/profiles/``.

A database that loads without a problem is kept in a cache (see :func:`load_databases`), keyed
by the hash of every file read and of this code, so a command starts without parsing YAML.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import importlib.resources
import math
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import ConstructorError

from wattprint.db.names import NameIndex, resolve
from wattprint.db.schema import (
    DEFAULT_BASIS,
    INTENSITY_BASES,
    PRECISION_FIELDS,
    Device,
    Fact,
    HardwareFile,
    Host,
    HostFile,
    IntensityFact,
    Profile,
    ProfileIndex,
    Provider,
    Region,
    RegionFile,
    Source,
    YearFact,
)
from wattprint.errors import DatabaseError, InputError, UnknownIdError

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest database file accepted [bytes]; the bundled files are far smaller (largest 0.2 MB)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences accepted; the schemas need 5."""
MAX_NODES_PER_FILE = 200_000
"""Most YAML nodes (scalars, mappings, sequences) in one file; the largest bundled file has
about 13,000 (a design bound: about 2 s of parsing on one core)."""
MAX_NODES_TOTAL = 500_000
"""Most YAML nodes over both databases; the bundled ones have about 78,000."""
MAX_ALIASES = 100
"""Most aliases (``*name``) in one file; the bundled files use none (alias bombs)."""
MAX_NUMBER_CHARS = 64
"""Longest plain number accepted [characters]; a 5,000-digit integer is refused, not parsed."""

SOURCE_ROOT = Path(__file__).resolve().parents[2]
"""A source checkout's top folder, where contributors edit ``hardware_db/`` and ``region_db/``."""
DB_DIR_ENV = "WATTPRINT_DB_DIR"

TDP_RANGE_W = (5.0, 2000.0)
INTENSITY_RANGE_G_PER_KWH = (0.0, 1500.0)
MARGINAL_RANGE_G_PER_KWH = (0.0, 2000.0)
"""Marginal rates reach higher than averages (the least efficient plants run last): the IFI
operating margin of Zimbabwe is 1,575 gCO2/kWh."""
DEFAULT_SOURCES: dict[str, str] = {"lifecycle": "electricity-maps-yearly"}
"""The source a basis is looked up and ranked on unless another is asked for: lifecycle figures
come from Electricity Maps' yearly zone averages (one source, one method, every zone). Bases not
listed here use the first entry of a region's chain with a figure of that basis (estimate) or the
source covering most regions (rankings, :func:`wattprint.db.tables.region_frame`)."""
_EDITION = re.compile(r"-(?:19|20)\d{2}$")


def source_family(key: str) -> str:
    """A source key without its edition year: ``google-region-carbon-2024`` and
    ``google-region-carbon-2019`` are one series (``google-region-carbon``), figures of which may
    be compared across years; two families are two sources, never ranked together."""
    return _EDITION.sub("", key)


MARGINAL_KINDS: dict[str, str] = {
    "ifi-grid-factors": "annual operating margin",
    "epa-avert": "short-run marginal (hourly rates; a year's figure is their mean)",
    "sgip-moer": "short-run marginal (5-minute SGIP/WattTime rates; a year's figure is their mean)",
}
"""What kind of marginal figure each marginal source gives, said next to it."""


def intensity_kind(basis: str, source: str) -> str:
    """``average`` for every basis but marginal; for marginal, its kind (:data:`MARGINAL_KINDS`)."""
    if basis != "marginal":
        return "average"
    return MARGINAL_KINDS.get(source_family(source), "marginal")


def _one_source(facts: Iterable[IntensityFact]) -> tuple[IntensityFact, ...]:
    """The facts of one source family: the family with the newest year (ties: the most years)."""
    groups: dict[str, list[IntensityFact]] = {}
    for fact in facts:
        groups.setdefault(source_family(fact.source), []).append(fact)
    if not groups:
        return ()
    best = max(groups.values(), key=lambda g: (max(f.year for f in g), len(g)))
    return tuple(best)


PUE_RANGE = (1.0, 2.5)

ModelT = TypeVar("ModelT", bound=BaseModel)


def bundled_db_dir() -> Path:
    """The folder holding the databases shipped with wattprint.

    An installed wheel carries them as package data (``wattprint/_bundled/hardware_db`` and
    ``.../region_db``, found with :mod:`importlib.resources`); a source checkout (``make``, an
    editable install) has them at its top level, where contributors edit them.
    """
    bundled = importlib.resources.files("wattprint") / "_bundled"
    if isinstance(bundled, Path) and (bundled / "hardware_db").is_dir():
        return bundled
    return SOURCE_ROOT


def default_db_dir() -> Path:
    """The folder holding ``hardware_db/`` and ``region_db/``: $WATTPRINT_DB_DIR or the bundled one."""
    override = os.environ.get(DB_DIR_ENV)
    return Path(override) if override else bundled_db_dir()


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LimitError(Exception):
    """A limit of the first pass, with the line it was reached at."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class StrictLoader(_BaseLoader):  # type: ignore[misc]
    """libyaml's safe loader (pure Python when libyaml is absent) that refuses duplicate keys,
    over-long numbers and non-finite numbers."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            with contextlib.suppress(TypeError):
                if key in seen:
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"key {key!r} is given twice (the second would silently win)",
                        key_node.start_mark,
                    )
                seen.add(key)
        result: dict[Any, Any] = super().construct_mapping(node, deep)
        return result

    def _number_text(self, node: yaml.ScalarNode) -> str:
        text = str(node.value)
        if len(text) > MAX_NUMBER_CHARS:
            raise ConstructorError(
                None,
                None,
                f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})",
                node.start_mark,
            )
        return text

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        self._number_text(node)
        value: int = super().construct_yaml_int(node)
        return value

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        self._number_text(node)
        value: float = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise ConstructorError(None, None, f"{node.value!r} is not a finite number", node.start_mark)
        return value


StrictLoader.add_constructor("tag:yaml.org,2002:int", StrictLoader.construct_yaml_int)
StrictLoader.add_constructor("tag:yaml.org,2002:float", StrictLoader.construct_yaml_float)


def _line(event: yaml.Event) -> int | None:
    mark = event.start_mark
    return mark.line if mark is not None else None


def _check_limits(text: str, budget: list[int]) -> None:
    """First pass over the parser's events (libyaml, no objects built): depth, nodes, aliases.

    ``budget`` holds the nodes still allowed over the whole database; it is decreased.
    """
    depth = nodes = aliases = 0
    limit = min(MAX_NODES_PER_FILE, budget[0])
    loader = StrictLoader(text)
    # One type lookup per event rather than a chain of isinstance calls: this pass sees every
    # event of every file, about 150,000 for the bundled databases.
    opens, closes = (
        (yaml.MappingStartEvent, yaml.SequenceStartEvent),
        (yaml.MappingEndEvent, yaml.SequenceEndEvent),
    )
    check_event, get_event = loader.check_event, loader.get_event
    try:
        while check_event():
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                nodes += 1
            elif kind in opens:
                depth += 1
                nodes += 1
                if depth > MAX_DEPTH:
                    raise _LimitError(f"nested deeper than {MAX_DEPTH} levels", _line(event))
            elif kind in closes:
                depth -= 1
            elif kind is yaml.AliasEvent:
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _LimitError(f"more than {MAX_ALIASES} aliases", _line(event))
            if nodes > limit:
                if nodes > MAX_NODES_PER_FILE:
                    raise _LimitError(f"more than {MAX_NODES_PER_FILE:,} YAML nodes in one file", None)
                raise _LimitError(f"the database holds more than {MAX_NODES_TOTAL:,} YAML nodes", None)
    finally:
        loader.dispose()
    budget[0] -= nodes


def _regular_file_problem(path: Path) -> str | None:
    """Why ``path`` may not be read (missing, not a regular file, too large), else None."""
    try:
        info = path.stat()
    except OSError as error:
        return f"{path}: cannot read ({error.strerror})"
    if stat.S_ISDIR(info.st_mode):
        return f"{path}: is a folder, not a YAML file"
    if not stat.S_ISREG(info.st_mode):
        return f"{path}: is not a regular file (a FIFO or device?); refused unopened"
    if info.st_size > MAX_FILE_BYTES:
        return f"{path}: {info.st_size} bytes is over the {MAX_FILE_BYTES} byte limit"
    return None


_PARSED_FILES: contextvars.ContextVar[dict[str, dict[str, tuple[int, Any]]] | None] = contextvars.ContextVar(
    "wattprint_parsed_files", default=None
)
"""While a cached load runs: ``{"known": ..., "used": ...}``, each SHA-256 of a file's bytes ->
(YAML nodes, parsed data), from the previous load and of this one (see :func:`_load_cached`)."""

UNREADABLE: Any = object()
"""What :func:`_read_yaml` returns for a file it refused (the problem is already recorded)."""


def _read_yaml(path: Path, problems: list[str], budget: list[int] | None = None) -> Any:
    """The data of one YAML file, or :data:`UNREADABLE` after appending why to ``problems``."""
    refused = _regular_file_problem(path)
    if refused:
        problems.append(refused)
        return UNREADABLE
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            problems.append(f"{path}: over the {MAX_FILE_BYTES} byte limit")
            return UNREADABLE
        text = raw.decode("utf-8")
    except OSError as error:
        problems.append(f"{path}: cannot read ({error.strerror})")
        return UNREADABLE
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text")
        return UNREADABLE
    budget = budget if budget is not None else [MAX_NODES_TOTAL]
    parsed_files = _PARSED_FILES.get()
    digest = hashlib.sha256(raw).hexdigest() if parsed_files is not None else ""
    if parsed_files is not None and digest in parsed_files["known"]:
        nodes, data = parsed_files["known"][digest]
        if nodes <= budget[0]:  # else parse it again, to report the limit as a fresh load does
            budget[0] -= nodes
            parsed_files["used"][digest] = (nodes, data)
            return data
    try:
        before = budget[0]
        _check_limits(text, budget)
        data = yaml.load(text, Loader=StrictLoader)  # a subclass of the safe loader
        if parsed_files is not None:
            parsed_files["used"][digest] = (before - budget[0], data)
        return data
    except _LimitError as error:
        where = f" line {error.line + 1}" if error.line is not None else ""
        problems.append(f"{path}:{where} refused: {error}")
        return UNREADABLE
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(f"{path}:{where} not valid safe YAML: {reason}")
        return UNREADABLE
    except (ValueError, RecursionError, MemoryError) as error:
        problems.append(f"{path}: not valid safe YAML: {type(error).__name__}")
        return UNREADABLE


def _validate(model: type[ModelT], data: Any, path: Path, problems: list[str]) -> ModelT | None:
    if data is UNREADABLE:
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            location = ".".join(str(part) for part in item["loc"])
            problems.append(f"{path}: {location}: {item['msg']}")
        return None


def _load_sources(folder: Path, problems: list[str], budget: list[int] | None = None) -> dict[str, Source]:
    path = folder / "sources.yaml"
    if not path.exists():
        problems.append(f"{path}: missing (every fact cites a key of this file)")
        return {}
    data = _read_yaml(path, problems, budget)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        if data is not UNREADABLE:
            problems.append(f"{path}: expected 'sources:' mapping key -> source")
        return {}
    sources: dict[str, Source] = {}
    for key, entry in data["sources"].items():
        if not isinstance(entry, dict):
            problems.append(f"{path}: sources.{key}: expected a mapping")
            continue
        try:
            sources[str(key)] = Source.model_validate(entry)
        except ValidationError as error:
            for item in error.errors():
                location = ".".join(str(part) for part in item["loc"])
                problems.append(f"{path}: sources.{key}.{location}: {item['msg']}")
    return sources


def _data_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != "sources.yaml" and not _is_host_file(p))


def _is_host_file(path: Path) -> bool:
    """``hosts.yaml`` and ``hosts-*.yaml`` of ``hardware_db/`` hold hosts, not devices."""
    return path.name == "hosts.yaml" or path.name.startswith("hosts-")


@dataclass(frozen=True)
class HardwareDB:
    """Every device, by id, with an index of lower-cased ids and aliases."""

    devices: dict[str, Device]
    sources: dict[str, Source]
    names: dict[str, str]
    index: NameIndex | None = None
    hosts: dict[str, Host] = dataclass_field(default_factory=dict)

    def host(self, key: str) -> Host:
        """The host with this id or alias; an unknown one raises an error naming the valid ids."""
        wanted = key.strip().lower()
        for host in self.hosts.values():
            if wanted == host.id or wanted in (a.lower() for a in host.aliases):
                return host
        raise UnknownIdError("host", key, sorted(self.hosts), "see `wattprint hardware hosts`")

    def get(self, key: str) -> Device:
        """The device with this id, alias or reported name (see wattprint.db.names); errors name ids."""
        found = self.names.get(key.strip().lower())
        if found is None:
            index = self.index or NameIndex.build(self.devices)
            found = resolve(index, key, self.devices)
        return self.devices[found]

    def match(self, reported_name: str) -> Device:
        """The device for a name as NVML, amdsmi, /proc/cpuinfo or lscpu reports it."""
        return self.get(reported_name)

    def filter(self, kind: str | None = None, vendor: str | None = None) -> list[Device]:
        """Devices of one kind and/or vendor, in id order."""
        return [
            device
            for _, device in sorted(self.devices.items())
            if (kind is None or device.kind == kind) and (vendor is None or device.vendor == vendor)
        ]


@dataclass(frozen=True)
class Resolved:
    """A value looked up for a region: which entry and year it came from, and its source."""

    value: float
    year: int
    source: str
    region_id: str
    basis: str | None = None
    """The intensity basis (``lifecycle``, ``direct``, ...); None for a PUE."""


@dataclass(frozen=True)
class RegionDB:
    """Every region and grid, the providers' fleet PUE, and the hourly series' index."""

    regions: dict[str, Region]
    providers: dict[str, Provider]
    sources: dict[str, Source]
    profiles: dict[str, Profile]
    names: dict[str, str]
    folder: Path

    def get(self, key: str) -> Region:
        """The region with this id or alias (case-insensitive); UnknownIdError names close ids."""
        found = self.names.get(key.strip().lower())
        if found is None:
            raise UnknownIdError(
                "region",
                key,
                self.regions,
                "see `wattprint regions list`; for a site or city, give its country (e.g. country:FR) "
                "or its cloud region",
                names={**{region.name: region.id for region in self.regions.values()}, **self.names},
            )
        return self.regions[found]

    def filter(
        self, provider: str | None = None, kind: str | None = None, continent: str | None = None
    ) -> list[Region]:
        """Regions of one provider, kind and/or continent, in id order."""
        return [
            region
            for _, region in sorted(self.regions.items())
            if (provider is None or region.provider == provider)
            and (kind is None or region.kind == kind)
            and (continent is None or region.continent == continent)
        ]

    def chain(self, region: Region) -> Iterator[Region]:
        """The region, then the grid it sits on, then that grid's grid, and so on."""
        seen: set[str] = set()
        current: Region | None = region
        while current is not None and current.id not in seen:
            seen.add(current.id)
            yield current
            current = self.regions.get(current.grid) if current.grid else None

    def lookup_chain(self, region: Region) -> Iterator[Region]:
        """:meth:`chain`, with each entry's ``linked`` entries (its Electricity Maps zone, its
        marginal figures) right after it: where a region's figures are looked up, in order."""
        seen: set[str] = set()
        for entry in self.chain(region):
            for item in (entry, *(self.regions.get(link) for link in entry.linked)):
                if item is not None and item.id not in seen:
                    seen.add(item.id)
                    yield item

    def own_ids(self, region: Region) -> set[str]:
        """The entries whose figures are a region's own: the region and its linked entries (the
        same area in another data set); for a cloud region also its grid and the grid's links. A
        figure from further up (a country's for a sub-national grid) is another place's."""
        own = {region.id, *region.linked}
        if region.kind == "cloud" and region.grid:
            grid = self.regions.get(region.grid)
            own |= {region.grid, *(grid.linked if grid is not None else ())}
        return own

    def borrowed_note(self, region_id: str, owner_id: str, basis: str = DEFAULT_BASIS) -> str:
        """Words naming the place whose ``basis`` figure a region takes (``owner_id``) when it is
        another place's, not the region's own (:meth:`own_ids`); else ""."""
        region = self.get(region_id)
        if owner_id in self.own_ids(region):
            return ""
        owner = self.regions.get(owner_id)
        name = owner.name if owner is not None else owner_id
        return f"the figure of {name} [{owner_id}]: {region.name} has no {basis} figure of its own"

    def intensity_facts(
        self, region_id: str, basis: str = DEFAULT_BASIS, source: str | None = None
    ) -> tuple[Region, tuple[IntensityFact, ...]] | None:
        """The entry a region takes its ``basis`` figures from, and those figures, all of one
        source (:func:`source_family`).

        With ``source``: the first entry of :meth:`lookup_chain` with figures of that basis and
        source, else the provider's own; None when there are none. Without: the basis' default
        source (:data:`DEFAULT_SOURCES`) when the chain has it, else the first entry with a
        figure of that basis (the source with its newest year), else the provider's own."""
        region = self.get(region_id)
        wanted = source if source is not None else DEFAULT_SOURCES.get(basis)
        if wanted is not None:
            family = source_family(wanted)
            for entry in self.lookup_chain(region):
                facts = tuple(
                    f
                    for f in entry.intensity_g_per_kwh
                    if f.basis == basis and source_family(f.source) == family
                )
                if facts:
                    return entry, facts
            own = tuple(
                f
                for f in region.provider_intensity_g_per_kwh
                if f.basis == basis and source_family(f.source) == family
            )
            if own:
                return region, own
            if source is not None:
                return None
        for entry in self.lookup_chain(region):
            facts = _one_source(f for f in entry.intensity_g_per_kwh if f.basis == basis)
            if facts:
                return entry, facts
        own = _one_source(f for f in region.provider_intensity_g_per_kwh if f.basis == basis)
        return (region, own) if own else None

    def intensity_sources(self, region_id: str, basis: str = DEFAULT_BASIS) -> list[str]:
        """The source families with a ``basis`` figure for the region (own, linked or inherited)."""
        region = self.get(region_id)
        found = {
            source_family(f.source)
            for entry in self.lookup_chain(region)
            for f in entry.intensity_g_per_kwh
            if f.basis == basis
        }
        found |= {source_family(f.source) for f in region.provider_intensity_g_per_kwh if f.basis == basis}
        return sorted(found)

    def intensity_years(
        self, region_id: str, basis: str = DEFAULT_BASIS, source: str | None = None
    ) -> list[int]:
        """Years with an intensity of ``basis`` (and ``source``) for the region: those
        :meth:`intensity_series` lists."""
        return sorted(fact.year for fact in self.intensity_series(region_id, basis, source))

    def intensity(
        self,
        region_id: str,
        year: int | None = None,
        basis: str = DEFAULT_BASIS,
        source: str | None = None,
    ) -> Resolved:
        """Location-based intensity [gCO2e/kWh] of ``basis`` for ``year`` (default: latest), from
        ``source`` (default: as :meth:`intensity_facts`); the result names its source."""
        found = self.intensity_facts(region_id, basis, source)
        if found is None:
            region = self.get(region_id)
            have = sorted(
                {f.basis for e in self.lookup_chain(region) for f in e.intensity_g_per_kwh}
                | {f.basis for f in region.provider_intensity_g_per_kwh}
            )
            other = f"; bases it has: {', '.join(have)}" if have else ""
            if source is not None:
                sources = self.intensity_sources(region.id, basis)
                if sources:
                    other = f"; {basis} sources it has: {', '.join(sources)}"
                raise InputError(f"region {region.id} has no {basis} carbon intensity from {source}{other}")
            raise InputError(f"region {region.id} has no {basis} carbon intensity{other}")
        entry, facts = found
        if source is None and year is not None and all(f.year != year for f in facts):
            # A year the default source lacks (e.g. before 2021 for Electricity Maps): the first
            # other source of this basis with that year, named in the result.
            for owner, fact in self._by_year(region_id, basis):
                if fact.year == year:
                    return Resolved(fact.value, fact.year, fact.source, owner.id, basis)
            facts = tuple(fact for _, fact in self._by_year(region_id, basis))
        resolved = _pick_year(facts, year, entry.id, f"{basis} intensity")
        return Resolved(resolved.value, resolved.year, resolved.source, resolved.region_id, basis)

    def intensity_series(
        self, region_id: str, basis: str = DEFAULT_BASIS, source: str | None = None
    ) -> tuple[IntensityFact, ...]:
        """Every yearly intensity of ``basis`` of a region (own, linked or from its grid), by year.

        With ``source``: that source's figures only. Without: the default source's figures, and
        for each year it lacks the first other source's figure of that year (each fact names its
        source): the years :meth:`intensity` answers for."""
        if source is not None:
            found = self.intensity_facts(region_id, basis, source)
            return found[1] if found else ()
        return tuple(fact for _, fact in self._by_year(region_id, basis))

    def _by_year(self, region_id: str, basis: str) -> list[tuple[Region, IntensityFact]]:
        found = self.intensity_facts(region_id, basis)
        if found is None:
            return []
        merged = {fact.year: (found[0], fact) for fact in found[1]}
        for family in self.intensity_sources(region_id, basis):
            other = self.intensity_facts(region_id, basis, family)
            if other is not None:
                for fact in other[1]:
                    merged.setdefault(fact.year, (other[0], fact))
        return [merged[year] for year in sorted(merged)]

    def pue(self, region_id: str, year: int | None = None) -> Resolved | None:
        """PUE of a region: its own, else its provider's fleet value; None when neither is known.

        For the provider fleet value the year asked for is used when published, else the latest.
        """
        region = self.get(region_id)
        if region.pue:
            return _pick_year(region.pue, year, region.id, "PUE", fallback_latest=True)
        provider = self.providers.get(region.provider or "")
        if provider is not None and provider.pue:
            return _pick_year(provider.pue, year, f"provider:{provider.id}", "PUE", True)
        return None

    def profiles_for(self, region_id: str, basis: str = DEFAULT_BASIS) -> list[Profile]:
        """Every hourly series of a region's grids, in lookup order: its Electricity Maps zone's
        (newest year first), then the series of the grids it sits on (e.g. the EIA-930 one of its
        balancing authority). A cloud region's own ``profile`` only points at its grid's. Only
        series of ``basis`` (``lifecycle`` averages, or ``marginal`` rates such as AVERT's)."""
        by_grid: dict[str, list[Profile]] = {}
        for profile in sorted(self.profiles.values(), key=lambda p: p.start, reverse=True):
            if profile.basis == basis:
                by_grid.setdefault(profile.grid, []).append(profile)
        region = self.get(region_id)
        zone = next((link for e in self.chain(region) for link in e.linked if link.startswith("zone:")), None)
        entries: list[Region] = []
        for entry in self.chain(region):
            if entry.kind in ("country", "world") and zone not in (entry.id, *entry.linked):
                break  # a national series is not the series of a grid inside the country
            entries.extend(e for e in (entry, *(self.regions.get(link) for link in entry.linked)) if e)
        found: list[Profile] = []
        for entry in entries:
            candidates = list(by_grid.get(entry.id, ()))
            if (
                entry.profile in self.profiles
                and entry.kind != "cloud"
                and self.profiles[entry.profile].basis == basis
            ):
                candidates.append(self.profiles[entry.profile])
            found.extend(p for p in candidates if p not in found)
        if not found:  # a cloud region whose grid entries carry no series but itself does
            own = region.profile
            if own in self.profiles and self.profiles[own].basis == basis:
                found.append(self.profiles[own])
        return found

    def profile_for(
        self, region_id: str, year: int | None = None, basis: str = DEFAULT_BASIS
    ) -> Profile | None:
        """The hourly series of a region (:meth:`profiles_for`'s first), or the first that covers
        ``year``; None when there is none."""
        for profile in self.profiles_for(region_id, basis):
            if year is None or profile_years(profile)[0] <= year <= profile_years(profile)[1]:
                return profile
        return None

    def profile_path(self, profile: Profile) -> Path:
        """Where a series' file lies; always inside ``profiles/`` (InputError otherwise)."""
        outside = _outside_profiles(self.folder, profile.file)
        if outside:
            raise InputError(f"profile {profile.id}: file {profile.file!r} {outside}")
        return self.folder / "profiles" / profile.file


def profile_years(profile: Profile) -> tuple[int, int]:
    """First and last calendar year (UTC) a series covers."""
    return int(profile.start[:4]), int(profile.end[:4])


def _pick_year(
    facts: tuple[YearFact, ...],
    year: int | None,
    region_id: str,
    what: str,
    fallback_latest: bool = False,
) -> Resolved:
    by_year = {fact.year: fact for fact in facts}
    latest = by_year[max(by_year)]
    if year is None:
        chosen = latest
    elif year in by_year:
        chosen = by_year[year]
    elif fallback_latest:
        chosen = latest
    else:
        valid = ", ".join(str(y) for y in sorted(by_year))
        raise InputError(f"no {what} for {region_id} in {year}; valid years: {valid}")
    return Resolved(chosen.value, chosen.year, chosen.source, region_id)


@dataclass(frozen=True)
class Databases:
    """Both databases, loaded and validated together."""

    hardware: HardwareDB
    regions: RegionDB
    folder: Path


def _facts(device: Device) -> Iterator[tuple[str, Fact]]:
    for name in (
        "tdp_w",
        "cores",
        "memory_gb",
        "memory_bandwidth_gb_s",
        "embodied_kgco2e",
        "embodied_product_kgco2e",
    ):
        fact = getattr(device, name)
        if fact is not None:
            yield name, fact
    for name in PRECISION_FIELDS:
        fact = getattr(device, name)
        if fact is not None:
            yield name, fact


def check_hardware(devices: Iterable[tuple[Path, Device]], sources: dict[str, Source]) -> list[str]:
    """Cross-entry rules: unique ids and aliases, cited facts, plausible TDP and precisions."""
    problems: list[str] = []
    owners: dict[str, str] = {}
    defined: dict[str, Path] = {}
    for path, device in devices:
        where = f"{path}: {device.id}"
        if device.id in defined:
            problems.append(f"{where}: id already defined in {defined[device.id].name}")
            continue
        defined[device.id] = path
        for name in (device.id, *device.aliases):
            key = name.strip().lower()
            if key in owners and owners[key] != device.id:
                problems.append(f"{where}: name {name!r} is also used by {owners[key]}")
            elif key in owners and name != device.id:
                problems.append(f"{where}: alias {name!r} repeats the id or another alias")
            owners[key] = device.id
        for name, fact in _facts(device):
            if fact.source not in sources:
                problems.append(f"{where}: {name}.source {fact.source!r} is not in sources.yaml")
        if device.power_range_w is not None and device.power_range_w.source not in sources:
            problems.append(f"{where}: power_range_w.source is not in sources.yaml")
        for name, model_input in (device.tdp_w.inputs or {}).items():
            if model_input.source not in sources:
                problems.append(f"{where}: tdp_w input {name} cites {model_input.source!r} (not in sources)")
        low, high = TDP_RANGE_W
        if not low <= device.tdp_w.value <= high:
            problems.append(f"{where}: tdp_w {device.tdp_w.value:g} outside {low:g}-{high:g} W")
        for name, fact in _facts(device):
            if name != "tdp_w" and fact.value <= 0:
                problems.append(f"{where}: {name} must be positive, got {fact.value:g}")
        if device.kind == "cpu" and device.cores is None:
            problems.append(f"{where}: a CPU needs cores")
        fp64, fp32 = device.fp64_tflops, device.fp32_tflops
        if fp64 is not None and fp32 is not None and fp64.value > fp32.value * 2.01:
            problems.append(f"{where}: fp64 {fp64.value:g} above twice fp32 {fp32.value:g}")
        half = device.bf16_tflops or device.fp16_tflops
        fp8, fp4 = device.fp8_tflops, device.fp4_tflops
        if fp8 is not None and half is not None and fp8.value < half.value * 0.99:
            problems.append(f"{where}: fp8 below 16-bit ({fp8.value:g})")
        if fp4 is not None and fp8 is not None and fp4.value < fp8.value * 0.99:
            problems.append(f"{where}: fp4 below fp8 ({fp4.value:g})")
    return problems


def check_regions(
    regions: Iterable[tuple[Path, Region]],
    providers: dict[str, Provider],
    sources: dict[str, Source],
    profiles: dict[str, Profile],
) -> list[str]:
    """Cross-entry rules: unique ids, links to grids and series, cited and plausible values."""
    problems: list[str] = []
    entries = list(regions)
    ids = {region.id for _, region in entries}
    owners: dict[str, str] = {}
    for path, region in entries:
        where = f"{path}: {region.id}"
        for name in (region.id, *region.aliases):
            key = name.strip().lower()
            if key in owners and owners[key] != region.id:
                problems.append(f"{where}: name {name!r} is also used by {owners[key]}")
            owners[key] = region.id
        if region.grid is not None and region.grid not in ids:
            problems.append(f"{where}: grid {region.grid!r} is not a region id")
        for link in region.linked:
            if link not in ids:
                problems.append(f"{where}: linked {link!r} is not a region id")
        if region.kind == "cloud" and region.grid is None and not region.intensity_g_per_kwh:
            problems.append(f"{where}: a cloud region needs a grid or its own intensity")
        if region.profile is not None and region.profile not in profiles:
            problems.append(f"{where}: profile {region.profile!r} is not in profiles/index.yaml")
        for label, facts, bounds in (
            *(
                (
                    f"{field} {basis}",
                    [f for f in getattr(region, field) if f.basis == basis],
                    MARGINAL_RANGE_G_PER_KWH if basis == "marginal" else INTENSITY_RANGE_G_PER_KWH,
                )
                for field in ("intensity_g_per_kwh", "provider_intensity_g_per_kwh")
                for basis in INTENSITY_BASES
            ),
            ("pue", region.pue, PUE_RANGE),
            ("cfe_fraction", region.cfe_fraction, (0.0, 1.0)),
        ):
            years = [fact.year for fact in facts]
            if len(years) != len(set(years)):
                problems.append(f"{where}: {label} lists a year twice")
            for fact in facts:
                if fact.source not in sources:
                    problems.append(f"{where}: {label} {fact.year} source {fact.source!r} unknown")
                if not bounds[0] <= fact.value <= bounds[1]:
                    problems.append(
                        f"{where}: {label} {fact.year} = {fact.value:g} outside {bounds[0]:g}-{bounds[1]:g}"
                    )
        for missing in region.intensity_missing:
            if missing.source not in sources:
                problems.append(
                    f"{where}: intensity_missing {missing.year} source {missing.source!r} unknown"
                )
    for provider in providers.values():
        for fact in provider.pue:
            if fact.source not in sources:
                problems.append(f"provider {provider.id}: pue source {fact.source!r} unknown")
            if not PUE_RANGE[0] <= fact.value <= PUE_RANGE[1]:
                problems.append(f"provider {provider.id}: pue {fact.value:g} outside 1.0-2.5")
    for profile in profiles.values():
        if profile.source not in sources:
            problems.append(f"profile {profile.id}: source {profile.source!r} unknown")
        if profile.grid not in ids:
            problems.append(f"profile {profile.id}: grid {profile.grid!r} is not a region id")
    return problems


def load_hardware(folder: Path, problems: list[str], budget: list[int] | None = None) -> HardwareDB:
    """Read every ``*.yaml`` of ``folder`` (a ``hardware_db/``), appending problems found.

    ``budget`` holds how many YAML nodes may still be read (shared by both databases).
    """
    budget = budget if budget is not None else [MAX_NODES_TOTAL]
    sources = _load_sources(folder, problems, budget)
    found: list[tuple[Path, Device]] = []
    for path in _data_files(folder):
        parsed = _validate(HardwareFile, _read_yaml(path, problems, budget), path, problems)
        if parsed is not None:
            found.extend((path, device) for device in parsed.devices)
    problems.extend(check_hardware(found, sources))
    hosts = _load_hosts(folder, sources, problems, budget)
    devices = {device.id: device for _, device in found}
    names: dict[str, str] = {}
    for device in devices.values():
        for name in (*device.aliases, device.id):
            names[name.strip().lower()] = device.id
    return HardwareDB(
        devices=devices, sources=sources, names=names, index=NameIndex.build(devices), hosts=hosts
    )


def _load_hosts(
    folder: Path, sources: dict[str, Source], problems: list[str], budget: list[int]
) -> dict[str, Host]:
    """The hosts of ``hosts*.yaml``; each file's own sources join ``sources`` (keys unique)."""
    hosts: dict[str, Host] = {}
    for path in sorted(p for p in folder.glob("*.yaml") if _is_host_file(p)):
        parsed = _validate(HostFile, _read_yaml(path, problems, budget), path, problems)
        if parsed is None:
            continue
        for key, source in parsed.sources.items():
            if key in sources and sources[key] != source:
                problems.append(f"{path}: source {key!r} is also defined elsewhere")
            sources[key] = source
        for host in parsed.hosts:
            where = f"{path}: {host.id}"
            if host.id in hosts:
                problems.append(f"{where}: host id already defined")
            if host.manufacturing_kgco2e.source not in sources:
                problems.append(f"{where}: manufacturing_kgco2e.source is not in sources")
            if host.lifetime_source not in sources:
                problems.append(f"{where}: lifetime_source {host.lifetime_source!r} is not in sources")
            if host.manufacturing_kgco2e.value <= 0:
                problems.append(f"{where}: manufacturing_kgco2e must be positive")
            hosts[host.id] = host
    return hosts


def _outside_profiles(folder: Path, name: str) -> str | None:
    """Why a profile's ``file`` does not name a file inside ``folder/profiles/``, else None."""
    relative = Path(name)
    if relative.is_absolute() or relative.drive:
        return "is an absolute path; give a file name inside profiles/"
    if ".." in relative.parts or "\\" in name:
        return "leaves the profiles/ folder; give a file name inside it"
    base = (folder / "profiles").resolve()
    target = (base / relative).resolve()
    if base != target and base not in target.parents:
        return "resolves outside the profiles/ folder (a symbolic link?); refused"
    return None


def load_regions(folder: Path, problems: list[str], budget: list[int] | None = None) -> RegionDB:
    """Read every ``*.yaml`` of ``folder`` (a ``region_db/``) and its profiles index."""
    budget = budget if budget is not None else [MAX_NODES_TOTAL]
    sources = _load_sources(folder, problems, budget)
    found: list[tuple[Path, Region]] = []
    providers: dict[str, Provider] = {}
    for path in _data_files(folder):
        parsed = _validate(RegionFile, _read_yaml(path, problems, budget), path, problems)
        if parsed is None:
            continue
        found.extend((path, region) for region in parsed.regions)
        for provider in parsed.providers:
            if provider.id in providers:
                problems.append(f"{path}: provider {provider.id} defined twice")
            providers[provider.id] = provider
    profiles: dict[str, Profile] = {}
    index_path = folder / "profiles" / "index.yaml"
    if index_path.exists():
        index = _validate(ProfileIndex, _read_yaml(index_path, problems, budget), index_path, problems)
        if index is not None:
            for profile in index.profiles:
                if profile.id in profiles:
                    problems.append(f"{index_path}: profile {profile.id} listed twice")
                outside = _outside_profiles(folder, profile.file)
                if outside:
                    problems.append(f"{index_path}: {profile.id}: file {profile.file!r} {outside}")
                    continue
                if not (folder / "profiles" / profile.file).is_file():
                    problems.append(f"{index_path}: {profile.id}: file {profile.file} missing")
                profiles[profile.id] = profile
    seen: dict[str, Path] = {}
    for path, region in found:
        if region.id in seen:
            problems.append(f"{path}: id {region.id} already defined in {seen[region.id].name}")
        seen[region.id] = path
    problems.extend(check_regions(found, providers, sources, profiles))
    regions = {region.id: region for _, region in found}
    names: dict[str, str] = {}
    for region in regions.values():
        for name in (*region.aliases, region.id):
            names[name.strip().lower()] = region.id
    return RegionDB(
        regions=regions,
        providers=providers,
        sources=sources,
        profiles=profiles,
        names=names,
        folder=folder,
    )


def check_databases(db_dir: Path | None = None) -> tuple[Databases, list[str]]:
    """Load both databases under ``db_dir`` and return them with every problem found."""
    root = Path(db_dir) if db_dir is not None else default_db_dir()
    problems: list[str] = []
    for name in ("hardware_db", "region_db"):
        if not (root / name).is_dir():
            problems.append(f"{root}: no {name}/ folder")
    budget = [MAX_NODES_TOTAL]
    hardware = load_hardware(root / "hardware_db", problems, budget)
    regions = load_regions(root / "region_db", problems, budget)
    return Databases(hardware=hardware, regions=regions, folder=root), problems


CACHE_DIR_ENV = "WATTPRINT_CACHE_DIR"
"""Where parsed databases are cached (default ``$XDG_CACHE_HOME/wattprint`` or
``~/.cache/wattprint``); ``off`` turns the cache off."""
CACHE_KEEP = 16
"""Most cached databases kept; the least recently written are removed."""
PARSED_FILES_KEEP = 4
"""Most sets of parsed files kept (one per version of the parsing code)."""
_CACHE_MAX_BYTES = 64 * 1024 * 1024


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    override = os.environ.get(CACHE_DIR_ENV)
    if override is not None:
        return None if override.strip().lower() in ("", "off", "0", "no") else Path(override)
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError):  # no home folder: no cache
        return None
    return Path(base) / "wattprint"


def _content_key(root: Path) -> str | None:
    """SHA-256 of everything a load reads (and of the code and versions that read it).

    None when a file may not be read as it stands (not a regular file, too large): the full
    load then reports it.
    """
    digest = hashlib.sha256()
    for code in (Path(__file__), Path(__file__).with_name("schema.py")):
        digest.update(code.read_bytes())
    digest.update(f"{sys.version}|{pydantic.VERSION}|{yaml.__version__}|{root}".encode())
    for name in ("hardware_db", "region_db"):
        folder = root / name
        if not folder.is_dir():
            return None
        files = sorted(folder.glob("*.yaml"))
        if name == "region_db":
            profiles = folder / "profiles"
            listing = (
                [f"{n}:{(profiles / n).is_file()}" for n in sorted(os.listdir(profiles))]
                if profiles.is_dir()
                else []
            )
            digest.update(("\0".join(listing) + "\1").encode())
            if (profiles / "index.yaml").exists():
                files.append(profiles / "index.yaml")
        for path in files:
            if _regular_file_problem(path):
                return None
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
            digest.update(b"\1")
    return digest.hexdigest()


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _read_cache(folder: Path, key: str) -> Databases | None:
    """The cached databases for ``key``; None when absent, foreign, or unreadable.

    Cache files are pickles, so only a file this user owns, in a folder this user owns, that no
    one else can write, is read (whoever can write there can already run code as this user).
    """
    loaded = _read_pickle(folder, f"databases-{key[:40]}.pickle")
    return loaded if isinstance(loaded, Databases) else None


def _read_pickle(folder: Path, name: str) -> Any:
    """The object pickled in ``folder/name`` if this user owns both and no one else can write
    them; None when absent, foreign, too large or unreadable."""
    path = folder / name
    try:
        folder_info, info = folder.lstat(), path.lstat()
        if not (stat.S_ISDIR(folder_info.st_mode) and _private(folder_info)):
            return None
        if not (stat.S_ISREG(info.st_mode) and _private(info)) or info.st_size > _CACHE_MAX_BYTES:
            return None
        return pickle.loads(path.read_bytes())
    except Exception:  # a missing, torn or stale cache file is only a cache miss
        return None


def _write_pickle(folder: Path, name: str, value: Any) -> bool:
    """Store ``value`` in ``folder/name`` atomically; False when the folder cannot be written
    (which only means no cache)."""
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder.lstat()):
            return False
        handle, partial = tempfile.mkstemp(prefix=f".{name}-", suffix=".partial", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, folder / name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        return True
    return False


def _write_cache(folder: Path, key: str, databases: Databases) -> None:
    """Store ``databases``; keep the :data:`CACHE_KEEP` most recent."""
    if not _write_pickle(folder, f"databases-{key[:40]}.pickle", databases):
        return
    _keep_newest(folder, "databases-*.pickle", CACHE_KEEP)


def _keep_newest(folder: Path, pattern: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently written files matching ``pattern``."""
    with contextlib.suppress(OSError):
        cached = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in cached[keep:]:
            stale.unlink(missing_ok=True)


@lru_cache(maxsize=8)
def _load_cached(root: str) -> Databases:
    folder = cache_dir()
    key = _content_key(Path(root)) if folder is not None else None
    if folder is not None and key is not None:
        cached = _read_cache(folder, key)
        if cached is not None:
            return cached
    if folder is None or key is None:
        databases, problems = check_databases(Path(root))
    else:
        # A miss (the first load after an edit): files whose bytes are unchanged since the last
        # load are not parsed again; every file is still validated and checked.
        parsed_name = f"parsed-files-{_parser_key()[:40]}.pickle"
        known = _read_pickle(folder, parsed_name)
        parsed_files = {"known": known if isinstance(known, dict) else {}, "used": {}}
        token = _PARSED_FILES.set(parsed_files)
        try:
            databases, problems = check_databases(Path(root))
        finally:
            _PARSED_FILES.reset(token)
        # Files that parsed are kept even when validation found problems: the next load, after
        # the fix, parses only the fixed file.
        if _write_pickle(folder, parsed_name, parsed_files["used"]):
            _keep_newest(folder, "parsed-files-*.pickle", PARSED_FILES_KEEP)
    if problems:
        raise DatabaseError(problems)
    if folder is not None and key is not None:
        _write_cache(folder, key, databases)
    return databases


def _parser_key() -> str:
    """SHA-256 of the code that parses a file (this module) and of the Python and PyYAML versions:
    a parsed file is reused only while all three are unchanged."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{sys.version}|{yaml.__version__}|{getattr(yaml, '__with_libyaml__', False)}".encode())
    return digest.hexdigest()


def load_databases(db_dir: Path | str | None = None) -> Databases:
    """Both databases, validated; raises :class:`DatabaseError` listing every problem.

    Loaded once per folder and process. A database that validated is cached on disk under
    :func:`cache_dir`, keyed by the SHA-256 of every file read, of this module and the schema,
    and of the Python, pydantic and PyYAML versions: any change to any of them is a miss and a
    full validation.
    """
    root = Path(db_dir) if db_dir is not None else default_db_dir()
    return _load_cached(str(resolve_folder(root)))


def resolve_folder(root: Path) -> Path:
    """``root`` resolved; a one-line InputError for a symbolic link loop or an unreadable path."""
    try:
        return root.resolve()
    except (RuntimeError, OSError) as error:
        reason = "a symbolic link loop" if isinstance(error, RuntimeError) else str(error.strerror)
        raise InputError(f"database folder {str(root)!r} cannot be resolved: {reason}") from None


def check_profile_files(regions: RegionDB) -> list[str]:
    """One line per profile file that cannot be opened or fails validation (size, gzip, columns,
    timestamps, values): ``db check`` reads every series a command would use."""
    from wattprint.db.series import load_profile

    problems: list[str] = []
    for profile in regions.profiles.values():
        try:
            load_profile(regions.profile_path(profile))
        except InputError as error:
            problems.append(f"profile {profile.id}: {error}")
    return problems
