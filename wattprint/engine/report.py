"""Reporting a job's footprint: paper statement (Markdown, LaTeX), BibTeX, model card, badge.

Every output is built from a :class:`~wattprint.engine.jobspec.JobSpec`, its resolved
:class:`~wattprint.engine.footprint.Footprint` and the database sources used, so that a reader can
recompute the figure: the statement names the inputs, their sources and the tool version, and a
reproducibility block gives the exact command line and the inputs as JSON.

Notes
-----
The statement follows the reporting advice of Strubell et al. (2019, Section 5), Lacoste et
al. (2019) and Henderson et al. (2020): report energy, CO2e, hardware, device-hours, location
and its grid intensity, PUE, and the method. The optional social cost of carbon line prices the
emissions at the US EPA (2023) central estimate (see :data:`SOCIAL_COST`).

References
----------
.. [1] Strubell, Ganesh, McCallum (2019), ACL, https://doi.org/10.18653/v1/P19-1355
.. [2] Patterson et al. (2021), arXiv:2104.10350
.. [3] Luccioni, Viguier, Ligozat (2023), JMLR 24(253), arXiv:2211.02001
.. [4] Lacoste, Luccioni, Schmidt, Dandres (2019), arXiv:1910.09700
.. [5] Henderson et al. (2020), "Towards the Systematic Reporting of the Energy and Carbon
   Footprints of Machine Learning", JMLR 21(248).
.. [6] Hugging Face, "Displaying carbon emissions for your model",
   https://huggingface.co/docs/hub/model-cards-co2 (accessed 2026).
"""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from xml.sax.saxutils import escape as xml_escape

import yaml

from wattprint import __version__
from wattprint.db.loader import Databases
from wattprint.db.schema import DEFAULT_BASIS, Source
from wattprint.engine import units
from wattprint.engine.flops import Serving
from wattprint.engine.footprint import TDP_POWER_RANGE_FACTORS, Footprint
from wattprint.engine.jobspec import DEFAULT_PUE, JobSpec

TOOL = f"wattprint {__version__}"
PROJECT_AUTHOR = "{The wattprint maintainers}"
"""The software's author in BibTeX: its maintainers as one corporate name (braced)."""


@dataclass(frozen=True)
class Reference:
    """One BibTeX entry: its key, entry type and fields (in order)."""

    key: str
    kind: str
    fields: tuple[tuple[str, str], ...]
    verbatim: bool = False
    """True for text from a database or a user: every character is written as itself (backslashes,
    braces and comment signs escaped; no markup), and the author is kept as one corporate name."""


METHOD_REFERENCES: dict[str, Reference] = {
    "strubell2019energy": Reference(
        "strubell2019energy",
        "inproceedings",
        (
            ("author", "Strubell, Emma and Ganesh, Ananya and McCallum, Andrew"),
            ("title", "Energy and Policy Considerations for Deep Learning in {NLP}"),
            (
                "booktitle",
                "Proceedings of the 57th Annual Meeting of the Association for Computational Linguistics",
            ),
            ("pages", "3645--3650"),
            ("year", "2019"),
            ("doi", "10.18653/v1/P19-1355"),
        ),
    ),
    "patterson2021carbon": Reference(
        "patterson2021carbon",
        "article",
        (
            (
                "author",
                "Patterson, David and Gonzalez, Joseph and Le, Quoc and Liang, Chen and Munguia, "
                "Lluis-Miquel and Rothchild, Daniel and So, David and Texier, Maud and Dean, Jeff",
            ),
            ("title", "Carbon Emissions and Large Neural Network Training"),
            ("journal", "arXiv preprint arXiv:2104.10350"),
            ("year", "2021"),
            ("url", "https://arxiv.org/abs/2104.10350"),
        ),
    ),
    "lacoste2019quantifying": Reference(
        "lacoste2019quantifying",
        "article",
        (
            ("author", "Lacoste, Alexandre and Luccioni, Alexandra and Schmidt, Victor and Dandres, Thomas"),
            ("title", "Quantifying the Carbon Emissions of Machine Learning"),
            ("journal", "arXiv preprint arXiv:1910.09700"),
            ("year", "2019"),
            ("url", "https://arxiv.org/abs/1910.09700"),
        ),
    ),
    "luccioni2023bloom": Reference(
        "luccioni2023bloom",
        "article",
        (
            ("author", "Luccioni, Alexandra Sasha and Viguier, Sylvain and Ligozat, Anne-Laure"),
            ("title", "Estimating the Carbon Footprint of {BLOOM}, a 176{B} Parameter Language Model"),
            ("journal", "Journal of Machine Learning Research"),
            ("volume", "24"),
            ("number", "253"),
            ("pages", "1--15"),
            ("year", "2023"),
            ("url", "https://arxiv.org/abs/2211.02001"),
        ),
    ),
    "henderson2020towards": Reference(
        "henderson2020towards",
        "article",
        (
            (
                "author",
                "Henderson, Peter and Hu, Jieru and Romoff, Joshua and Brunskill, Emma and Jurafsky, Dan "
                "and Pineau, Joelle",
            ),
            (
                "title",
                "Towards the Systematic Reporting of the Energy and Carbon Footprints of Machine Learning",
            ),
            ("journal", "Journal of Machine Learning Research"),
            ("volume", "21"),
            ("number", "248"),
            ("pages", "1--43"),
            ("year", "2020"),
        ),
    ),
    "epa2023scghg": Reference(
        "epa2023scghg",
        "techreport",
        (
            ("author", "{U.S. Environmental Protection Agency}"),
            (
                "title",
                "Report on the Social Cost of Greenhouse Gases: "
                "Estimates Incorporating Recent Scientific Advances",
            ),
            ("institution", "U.S. EPA, National Center for Environmental Economics"),
            ("number", "EPA-HQ-OAR-2021-0317"),
            ("year", "2023"),
            ("month", "nov"),
            ("url", "https://www.epa.gov/environmental-economics/scghg"),
        ),
    ),
    "uptime2024survey": Reference(
        "uptime2024survey",
        "techreport",
        (
            ("author", "{Uptime Institute}"),
            ("title", "Global Data Center Survey 2024"),
            ("institution", "Uptime Institute"),
            ("year", "2024"),
            ("url", "https://uptimeinstitute.com/resources/research-and-reports"),
        ),
    ),
    "wattprint": Reference(
        "wattprint",
        "misc",
        (
            ("author", PROJECT_AUTHOR),
            ("title", "wattprint: energy and carbon of machine-learning work"),
            ("version", __version__),
            ("note", f"Software, version {__version__}; Python package wattprint"),
            ("year", "2026"),
        ),
    ),
}


