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
from dataclasses import asdict, dataclass
from xml.sax.saxutils import escape as xml_escape

import yaml

from wattprint import __version__
from wattprint.db.loader import Databases
from wattprint.db.schema import DEFAULT_BASIS, Source
from wattprint.engine import units
from wattprint.engine.footprint import Footprint
from wattprint.engine.jobspec import DEFAULT_PUE, JobSpec

TOOL = f"wattprint {__version__}"


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
            ("title", f"wattprint: energy and carbon of machine-learning work, version {__version__}"),
            ("note", "Software"),
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
    if spec.region:
        resolved = databases.regions.intensity(spec.region, spec.year)
        add(resolved.source, databases.regions.sources)
        if spec.pue is None and not spec.pue_included:
            pue = databases.regions.pue(spec.region, spec.year)
            if pue is not None:
                add(pue.source, databases.regions.sources)
    return list(found.values())


def references_for(
    spec: JobSpec, footprint: Footprint, databases: Databases | None, social_cost: bool = False
) -> list[Reference]:
    """Every method and data source a statement cites, methods first."""
    keys = ["strubell2019energy", "patterson2021carbon", "lacoste2019quantifying"]
    if footprint.embodied_co2e_kg:
        keys.append("luccioni2023bloom")
    if uses_default_pue(spec, databases):
        keys.append("uptime2024survey")
    if social_cost:
        keys += ["henderson2020towards", "epa2023scghg"]
    keys.append("wattprint")
    return [METHOD_REFERENCES[k] for k in keys] + data_sources(spec, databases)


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


def describe(spec: JobSpec, footprint: Footprint, databases: Databases | None) -> JobDescription:
    """Names of the hardware and location, the intensity year and the PUE's source."""
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
    if spec.region and databases is not None:
        region = databases.regions.get(spec.region)
        resolved = databases.regions.intensity(region.id, spec.year)
        intensity_year = resolved.year
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
    return JobDescription(hardware, location, intensity_year, pue_source, basis)


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


def spec_json(spec: JobSpec) -> str:
    """The job's inputs as JSON (options not given are left out)."""
    data = {k: v for k, v in asdict(spec).items() if v not in (None, "", False)}
    return json.dumps({"tool": TOOL, "inputs": data}, indent=2, sort_keys=False)


def _short_cite(reference: Reference) -> str:
    fields = dict(reference.fields)
    author = fields.get("author", fields.get("institution", reference.key)).strip("{}")
    return f"{author}, {fields.get('year', 'n.d.')}"


# -- outputs ------------------------------------------------------------------------------------


def social_cost_usd(co2e_kg: float, cost: SocialCost = SOCIAL_COST) -> tuple[float, float, float]:
    """(central, low, high) social cost [US$] of ``co2e_kg`` at ``cost``'s US$/t."""
    tonnes = units.kg_to_tonnes(co2e_kg)
    return tonnes * cost.usd_per_tonne, tonnes * cost.usd_per_tonne_low, tonnes * cost.usd_per_tonne_high


