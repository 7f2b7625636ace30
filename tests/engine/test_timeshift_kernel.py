"""The Pause-and-Resume kernels (pure-numpy wavelet matrix; numba Fenwick tree when installed)
equal the two-heap reference and a plain sort."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wattprint.engine import timeshift as ts


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(0, 2_000, allow_nan=False), min_size=66, max_size=400),
    data=st.data(),
)
def test_wavelet_equals_two_heaps(values: list[float], data: st.DataObject) -> None:
    x = np.asarray(values)
    window = data.draw(st.integers(ts.SMALL_WINDOW_SLOTS + 1, len(x)))
    k = data.draw(st.integers(1, window - 1))
    wavelet = ts._wavelet_k_smallest_sums(x, window, k)
    heaps = ts.heap_k_smallest_sums(x, window, k)
    np.testing.assert_allclose(wavelet, heaps, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(ts.sliding_k_smallest_sums(x, window, k), heaps, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(("window", "k"), [(4032, 2016), (576, 288), (100, 1), (100, 99), (2000, 1999)])
def test_wavelet_on_a_year_at_5_minutes_equals_sorting(window: int, k: int) -> None:
    rng = np.random.default_rng(window + k)
    x = np.round(rng.gamma(4.0, 60.0, 105_120), 2)  # a year at 5 min of intensity-like values
    fast = ts._wavelet_k_smallest_sums(x, window, k)
    sample = np.arange(0, len(x) - window + 1, 997)
    naive = np.array([np.sort(x[t0 : t0 + window])[:k].sum() for t0 in sample])
    np.testing.assert_allclose(fast[sample], naive, rtol=1e-12)


def test_ties_and_constant_series_exact() -> None:
    x = np.repeat([3.0, 1.0, 2.0, 1.0], 500)
    np.testing.assert_array_equal(
        ts.sliding_k_smallest_sums(x, 700, 300), ts.heap_k_smallest_sums(x, 700, 300)
    )
    flat = np.full(1_000, 250.0)
    assert (ts.sliding_k_smallest_sums(flat, 300, 120) == 120 * 250.0).all()


@pytest.mark.parametrize(("window", "k"), [(4032, 2016), (576, 288), (100, 1), (100, 99)])
def test_compiled_kernel_equals_wavelet(window: int, k: int) -> None:
    pytest.importorskip("numba")  # optional dependency (requirements-fast.txt)
    kernel = ts.compiled_kernel()
    assert kernel is not None
    rng = np.random.default_rng(k)
    x = np.round(rng.gamma(4.0, 60.0, 30_000), 2)
    compiled = ts._fenwick_k_smallest_sums(x, window, k, kernel)
    np.testing.assert_allclose(compiled, ts._wavelet_k_smallest_sums(x, window, k), rtol=1e-12)
    np.testing.assert_allclose(ts.sliding_k_smallest_sums(x, window, k), compiled, rtol=0, atol=0)


def test_fenwick_kernel_in_pure_python_equals_heaps() -> None:
    # the kernel's own logic, run uncompiled on a small series (no numba needed)
    rng = np.random.default_rng(3)
    x = rng.integers(0, 30, 400).astype(float)
    plain = ts._fenwick_k_smallest_sums(x, 90, 40, ts.fenwick_k_smallest_sums_kernel)
    np.testing.assert_allclose(plain, ts.heap_k_smallest_sums(x, 90, 40), rtol=1e-12)
