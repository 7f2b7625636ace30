"""Read the ``emissions.csv`` files CodeCarbon writes (every layout from 1.x to 3.x, and task files).

Layouts
-------
- 1.x (2020-2021): ``timestamp, experiment_id, project_name, duration, emissions,
  energy_consumed, ...``; no ``run_id``. Each tracker run gets a fresh ``experiment_id``.
- Mid 2021 - early 2022: neither ``run_id`` nor ``experiment_id`` (power and energy per
  component added); some files carry empty header cells.
- 2.x: ``run_id`` (one per tracker run), ``codecarbon_version``, ``pue``.
- 3.x: ``run_id`` and ``experiment_id`` (a constant, shared by runs), ``water_consumed``, ``wue``,
  utilisation columns.
- Task files (``tracker.start_task()/stop_task()``, ``emissions_<experiment>_<run_id>.csv``): a
  ``task_name`` column; each row is one task's own energy, not a cumulative flush.

A file appended to by several versions (or several files concatenated) repeats a header line; a
header line with a different layout switches the columns used for the rows after it.

How runs are formed is decided by :func:`wattprint.engine.codecarbon.runs`; this module only reads.

What is refused, and what is reported
-------------------------------------
Refused before reading (:class:`~wattprint.errors.InputError`, exit code 2): a missing file, a folder
or special file, a file over :data:`MAX_FILE_BYTES` (64 MiB, some 200,000 rows), binary (non UTF-8)
data, a file without CodeCarbon's columns. A ``;`` or tab delimited copy (a spreadsheet's export)
is read like the comma-separated original.

Reported per line as a warning and left out of every total (never read as 0): an empty, non-number,
non-finite or negative ``duration``, ``energy_consumed`` or ``emissions`` (the row is skipped when
its duration or energy is unusable; an unusable ``emissions`` only leaves CodeCarbon's own CO2e of
that run unknown), a line with the wrong number of fields (a torn last line), NUL bytes (removed;
a crash can leave a block of them), a repeated header line. Other quirks are read silently: a
UTF-8 byte order mark, CRLF line ends, spaces around header names and cells. Header cells that are
empty, repeated, or named ``file``/``line`` (the names of the position columns this reader adds)
are renamed (``column_19``, ``energy_consumed_2``, ``file_column``) with a warning.

References
----------
.. [1] CodeCarbon, ``codecarbon/output_methods/emissions_data.py`` (``EmissionsData``,
   ``TaskEmissionsData``) and ``codecarbon/output_methods/file.py`` (``out``, ``task_out``),
   https://github.com/mlco2/codecarbon: duration [s], emissions [kg CO2eq], energy [kWh].
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from wattprint.engine import codecarbon, limits
from wattprint.engine.codecarbon import GridFigure
from wattprint.errors import InputError
from wattprint.files import input_file

if TYPE_CHECKING:
    from wattprint.db.loader import RegionDB

REQUIRED = ("duration", "emissions", "energy_consumed")
CHECKED = ("duration", "energy_consumed", "emissions")
"""Columns whose bad values are reported per line (the others become empty silently)."""
NUMERIC = (
    "duration",
    "emissions",
    "emissions_rate",
    "cpu_power",
    "gpu_power",
    "ram_power",
    "cpu_energy",
    "gpu_energy",
    "ram_energy",
    "energy_consumed",
    "water_consumed",
    "cpu_count",
    "gpu_count",
    "longitude",
    "latitude",
    "ram_total_size",
    "pue",
    "wue",
)
TEXT = (
    "timestamp",
    "project_name",
    "run_id",
    "experiment_id",
    "task_name",
    "codecarbon_version",
    "country_name",
    "country_iso_code",
    "region",
    "cloud_provider",
    "cloud_region",
    "cpu_model",
    "gpu_model",
    "tracking_mode",
    "on_cloud",
)
POSITION = ("file", "line")
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest emissions file read [bytes]."""
MAX_WARNINGS = 200
"""Warnings kept per file; a count of the rest is the last warning."""


@dataclass(frozen=True)
class EmissionsFile:
    """Rows of one file (``line`` = line number in the file) and the warnings found."""

    path: str
    rows: pd.DataFrame
    warnings: tuple[str, ...]