def _paragraph(
    spec: JobSpec,
    footprint: Footprint,
    facts: JobDescription,
    cite: dict[str, str],
    comparison: str | None,
    social: tuple[float, float, float] | None,
) -> list[str]:
    r = footprint.range
    # Region figures are looked up on the default (lifecycle) basis; a given intensity has none stated.
    year = f" ({facts.intensity_year}, {DEFAULT_BASIS} basis)" if facts.intensity_year else " (as given)"
    sentences = [
        f"The work ran on {facts.hardware} for {number(footprint.duration_h)} h "
        f"({number(footprint.device_hours)} device-hours) in {facts.location}.",
        f"At an average draw of {number(footprint.power_w)} W ({facts.power_basis}) and a PUE of "
        f"{footprint.pue:.2f} ({facts.pue_source}), it used an estimated {number(footprint.energy_kwh)} kWh "
        f"(range {number(r.energy_kwh_low)}-{number(r.energy_kwh_high)} kWh) and emitted "
        f"{mass(footprint.co2e_kg)} CO2e (range {mass(r.co2e_kg_low)} to {mass(r.co2e_kg_high)}) at a "
        f"location-based grid intensity of {number(footprint.intensity_g_per_kwh)} gCO2e/kWh{year}.",
    ]
    if footprint.embodied_co2e_kg:
        sentences.append(
            f"Embodied emissions of the hardware, amortised over a 6-year life at 85% use {cite['bloom']}, "
            f"add {mass(footprint.embodied_co2e_kg)}, for a total of {mass(footprint.total_co2e_kg)} CO2e."
        )
    if footprint.market_co2e_kg is not None:
        sentences.append(f"The market-based figure is {mass(footprint.market_co2e_kg)} CO2e.")
    if comparison:
        sentences.append(comparison)
    if social is not None:
        central, low, high = social
        sentences.append(
            f"At a social cost of carbon of US${SOCIAL_COST.usd_per_tonne:.0f}/tCO2 (range "
            f"US${SOCIAL_COST.usd_per_tonne_low:.0f}-{SOCIAL_COST.usd_per_tonne_high:.0f}/t; emissions "
            f"year 2020, 2020 dollars) {cite['epa']}, these emissions cost about US${number(central)} "
            f"(US${number(low)}-{number(high)})."
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
    """
    references = references_for(spec, footprint, databases, social_cost)
    data_keys = [ref.key for ref in references if ref.key.startswith("db-")]
    if uses_default_pue(spec, databases):
        data_keys.append("uptime2024survey")
    facts = describe(spec, footprint, databases)
    social = social_cost_usd(footprint.co2e_kg) if social_cost else None

    md_cite = {
        "method": "(Strubell et al., 2019; Patterson et al., 2021; Lacoste et al., 2019)",
        "bloom": "(Luccioni et al., 2023)",
        "epa": "(US EPA, 2023)",
        "tool": "",
        "data": "(" + "; ".join(_short_cite(ref) for ref in references if ref.key in data_keys) + ")"
        if data_keys
        else "",
    }
    markdown_sentences = _paragraph(spec, footprint, facts, md_cite, comparison, social)
    markdown = " ".join(markdown_sentences).replace("  ", " ").replace(" .", ".")

    tex_cite = {
        "method": r"\citep{strubell2019energy,patterson2021carbon,lacoste2019quantifying}",
        "bloom": r"\citep{luccioni2023bloom}",
        "epa": r"\citep{epa2023scghg}",
        "tool": r"\citep{wattprint}",
        "data": (r"\citep{" + ",".join(data_keys) + "}") if data_keys else "",
    }
    placeholders = {key: f"@@CITE{index}@@" for index, key in enumerate(tex_cite)}
    raw = " ".join(_paragraph(spec, footprint, facts, placeholders, comparison, social))
    latex = latex_escape(raw).replace("CO2e", r"CO\textsubscript{2}e").replace("CO2", r"CO\textsubscript{2}")
    for key, token in placeholders.items():
        latex = latex.replace(latex_escape(token), tex_cite[key])
    latex = latex.replace("  ", " ").replace(" .", ".")

    svg, badge_md = badge(footprint.co2e_kg, footprint.energy_kwh)
    return Statement(
        markdown=markdown,
        latex=latex,
        bibtex=bibtex(references),
        model_card=model_card(footprint, facts, training_type),
        badge_svg=svg,
        badge_markdown=badge_md,
        cli=cli_line(spec),
        spec_json=spec_json(spec),
        references=tuple(references),
        social_cost_usd=social,
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


def model_card(footprint: Footprint, facts: JobDescription, training_type: str = "pre-training") -> str:
    """Hugging Face model-card metadata: a ``co2_eq_emissions`` block in YAML.

    Notes
    -----
    The Hub expects ``emissions`` in grams of CO2e, with ``source``, ``training_type``,
    ``geographical_location`` and ``hardware_used`` (Hugging Face, "Displaying carbon emissions
    for your model", https://huggingface.co/docs/hub/model-cards-co2).
    """
    location = re.sub(r"\s*\[[^\]]*\]$", "", facts.location)
    region_id = re.search(r"\[([^\]]*)\]$", facts.location)
    data = {
        "co2_eq_emissions": {
            "emissions": round(units.kg_to_g(footprint.co2e_kg), 3),
            "source": TOOL,
            "training_type": training_type,
            "geographical_location": location + (f" ({region_id.group(1)})" if region_id else ""),
            "hardware_used": facts.hardware,
        }
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


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
        "tool": TOOL,
        "references": [ref.key for ref in result.references],
    }
    if result.social_cost_usd is not None:
        central, low, high = result.social_cost_usd
        data["social_cost_usd"] = {"central": central, "low": low, "high": high, "basis": SOCIAL_COST.basis}
    return data


__all__ = [
    "DEFAULT_PUE",
    "SOCIAL_COST",
    "Reference",
    "Statement",
    "badge",
    "bibtex",
    "latex_escape",
    "model_card",
    "statement",
]
