"""Read the ``emissions.csv`` files CodeCarbon writes (layouts of versions 1.x to 3.x).

CodeCarbon appends one row per flush; each row is cumulative for its run, so a run's last row
holds its total duration [s], energy [kWh] and emissions [kg]. Version 1.x files may lack
``run_id``: runs are then split where the duration falls back (a new run restarts its clock)
or the project changes. Extra columns (newer versions: water, tracking details) are kept;
missing optional ones are left empty.

Files over :data:`MAX_FILE_BYTES` (64 MiB, some 200,000 rows) are refused before reading; so
are folders, binary (non UTF-8) files and files without CodeCarbon's columns. A ``;`` or tab
delimited copy (a spreadsheet's export) is read like the comma-separated original.

Messy files are read, not refused: a UTF-8 byte order mark, a repeated header line (files
appended to by several versions), empty fields and a truncated last line are skipped or
left empty and reported as warnings naming the line.

References
----------
.. [1] CodeCarbon, ``codecarbon/output_methods/file.py`` and ``EmissionsData``
   (https://github.com/mlco2/codecarbon): duration [s], emissions [kg CO2eq], energy [kWh].
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from app.errors import InputError

REQUIRED = ("duration", "emissions", "energy_consumed")
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
    "cpu_count",
    "gpu_count",
    "longitude",
    "latitude",
    "ram_total_size",
    "pue",
)
TEXT = (
    "timestamp",
    "project_name",
    "run_id",
    "experiment_id",
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
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest emissions file read [bytes]."""


@dataclass(frozen=True)
class EmissionsFile:
    """Rows of one file (``line`` = line number in the file) and the warnings found."""

    path: str
    rows: pd.DataFrame
    warnings: tuple[str, ...]


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return math.nan
    return value if math.isfinite(value) else math.nan


def parse_emissions(text: str, name: str = "emissions.csv") -> EmissionsFile:
    """Parse the text of an ``emissions.csv``; InputError when it is not one at all."""
    text = text.lstrip("\ufeff")
    warnings: list[str] = []
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(f"{name}: not valid CSV ({error})") from None
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise InputError(f"{name}: empty; expected CodeCarbon's emissions.csv header")
    header = [cell.strip().lstrip("\ufeff") for cell in lines[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            f"{name}: not a CodeCarbon emissions file (missing {', '.join(missing)}); "
            f"expected columns such as {', '.join(REQUIRED)}"
        )
    records = []
    ends_with_newline = text.endswith("\n")
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if [c.strip() for c in cells] == header:
            warnings.append(f"{name} line {number}: repeated header line skipped")
            continue
        if len(cells) != len(header):
            last = number == len(lines)
            why = "truncated last line" if last and not ends_with_newline else "wrong number of fields"
            warnings.append(f"{name} line {number}: {why} ({len(cells)} of {len(header)} fields), skipped")
            continue
        record: dict[str, object] = {"file": name, "line": number}
        for key, cell in zip(header, cells, strict=True):
            value = cell.strip()
            if key in NUMERIC:
                record[key] = _number(value) if value else math.nan
            else:
                record[key] = value or None
        unusable = [k for k in ("energy_consumed", "duration") if math.isnan(float(str(record[k])))]
        if unusable:
            given = {k: v.strip() for k, v in zip(header, cells, strict=True)}
            why = "; ".join(
                f"{k} is {given[k]!r}, not a number" if given[k] else f"{k} is empty" for k in unusable
            )
            warnings.append(f"{name} line {number}: {why}, skipped")
            continue
        records.append(record)
    columns = ["file", "line", *header]
    rows = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    for key in (*NUMERIC, *TEXT):
        if key not in rows.columns:
            rows[key] = math.nan if key in NUMERIC else None
    return EmissionsFile(name, rows, tuple(warnings))


def read_emissions(path: Path) -> EmissionsFile:
    """Read one CodeCarbon ``emissions.csv``; InputError when missing or not such a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give CodeCarbon's emissions.csv file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_FILE_BYTES // 2**20} MiB; split it by run (project_name, run_id)"
        )
    try:
        text = path.read_text(encoding="utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return parse_emissions(text, str(path))
