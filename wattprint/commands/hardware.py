"""``wattprint hardware list|show|match``: the hardware database."""

from __future__ import annotations

import argparse
from typing import Any

from wattprint.commands import common
from wattprint.db import names
from wattprint.db.schema import PRECISION_FIELDS, Device, Host, PowerFact


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hardware", help="list, show or match hardware", description="The hardware database."
    )
    sub = parser.add_subparsers(dest="hardware_command", metavar="ACTION", parser_class=type(parser))
    listing = sub.add_parser(
        "list", help="list devices", description="List devices, optionally by kind and vendor."
    )
    listing.add_argument(
        "--kind", choices=["gpu", "tpu", "npu", "cpu", "soc", "accelerator"], help="only this kind"
    )
    listing.add_argument("--vendor", help="only this vendor (e.g. nvidia, amd, google, intel)")
    common.add_json(listing)
    listing.set_defaults(handler=run_list)
    show = sub.add_parser("show", help="one device with its sources", description="Show one device.")
    show.add_argument("id", help="hardware id or alias")
    common.add_json(show)
    show.set_defaults(handler=run_show)
    match = sub.add_parser(
        "match",
        help="the device id for a name as a machine reports it",
        description=(
            "Resolve a name as NVML, amdsmi/HIP, /proc/cpuinfo or lscpu reports it, e.g. "
            '"NVIDIA H100 80GB HBM3" or "Intel(R) Xeon(R) Platinum 8358 CPU @ 2.60GHz". Prints the id; '
            "a name that several devices report exits 2 listing the candidates (never a guess)."
        ),
    )
    match.add_argument("name", help="device name as nvidia-smi, amd-smi, /proc/cpuinfo or lscpu reports it")
    common.add_json(match)
    match.set_defaults(handler=run_match)
    hosts = sub.add_parser(
        "hosts",
        help="host servers and nodes with their manufacturing kgCO2e",
        description=(
            "Host machines for `estimate --embodied --host ID`: GPU servers and CPU nodes with their "
            "manufacturing emissions (a manufacturer PCF, or a proxy labelled as such), what the figure "
            "includes, the lifetime it is amortised over, and its source."
        ),
    )
    common.add_json(hosts)
    hosts.set_defaults(handler=run_hosts)
    parser.set_defaults(handler=lambda args: parser.print_help() or 2)


def device_to_dict(device: Device, sources: dict[str, Any] | None = None) -> dict[str, Any]:
    """A device as plain JSON: facts as numbers plus a ``sources`` map of each fact's citation."""
    data: dict[str, Any] = {
        "id": device.id,
        "name": device.name,
        "vendor": device.vendor,
        "kind": device.kind,
        "form_factor": device.form_factor,
        "release_date": device.release_date,
        "aliases": list(device.aliases),
        "notes": device.notes,
    }
    cited: dict[str, Any] = {}
    for name in (
        "tdp_w",
        "cores",
        "memory_gb",
        "memory_bandwidth_gb_s",
        "embodied_kgco2e",
        *PRECISION_FIELDS,
    ):
        fact = getattr(device, name)
        data[name] = fact.value if fact is not None else None
        if fact is not None:
            source = (sources or {}).get(fact.source)
            cited[name] = {
                "source": fact.source,
                "year": fact.year,
                **(
                    {"publisher": source.publisher, "title": source.title, "url": source.url}
                    if source
                    else {}
                ),
            }
    for name in PRECISION_FIELDS:
        fact = getattr(device, name)
        unit = "gops_per_w" if name.endswith("tops") else "gflops_per_w"
        data[name.rsplit("_", 1)[0] + "_" + unit] = fact.value * 1000 / device.tdp_w.value if fact else None
    if device.power_range_w is not None:
        data["power_range_w"] = [device.power_range_w.min, device.power_range_w.max]
    data.update(power_fields(device.tdp_w))
    if device.embodied_kgco2e is not None:
        embodied = device.embodied_kgco2e
        data["embodied_basis"] = embodied.basis
        data["embodied_basis_words"] = embodied.basis_words
        data["embodied_method"] = embodied.method
        data["embodied_scope"] = embodied.scope
        data["embodied_inputs"] = dict(embodied.inputs) if embodied.inputs else None
    product = device.embodied_product_kgco2e
    if product is not None:
        source = (sources or {}).get(product.source)
        data["embodied_product_kgco2e"] = {
            "value": product.value,
            "basis": product.basis,
            "basis_words": product.basis_words,
            "method": product.method,
            "scope": product.scope,
            "source": product.source,
            "year": product.year,
            **({"publisher": source.publisher, "title": source.title, "url": source.url} if source else {}),
        }
    data["sources"] = cited
    return data


POWER_LABELS = {"vendor": "vendor power", "measured": "measured power"}


