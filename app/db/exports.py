"""Safe CSV exports: the one function every CSV wattprint writes goes through.

Text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are written
with a leading single quote, so a spreadsheet opening the file does not run them as formulas.
Numbers (including negative ones) are left as numbers; only text cells are changed.

References
----------
.. [1] OWASP, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def neutralise_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Column names are neutralised too (a header cell is a cell).
    """
    out = frame.copy()
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
            continue
        text = column.astype("str")
        risky = column.map(lambda cell: isinstance(cell, str)).astype(bool) & text.str.startswith(
            FORMULA_PREFIXES
        ).fillna(False)
        if risky.any():
            out.isetitem(position, column.astype(object).where(~risky, "'" + text).to_numpy(dtype=object))
    return out


def safe_csv(frame: pd.DataFrame) -> str:
    """The CSV text of ``frame`` (no index), text cells neutralised: for downloads."""
    return neutralise_formulas(frame).to_csv(index=False)
