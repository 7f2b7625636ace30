"""Read carbon-intensity series: the bundled profiles and users' CSV files.

All file I/O of series sits here; the engine (:mod:`wattprint.engine.timeshift`) takes the
``pandas.Series`` these return: intensity [gCO2e/kWh] indexed by time-zone-aware UTC timestamps,
named ``intensity_g_per_kwh``.

Notes
-----
User CSVs are recognised by their header (case-insensitive):

- **wattprint / generic**: a timestamp column (``timestamp``, ``datetime``, ``time``, ``date``,
  or any name containing "time" or "date") and an intensity column in gCO2e/kWh
  (``intensity_g_per_kwh``, or a name containing "intensity", "gco2" or "carbon"); a file with
  exactly two columns takes the second as the intensity.
- **Electricity Maps export**: ``Datetime (UTC)`` and ``Carbon Intensity gCO₂eq/kWh (LCA)``
  (life-cycle, used by default) or ``... (direct)``; both are gCO2e/kWh.
- **WattTime**: ``point_time`` and ``value``. WattTime's MOER is in lbs CO2/MWh and is converted
  with 1 lb/MWh = 0.45359237 g/kWh (exact, 1959 pound).

Units: an intensity column whose name carries another unit (``intensity_kg_per_kwh``,
``co2_lb_per_mwh``, ...) is refused with a message listing the columns read, rather than read
as gCO2e/kWh; so is a series whose values all lie strictly between 0 and 1, which looks like
kg/kWh (no grid's life-cycle intensity is below 1 gCO2e/kWh): multiply by 1000.

Size: files (and gzip contents) over :data:`MAX_SERIES_BYTES` are refused, not read.

Files may start with a UTF-8 byte-order mark and use ``,``, ``;`` or tab as delimiter.
Timestamps are ISO 8601; a timestamp without an offset is read in ``naive_timezone`` (UTC by
default). Bad timestamps, duplicate timestamps, empty, non-numeric and negative values are
refused with an :class:`~wattprint.errors.InputError` naming the line and the column. Rows are sorted
by time.

References
----------
.. [1] Electricity Maps, "Data portal: downloadable datasets" (CSV columns "Datetime (UTC)",
   "Carbon Intensity gCO₂eq/kWh (direct)", "(LCA)"). https://www.electricitymaps.com/data-portal
.. [2] WattTime, "API v3: historical data" (``point_time``, ``value`` in lbs/MWh).
   https://docs.watttime.org/
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import IO, Literal

import numpy as np
import pandas as pd

from wattprint.engine import units
from wattprint.errors import InputError
from wattprint.files import gunzip_limited, input_file, os_error_text, read_limited

MAX_SERIES_BYTES = 64 * 1024 * 1024
"""Largest series file read [bytes] (about 2 million rows)."""

SERIES_NAME = "intensity_g_per_kwh"
PROFILE_COLUMNS = ("timestamp", "intensity_g_per_kwh", "filled")
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
"""A time of day followed by a UTC offset (``Z``, ``+01:00``, ``-0500``): the timestamp is aware."""
_OTHER_UNIT = re.compile(r"kg|(?<![a-z])lbs?(?![a-z])|mwh|tonne", re.IGNORECASE)
"""A value column name that says its unit is not gCO2e/kWh."""
VALID_COLUMNS = "timestamp + intensity_g_per_kwh [gCO2e/kWh], or an Electricity Maps or WattTime export"
_TIME_NAMES = ("timestamp", "datetime", "datetime (utc)", "time", "date", "point_time", "start")


def load_profile(path: Path | str) -> pd.Series:
    """A bundled intensity profile (``region_db/profiles/*.csv.gz``).

    Parameters
    ----------
    path : pathlib.Path or str
        Gzipped (or plain) CSV with columns ``timestamp`` (ISO 8601, UTC), ``intensity_g_per_kwh``
        and ``filled`` (0/1).

    Returns
    -------
    pandas.Series
        Intensity [gCO2e/kWh], UTC index; ``attrs["filled"]`` holds the boolean ``filled`` flags
        and ``attrs["source_file"]`` the file name.
    """
    file = Path(path)
    if file.is_dir():
        raise InputError(f"series file {file} is a folder; give a CSV file")
    if not file.is_file():
        raise InputError(f"series file {file} does not exist")
    content = read_limited(file, "series file", MAX_SERIES_BYTES)
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    except (OSError, ValueError, EOFError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise InputError(f"cannot read series file {file.name}: {reason}") from None
    missing = [c for c in PROFILE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{file.name} lacks column(s) {', '.join(missing)}; a profile has {', '.join(PROFILE_COLUMNS)}"
        )
    index = _parse_times(frame["timestamp"], "timestamp", "UTC")
    values = _parse_values(frame["intensity_g_per_kwh"], "intensity_g_per_kwh")
    filled = frame["filled"].str.strip().isin(("1", "true", "True"))
    series = _finish(pd.Series(values, index=index, name=SERIES_NAME), file.name)
    series.attrs["filled"] = filled.to_numpy()[np.argsort(index.asi8, kind="stable")]
    series.attrs["source_file"] = file.name
    return series


def _read_text(file_or_buffer: Path | str | bytes | IO[bytes] | IO[str]) -> tuple[str, str]:
    """(text, display name) of a path, bytes or a binary/text buffer; BOM removed."""
    if isinstance(file_or_buffer, (str, Path)):
        file = input_file(file_or_buffer, "series file")
        try:
            if file.stat().st_size > MAX_SERIES_BYTES:
                raise InputError(f"series file {file} is larger than {MAX_SERIES_BYTES // 2**20} MiB")
            raw: bytes | str = file.read_bytes()
        except OSError as error:
            raise InputError(f"series file {str(file)!r} cannot be read: {os_error_text(error)}") from None
        name = file.name
    elif isinstance(file_or_buffer, (bytes, bytearray)):
        raw, name = bytes(file_or_buffer), "uploaded series"
    else:
        raw = file_or_buffer.read(MAX_SERIES_BYTES + 1)
        name = str(getattr(file_or_buffer, "name", "uploaded series"))
    if len(raw) > MAX_SERIES_BYTES:
        raise InputError(f"series {name} is larger than {MAX_SERIES_BYTES // 2**20} MiB")
    if isinstance(raw, (bytes, bytearray)):
        raw = gunzip_limited(bytes(raw), f"series {name}", MAX_SERIES_BYTES)
        try:
            text = bytes(raw).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"series {name} is not UTF-8 text; save the CSV as UTF-8") from None
    else:
        text = raw.removeprefix("\ufeff")
    return text, name


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _pick_columns(columns: list[str], prefer: Literal["LCA", "direct"]) -> tuple[str, str, str]:
    """(time column, value column, layout) from a header."""
    lowered = {c.strip().lower(): c for c in columns}
    if "point_time" in lowered and "value" in lowered:
        return lowered["point_time"], lowered["value"], "watttime"
    carbon = [c for c in columns if "carbon intensity" in c.lower()]
    if carbon and any(k in lowered for k in ("datetime (utc)", "datetime")):
        time_column = lowered.get("datetime (utc)", lowered.get("datetime", ""))
        lca = [c for c in carbon if "lca" in c.lower() or "life" in c.lower()]
        direct = [c for c in carbon if "direct" in c.lower()]
        ordered = (lca + direct) if prefer == "LCA" else (direct + lca)
        return time_column, (ordered or carbon)[0], "electricitymaps"
    found: str | None = next((lowered[n] for n in _TIME_NAMES if n in lowered), None)
    if found is None:
        found = next((c for c in columns if "time" in c.lower() or "date" in c.lower()), None)
    if found is None:
        raise InputError(f"no timestamp column among {', '.join(columns)}; name it 'timestamp' (ISO 8601)")
    time_column = found
    others = [c for c in columns if c != time_column]
    value_column = lowered.get("intensity_g_per_kwh")
    if value_column is None:
        hints = ("intensity", "gco2", "carbon")
        value_column = next((c for c in others if any(h in c.lower() for h in hints)), None)
    if value_column is None and len(others) == 1:
        value_column = others[0]
    if value_column is None:
        raise InputError(
            f"no intensity column among {', '.join(columns)}; name it 'intensity_g_per_kwh' [gCO2e/kWh]"
        )
    if _OTHER_UNIT.search(value_column):
        raise InputError(
            f"column {value_column!r} is not in gCO2e/kWh; convert it and name it 'intensity_g_per_kwh' "
            f"(valid columns: {VALID_COLUMNS})"
        )
    return time_column, value_column, "generic"


def read_user_series(
    file_or_buffer: Path | str | bytes | IO[bytes] | IO[str],
    naive_timezone: str = "UTC",
    electricity_maps_column: Literal["LCA", "direct"] = "LCA",
) -> pd.Series:
    """A user's intensity CSV (generic, Electricity Maps or WattTime layout; module Notes).

    Parameters
    ----------
    file_or_buffer : path, bytes or file object
        The CSV (UTF-8, optional BOM, optionally gzipped; ``,`` ``;`` or tab delimited).
    naive_timezone : str
        IANA zone of timestamps that carry no offset, default UTC.
    electricity_maps_column : {"LCA", "direct"}
        Which Electricity Maps intensity to read, default life-cycle (LCA).

    Returns
    -------
    pandas.Series
        Intensity [gCO2e/kWh] with a UTC index, sorted by time; ``attrs["layout"]`` names the
        layout recognised, ``attrs["value_column"]`` the column read and ``attrs["conversion"]``
        any unit conversion applied.
    """
    text, name = _read_text(file_or_buffer)
    if not text.strip():
        raise InputError(f"series {name} is empty")
    delimiter = _delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(f"series {name} is not valid CSV: {error}") from None
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    line_numbers = [i + 2 for i, r in enumerate(rows[1:]) if any(cell.strip() for cell in r)]
    if not body:
        raise InputError(f"series {name} has a header but no rows")
    time_column, value_column, layout = _pick_columns(header, electricity_maps_column)
    time_at, value_at = header.index(time_column), header.index(value_column)
    for line, row in zip(line_numbers, body, strict=True):
        if len(row) <= max(time_at, value_at):
            raise InputError(f"line {line} of {name} has {len(row)} fields; the header has {len(header)}")
    times = pd.Series([r[time_at].strip() for r in body], index=line_numbers)
    raw_values = pd.Series([r[value_at].strip() for r in body], index=line_numbers)
    index = _parse_times(times, time_column, naive_timezone)
    values = _parse_values(raw_values, value_column)
    if layout != "watttime" and 0 < values.max() < 1:
        raise InputError(
            f"series {name}: every value of column {value_column!r} is below 1 (largest {values.max():g}); "
            "that looks like kg/kWh: give gCO2e/kWh (multiply by 1000)"
        )
    conversion = ""
    if layout == "watttime":
        values = values * units.KG_PER_LB
        conversion = "WattTime MOER lbs/MWh x 0.45359237 = gCO2e/kWh"
    series = _finish(pd.Series(values, index=index, name=SERIES_NAME), name, line_numbers)
    series.attrs.update({"layout": layout, "value_column": value_column, "conversion": conversion})
    return series


def _parse_times(raw: pd.Series, column: str, naive_timezone: str) -> pd.DatetimeIndex:
    """ISO 8601 strings -> UTC index; the error names the first bad line."""
    strings = raw.astype(str).str.strip()
    lines = _lines(raw)
    aware = strings.str.contains(_OFFSET, regex=True)
    parsed = pd.Series(pd.NaT, index=strings.index, dtype="datetime64[ns, UTC]")
    if aware.any():
        stamps = pd.to_datetime(strings[aware], format="ISO8601", utc=True, errors="coerce")
        parsed[aware] = _in_range(stamps, strings[aware], column, lines, aware)
    if (~aware).any():
        naive = pd.to_datetime(strings[~aware], format="ISO8601", errors="coerce")
        naive = _in_range(naive, strings[~aware], column, lines, ~aware)
        try:
            localized = pd.DatetimeIndex(naive).tz_localize(
                naive_timezone, ambiguous="raise", nonexistent="raise"
            )
        except (KeyError, ValueError) as error:
            raise InputError(
                f"timestamps without an offset cannot be read in {naive_timezone!r} ({error}); add offsets"
            ) from None
        parsed[~aware] = localized.tz_convert("UTC")
    bad = np.flatnonzero(parsed.isna().to_numpy())
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"line {lines[i]}: column {column!r} has {strings.iloc[i]!r}, not an ISO 8601 timestamp "
            "(e.g. 2022-01-01T00:00:00+00:00)"
        )
    return pd.DatetimeIndex(parsed.to_numpy(), tz="UTC").as_unit("ns")


TIMESTAMP_RANGE = "1677-09-22 to 2262-04-11"
"""The dates a series may hold: the range of nanosecond timestamps in pandas."""


def _in_range(
    stamps: pd.Series, strings: pd.Series, column: str, lines: list[int], rows: pd.Series
) -> pd.Series:
    """``stamps`` in nanoseconds; InputError naming the first line outside :data:`TIMESTAMP_RANGE`."""
    try:
        converted: pd.Series = stamps.dt.as_unit("ns")
        return converted
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        pass
    low, high = pd.Timestamp.min, pd.Timestamp.max
    if stamps.dt.tz is not None:
        low, high = low.tz_localize("UTC"), high.tz_localize("UTC")
    outside = np.flatnonzero(((stamps < low) | (stamps > high)).fillna(False).to_numpy())
    i = int(outside[0]) if len(outside) else 0
    line = lines[int(np.flatnonzero(rows.to_numpy())[i])]
    raise InputError(
        f"line {line}: column {column!r} has {strings.iloc[i]!r}, outside the dates a series can hold "
        f"({TIMESTAMP_RANGE})"
    )


def _lines(raw: pd.Series) -> list[int]:
    """File line numbers of rows (header is line 1)."""
    index = raw.index
    if pd.api.types.is_integer_dtype(index) and len(index) and index[0] >= 2:
        return [int(i) for i in index]
    return [i + 2 for i in range(len(raw))]


def _parse_values(raw: pd.Series, column: str) -> np.ndarray:
    """Strings -> floats >= 0; the error names the first bad line."""
    strings = raw.astype(str).str.strip()
    lines = _lines(raw)
    values = (
        pd.to_numeric(strings, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan) + 0.0
    )  # -0 is 0
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        i = int(bad[0])
        shown = strings.iloc[i]
        what = "is empty" if not shown else f"has {shown!r}, not a number"
        raise InputError(f"line {lines[i]}: column {column!r} {what}; intensities are numbers >= 0")
    negative = np.flatnonzero(values < 0)
    if len(negative):
        i = int(negative[0])
        raise InputError(
            f"line {lines[i]}: column {column!r} is negative ({values[i]:g}); intensities must be >= 0"
        )
    return values


def _finish(series: pd.Series, name: str, lines: list[int] | None = None) -> pd.Series:
    """Sort by time and refuse duplicate timestamps, naming both lines."""
    numbers = lines if lines is not None else [i + 2 for i in range(len(series))]
    index = pd.DatetimeIndex(series.index)
    order = np.argsort(index.asi8, kind="stable")
    ordered = series.iloc[order]
    stamps = pd.DatetimeIndex(ordered.index).asi8
    duplicate = np.flatnonzero(np.diff(stamps) == 0)
    if len(duplicate):
        i = int(duplicate[0])
        first, second = numbers[int(order[i])], numbers[int(order[i + 1])]
        raise InputError(
            f"lines {first} and {second} of {name} have the same timestamp "
            f"{ordered.index[i].isoformat()}; each time must appear once"
        )
    return ordered