@dataclass(frozen=True)
class SocialCost:
    """A social cost of carbon [US$ per tonne CO2] with its range and citation."""

    usd_per_tonne: float
    usd_per_tonne_low: float
    usd_per_tonne_high: float
    basis: str
    reference: str


SOCIAL_COST = SocialCost(
    usd_per_tonne=190.0,
    usd_per_tonne_low=120.0,
    usd_per_tonne_high=340.0,
    basis=(
        "US EPA (2023), Report on the Social Cost of Greenhouse Gases, Table ES.1: SC-CO2 for "
        "emissions in 2020, in 2020 US$, at a 2.0% near-term Ramsey discount rate "
        "(range: 2.5% gives $120/t, 1.5% gives $340/t)"
    ),
    reference="epa2023scghg",
)
"""US EPA (2023), "Report on the Social Cost of Greenhouse Gases: Estimates Incorporating Recent
Scientific Advances", Table ES.1: social cost of CO2 for emissions year 2020 [2020 US$/tCO2]:
$120 (2.5%), $190 (2.0%), $340 (1.5% near-term discount rate)."""


@dataclass(frozen=True)
class JobDescription:
    """Human-readable facts of a job for a statement (ids resolved to names)."""

    hardware: str
    location: str
    intensity_year: int | None
    pue_source: str
    power_basis: str
    year_note: str = ""
    """How the grid year was chosen, in words (the year the work ran, or the latest published)."""
    borrowed: str = ""
    """Whose figure the place takes when it has none of its own (``RegionDB.borrowed_note``)."""


@dataclass(frozen=True)
class Statement:
    """Every output of a report for one job."""

    markdown: str
    latex: str
    bibtex: str
    model_card: str
    badge_svg: str
    badge_markdown: str
    cli: str
    spec_json: str
    references: tuple[Reference, ...]
    social_cost_usd: tuple[float, float, float] | None
    central: Central | None = None
    """The figures the statement gives (the middle of the range for a TDP-based draw)."""


# -- sources ------------------------------------------------------------------------------------


def _bib_key(key: str) -> str:
    return "db-" + re.sub(r"[^A-Za-z0-9:-]+", "-", key).strip("-")


def source_reference(key: str, source: Source) -> Reference:
    """A BibTeX ``@misc`` entry for a database source."""
    fields = [
        ("author", source.publisher),
        ("title", source.title),
        ("year", str(source.year)),
    ]
    if source.url:
        fields.append(("url", str(source.url)))
    return Reference(_bib_key(key), "misc", tuple(fields), verbatim=True)


def data_sources(spec: JobSpec, databases: Databases | None) -> list[Reference]:
    """The database sources behind ``spec``'s hardware and region figures, as references."""
    if databases is None:
        return []
    found: dict[str, Reference] = {}

    def add(key: str, table: dict[str, Source]) -> None:
        source = table.get(key)
        if source is not None:
            reference = source_reference(key, source)
            found[reference.key] = reference

    if spec.hardware:
        device = databases.hardware.get(spec.hardware)
        if spec.power_w is None:
            add(device.tdp_w.source, databases.hardware.sources)
        if spec.embodied and device.embodied_kgco2e is not None:
            add(device.embodied_kgco2e.source, databases.hardware.sources)
            if device.embodied_product_kgco2e is not None:
                add(device.embodied_product_kgco2e.source, databases.hardware.sources)
    if spec.host and (spec.embodied or spec.embodied_kgco2e is not None):
        host = databases.hardware.host(spec.host)
        add(host.manufacturing_kgco2e.source, databases.hardware.sources)
        add(host.lifetime_source, databases.hardware.sources)
    if spec.region:
        resolved = databases.regions.intensity(spec.region, spec.year)
        add(resolved.source, databases.regions.sources)
        if spec.pue is None and not spec.pue_included:
            pue = databases.regions.pue(spec.region, spec.year)
            if pue is not None:
                add(pue.source, databases.regions.sources)
    return list(found.values())