def _header(cells: list[str], name: str, number: int, warnings: list[str]) -> list[str]:
    """Clean header names: stripped; empty, repeated and reserved names renamed (with a warning)."""
    header: list[str] = []
    unnamed = 0
    for position, cell in enumerate(cells, start=1):
        key = cell.strip().strip('"').strip()
        lowered = key.lower()
        if lowered in (*REQUIRED, *NUMERIC, *TEXT):
            key = lowered
        if not key:
            key = f"column_{position}"
            unnamed += 1
        elif key in POSITION:
            warnings.append(f"{name} line {number}: column {key!r} renamed {key}_column")
            key = f"{key}_column"
        if key in header:
            suffix = 2
            while f"{key}_{suffix}" in header:
                suffix += 1
            warnings.append(
                f"{name} line {number}: column {key!r} repeated; the first one is read, "
                f"this one is kept as {key}_{suffix}"
            )
            key = f"{key}_{suffix}"
        header.append(key)
    if unnamed:
        warnings.append(f"{name} line {number}: {unnamed} empty header cells, kept as column_N")
    return header


def _looks_like_header(cells: list[str]) -> bool:
    names = {cell.strip().strip('"').strip().lower() for cell in cells}
    return set(REQUIRED) <= names


def _checked_number(text: str) -> tuple[float, str]:
    """(value, problem): NaN and a reason for an empty, non-number, non-finite or negative cell."""
    if not text:
        return math.nan, "is empty"
    try:
        value = float(text)
    except ValueError:
        return math.nan, f"is {text[:40]!r}, not a number"
    if not math.isfinite(value):
        return math.nan, f"is {text[:40]!r}, not a finite number"
    if value < 0:
        return math.nan, f"is {text[:40]}, negative"
    return value, ""


LIMITED = {"duration": "duration_s", "energy_consumed": "energy_kwh"}
"""CodeCarbon columns checked against the shared limits (:mod:`wattprint.engine.limits`)."""
MAX_EMISSIONS_KG = limits.MAX_ENERGY_KWH * limits.FIELDS["intensity_g_per_kwh"].high / 1000.0
"""Largest ``emissions`` of a row [kg]: the largest energy at the largest intensity."""


def _limit_problem(key: str, value: float) -> str:
    """Why a finite, non-negative ``value`` of column ``key`` is refused, or ``""``."""
    if math.isnan(value):
        return ""
    if key in LIMITED:
        return limits.problem(LIMITED[key], value) or ""
    if key == "emissions" and value > MAX_EMISSIONS_KG:
        return f"is {value:g}, over {MAX_EMISSIONS_KG:g} kg (the largest energy at 5000 gCO2e/kWh)"
    return ""


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def _delimiter(text: str) -> str:
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def parse_emissions(text: str, name: str = "emissions.csv") -> EmissionsFile:
    """Parse the text of an ``emissions.csv``; InputError when it is not one at all."""
    warnings: list[str] = []
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        lines_with_nul = [str(n) for n, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
        shown = ", ".join(lines_with_nul[:5]) + (" ..." if len(lines_with_nul) > 5 else "")
        warnings.append(f"{name} line {shown}: NUL bytes removed")
        text = text.replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        first = next(reader, None)
        while first is not None and not any(cell.strip() for cell in first):
            first = next(reader, None)
    except csv.Error as error:
        raise InputError(f"{name}: not valid CSV ({error})") from None
    if first is None:
        raise InputError(f"{name}: empty; expected CodeCarbon's emissions.csv header")
    header_number = reader.line_num
    header = _header(first, name, header_number, warnings)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"{name}: not a CodeCarbon emissions file (missing {', '.join(missing)}); "
            f"expected columns such as {', '.join(REQUIRED)}"
        )
    records: list[dict[str, object]] = []
    ends_with_newline = text.endswith(("\n", "\r"))
    raw_header = [c.strip() for c in first]
    numbered: list[tuple[int, list[str]]] = []
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            warnings.append(f"{name} line {previous_end + 1}: not valid CSV ({error}), skipped")
            previous_end = reader.line_num
            continue
        numbered.append((previous_end + 1, cells))
        previous_end = reader.line_num
    for position, (number, cells) in enumerate(numbered):
        if not any(cell.strip() for cell in cells):
            continue
        if [c.strip() for c in cells] == raw_header:
            warnings.append(f"{name} line {number}: repeated header line skipped")
            continue
        if _looks_like_header(cells):
            header, raw_header = _header(cells, name, number, []), [c.strip() for c in cells]
            warnings.append(
                f"{name} line {number}: a header of another layout; the rows after it are read with it"
            )
            continue
        if len(cells) != len(header):
            last = position == len(numbered) - 1
            why = "truncated last line" if last and not ends_with_newline else "wrong number of fields"
            warnings.append(f"{name} line {number}: {why} ({len(cells)} of {len(header)} fields), skipped")
            continue
        record: dict[str, object] = {"file": name, "line": number}
        problems: list[str] = []
        for key, cell in zip(header, cells, strict=True):
            if key in record:
                continue  # a repeated column renamed _2 never clashes; position names are reserved
            value = cell.strip()
            if key in CHECKED:
                record[key], problem = _checked_number(value)
                problem = problem or _limit_problem(key, float(str(record[key])))
                if problem:
                    record[key] = math.nan
                    problems.append(f"{key} {problem}")
            elif key == "pue" and value:
                record[key] = _number(value)
                reason = limits.problem("pue", float(str(record[key])))
                if reason:
                    problems.append(
                        f"pue {value[:40]!r}: {reason.replace('nan is not a number', 'not a number')}"
                    )
            elif key in NUMERIC:
                record[key] = _number(value) if value else math.nan
            else:
                record[key] = value or None
        if problems:
            fatal = any(p.startswith(("duration", "energy_consumed", "pue")) for p in problems)
            outcome = "skipped" if fatal else "CodeCarbon's CO2e of this run left unknown"
            warnings.append(f"{name} line {number}: {'; '.join(problems)}, {outcome}")
            if fatal:
                continue
        records.append(record)
    if len(warnings) > MAX_WARNINGS:
        warnings = [*warnings[:MAX_WARNINGS], f"{name}: {len(warnings) - MAX_WARNINGS} more warnings"]
    columns = list(dict.fromkeys(["file", "line", *(k for r in records for k in r)]))
    if not records:
        columns = list(dict.fromkeys(["file", "line", *header]))
    rows = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    for key in (*NUMERIC, *TEXT):
        if key not in rows.columns:
            rows[key] = math.nan if key in NUMERIC else None
    for key in NUMERIC:
        rows[key] = pd.to_numeric(rows[key], errors="coerce").astype("float64")
    for key in TEXT:
        rows[key] = rows[key].astype(object).where(rows[key].notna(), None)
    return EmissionsFile(name, rows, tuple(warnings))


