"""One table of the limits of every job field, shared by every way a job enters.

The CLI's flags (:mod:`wattprint.commands.common`), the rows of a batch file (CSV, Parquet, dask
partitions; :mod:`wattprint.engine.batch`, vectorised), CodeCarbon rows
(:mod:`wattprint.db.codecarbon`) and the web uploads all check a value against :data:`FIELDS`
and word a refusal with :func:`message`, so a value refused in one place is refused, with the
same words, in every other.

Rules beyond the ranges:

- ``NaN`` is never a default: a cell that holds ``nan`` is an error of its row
  (:func:`check_value` raises; :func:`bad_mask` flags it when the caller asks).
- ``-0`` is read as ``0`` (:func:`clean`), so no ``-0.0`` reaches an output.
- A value that is not zero but smaller in size than :data:`MIN_NONZERO` (subnormal numbers
  such as ``1e-320`` included) is refused: it is no measurement, and it would print as ``0``.
- An intensity strictly between 0 and 1 gCO2e/kWh is refused as a likely kg/kWh figure: no
  grid's intensity is below 1 gCO2e/kWh.
- :data:`MAX_ENERGY_KWH` is the one overflow guard of the engine, the batch path and the
  CodeCarbon reader: no job's energy above it, so no total is infinite and no figure has
  hundreds of digits.

References
----------
The limits are those of :func:`wattprint.engine.footprint.validate_job` (durations up to
10,000,000 h, device-hours up to 1e12, 0.001-1e8 devices, powers up to 1 GW, PUE 1.0-5.0,
intensity up to 5000 gCO2e/kWh).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy only where arrays are checked: the CLI's flags never load it
    import numpy as np

from wattprint.errors import InputError

MIN_NONZERO = 1e-9
"""Smallest size of a value other than 0 accepted in any job field [the field's unit]."""
MAX_ENERGY_KWH = 1e15
"""Largest energy of one job or run [kWh]; beyond it, or on overflow, the job is refused."""


@dataclass(frozen=True)
class Field:
    """Limits of one job field: ``low`` <= value <= ``high`` [``unit``]."""

    name: str
    low: float
    high: float
    unit: str
    whole: bool = False

    shown: str = ""

    @property
    def valid(self) -> str:
        """What is valid, in words: ``valid: 1.0-5.0``."""
        if self.shown:
            return f"valid: {self.shown}"
        unit = f" {self.unit}" if self.unit else ""
        kind = " (a whole number)" if self.whole else ""
        return f"valid: {self.low:,.10g}-{self.high:,.10g}{unit}{kind}"


FIELDS: dict[str, Field] = {
    field.name: field
    for field in (
        Field("count", 0.001, 1e8, "devices"),
        Field("hours", 0.0, 10_000_000.0, "h"),
        Field("device_hours", 0.0, 1e12, "h"),
        Field("power_w", 0.0, 1e9, "W"),
        Field("total_power_w", 0.0, 1e9, "W"),
        Field("utilization", 0.0, 1.5, "", shown="0-1.5 (fraction of TDP)"),
        Field("pue", 1.0, 5.0, "", shown="1.0-5.0"),
        Field("year", 1990, 2100, "", whole=True, shown="a whole number from 1990 to 2100"),
        Field("intensity_g_per_kwh", 0.0, 5000.0, "", shown="0-5000 gCO2e/kWh"),
        Field("net_intensity_g_per_kwh", 0.0, 5000.0, "", shown="0-5000 gCO2e/kWh"),
        Field("cpu_power_w", 0.0, 1e6, "W"),
        Field("memory_power_w", 0.0, 1e6, "W"),
        Field("energy_kwh", 0.0, MAX_ENERGY_KWH, "kWh"),
        Field("duration_s", 0.0, 10_000_000.0 * 3600.0, "s"),
    )
}
"""Every job field's limits, by the field's batch column name."""
INTENSITY_FIELDS = ("intensity_g_per_kwh", "net_intensity_g_per_kwh")


def clean(value: float) -> float:
    """``value`` with ``-0.0`` read as ``0.0``."""
    return value + 0.0


def problem(name: str, value: float) -> str | None:
    """Why ``value`` is refused in field ``name`` (without the field's name), or None."""
    field = FIELDS[name]
    if math.isnan(value):
        return f"nan is not a number; {field.valid}"
    if math.isinf(value):
        return f"must be a finite number; {field.valid}"
    if not field.low <= value <= field.high:
        return f"{value:g} is out of range; {field.valid}"
    if value != 0 and abs(value) < MIN_NONZERO:
        return f"{value:g} is too small to be a measurement; give 0 or at least {MIN_NONZERO:g}"
    if field.whole and value != math.floor(value):
        return f"{value:g} is not a whole number; {field.valid}"
    if name in INTENSITY_FIELDS and 0 < value < 1:
        return f"{value:g} looks like kg/kWh (no grid is below 1 gCO2e/kWh); give gCO2e/kWh, i.e. x 1000"
    return None


def message(name: str, value: float) -> str:
    """The refusal of ``value`` in field ``name``: ``"pue: 0.5 is out of range; valid: 1-5"``."""
    return f"{name}: {problem(name, value)}"


def check_value(name: str, value: float) -> float:
    """``value`` cleaned (:func:`clean`) when field ``name`` accepts it, else a one-line InputError."""
    reason = problem(name, float(value))
    if reason is not None:
        raise InputError(f"{name}: {reason}")
    return clean(float(value))


def bad_mask(name: str, values: np.ndarray) -> np.ndarray:
    """Rows of ``values`` that field ``name`` refuses, vectorised (array comparisons only).

    ``NaN`` (a value not given) is not flagged here: whether a field may be left out is the
    caller's rule; infinite values are flagged.
    """
    import numpy as np

    field = FIELDS[name]
    with np.errstate(invalid="ignore"):
        bad = (values < field.low) | (values > field.high) | np.isinf(values)
        bad |= (values != 0) & (np.abs(values) < MIN_NONZERO)
        if field.whole:
            bad |= np.isfinite(values) & (values != np.floor(values))
        if name in INTENSITY_FIELDS:
            bad |= (values > 0) & (values < 1)
    result: np.ndarray = bad
    return result