def references_for(
    spec: JobSpec,
    footprint: Footprint,
    databases: Databases | None,
    social_cost: bool = False,
    segments: Sequence[JobSpec] = (),
) -> list[Reference]:
    """Every method and data source a statement cites, methods first (``segments``: the job's
    further segments, whose sources are cited too)."""
    specs = [spec, *segments]
    keys = ["strubell2019energy", "patterson2021carbon", "lacoste2019quantifying"]
    if footprint.embodied_co2e_kg:
        keys.append("luccioni2023bloom")
    if any(uses_default_pue(one, databases) for one in specs):
        keys.append("uptime2024survey")
    if social_cost:
        keys += ["henderson2020towards", "epa2023scghg"]
    keys.append("wattprint")
    found: dict[str, Reference] = {}
    for one in specs:
        found.update((ref.key, ref) for ref in data_sources(one, databases))
    return [METHOD_REFERENCES[k] for k in keys] + list(found.values())


def uses_default_pue(spec: JobSpec, databases: Databases | None) -> bool:
    """True when the industry-average PUE (Uptime 2024) stands in for a missing one."""
    if spec.pue is not None or spec.pue_included:
        return False
    if spec.region and databases is not None:
        return databases.regions.pue(spec.region, spec.year) is None
    return True


# -- escaping and formats -----------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters become spaces."""
    return "".join(char if char.isprintable() else " " for char in text)