def read_emissions(path: Path) -> EmissionsFile:
    """Read one CodeCarbon ``emissions.csv``; InputError when missing or not such a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give CodeCarbon's emissions.csv file")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    input_file(path, "emissions file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB; split it by run (project_name, run_id)"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot be read: {error.strerror or type(error).__name__}") from None
    try:
        text = data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return parse_emissions(text, os.fspath(path))


def where_ran_figures(places: pd.DataFrame, regions: RegionDB) -> dict[tuple[str, int | None], GridFigure]:
    """The grid figure [gCO2e/kWh] of each (``own_region``, ``ran_year``) of ``places``: the
    region's default-basis figure for the year the run started, else its latest (the table that
    :func:`wattprint.engine.codecarbon.price_where_ran` reads). Regions without a figure are left
    out, so their runs stay unpriced."""
    figures: dict[tuple[str, int | None], GridFigure] = {}
    pairs = {
        (str(region), None if pd.isna(year) else int(year))
        for region, year in zip(places["own_region"], places["ran_year"], strict=True)
        if isinstance(region, str)
    }
    for region, year in sorted(pairs, key=lambda pair: (pair[0], pair[1] or 0)):
        years = regions.intensity_years(region)
        if not years:
            continue
        found = regions.intensity(region, year if year in years else None)
        figures[(region, year)] = GridFigure(
            found.value, found.year, str(found.basis), found.source, found.region_id
        )
    return figures


def what_if_pue(
    run_table: pd.DataFrame,
    regions: RegionDB,
    region_id: str,
    year: int | None,
    mode: str,
    given_pue: float | None = None,
) -> tuple[float | None, str]:
    """The PUE [-] the what-if applies to the runs' IT energy in ``region_id`` (None: the energy as
    measured), and why, in words (:func:`wattprint.engine.codecarbon.what_if_pue_note`).

    ``mode`` ``region`` takes the region's own or its provider's PUE for ``year`` (the latest
    published when that year is not), as measured when the database has none; ``measured`` keeps
    the files' energy; ``given`` applies ``given_pue``."""
    if mode not in codecarbon.PUE_MODES:
        raise InputError(f"PUE mode must be one of {', '.join(codecarbon.PUE_MODES)}, got {mode!r}")
    found = regions.pue(region_id, year)
    region_pue = found.value if found is not None else None
    pue_from = f"{found.region_id}, {found.source}, {found.year}" if found is not None else None
    if mode == "given":
        if given_pue is None:
            raise InputError("give the PUE to apply, from 1.0 to 5.0")
        pue: float | None = given_pue
    else:
        pue = region_pue if mode == "region" else None
    note = codecarbon.what_if_pue_note(
        regions.get(region_id).id,
        mode,
        codecarbon.files_pue_words(run_table),
        region_pue,
        pue_from,
        given_pue if mode == "given" else None,
    )
    return pue, note
