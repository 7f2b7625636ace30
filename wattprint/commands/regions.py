"""``wattprint regions list|show|nearest``: the region database."""

from __future__ import annotations

import argparse
from typing import Any

from wattprint.commands import common
from wattprint.db.loader import RegionDB, source_family
from wattprint.db.schema import DEFAULT_BASIS, Region
from wattprint.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "regions", help="list, show or find regions", description="The region database."
    )
    sub = parser.add_subparsers(dest="regions_command", metavar="ACTION", parser_class=type(parser))
    listing = sub.add_parser(
        "list", help="list regions and grids", description="List regions, optionally filtered."
    )
    listing.add_argument("--provider", help="only this provider (aws, gcp, azure, oci, ...)")
    listing.add_argument("--kind", choices=["cloud", "country", "grid", "world"], help="only this kind")
    listing.add_argument("--year", type=common.year, help="intensity of this year (default: latest)")
    common.add_json(listing)
    listing.set_defaults(handler=run_list)
    show = sub.add_parser("show", help="one region with its values by year", description="Show one region.")
    show.add_argument("id", help="region id or alias")
    show.add_argument("--year", type=common.year, help="year of the intensity (default: latest)")
    common.add_json(show)
    show.set_defaults(handler=run_show)
    nearest = sub.add_parser(
        "nearest", help="regions nearest a point", description="Regions nearest LAT LON."
    )
    nearest.add_argument("lat", type=common.number("latitude", -90.0, maximum=90.0))
    nearest.add_argument("lon", type=common.number("longitude", -180.0, maximum=180.0))
    nearest.add_argument("--top", type=int, default=5, help="how many (default 5)")
    nearest.add_argument("--kind", choices=["cloud", "country", "grid", "world"], default="cloud")
    common.add_json(nearest)
    nearest.set_defaults(handler=run_nearest)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def region_to_dict(db: RegionDB, region: Region, year: int | None = None) -> dict[str, Any]:
    """A region as plain JSON with its resolved intensity and PUE."""
    data: dict[str, Any] = region.model_dump(
        exclude={
            "intensity_g_per_kwh",
            "provider_intensity_g_per_kwh",
            "intensity_missing",
            "pue",
            "cfe_fraction",
        }
    )
    data["aliases"] = list(region.aliases)
    try:
        resolved = db.intensity(region.id, year)
        data["intensity_g_per_kwh"] = resolved.value
        data["intensity_basis"] = resolved.basis
        data["intensity_year"] = resolved.year
        data["intensity_source"] = resolved.source
        data["intensity_from"] = resolved.region_id
    except InputError:
        data["intensity_g_per_kwh"] = None
        data["intensity_basis"] = DEFAULT_BASIS
        data["intensity_year"] = None
    missing = [m for entry in db.lookup_chain(region) for m in entry.intensity_missing]
    data["intensity_missing"] = [m.model_dump() for m in missing]
    # The same basis from other sources (Ember, CER, EIA-930...), each labelled, never the default.
    default = db.intensity_facts(region.id)
    data["other_sources"] = [
        {"basis": f.basis, "year": f.year, "value": f.value, "source": f.source, "from": entry.id}
        for family in db.intensity_sources(region.id)
        if default is None or family != source_family(default[1][0].source)
        for entry, facts in [db.intensity_facts(region.id, DEFAULT_BASIS, family) or (region, ())]
        for f in facts
    ]
    # Figures of other bases, each labelled: grid figures, then the provider's own (e.g. Google's).
    data["other_bases"] = [
        {"basis": f.basis, "year": f.year, "value": f.value, "source": f.source, "from": entry.id}
        for entry in db.lookup_chain(region)
        for f in entry.intensity_g_per_kwh
        if f.basis != DEFAULT_BASIS
    ]
    data["provider_intensity"] = [
        {
            "basis": f.basis,
            "year": f.year,
            "value": f.value,
            "source": f.source,
            "label": "provider's own figure",
        }
        for f in region.provider_intensity_g_per_kwh
    ]
    pue = db.pue(region.id, year)
    data["pue"] = pue.value if pue else None
    data["pue_year"] = pue.year if pue else None
    data["pue_source"] = pue.source if pue else None
    # One source by year: the default's (its other sources are in other_sources).
    data["intensity_by_year"] = {f.year: f.value for f in (default[1] if default else ())}
    data["cfe_fraction_by_year"] = {f.year: f.value for f in region.cfe_fraction}
    return data


def run_list(args: argparse.Namespace) -> int:
    db = common.databases(args).regions
    regions = db.filter(provider=args.provider.lower() if args.provider else None, kind=args.kind)
    rows = []
    for region in regions:
        try:
            resolved = db.intensity(region.id, args.year)
            rows.append((region, resolved.value, resolved.year))
        except InputError:
            if args.year is None:
                rows.append((region, None, None))
    if args.json:
        common.print_json(
            [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "provider": r.provider,
                    "name": r.name,
                    "country": r.country,
                    "continent": r.continent,
                    "grid": r.grid,
                    "latitude": r.latitude,
                    "longitude": r.longitude,
                    "intensity_g_per_kwh": value,
                    "intensity_basis": DEFAULT_BASIS,
                    "intensity_year": y,
                }
                for r, value, y in rows
            ]
        )
        return 0
    for r, value, y in rows:
        shown = f"{value:7.1f} g/kWh ({DEFAULT_BASIS} {y})" if value is not None else "    n/a"
        print(f"{r.id:32} {shown}  {r.name}")
    print(f"{len(rows)} regions")
    return 0


def run_show(args: argparse.Namespace) -> int:
    db = common.databases(args).regions
    region = db.get(args.id)
    data = region_to_dict(db, region, args.year)
    if args.year is not None and data["intensity_year"] != args.year:
        db.intensity(region.id, args.year)
    if args.json:
        common.print_json(data)
        return 0
    print(f"{region.name} ({region.id})")
    for key, value in data.items():
        if value not in (None, [], {}, "") and key not in {"id", "name"}:
            print(f"  {key}: {value}")
    return 0


def run_nearest(args: argparse.Namespace) -> int:
    from wattprint.engine.geo import haversine_km  # numpy, for this sub-command only

    db = common.databases(args).regions
    located = [r for r in db.filter(kind=args.kind) if r.latitude is not None and r.longitude is not None]
    ranked = sorted(
        (
            (float(haversine_km(args.lat, args.lon, r.latitude or 0.0, r.longitude or 0.0)), r)
            for r in located
        ),
        key=lambda pair: pair[0],
    )[: max(1, args.top)]
    if args.json:
        common.print_json([{"id": r.id, "name": r.name, "distance_km": d} for d, r in ranked])
        return 0
    for d, r in ranked:
        print(f"{r.id:32} {d:8.0f} km  {r.name}")
    return 0
