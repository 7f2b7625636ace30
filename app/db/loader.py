"""Load, validate and look up the hardware and region databases.

All database file I/O sits here. YAML is read with ``yaml.safe_load`` (no tags that build
objects), files over :data:`MAX_FILE_BYTES` are refused, and every problem is reported as one
line naming the file and the field.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.db.names import NameIndex, resolve
from app.db.schema import (
    DEFAULT_BASIS,
    INTENSITY_BASES,
    PRECISION_FIELDS,
    Device,
    Fact,
    HardwareFile,
    IntensityFact,
    Profile,
    ProfileIndex,
    Provider,
    Region,
    RegionFile,
    Source,
    YearFact,
)
from app.errors import DatabaseError, InputError, UnknownIdError

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Largest database file accepted [bytes]; the bundled files are far smaller."""

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DB_DIR_ENV = "WATTPRINT_DB_DIR"

TDP_RANGE_W = (5.0, 2000.0)
INTENSITY_RANGE_G_PER_KWH = (0.0, 1500.0)
PUE_RANGE = (1.0, 2.5)

ModelT = TypeVar("ModelT", bound=BaseModel)


def default_db_dir() -> Path:
    """The folder holding ``hardware_db/`` and ``region_db/``: $WATTPRINT_DB_DIR or the project."""
    override = os.environ.get(DB_DIR_ENV)
    return Path(override) if override else PROJECT_ROOT


def _read_yaml(path: Path, problems: list[str]) -> Any:
    try:
        size = path.stat().st_size
    except OSError as error:
        problems.append(f"{path}: cannot read ({error.strerror})")
        return None
    if size > MAX_FILE_BYTES:
        problems.append(f"{path}: {size} bytes is over the {MAX_FILE_BYTES} byte limit")
        return None
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problems.append(f"{path}:{where} not valid safe YAML: {reason}")
        return None
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text")
        return None


def _validate(model: type[ModelT], data: Any, path: Path, problems: list[str]) -> ModelT | None:
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


def _load_sources(folder: Path, problems: list[str]) -> dict[str, Source]:
    path = folder / "sources.yaml"
    if not path.exists():
        problems.append(f"{path}: missing (every fact cites a key of this file)")
        return {}
    data = _read_yaml(path, problems)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        if data is not None:
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
    return sorted(p for p in folder.glob("*.yaml") if p.name not in {"sources.yaml"})


