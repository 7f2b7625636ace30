"""Property-based fuzzing of the three file readers (issue 27): the batch reader and engine,
the CodeCarbon reader and the intensity series reader.

For any generated file: no exception other than the project's own errors; no NaN, inf or -0.0
in a result a user reads; every refused batch row reported exactly once (its ``error`` set, its
results empty). The example count is bounded (:data:`EXAMPLES` per property) so the suite runs
in ``make test`` in seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wattprint.db import batchfiles
from wattprint.db.codecarbon import read_emissions
from wattprint.db.loader import load_databases
from wattprint.db.series import read_user_series
from wattprint.engine import batch, codecarbon
from wattprint.errors import WattprintError

EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

NUMBERS = st.one_of(
    st.sampled_from(["", "nan", "NaN", "-0", "0", "1e308", "-1e308", "inf", "1e-320", "0.4", "abc", " 7 "]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10, 10**9).map(str),
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
HARDWARE = st.one_of(st.sampled_from(["nvidia-h100-sxm5-80gb", "NVIDIA H100 80GB HBM3", "", "nan"]), TEXT)
REGION = st.one_of(st.sampled_from(["aws:us-east-1", "country:FR", "", "nan"]), TEXT)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])


def cell(value: str) -> str:
    """``value`` as one CSV cell (quoted, quotes doubled)."""
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def tables() -> batch.BatchTables:
    return batch.build_tables(load_databases())


def _no_bad_numbers(values: np.ndarray) -> None:
    finite = values[~np.isnan(values)]
    assert np.isfinite(finite).all()
    assert not (np.signbit(finite) & (finite == 0)).any(), "a -0.0 in a result"


@FUZZ
@given(
    rows=st.lists(
        st.tuples(HARDWARE, NUMBERS, NUMBERS, NUMBERS, NUMBERS, REGION, NUMBERS), min_size=1, max_size=8
    ),
    ending=ENDINGS,
)
def test_batch_reader_and_engine(tables: batch.BatchTables, rows: list[tuple[str, ...]], ending: str) -> None:
    header = "hardware,count,hours,power_w,pue,region,intensity_g_per_kwh"
    text = ending.join([header, *(",".join(cell(v) for v in row) for row in rows)]) + ending
    try:
        jobs = batchfiles.read_job_buffer(text.encode("utf-8"), "jobs.csv", batch.INPUT_COLUMNS)
        results = batch.estimate_frame(jobs, tables)
    except WattprintError:
        return
    failed = results["error"].fillna("") != ""
    assert results["line"].is_unique  # each row once, so each refusal once
    for name in ("energy_kwh", "co2e_kg", "it_energy_kwh", "device_hours_used"):
        values = results[name].to_numpy(dtype="float64")
        _no_bad_numbers(values)
        assert np.isnan(values[failed.to_numpy()]).all()  # a refused row has no figure
        assert not np.isnan(values[~failed.to_numpy()]).any()  # a valid row has every figure
    for name in batch.NUMBER_COLUMNS:
        if name in results.columns:
            _no_bad_numbers(results[name].to_numpy(dtype="float64")[~failed.to_numpy()])
    totals = batch.totals(results)
    assert math.isfinite(totals.energy_kwh) and math.isfinite(totals.co2e_kg)
    assert totals.failed == int(failed.sum())


@FUZZ
@given(
    rows=st.lists(st.tuples(TEXT, TEXT, NUMBERS, NUMBERS, NUMBERS, NUMBERS), min_size=1, max_size=6),
    ending=ENDINGS,
)
def test_codecarbon_reader(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, ...]], ending: str
) -> None:
    header = "project_name,run_id,duration,emissions,energy_consumed,pue"
    text = ending.join([header, *(",".join(cell(v) for v in row) for row in rows)]) + ending
    path = tmp_path_factory.mktemp("cc") / "emissions.csv"
    path.write_text(text, encoding="utf-8")
    try:
        table = codecarbon.runs(read_emissions(Path(path)).rows)
    except WattprintError:
        return
    for name in ("energy_kwh", "duration_h", "codecarbon_co2e_kg", "pue"):
        if name in table.columns:
            values = table[name].to_numpy(dtype="float64")
            _no_bad_numbers(values)
            assert (values[~np.isnan(values)] >= 0).all()
    if "pue" in table.columns and len(table):
        assert (table["pue"].to_numpy(dtype="float64") >= 1.0).all()
    assert math.isfinite(float(table["energy_kwh"].sum())) if len(table) else True


STAMPS = st.one_of(
    st.sampled_from(["1500-01-01T00:00Z", "3000-01-01T00:00", "2022-01-01T00:00Z", "2022-13-01", "", "nan"]),
    st.datetimes().map(lambda d: d.isoformat()),
    TEXT,
)


@FUZZ
@given(
    rows=st.lists(st.tuples(STAMPS, NUMBERS), min_size=1, max_size=8), ending=ENDINGS, gzip_it=st.booleans()
)
def test_series_reader(rows: list[tuple[str, str]], ending: str, gzip_it: bool) -> None:
    import gzip

    text = ending.join(["timestamp,intensity_g_per_kwh", *(f"{cell(t)},{cell(v)}" for t, v in rows)]) + ending
    data = text.encode("utf-8")
    try:
        series = read_user_series(gzip.compress(data) if gzip_it else data)
    except WattprintError:
        return
    values = series.to_numpy(dtype="float64")
    _no_bad_numbers(values)
    assert np.isfinite(values).all() and (values >= 0).all()
    assert series.index.is_monotonic_increasing and series.index.is_unique
