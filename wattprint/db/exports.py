"""Safe CSV exports: the one function every CSV wattprint writes goes through.

Text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are written
with a leading single quote, so a spreadsheet opening the file does not run them as formulas.
Numbers (including negative ones) are left as numbers; only text cells are changed.

References
----------
.. [1] OWASP, "CSV Injection". https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
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

    Column names are neutralised too (a header cell is a cell). Vectorised: a text column is
    checked with one string operation, a column of Python objects once per distinct value.
    """
    out = frame.copy()
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            continue
        if isinstance(column.dtype, pd.StringDtype):
            risky = column.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                out.isetitem(position, column.where(~risky, "'" + column).array)
            continue
        if column.dtype != object and not isinstance(column.dtype, pd.CategoricalDtype):
            continue
        codes, uniques = pd.factorize(column)
        fixed = [neutralise_cell(value) for value in uniques]
        changed = np.array([a is not b for a, b in zip(fixed, uniques, strict=True)] + [False], dtype=bool)
        if changed.any():
            values = np.array([*fixed, None], dtype=object)
            risky = changed[codes]
            cells = column.to_numpy(dtype=object).copy()
            cells[risky] = values[codes[risky]]
            out.isetitem(position, cells)
    return out


def neutralise_table(table: Any) -> Any:
    """A pyarrow table whose string cells (and column names) cannot run as spreadsheet formulas."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.starts_with(column, FORMULA_PREFIXES[0])
            for prefix in FORMULA_PREFIXES[1:]:
                risky = pc.or_(risky, pc.starts_with(column, prefix))
            risky = pc.fill_null(risky, False)
            if pc.any(risky).as_py():
                column = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
        columns.append(column)
    names = [str(neutralise_cell(name)) for name in table.column_names]
    return pa.table(columns, names=names)


def safe_csv(frame: pd.DataFrame) -> str:
    """The CSV text of ``frame`` (no index), text cells neutralised: for downloads.

    Every cell that holds a line break is quoted: pandas quotes a cell with LF but not one with a
    lone CR under LF line ends, so when some text cell holds a CR the file is written with the
    CRLF line ends of RFC 4180, under which pandas quotes it (a reader splitting rows on CR then
    never sees the rest of that cell, such as ``=1+1``, as a cell of its own).
    """
    safe = neutralise_formulas(frame)
    with_cr = False
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)):
            with_cr = with_cr or bool(column.astype("str").str.contains("\r", regex=False).any())
    with_cr = with_cr or any("\r" in str(name) for name in safe.columns)
    return safe.to_csv(index=False, lineterminator="\r\n" if with_cr else "\n")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal acts on (escape sequences, bell, clear, bidirectional overrides)."""


def terminal_safe(text: object) -> str:
    """``text`` for a terminal: every control character from a file (ESC, CR, BEL, bidi
    overrides...) shown as its ``\\x1b``/``\\u202e`` escape, so a cell cannot set the title, clear
    the screen or reorder what is shown. Tabs and newlines are escaped too: one cell, one line."""
    return (
        _CONTROL.sub(lambda match: ascii(match.group())[1:-1], str(text))
        .replace("\t", "\\t")
        .replace("\n", "\\n")
    )