@dataclass(frozen=True)
class HardwareDB:
    """Every device, by id, with an index of lower-cased ids and aliases."""

    devices: dict[str, Device]
    sources: dict[str, Source]
    names: dict[str, str]
    index: NameIndex | None = None

    def get(self, key: str) -> Device:
        """The device with this id, alias or reported name (see app.db.names); errors name ids."""
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
            raise UnknownIdError("region", key, self.regions, "see `wattprint regions list`")
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

    def intensity_facts(
        self, region_id: str, basis: str = DEFAULT_BASIS
    ) -> tuple[Region, tuple[IntensityFact, ...]] | None:
        """The entry a region takes its ``basis`` figures from, and those figures: the first entry
        of its chain (region, grid, grid's grid...) with a location-based figure of that basis,
        else the region's provider's own figures of that basis; None when there is neither."""
        region = self.get(region_id)
        for entry in self.chain(region):
            facts = tuple(f for f in entry.intensity_g_per_kwh if f.basis == basis)
            if facts:
                return entry, facts
        own = tuple(f for f in region.provider_intensity_g_per_kwh if f.basis == basis)
        return (region, own) if own else None

    def intensity_years(self, region_id: str, basis: str = DEFAULT_BASIS) -> list[int]:
        """Years with an intensity of ``basis`` for the region (own or inherited from its grid)."""
        found = self.intensity_facts(region_id, basis)
        return sorted(fact.year for fact in found[1]) if found else []

    def intensity(self, region_id: str, year: int | None = None, basis: str = DEFAULT_BASIS) -> Resolved:
        """Location-based intensity [gCO2e/kWh] of ``basis`` for ``year`` (default: latest)."""
        found = self.intensity_facts(region_id, basis)
        if found is None:
            region = self.get(region_id)
            have = sorted(
                {f.basis for e in self.chain(region) for f in e.intensity_g_per_kwh}
                | {f.basis for f in region.provider_intensity_g_per_kwh}
            )
            other = f"; bases it has: {', '.join(have)}" if have else ""
            raise InputError(f"region {region.id} has no {basis} carbon intensity{other}")
        entry, facts = found
        resolved = _pick_year(facts, year, entry.id, f"{basis} intensity")
        return Resolved(resolved.value, resolved.year, resolved.source, resolved.region_id, basis)

    def intensity_series(self, region_id: str, basis: str = DEFAULT_BASIS) -> tuple[IntensityFact, ...]:
        """Every yearly intensity of ``basis`` of a region (own or from its grid)."""
        found = self.intensity_facts(region_id, basis)
        return found[1] if found else ()

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

    def profile_for(self, region_id: str) -> Profile | None:
        """The hourly series linked to a region or to a grid it sits on."""
        for entry in self.chain(self.get(region_id)):
            if entry.profile and entry.profile in self.profiles:
                return self.profiles[entry.profile]
        return None

    def profile_path(self, profile: Profile) -> Path:
        """Where a series' file lies."""
        return self.folder / "profiles" / profile.file


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
    for name in ("tdp_w", "cores", "memory_gb", "memory_bandwidth_gb_s", "embodied_kgco2e"):
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
        if region.kind == "cloud" and region.grid is None and not region.intensity_g_per_kwh:
            problems.append(f"{where}: a cloud region needs a grid or its own intensity")
        if region.profile is not None and region.profile not in profiles:
            problems.append(f"{where}: profile {region.profile!r} is not in profiles/index.yaml")
        for label, facts, bounds in (
            *(
                (
                    f"{field} {basis}",
                    [f for f in getattr(region, field) if f.basis == basis],
                    INTENSITY_RANGE_G_PER_KWH,
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


def load_hardware(folder: Path, problems: list[str]) -> HardwareDB:
    """Read every ``*.yaml`` of ``folder`` (a ``hardware_db/``), appending problems found."""
    sources = _load_sources(folder, problems)
    found: list[tuple[Path, Device]] = []
    for path in _data_files(folder):
        parsed = _validate(HardwareFile, _read_yaml(path, problems), path, problems)
        if parsed is not None:
            found.extend((path, device) for device in parsed.devices)
    problems.extend(check_hardware(found, sources))
    devices = {device.id: device for _, device in found}
    names: dict[str, str] = {}
    for device in devices.values():
        for name in (*device.aliases, device.id):
            names[name.strip().lower()] = device.id
    return HardwareDB(devices=devices, sources=sources, names=names, index=NameIndex.build(devices))


def load_regions(folder: Path, problems: list[str]) -> RegionDB:
    """Read every ``*.yaml`` of ``folder`` (a ``region_db/``) and its profiles index."""
    sources = _load_sources(folder, problems)
    found: list[tuple[Path, Region]] = []
    providers: dict[str, Provider] = {}
    for path in _data_files(folder):
        parsed = _validate(RegionFile, _read_yaml(path, problems), path, problems)
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
        index = _validate(ProfileIndex, _read_yaml(index_path, problems), index_path, problems)
        if index is not None:
            for profile in index.profiles:
                if profile.id in profiles:
                    problems.append(f"{index_path}: profile {profile.id} listed twice")
                if not (folder / "profiles" / profile.file).exists():
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
    hardware = load_hardware(root / "hardware_db", problems)
    regions = load_regions(root / "region_db", problems)
    return Databases(hardware=hardware, regions=regions, folder=root), problems


@lru_cache(maxsize=8)
def _load_cached(root: str) -> Databases:
    databases, problems = check_databases(Path(root))
    if problems:
        raise DatabaseError(problems)
    return databases


def load_databases(db_dir: Path | str | None = None) -> Databases:
    """Both databases, validated; raises :class:`DatabaseError` listing every problem.

    Loaded once per folder and process.
    """
    root = Path(db_dir) if db_dir is not None else default_db_dir()
    return _load_cached(str(root.resolve()))
