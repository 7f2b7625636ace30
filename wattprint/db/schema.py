"""Schemas of the hardware and region databases (YAML files under ``hardware_db/`` and ``region_db/``).

Every numeric fact is a :class:`Fact`: a value with the key of its source (listed once in the
database's ``sources.yaml``: publisher, title, URL, year) and the year the figure refers to.
Units live in field names (``tdp_w``, ``bf16_tflops``, ``intensity_g_per_kwh``).

A file of the hardware database::

    family: nvidia-datacenter
    devices:
      - id: nvidia-h100-sxm5-80gb
        name: NVIDIA H100 SXM5 80GB
        vendor: nvidia
        kind: gpu
        form_factor: sxm5
        release_date: "2022-03"
        aliases: ["NVIDIA H100 80GB HBM3"]
        tdp_w: {value: 700, source: nvidia-h100-datasheet, year: 2023}
        bf16_tflops: {value: 989.4, source: nvidia-h100-datasheet, year: 2023}

A file of the region database::

    regions:
      - id: gcp:europe-west6
        kind: cloud
        provider: gcp
        name: Zurich
        country: CH
        grid: country:CH            # lifecycle figure inherited from the grid
        latitude: 47.38
        longitude: 8.54
        provider_intensity_g_per_kwh:
          - {year: 2024, value: 15.0, source: google-region-carbon-2024, basis: operational}
        pue:
          - {year: 2024, value: 1.09, source: google-dc-efficiency-2024}
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

HARDWARE_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9.]+)*$")
REGION_ID_PATTERN = re.compile(r"^[a-z][a-z0-9-]*:[A-Za-z0-9._-]+$")
DATE_PATTERN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

HardwareKind = Literal["gpu", "tpu", "npu", "cpu", "soc", "accelerator"]
PowerBasis = Literal["vendor", "measured", "estimate", "model"]
"""Where a power figure comes from: the vendor's document, a measurement, an estimate, a model."""
EmbodiedBasis = Literal["vendor", "published", "model", "proxy"]
"""Where an embodied figure comes from: a manufacturer's product carbon footprint, a published
study, a cited model (e.g. ACT) whose inputs are listed with it, or a proxy (another product's
published figure, named in ``scope``, used where this product has none)."""
EMBODIED_BASIS_WORDS: dict[str, str] = {
    "vendor": "manufacturer PCF",
    "published": "published study",
    "model": "lower bound (dies and memory)",
    "proxy": "proxy (no published figure for this product)",
}
"""How each embodied basis is said in words next to a figure (estimate, report, pages)."""
HostKind = Literal["gpu-server", "cpu-node"]
RegionKind = Literal["cloud", "country", "grid", "world"]
IntensityBasis = Literal["lifecycle", "direct", "operational", "scope2+3", "consumption", "marginal"]
INTENSITY_BASES: tuple[str, ...] = (
    "lifecycle",
    "direct",
    "operational",
    "scope2+3",
    "consumption",
    "marginal",
)
"""The closed vocabulary of what an intensity figure counts (``region_db/README.md``):
``lifecycle`` IPCC AR5 medians over the generation mix (as Ember computes countries), ``direct``
stack CO2 or CO2e of generation, ``operational`` a provider's own figure, ``scope2+3`` a national
accounts factor with upstream and losses, ``consumption`` per kWh consumed (losses, trade),
``marginal`` the emissions of the generation a change in demand moves (AVERT hourly avoided
emissions, IFI operating margin): another question than an average, never ranked with one."""
DEFAULT_BASIS = "lifecycle"