def power_fields(power: PowerFact) -> dict[str, Any]:
    """The power figure's basis, method and note; ``power_label`` says "estimated power" where due."""
    return {
        "power_basis": power.basis,
        "power_method": power.method,
        "power_note": power.note,
        "power_label": POWER_LABELS.get(power.basis, "estimated power"),
        "power_formula": power.formula,
        "power_inputs": (
            {k: {"value": i.value, "unit": i.unit, "source": i.source} for k, i in power.inputs.items()}
            if power.inputs
            else None
        ),
    }


def run_list(args: argparse.Namespace) -> int:
    db = common.databases(args).hardware
    devices = db.filter(kind=args.kind, vendor=args.vendor.lower() if args.vendor else None)
    if args.json:
        common.print_json([device_to_dict(d) for d in devices])
        return 0
    for d in devices:
        bf16 = d.bf16_tflops or d.fp16_tflops
        half = f"{bf16.value:g} TFLOPS 16-bit" if bf16 else ""
        print(f"{d.id:40} {d.kind:4} {d.tdp_w.value:6g} W  {half}")
    print(f"{len(devices)} devices")
    return 0


def _show(device: Device, args: argparse.Namespace) -> int:
    sources = common.databases(args).hardware.sources
    data = device_to_dict(device, sources)
    if args.json:
        common.print_json(data)
        return 0
    print(f"{device.name} ({device.id})")
    for key, value in data.items():
        if key in {"sources", "name", "id"} or value in (None, [], ""):
            continue
        cite = data["sources"].get(key)
        note = (
            f"  [{cite['publisher'] if 'publisher' in cite else cite['source']}, {cite['year']}]"
            if cite
            else ""
        )
        if key in {
            "power_basis",
            "power_method",
            "power_note",
            "power_label",
            "power_formula",
            "power_inputs",
        }:
            continue
        shown = f"{value:.4g}" if isinstance(value, float) else value
        if key == "embodied_product_kgco2e":
            shown = f"{value['value']:.4g} ({value['basis_words']}; {value['scope'] or value['method']})"
            note = f"  [{value.get('publisher', value['source'])}, {value['year']}]"
        if key == "tdp_w":
            extra = [data["power_note"]] if data["power_note"] else []
            if device.tdp_w.is_estimate:
                extra.insert(0, f"{data['power_label']}, {data['power_basis']}: {data['power_method']}")
            note += f" ({'; '.join(extra)})" if extra else ""
        print(f"  {key}: {shown}{note}")
    return 0


def host_to_dict(host: Host, sources: dict[str, Any]) -> dict[str, Any]:
    """A host as plain JSON, its manufacturing figure with basis (in words) and citation."""
    fact = host.manufacturing_kgco2e
    source = sources.get(fact.source)
    return {
        "id": host.id,
        "name": host.name,
        "vendor": host.vendor,
        "kind": host.kind,
        "devices_per_host": host.devices_per_host,
        "manufacturing_kgco2e": fact.value,
        "basis": fact.basis,
        "basis_words": fact.basis_words,
        "method": fact.method,
        "scope": fact.scope,
        "includes": host.includes,
        "lifetime_years": host.lifetime_years,
        "source": fact.source,
        "year": fact.year,
        "publisher": source.publisher if source else None,
        "url": source.url if source else None,
        "license": source.license if source else None,
        "aliases": list(host.aliases),
        "notes": host.notes,
    }


def run_hosts(args: argparse.Namespace) -> int:
    db = common.databases(args).hardware
    rows = [host_to_dict(host, db.sources) for _, host in sorted(db.hosts.items())]
    if args.json:
        common.print_json(rows)
        return 0
    for row in rows:
        print(
            f"{row['id']:32} {row['kind']:10} {row['manufacturing_kgco2e']:8,.0f} kgCO2e "
            f"per {row['devices_per_host']} devices, {row['basis_words']}, "
            f"{row['lifetime_years']:g} y  [{row['publisher']}, {row['year']}]"
        )
    print(f"{len(rows)} hosts")
    return 0


def run_show(args: argparse.Namespace) -> int:
    return _show(common.databases(args).hardware.get(args.id), args)


def run_match(args: argparse.Namespace) -> int:
    db = common.databases(args).hardware
    found = names.match(db.index or names.NameIndex.build(db.devices), args.name, db.devices)
    if found.device_id is None:
        if args.json:
            candidates = list(found.candidates)
            note = names.same_power_note(found.candidates, db.devices)
            common.print_json(
                {
                    "name": args.name,
                    "how": found.how,
                    "id": None,
                    "candidates": candidates,
                    "note": note or None,
                }
            )
        raise names.AmbiguousNameError(
            args.name, found.candidates, names.same_power_note(found.candidates, db.devices)
        )
    if args.json:
        data = {"name": args.name, "how": found.how, "id": found.device_id, "candidates": []}
        data["device"] = device_to_dict(db.devices[found.device_id], db.sources)
        common.print_json(data)
        return 0
    print(found.device_id)
    return 0