def latex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (``% & _ # $ { } ~ ^ \\``).

    A backslash becomes ``\\textbackslash{}``, so ``\\input{...}`` or ``\\write18{...}`` from a
    database title is printed, never run; line breaks become spaces.
    """
    return "".join(_LATEX_SPECIAL.get(char, char) for char in _one_line(text))


_BIBTEX_VERBATIM = {
    **_LATEX_SPECIAL,
    # BibTeX counts every brace, escaped or not: braces become brace-free commands.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
}


def bibtex_verbatim(text: str) -> str:
    """A BibTeX field value that prints ``text`` as it is, whatever it holds.

    Every LaTeX special character, the backslash included, is escaped; braces become
    ``\\textbraceleft{}``/``\\textbraceright{}`` (always balanced); line breaks become spaces.
    """
    return "".join(_BIBTEX_VERBATIM.get(char, char) for char in _one_line(text))


def bibtex_url(url: str) -> str:
    """A URL for a BibTeX ``url`` field: characters that end a field or a line percent-encoded."""
    replacements = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20", '"': "%22"}
    return "".join(replacements.get(char, char if char.isprintable() else "") for char in url)


def bibtex_escape(text: str) -> str:
    """A BibTeX field value: braces balanced, ``% & _ # $`` escaped, protected braces kept."""
    out = []
    for char in text:
        if char in "&%$#_":
            out.append("\\" + char)
        else:
            out.append(char)
    value = "".join(out)
    if value.count("{") != value.count("}"):
        value = value.replace("{", "").replace("}", "")
    return value


def bibtex(references: list[Reference]) -> str:
    """The BibTeX entries of ``references``."""
    blocks = []
    for reference in references:
        lines = [f"@{reference.kind}{{{reference.key},"]
        for name, value in reference.fields:
            if name == "url":
                field_value = bibtex_url(value)
            elif reference.verbatim:
                field_value = bibtex_verbatim(value)
                if name == "author":
                    field_value = "{" + field_value + "}"  # a corporate author, not "Last, First"
            else:
                field_value = bibtex_escape(value)
            lines.append(f"  {name} = {{{field_value}}},")
        lines.append("}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def number(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant figures and thousands separators."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def mass(co2e_kg: float) -> str:
    """A CO2e mass in the unit that reads best: g, kg or t."""
    if abs(co2e_kg) < 1:
        return f"{number(co2e_kg * units.G_PER_KG)} g"
    if abs(co2e_kg) >= 1000:
        return f"{number(units.kg_to_tonnes(co2e_kg))} t"
    return f"{number(co2e_kg)} kg"


# -- the job in words ---------------------------------------------------------------------------


def grid_year(databases: Databases, region_id: str, work_year: int | None) -> int | None:
    """The grid-intensity year to use for work that ran in ``work_year`` in ``region_id``.

    The year itself when the region has a figure for it, else the latest published year before it,
    else the earliest published year; None when ``work_year`` is None (the latest is then used)
    or the region has no figure of the default basis.
    """
    years = databases.regions.intensity_years(region_id)
    if work_year is None or not years:
        return None
    if work_year in years:
        return work_year
    earlier = [year for year in years if year < work_year]
    return max(earlier) if earlier else min(years)


def year_note(intensity_year: int, work_year: int | None) -> str:
    """How the grid year relates to the year the work ran, in words."""
    if work_year is None:
        return f"{intensity_year}, the latest published year: the year the work ran was not given"
    if intensity_year == work_year:
        return f"{intensity_year}, the year the work ran"
    if intensity_year < work_year:
        return f"{intensity_year}, the latest published up to {work_year}, the year the work ran"
    return f"{intensity_year}, the earliest published: none for {work_year}, the year the work ran"


def describe(
    spec: JobSpec, footprint: Footprint, databases: Databases | None, work_year: int | None = None
) -> JobDescription:
    """Names of the hardware and location, the intensity year and the PUE's source.

    ``work_year`` is the year the work ran (default: ``spec.year``, the grid year asked for).
    """
    count = f"{spec.count:g}"
    if spec.hardware and databases is not None:
        device = databases.hardware.get(spec.hardware)
        hardware = f"{count} x {device.name}"
    elif spec.total_power_w is not None:
        hardware = f"a machine drawing {number(spec.total_power_w)} W on average"
    else:
        hardware = f"{count} device(s)"
    if spec.power_w is not None:
        basis = f"a measured average draw of {number(spec.power_w)} W per device"
    elif spec.total_power_w is not None:
        basis = "the stated whole-machine draw"
    else:
        util = spec.utilization if spec.utilization is not None else 1.0
        basis = f"TDP x utilisation {util:g}" + (" (upper bound)" if spec.utilization is None else "")
        if spec.hardware and databases is not None:
            power = databases.hardware.get(spec.hardware).tdp_w
            if power.basis in ("estimate", "model"):
                basis = f"an estimated power (not published by the vendor) x utilisation {util:g}"
    intensity_year: int | None = None
    note = borrowed = ""
    if spec.region and databases is not None:
        region = databases.regions.get(spec.region)
        resolved = databases.regions.intensity(region.id, spec.year)
        intensity_year = resolved.year
        note = year_note(resolved.year, work_year if work_year is not None else spec.year)
        borrowed = databases.regions.borrowed_note(region.id, resolved.region_id)
        place = region.name
        if region.city and region.city not in region.name and "(" not in region.name:
            place = f"{region.name} ({region.city})"
        location = f"{place} [{region.id}]"
    else:
        location = "a stated grid"
    if spec.pue_included:
        pue_source = "overhead included in the power figures"
    elif spec.pue is not None:
        pue_source = "given"
    elif uses_default_pue(spec, databases):
        pue_source = "industry average, Uptime Institute 2024"
    else:
        assert spec.region is not None and databases is not None
        resolved_pue = databases.regions.pue(spec.region, spec.year)
        assert resolved_pue is not None
        src = databases.regions.sources.get(resolved_pue.source)
        pue_source = f"{src.publisher}, {resolved_pue.year}" if src else resolved_pue.source
    return JobDescription(hardware, location, intensity_year, pue_source, basis, note, borrowed)


def cli_line(spec: JobSpec) -> str:
    """The ``wattprint estimate`` command line that reproduces ``spec``."""
    parts = ["wattprint", "estimate"]
    options = [
        ("--hardware", spec.hardware),
        ("--count", spec.count if spec.count != 1.0 else None),
        ("--hours", spec.hours),
        ("--device-hours", spec.device_hours),
        ("--power-w", spec.power_w),
        ("--total-power-w", spec.total_power_w),
        ("--utilization", spec.utilization),
        ("--pue", spec.pue),
        ("--region", spec.region),
        ("--year", spec.year),
        ("--intensity", spec.intensity_g_per_kwh),
        ("--net-intensity", spec.net_intensity_g_per_kwh),
        ("--cpu-power-w", spec.cpu_power_w or None),
        ("--memory-power-w", spec.memory_power_w or None),
        ("--embodied-kg", spec.embodied_kgco2e),
        ("--host", spec.host),
    ]
    for flag, value in options:
        if value is None:
            continue
        parts += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    if spec.pue_included:
        parts.append("--pue-included")
    if spec.embodied:
        parts.append("--embodied")
    return " ".join(shlex.quote(part) for part in parts)


def spec_json(spec: JobSpec, segments: Sequence[JobSpec] = ()) -> str:
    """The job's inputs as JSON (options not given are left out); ``segments`` under their key."""

    def given(one: JobSpec) -> dict[str, object]:
        return {k: v for k, v in asdict(one).items() if v not in (None, "", False)}

    document: dict[str, object] = {"tool": TOOL, "inputs": given(spec)}
    if segments:
        document["segments"] = [given(one) for one in segments]
    return json.dumps(document, indent=2, sort_keys=False)


def _short_cite(reference: Reference) -> str:
    fields = dict(reference.fields)
    author = fields.get("author", fields.get("institution", reference.key)).strip("{}")
    return f"{author}, {fields.get('year', 'n.d.')}"


# -- outputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Central:
    """The figure a statement gives: the middle of the range where the point sits at its top."""

    energy_kwh: float
    co2e_kg: float
    total_co2e_kg: float
    upper_bound: bool
    """True when a segment's own point was the top of its range (a TDP-based draw)."""


def central(footprint: Footprint) -> Central:
    """The central energy [kWh] and CO2e [kg] of ``footprint``, segment by segment.

    Notes
    -----
    A draw from TDP x utilisation is the top of its range (the range runs from
    :data:`~wattprint.engine.footprint.TDP_POWER_RANGE_FACTORS` of it); for such a segment the
    central energy is the middle of its energy range, and its CO2e that energy at the segment's
    own intensity. A measured draw is the middle of its range already and is kept as it is.
    """
    energy_kwh = co2e_kg = 0.0
    upper = False
    for part in footprint.segments or (footprint,):
        bounds = part.range
        energy = part.energy_kwh
        if bounds.energy_kwh_low < energy and math.isclose(energy, bounds.energy_kwh_high, rel_tol=1e-9):
            energy = (bounds.energy_kwh_low + bounds.energy_kwh_high) / 2
            upper = True
        energy_kwh += energy
        co2e_kg += part.co2e_kg * energy / part.energy_kwh if part.energy_kwh else 0.0
    return Central(energy_kwh, co2e_kg, co2e_kg + footprint.embodied_co2e_kg, upper)


def not_counted(spec: JobSpec, footprint: Footprint, segments: Sequence[JobSpec] = ()) -> list[str]:
    """What the estimate leaves out, in words (CPU, memory, host, networking, storage, embodied)."""
    items = []
    if spec.total_power_w is None:
        if not spec.cpu_power_w:
            items.append("the host CPUs (no CPU power given)")
        if not spec.memory_power_w:
            items.append("memory (no memory power given)")
        if segments and (spec.cpu_power_w or spec.memory_power_w):
            items.append("the CPUs and memory of the later segments")
        items.append("the rest of each server (fans, power supplies, network cards, local disks)")
    items += ["network switches", "shared storage"]
    if not footprint.embodied_co2e_kg:
        items.append("the embodied emissions of making the hardware")
    return items


def embodied_words(footprint: Footprint, total_co2e_kg: float, bloom_cite: str) -> str:
    """The report's embodied sentence: the figure, its basis in words, and for each part (devices,
    host) its method, lifetime and source."""
    high, low = footprint.embodied_high_kg, footprint.embodied_low_kg
    if high is None:  # a lower bound with nothing above it: never said as "the" figure
        added = f"at least {mass(low)}"
        total = f"at least {mass(total_co2e_kg)}"
        span = "no published whole-product figure to bound it above"
    elif high != low:
        added = f"{mass(low)} to {mass(high)}"
        total = f"{mass(total_co2e_kg)} to {mass(total_co2e_kg - footprint.embodied_co2e_kg + high)}"
        span = "the high end with the whole-product figures below"
    else:
        added, total, span = mass(footprint.embodied_co2e_kg), mass(total_co2e_kg), ""
    described = []
    for part in footprint.embodied_parts:
        upper = (
            f"; a whole-product figure ({part.high_basis}: {part.high_source}) gives "
            f"{mass(part.co2e_kg_high)}"
            if part.high_basis and part.co2e_kg_high is not None
            else ""
        )
        units_said = f"{part.units:,.0f}" if float(part.units).is_integer() else number(part.units)
        described.append(
            f"{part.part} ({part.name}): {mass(part.co2e_kg)}, {part.basis}, "
            f"{units_said} x {number(part.per_unit_kgco2e)} kgCO2e over a "
            f"{part.lifetime_years:g}-year life at {part.lifetime_utilization:.0%} use, "
            f"source: {part.source}{upper}"
        )
    return (
        f"Embodied emissions of the hardware, amortised as in {bloom_cite}, add "
        f"{added} ({footprint.embodied_basis}{'; ' + span if span else ''}), "
        f"for a total of {total} CO2e; by part, " + "; ".join(described) + "."
    )


def social_cost_usd(co2e_kg: float, cost: SocialCost = SOCIAL_COST) -> tuple[float, float, float]:
    """(central, low, high) social cost [US$] of ``co2e_kg`` at ``cost``'s US$/t."""
    tonnes = units.kg_to_tonnes(co2e_kg)
    return tonnes * cost.usd_per_tonne, tonnes * cost.usd_per_tonne_low, tonnes * cost.usd_per_tonne_high


SERVING_MODEL_BASIS = (
    "wattprint's roofline inference model, validated against ML.ENERGY measurements within a median "
    "factor of 1.3 (leave one model out)"
)
"""How a modelled energy per request is named in a statement."""


def serving_sentence(
    training_energy_kwh: float,
    wh_per_request: float,
    requests_per_day: float,
    days: float,
    pue: float,
    basis: str,
) -> str:
    """Patterson's trade-off in one sentence: the serving lifetime beside training, and the break-even.

    Parameters
    ----------
    training_energy_kwh : float
        The job's facility energy [kWh].
    wh_per_request : float
        IT energy of one request [Wh].
    requests_per_day, days : float
        The deployment [1/d], [d].
    pue : float
        Facility overhead applied to serving [-] (the job's).
    basis : str
        How the energy per request was made (e.g. "measured", or the inference model and its error).

    References
    ----------
    Patterson et al. (2021), Section 2: most ML energy goes to serving.
    """
    from wattprint.engine.inference import serving_tradeoff

    trade = serving_tradeoff(training_energy_kwh, wh_per_request, requests_per_day, days, pue)
    return (
        f"Serving the model at {number(requests_per_day)} requests per day for {number(days)} days "
        f"at {number(wh_per_request)} Wh per request ({basis}) would use "
        f"{number(trade.serving_energy_kwh)} kWh with PUE {pue:.2f}, "
        f"{trade.serving_share:.0%} of training and serving together; serving matches "
        f"the training's energy after {number(trade.break_even_days)} days "
        f"({number(trade.break_even_requests)} requests)."
    )


def serving_of(footprint: Footprint, serving: Serving | None, source: str) -> str | None:
    """:func:`serving_sentence` for the calculator's serving lifetime (None when not counted).

    ``source`` is how its energy per request was made: ``"given (measured)"`` or the model's
    description; training counts at the statement's central energy and the job's PUE.
    """
    if serving is None:
        return None
    basis = "measured" if source == "given (measured)" else SERVING_MODEL_BASIS
    return serving_sentence(
        central(footprint).energy_kwh,
        serving.wh_per_request,
        serving.requests_per_day,
        serving.days,
        footprint.pue,
        basis,
    )


def _segment_words(facts: JobDescription, part: Footprint, alone: bool = True) -> str:
    """One segment: what ran, how long, where; among several, whose grid figure it takes when not
    its own (a lone job says so with its grid figure)."""
    where = (
        facts.location if alone or not facts.borrowed else f"{facts.location} (priced on {facts.borrowed})"
    )
    length = f"{number(part.duration_h)} h ({number(part.device_hours)} device-hours)"
    return f"{facts.hardware} for {length} in {where}"


def _paragraph(
    spec: JobSpec,
    footprint: Footprint,
    facts: JobDescription,
    cite: dict[str, str],
    comparison: str | None,
    social: tuple[float, float, float] | None,
    segments: Sequence[tuple[JobDescription, Footprint]] = (),
    left_out: Sequence[str] = (),
) -> list[str]:
    r = footprint.range
    mid = central(footprint)
    # Region figures are looked up on the default (lifecycle) basis; a given intensity has none stated.
    if facts.intensity_year:
        whose = f"{facts.borrowed}; " if facts.borrowed and not segments else ""  # a segment says its own
        year = f" ({whose}{facts.year_note or facts.intensity_year}; {DEFAULT_BASIS} basis)"
    else:
        year = " (as given)"
    if segments:
        listed = "; ".join(_segment_words(one, part, alone=False) for one, part in segments)
        where = (
            f"The work ran in {len(segments)} segments, one after another: {listed}; "
            f"{number(footprint.duration_h)} h and {number(footprint.device_hours)} device-hours in all."
        )
        draw = (
            f"With each segment's power ({facts.power_basis}), PUE and grid intensity (energy-weighted "
            f"means: PUE {footprint.pue:.2f}, {number(footprint.intensity_g_per_kwh)} gCO2e/kWh{year}),"
        )
    else:
        where = f"The work ran on {_segment_words(facts, footprint)}."
        power = "up to" if mid.upper_bound else "an average of"
        draw = (
            f"Drawing {power} {number(footprint.power_w)} W ({facts.power_basis}), at a PUE of "
            f"{footprint.pue:.2f} ({facts.pue_source}) and a location-based grid intensity of "
            f"{number(footprint.intensity_g_per_kwh)} gCO2e/kWh{year},"
        )
    sentences = [
        where,
        f"{draw} it used an estimated {number(mid.energy_kwh)} kWh "
        f"(range {number(r.energy_kwh_low)}-{number(r.energy_kwh_high)} kWh) and emitted "
        f"{mass(mid.co2e_kg)} CO2e (range {mass(r.co2e_kg_low)} to {mass(r.co2e_kg_high)}).",
    ]
    if mid.upper_bound:
        low = TDP_POWER_RANGE_FACTORS[0]
        sentences.append(
            "These figures are the middle of each range: its upper end assumes the devices drew that "
            f"power all the time, its lower end {low:.0%} of it."
        )
    if footprint.embodied_co2e_kg:
        sentences.append(embodied_words(footprint, mid.total_co2e_kg, cite["bloom"]))
    if footprint.market_co2e_kg is not None:
        sentences.append(f"The market-based figure is {mass(footprint.market_co2e_kg)} CO2e.")
    if left_out:
        items = list(left_out)
        listed_out = ", ".join(items[:-1]) + (f" and {items[-1]}" if len(items) > 1 else items[0])
        sentences.append(f"Not counted: {listed_out}.")
    if comparison:
        sentences.append(comparison)
    if social is not None:
        central_usd, low_usd, high_usd = social
        sentences.append(
            f"At a social cost of carbon of US${SOCIAL_COST.usd_per_tonne:.0f}/tCO2 (range "
            f"US${SOCIAL_COST.usd_per_tonne_low:.0f}-{SOCIAL_COST.usd_per_tonne_high:.0f}/t; emissions "
            f"year 2020, 2020 dollars) {cite['epa']}, these emissions cost about US${number(central_usd)} "
            f"(US${number(low_usd)}-{number(high_usd)})."
        )
    sentences.append(
        f"Energy and emissions were estimated with {TOOL} {cite['tool']}".rstrip() + ", which computes "
        f"energy = power x time x PUE and CO2e = energy x grid intensity {cite['method']}; "
        f"the data sources are listed in the references {cite['data']}."
    )
    return sentences


def statement(
    spec: JobSpec,
    footprint: Footprint,
    databases: Databases | None,
    social_cost: bool = False,
    comparison: str | None = None,
    training_type: str = "pre-training",
    segments: Sequence[JobSpec] = (),
    work_year: int | None = None,
) -> Statement:
    """Every report output for ``spec`` and its ``footprint``.

    Parameters
    ----------
    spec : JobSpec
        The job as stated by the user (ids, not values).
    footprint : Footprint
        ``estimate(resolve(spec, databases))``.
    databases : Databases or None
        The databases that resolved ``spec`` (None when it names no id).
    social_cost : bool
        Add the social cost of carbon line (US EPA 2023, :data:`SOCIAL_COST`).
    comparison : str, optional
        A sentence placing the job among published runs (see :mod:`wattprint.engine.published`).
    training_type : str
        ``pre-training`` or ``fine-tuning``, for the model card.
    segments : sequence of JobSpec
        The job's further segments, run after ``spec``; ``footprint`` is then
        ``estimate_segments`` of ``spec`` and these, and each segment is named in the statement.
    work_year : int, optional
        The year the work ran, said beside the grid year (default: ``spec.year``; when neither is
        given the statement says the latest published year was used).
    """
    references = references_for(spec, footprint, databases, social_cost, segments)
    data_keys = [ref.key for ref in references if ref.key.startswith("db-")]
    if any(uses_default_pue(one, databases) for one in [spec, *segments]):
        data_keys.append("uptime2024survey")
    facts = describe(spec, footprint, databases, work_year)
    parts: list[tuple[JobDescription, Footprint]] = []
    if segments:
        if len(footprint.segments) != len(segments) + 1:
            raise ValueError("footprint must be estimate_segments of spec and its segments")
        specs = [spec, *segments]
        parts = [
            (describe(one, part, databases, work_year), part)
            for one, part in zip(specs, footprint.segments, strict=True)
        ]
    mid = central(footprint)
    left_out = not_counted(spec, footprint, segments)
    social = social_cost_usd(mid.co2e_kg) if social_cost else None

    md_cite = {
        "method": "(Strubell et al., 2019; Patterson et al., 2021; Lacoste et al., 2019)",
        "bloom": "(Luccioni et al., 2023)",
        "epa": "(US EPA, 2023)",
        "tool": "",
        "data": "(" + "; ".join(_short_cite(ref) for ref in references if ref.key in data_keys) + ")"
        if data_keys
        else "",
    }
    markdown_sentences = _paragraph(spec, footprint, facts, md_cite, comparison, social, parts, left_out)
    markdown = " ".join(markdown_sentences).replace("  ", " ").replace(" .", ".")

    tex_cite = {
        "method": r"\citep{strubell2019energy,patterson2021carbon,lacoste2019quantifying}",
        "bloom": r"\citep{luccioni2023bloom}",
        "epa": r"\citep{epa2023scghg}",
        "tool": r"\citep{wattprint}",
        "data": (r"\citep{" + ",".join(data_keys) + "}") if data_keys else "",
    }
    placeholders = {key: f"@@CITE{index}@@" for index, key in enumerate(tex_cite)}
    raw = " ".join(_paragraph(spec, footprint, facts, placeholders, comparison, social, parts, left_out))
    latex = latex_escape(raw).replace("CO2e", r"CO\textsubscript{2}e").replace("CO2", r"CO\textsubscript{2}")
    for key, token in placeholders.items():
        latex = latex.replace(latex_escape(token), tex_cite[key])
    latex = latex.replace("  ", " ").replace(" .", ".")

    svg, badge_md = badge(mid.co2e_kg, mid.energy_kwh)
    card_facts = facts
    if parts:
        card_facts = JobDescription(
            "; ".join(one.hardware for one, _ in parts),
            "; ".join(dict.fromkeys(one.location for one, _ in parts)),
            facts.intensity_year,
            facts.pue_source,
            facts.power_basis,
            facts.year_note,
        )
    return Statement(
        markdown=markdown,
        latex=latex,
        bibtex=bibtex(references),
        model_card=model_card(footprint, card_facts, training_type, mid.co2e_kg),
        badge_svg=svg,
        badge_markdown=badge_md,
        cli="\n".join(cli_line(one) for one in [spec, *segments]),
        spec_json=spec_json(spec, segments),
        references=tuple(references),
        social_cost_usd=social,
        central=mid,
    )


def markdown_document(result: Statement) -> str:
    """The Markdown statement followed by the reproducibility block."""
    return (
        "## Energy and carbon footprint\n\n"
        f"{result.markdown}\n\n"
        "### Reproduce\n\n"
        f"```sh\n{result.cli}\n```\n\n"
        f"```json\n{result.spec_json}\n```\n"
    )


def latex_document(result: Statement) -> str:
    """The LaTeX paragraph followed by the reproducibility block as a verbatim comment."""
    # Every line of the block is a comment, also when an id or alias holds a line break.
    comment = "\n".join("% " + line for line in [*result.cli.splitlines(), *result.spec_json.splitlines()])
    return f"{result.latex}\n\n% Reproduce with:\n{comment}\n"


def model_card(
    footprint: Footprint,
    facts: JobDescription,
    training_type: str = "pre-training",
    co2e_kg: float | None = None,
) -> str:
    """Hugging Face model-card metadata: a ``co2_eq_emissions`` block in YAML.

    Notes
    -----
    The Hub expects ``emissions`` in grams of CO2e, with ``source``, ``training_type``,
    ``geographical_location`` and ``hardware_used`` (Hugging Face, "Displaying carbon emissions
    for your model", https://huggingface.co/docs/hub/model-cards-co2). ``co2e_kg`` is the figure
    to write (default: the footprint's operational CO2e); the YAML comment names the unit, since
    the Hub's field carries none.
    """
    location = re.sub(r"\s*\[[^\]]*\]$", "", facts.location)
    region_id = re.search(r"\[([^\]]*)\]$", facts.location)
    data = {
        "co2_eq_emissions": {
            "emissions": round(units.kg_to_g(footprint.co2e_kg if co2e_kg is None else co2e_kg), 3),
            "source": TOOL,
            "training_type": training_type,
            "geographical_location": location + (f" ({region_id.group(1)})" if region_id else ""),
            "hardware_used": facts.hardware,
        }
    }
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return re.sub(r"^(  emissions: .*)$", r"\1  # grams of CO2e (the Hub's unit)", text, count=1, flags=re.M)


BADGE_HEIGHT_PX = 20
CHAR_WIDTH_PX = 6.5


def badge(co2e_kg: float, energy_kwh: float, label: str = "CO2e") -> tuple[str, str]:
    """(SVG, Markdown snippet) of a flat badge showing CO2e and energy; all text escaped."""
    value = f"{mass(co2e_kg)} | {number(energy_kwh)} kWh"
    left_w = int(len(label) * CHAR_WIDTH_PX + 12)
    right_w = int(len(value) * CHAR_WIDTH_PX + 12)
    width = left_w + right_w
    title = f"{label}: {value}"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{BADGE_HEIGHT_PX}" '
        f'role="img" aria-label="{xml_escape(title, {chr(34): "&quot;"})}">'
        f"<title>{xml_escape(title)}</title>"
        f'<rect width="{left_w}" height="{BADGE_HEIGHT_PX}" fill="#555"/>'
        f'<rect x="{left_w}" width="{right_w}" height="{BADGE_HEIGHT_PX}" fill="#2e7d32"/>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left_w / 2:.1f}" y="14">{xml_escape(label)}</text>'
        f'<text x="{left_w + right_w / 2:.1f}" y="14">{xml_escape(value)}</text>'
        "</g></svg>"
    )
    alt = title.replace("[", "(").replace("]", ")").replace("|", "/")
    return svg, f"![{alt}](wattprint-badge.svg)"


def statement_to_dict(result: Statement) -> dict[str, object]:
    """JSON-ready report."""
    data: dict[str, object] = {
        "markdown": result.markdown,
        "latex": result.latex,
        "bibtex": result.bibtex,
        "model_card": result.model_card,
        "badge_svg": result.badge_svg,
        "badge_markdown": result.badge_markdown,
        "cli": result.cli,
        "inputs": json.loads(result.spec_json)["inputs"],
        "segments": json.loads(result.spec_json).get("segments", []),
        "tool": TOOL,
        "references": [ref.key for ref in result.references],
    }
    if result.central is not None:
        data["central"] = asdict(result.central)
    if result.social_cost_usd is not None:
        middle, low, high = result.social_cost_usd
        data["social_cost_usd"] = {"central": middle, "low": low, "high": high, "basis": SOCIAL_COST.basis}
    return data


__all__ = [
    "DEFAULT_PUE",
    "SOCIAL_COST",
    "Central",
    "Reference",
    "Statement",
    "badge",
    "bibtex",
    "central",
    "grid_year",
    "latex_escape",
    "model_card",
    "not_counted",
    "statement",
]
