"""Helpers of the audit pages (Batch audit, CodeCarbon import): tables fit to read, downloads,
upload errors that name the user's file. No Streamlit here, so each is tested directly."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from wattprint.db import codecarbon as codecarbon_files
from wattprint.db.exports import neutralise_formulas
from wattprint.db.loader import RegionDB
from wattprint.db.schema import DEFAULT_BASIS
from wattprint.errors import WattprintError

HANDOFF_KEY = "codecarbon_handoff"
"""Session key: CodeCarbon files (name, bytes) dropped on the Batch page, for the import page."""

_TEMP_UPLOAD = re.compile(r"\S*?/upload(\.[A-Za-z0-9]+)?(?=[:\s]|$)")


def name_the_upload(message: str, name: str) -> str:
    """``message`` with the server's temporary copy of an upload (``/tmp/.../upload.csv``)
    replaced by the name of the file the user uploaded."""
    return _TEMP_UPLOAD.sub(lambda _match: name, message)


GIVEN_BASIS = "given (basis not stated)"
"""The basis label of an intensity typed into a jobs file instead of a region."""


def intensity_provenance(results: pd.DataFrame, regions: RegionDB) -> pd.DataFrame:
    """``intensity_basis`` and ``intensity_year`` of each row of a batch result.

    A row priced from a region uses the default basis (as every single estimate does) and the
    year it asked for, else that region's latest; a row that gives ``intensity_g_per_kwh``
    itself has no stated basis or year; a failed row has neither. ``results`` needs
    ``region_id`` (the canonical id, or the text given when unknown), ``year`` and ``error``.
    """
    failed = results["error"].fillna("").astype(str) != ""
    asked = pd.to_numeric(results["year"], errors="coerce") if "year" in results else None
    latest: dict[str, int | None] = {}
    for region_id in results.loc[~failed, "region_id"].dropna().unique():
        try:
            latest[str(region_id)] = regions.intensity(str(region_id)).year
        except WattprintError:
            latest[str(region_id)] = None
    bases: list[str | None] = []
    years: list[int | None] = []
    for position, (region_id, bad) in enumerate(zip(results["region_id"], failed, strict=True)):
        if bad:
            bases.append(None)
            years.append(None)
        elif isinstance(region_id, str) and region_id in latest:
            year = asked.iloc[position] if asked is not None else float("nan")
            bases.append(DEFAULT_BASIS)
            years.append(int(year) if pd.notna(year) else latest[region_id])
        else:
            bases.append(GIVEN_BASIS)
            years.append(None)
    return pd.DataFrame(
        {"intensity_basis": bases, "intensity_year": pd.array(years, dtype="Int64")}, index=results.index
    )


def looks_like_codecarbon(data: bytes) -> bool:
    """True when the first line of ``data`` has CodeCarbon's emissions.csv columns."""
    first = data[:65536].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").lower()
    cells = {cell.strip().strip('"') for cell in re.split(r"[,;\t]", first)}
    return all(column in cells for column in codecarbon_files.REQUIRED)


def readable(frame: pd.DataFrame, first: Sequence[str] = ()) -> pd.DataFrame:
    """``frame`` for display: the ``first`` columns first, columns without any value dropped,
    missing text shown as an empty cell (not "None")."""
    kept = [c for c in frame.columns if frame[c].notna().any() and not _all_blank(frame[c])]
    order = [c for c in first if c in kept] + [c for c in kept if c not in first]
    return no_none(frame[order])


def no_none(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose missing text cells are empty strings, so a table shows an empty
    cell rather than "None" (numbers keep NaN, which tables show as empty)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            values = out[column].astype(object)
            out[column] = values.where(values.notna() & (values.astype(str) != "None"), "")
    return out


def _all_blank(column: pd.Series) -> bool:
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        return False
    return bool(column.dropna().astype(str).str.strip().eq("").all())


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as a Parquet file (text cells neutralised, as in the CSV)."""
    safe = neutralise_formulas(frame)
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(lambda v: None if v is None or v != v else str(v))
    buffer = io.BytesIO()
    safe.to_parquet(buffer, index=False)
    return buffer.getvalue()


def blank_missing(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> Any:
    """A pandas Styler of ``frame`` whose missing cells show empty rather than "None".

    ``formats`` maps a column to a format string (``"{:,.3f}"``); other float columns get
    ``"{:,.4g}"``. A number column with missing cells becomes text in that format (the table
    widget draws a missing number as "None" whatever the Styler says); text stays as it is.
    """
    shown = no_none(frame)
    given = formats or {}
    chosen: dict[str, str] = {}
    for column in shown.columns:
        values = shown[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        pattern = given.get(column, "{:,.4g}" if pd.api.types.is_float_dtype(values) else "{}")
        if values.isna().any():
            shown[column] = [pattern.format(v) if pd.notna(v) else "" for v in values]
        else:
            chosen[column] = pattern
    return shown.style.format(chosen)
