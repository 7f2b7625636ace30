"""The words the pages show for embodied carbon: the range with its basis, each part, the hosts.

Pure functions of the library's :class:`wattprint.engine.footprint.Footprint` and
:class:`wattprint.db.schema.Host` (no Streamlit), tested directly. The figures are the library's;
these only say them, each with its unit and basis in words, never the lower bound alone as "the"
figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app import components
from wattprint.engine.footprint import EmbodiedPart, Footprint

NO_HOST = "none"
"""The host choice that adds no host share (the devices only)."""

HOST_KIND_WORDS = {"gpu-server": ("GPU server", "GPU"), "cpu-node": ("CPU node", "CPU socket")}


def amount(value: float) -> str:
    """A count as said: ``8`` (whole where whole), else about three figures (``0.5``)."""
    return f"{value:,.0f}" if float(value).is_integer() else components.num(value)


def count(value: float, thing: str) -> str:
    """``8 GPUs``, ``1 CPU socket``, ``0.5 GPU server``: a count and its noun."""
    shown = amount(value)
    return f"{shown} {thing}" if value == 1 or not float(value).is_integer() else f"{shown} {thing}s"


def host_choices(hosts: Mapping[str, Any]) -> list[str]:
    """The host select's options: no host, then each host id of the hosts table, sorted."""
    return [NO_HOST, *sorted(hosts)]


def host_label(host: Any) -> str:
    """A host as the select names it: name, figure per host, devices it holds, basis in words."""
    fact = host.manufacturing_kgco2e
    kind, units = HOST_KIND_WORDS.get(host.kind, (host.kind, "devices"))
    return (
        f"{host.name}: {components.num(fact.value)} kg CO₂e per {kind} of "
        f"{count(host.devices_per_host, units)}, {fact.basis_words}"
    )


def host_option(key: str, hosts: Mapping[str, Any]) -> str:
    """The select's label of option ``key``: no host, or :func:`host_label`."""
    return "None (the devices only)" if key == NO_HOST else host_label(hosts[key])


def host_caption(host: Any, sources: Mapping[str, Any]) -> str:
    """What the chosen host's figure includes, the life it is amortised over and its source, in words."""
    fact = host.manufacturing_kgco2e
    source = sources.get(fact.source)
    cited = f"{source.publisher}, {source.title}" if source else fact.source
    licence = f"; licence {source.license}" if source is not None and source.license else ""
    kind, units = HOST_KIND_WORDS.get(host.kind, (host.kind, "devices"))
    return (
        f"{components.num(fact.value)} kg CO₂e to make one {kind} ({fact.basis_words}), shared by its "
        f"{count(host.devices_per_host, units)}. Includes {host.includes}. Amortised over "
        f"{host.lifetime_years:g} years (the source's lifetime). Source: {cited}, {fact.year}{licence}."
    )


def host_entry(host: Any, sources: Mapping[str, Any]) -> str:
    """A host as the Hardware page lists it: name, id, then :func:`host_caption`."""
    return f"{host.name} ({host.id}). {host_caption(host, sources)}"


def span(low_kg: float, high_kg: float | None) -> str:
    """``0.512 – 2.94 kg CO₂e``; ``at least 0.512 kg CO₂e`` without a high end; one figure when equal."""
    if high_kg is None:
        return f"at least {components.kg(low_kg)}"
    if components.num(high_kg) != components.num(low_kg):
        return f"{components.num(low_kg)} – {components.kg(high_kg)}"
    return components.kg(low_kg)


def footprint_span(footprint: Footprint) -> str:
    """The job's embodied range (:func:`span` of its low and high ends)."""
    return span(footprint.embodied_low_kg, footprint.embodied_high_kg)


def _part_basis(part: EmbodiedPart) -> str:
    if part.high_basis and part.co2e_kg_high is not None and part.co2e_kg_high != part.co2e_kg:
        return f"{part.basis} to {part.high_basis}"
    if part.co2e_kg_high is None:
        return f"{part.basis}; no published whole-product figure"
    return part.basis


def part_line(part: EmbodiedPart) -> str:
    """One part of the machine: ``Devices (8 × H100): 0.512 – 2.94 kg CO₂e, lower bound (dies and
    memory) to manufacturer PCF, 6-year life at 85% use; source ...``."""
    title = "Host share" if part.part == "host" else "Devices"
    name, sources = part.name, "; ".join(s for s in (part.source, part.high_source) if s)
    if part.basis == "given":  # the user's own figure per device, not a device of the database
        name, sources = f"your figure, {components.kg(part.per_unit_kgco2e)} each", ""
    return (
        f"{title} ({amount(part.units)} × {name}): {span(part.co2e_kg, part.co2e_kg_high)}, "
        f"{_part_basis(part)}, {part.lifetime_years:g}-year life at {part.lifetime_utilization:.0%} use"
        + (f"; source: {sources}" if sources else "")
    )


def range_words(footprint: Footprint) -> str:
    """The whole embodied figure: ``0.512 – 2.94 kg CO₂e (lower bound (dies and memory) to
    manufacturer PCF)``."""
    highs = sorted({p.high_basis for p in footprint.embodied_parts if p.high_basis})
    low, high = footprint.embodied_low_kg, footprint.embodied_high_kg
    if high is None:
        basis = f"{footprint.embodied_basis}; no published whole-product figure"
    elif highs and components.num(high) != components.num(low):
        basis = f"{footprint.embodied_basis}; high end with the devices' {', '.join(highs)}"
    else:
        basis = footprint.embodied_basis
    return f"{span(low, high)} ({basis})"


def embodied_lines(footprint: Footprint, operational_kg: float | None = None) -> list[str]:
    """The lines the calculator shows under its headline: the range, each part, the total range.

    ``operational_kg`` is the operational figure the page shows beside it [kg CO2e] (default:
    the footprint's own). Empty when the job counts no embodied emissions.
    """
    if not footprint.embodied_co2e_kg and not footprint.embodied_parts:
        return []
    lines = [f"Embodied (making the hardware): {range_words(footprint)}"]
    lines += [part_line(part) for part in footprint.embodied_parts]
    high = footprint.embodied_high_kg
    operational = footprint.co2e_kg if operational_kg is None else operational_kg
    total = span(operational + footprint.embodied_low_kg, None if high is None else operational + high)
    lines.append(f"Total (operational {components.kg(operational)} + embodied): {total}")
    return lines


def _fact_words(fact: Any, sources: Mapping[str, Any]) -> str:
    source = sources.get(fact.source)
    cited = f"{source.publisher if source else fact.source}, {fact.year}"
    scope = f": {fact.scope}" if fact.scope else ""
    return f"{components.kg(fact.value)}, {fact.basis_words}{scope} ({cited})"


def device_caption(device: Any, sources: Mapping[str, Any]) -> str:
    """A device's embodied figures per device in words: the range, each end's basis, scope and source."""
    fact, product = device.embodied_kgco2e, device.embodied_product_kgco2e
    if fact is None:
        return "Embodied carbon: no figure in the database for this device (the calculator takes your own)."
    if product is not None:
        return (
            f"Embodied carbon per device: {span(fact.value, product.value)}. Low end: "
            f"{_fact_words(fact, sources)}. High end: {_fact_words(product, sources)}."
        )
    if fact.basis == "model":
        return (
            f"Embodied carbon per device: {span(fact.value, None)}: {_fact_words(fact, sources)}; "
            "no published whole-product figure."
        )
    return f"Embodied carbon per device: {_fact_words(fact, sources)}."