PRECISION_FIELDS: tuple[str, ...] = (
    "fp64_tflops",
    "fp32_tflops",
    "tf32_tflops",
    "bf16_tflops",
    "fp16_tflops",
    "fp8_tflops",
    "fp4_tflops",
    "int8_tops",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A cited publication: who published it, its title, where to read it, and its year."""

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    url: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    license: str | None = None
    accessed: str | None = None


class Fact(_Strict):
    """A number with its source key and the year the figure refers to."""

    value: float
    source: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    note: str | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        return value


class RangeFact(_Strict):
    """A configurable range (e.g. a power limit range) with its source."""

    min: float
    max: float
    source: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> RangeFact:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class ModelInput(_Strict):
    """One input of a modelled figure: its value, unit and the key of the document that states it."""

    value: float
    unit: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str | None = None


_FORMULA_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def evaluate_formula(formula: str, inputs: Mapping[str, float]) -> float:
    """The value of ``formula`` (names of ``inputs``, numbers, + - * / and parentheses)."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _FORMULA_OPERATORS:
            return float(_FORMULA_OPERATORS[type(node.op)](walk(node.left), walk(node.right)))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in inputs:
            return float(inputs[node.id])
        raise ValueError(f"formula {formula!r}: only input names, numbers and + - * / are allowed")

    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as error:
        raise ValueError(f"formula {formula!r} is not an expression") from error
    return walk(tree)


class PowerFact(Fact):
    """A power figure [W] with its basis; any basis but ``vendor`` names its method.

    ``vendor`` is the maximum board power (TDP) in the vendor's own document; ``measured`` a
    measured board power (e.g. a paper's peak or MLPerf Power); ``estimate`` a figure compiled
    or derived by a third party; ``model`` one computed from a documented model. A ``model``
    figure is stated by no document: it lists its ``inputs`` (each with the document that states
    it) and the ``formula`` over them, which must give the value (within 1%); its ``source`` is
    the document of one of its inputs.
    """

    basis: PowerBasis = "vendor"
    method: str | None = None
    inputs: dict[str, ModelInput] | None = None
    formula: str | None = None

    @model_validator(mode="after")
    def _method_named(self) -> PowerFact:
        if self.basis != "vendor" and not self.method:
            raise ValueError(f"a power figure with basis {self.basis!r} needs a method")
        if self.basis == "model":
            if not self.inputs or not self.formula:
                raise ValueError("a modelled power figure lists its inputs (with sources) and its formula")
            if self.source not in {i.source for i in self.inputs.values()}:
                raise ValueError(
                    f"a modelled power figure cites one of its inputs' documents, not {self.source!r}"
                )
            computed = evaluate_formula(self.formula, {k: i.value for k, i in self.inputs.items()})
            if abs(computed - self.value) > 0.01 * abs(self.value):
                raise ValueError(f"formula {self.formula!r} gives {computed:.4g}, not {self.value:g}")
        elif self.inputs or self.formula:
            raise ValueError("only a modelled power figure (basis model) has inputs and a formula")
        return self

    @property
    def is_estimate(self) -> bool:
        """True where the figure is not the vendor's own (estimated, measured or modelled)."""
        return self.basis != "vendor"


class EmbodiedFact(Fact):
    """Embodied (manufacturing) emissions of one device [kgCO2e], with the method used.

    ``scope`` says what the figure covers (e.g. one GPU's eighth of an 8-GPU board);
    ``inputs`` lists a model's inputs (die area [mm2], process node, memory [GB], ...).
    """

    method: str = Field(min_length=1)
    basis: EmbodiedBasis = "published"
    scope: str | None = None
    inputs: dict[str, float | str] | None = None

    @model_validator(mode="after")
    def _model_inputs(self) -> EmbodiedFact:
        if self.basis == "model" and not self.inputs:
            raise ValueError("an embodied figure with basis 'model' lists its inputs")
        if self.basis == "proxy" and not self.scope:
            raise ValueError("an embodied figure with basis 'proxy' names what it stands in for in scope")
        return self

    @property
    def basis_words(self) -> str:
        """The basis as said next to the figure, e.g. "lower bound (dies and memory)"."""
        return EMBODIED_BASIS_WORDS[self.basis]


class Device(_Strict):
    """One accelerator or CPU."""

    id: str
    name: str = Field(min_length=1)
    vendor: str = Field(min_length=1)
    kind: HardwareKind
    form_factor: str | None = None
    release_date: str | None = None
    aliases: tuple[str, ...] = ()
    tdp_w: PowerFact
    power_range_w: RangeFact | None = None
    cores: Fact | None = None
    fp64_tflops: Fact | None = None
    fp32_tflops: Fact | None = None
    tf32_tflops: Fact | None = None
    bf16_tflops: Fact | None = None
    fp16_tflops: Fact | None = None
    fp8_tflops: Fact | None = None
    fp4_tflops: Fact | None = None
    int8_tops: Fact | None = None
    memory_gb: Fact | None = None
    memory_bandwidth_gb_s: Fact | None = None
    embodied_kgco2e: EmbodiedFact | None = None
    embodied_product_kgco2e: EmbodiedFact | None = None
    shared_names: tuple[str, ...] = ()
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not HARDWARE_ID_PATTERN.match(value):
            raise ValueError(f"id {value!r} is not lowercase kebab case (vendor-model-variant)")
        return value

    @field_validator("release_date")
    @classmethod
    def _date_format(cls, value: str | None) -> str | None:
        if value is not None and not DATE_PATTERN.match(value):
            raise ValueError(f"release_date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return value


class HardwareFile(_Strict):
    """One YAML file of ``hardware_db/``."""

    family: str = Field(min_length=1)
    devices: tuple[Device, ...]


class Host(_Strict):
    """A host machine (GPU server or CPU node) and its manufacturing emissions [kgCO2e].

    ``devices_per_host`` is how many accelerators (GPU servers) or CPU sockets (CPU nodes) it
    holds: a job on ``count`` devices carries ``count / devices_per_host`` of the host.
    ``manufacturing_kgco2e`` has basis ``vendor`` (a manufacturer's product carbon footprint) or
    ``proxy`` (a study's per-server figure, named in ``scope``); ``includes`` says what the
    figure covers; ``lifetime_years`` the life it is amortised over, with its source.
    """

    id: str
    name: str = Field(min_length=1)
    vendor: str = Field(min_length=1)
    kind: HostKind
    devices_per_host: int = Field(gt=0, le=64)
    manufacturing_kgco2e: EmbodiedFact
    includes: str = Field(min_length=1)
    lifetime_years: float = Field(gt=0, le=20)
    lifetime_source: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not HARDWARE_ID_PATTERN.match(value):
            raise ValueError(f"id {value!r} is not lowercase kebab case (vendor-model-variant)")
        return value

    @model_validator(mode="after")
    def _host_basis(self) -> Host:
        if self.manufacturing_kgco2e.basis not in ("vendor", "proxy"):
            raise ValueError("a host's manufacturing figure is a manufacturer PCF (vendor) or a proxy")
        return self


class HostFile(_Strict):
    """A ``hardware_db/hosts*.yaml`` file: hosts, with the sources and licence of that file."""

    license: str | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    hosts: tuple[Host, ...]


class YearFact(_Strict):
    """A value for one year (intensity [gCO2e/kWh], PUE [-] or carbon-free energy fraction [-])."""

    year: int = Field(ge=1990, le=2100)
    value: float
    source: str = Field(min_length=1)
    note: str | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("must be a finite number")
        return value


class IntensityFact(YearFact):
    """A grid intensity for one year [gCO2e/kWh] with the basis it was measured on."""

    basis: IntensityBasis


class MissingIntensity(_Strict):
    """A year a source lists without a usable figure (e.g. reported as 0), kept with the reason."""

    year: int = Field(ge=1990, le=2100)
    basis: IntensityBasis
    source: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class Region(_Strict):
    """A cloud region, a country, a sub-national grid or the world.

    ``intensity_g_per_kwh`` holds location-based grid figures (any basis, one per basis and
    year); ``provider_intensity_g_per_kwh`` a provider's own per-region figures, shown beside
    them and ranked only among themselves; ``ratio_exception`` the reason a cloud region's
    lifecycle figure may lie outside 0.5-2x its country's.
    """

    id: str
    kind: RegionKind
    name: str = Field(min_length=1)
    provider: str | None = None
    city: str | None = None
    country: str | None = None
    subdivision: str | None = None
    continent: str | None = None
    grid: str | None = None
    linked: tuple[str, ...] = ()
    """Entries of other files holding figures for the same place (its Electricity Maps zone, its
    IFI or AVERT marginal figures): looked up right after this entry, before its grid."""
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    aliases: tuple[str, ...] = ()
    intensity_g_per_kwh: tuple[IntensityFact, ...] = ()
    provider_intensity_g_per_kwh: tuple[IntensityFact, ...] = ()
    intensity_missing: tuple[MissingIntensity, ...] = ()
    ratio_exception: str | None = None
    cfe_fraction: tuple[YearFact, ...] = ()
    pue: tuple[YearFact, ...] = ()
    profile: str | None = None
    price_index: float | None = None
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not REGION_ID_PATTERN.match(value):
            raise ValueError(f"id {value!r} is not 'prefix:code' (e.g. aws:us-east-1, country:FR)")
        return value

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Z]{2}$", value):
            raise ValueError(f"country {value!r} is not an ISO 3166-1 alpha-2 code")
        return value


class Provider(_Strict):
    """A cloud provider and its fleet-wide PUE by year."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    pue: tuple[YearFact, ...] = ()


class RegionFile(_Strict):
    """One YAML file of ``region_db/``."""

    providers: tuple[Provider, ...] = ()
    regions: tuple[Region, ...] = ()


class Profile(_Strict):
    """An intensity time series stored under ``region_db/profiles/``."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    file: str = Field(min_length=1)
    grid: str = Field(min_length=1)
    resolution_minutes: int = Field(gt=0)
    start: str
    end: str
    timezone: str = "UTC"
    source: str = Field(min_length=1)
    method: str = Field(min_length=1)
    basis: IntensityBasis = "lifecycle"
    """What the series counts: an average (``lifecycle``) or a ``marginal`` rate (AVERT)."""
    gaps_filled: int = Field(default=0, ge=0)
    gap_rule: str | None = None
    generation_share: dict[str, float] | None = None
    notes: str | None = None


class ProfileIndex(_Strict):
    """``region_db/profiles/index.yaml``."""

    profiles: tuple[Profile, ...]
