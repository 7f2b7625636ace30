"""Read the ``emissions.csv`` files CodeCarbon writes (layouts of versions 1.x to 3.x).

CodeCarbon appends one row per flush; each row is cumulative for its run, so a run's last row
holds its total duration [s], energy [kWh] and emissions [kg]. Version 1.x files may lack
``run_id``: runs are then split where the duration falls back (a new run restarts its clock)
or the project changes. Extra columns (newer versions: water, tracking details) are kept;
missing optional ones are left empty.

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
MAX_FILE_BYTES = 200 * 1024 * 1024


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
    lines = list(csv.reader(io.StringIO(text)))
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
        if math.isnan(float(str(record["energy_consumed"]))) or math.isnan(float(str(record["duration"]))):
            warnings.append(f"{name} line {number}: no energy_consumed or duration, skipped")
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
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(f"{path}: over {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return parse_emissions(text, str(path))
