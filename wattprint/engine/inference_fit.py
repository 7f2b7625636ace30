"""Calibration of the inference model on published measurements, and its leave-one-model-out error.

Notes
-----
Only what physics does not give is fitted (:class:`wattprint.engine.inference.Calibration`):
the achieved fraction of memory bandwidth per serving-engine class, the achieved share of peak
FLOP/s in decode, the draw as a share of TDP when memory-bound (per engine class) and when
compute-bound, and the software time per forward pass and per running request (for the engine
classes in :data:`OVERHEAD_FITTED_ENGINES`; the others keep their starting value, zero). The
objective is the mean squared natural-log error of energy per output token plus that of the
average draw (energy alone cannot tell a low bandwidth fraction from a low draw when
memory-bound: both scale the energy alike); it is minimised by coordinate descent over grids
within physical bounds: step 0.01 in (0.05-1] for the fractions, 0.25 ms in [0, 40 ms] for the
time per pass and 2 us in [0, 200 us] for the time per request.

Leave-one-model-out: for each base model (all fine-tunes of one architecture and size form one
group), the constants are fitted on every other group and the held-out group is predicted.

References
----------
Chung et al. (2025), "The ML.ENERGY Benchmark", NeurIPS Datasets and Benchmarks.
https://arxiv.org/abs/2505.06371
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from wattprint.engine.inference import BYTES_PER_PARAMETER, Calibration

OVERHEAD_FITTED_ENGINES: tuple[str, ...] = ("optimised",)
"""Engine classes whose software time is fitted. ``eager`` is left at zero: its fitted value made
the out-of-sample source (Wilkins et al. 2024) worse; see the module docstring of
:mod:`wattprint.engine.inference`."""

FRACTION_GRID = [round(0.05 + 0.01 * k, 2) for k in range(96)]  # 0.05 .. 1.00 [-]
PASS_OVERHEAD_GRID_S = [round(0.00025 * k, 5) for k in range(161)]  # 0 .. 40 ms [s]
REQUEST_OVERHEAD_GRID_S = [round(2e-6 * k, 7) for k in range(101)]  # 0 .. 200 us [s]


@dataclass(frozen=True)
class Measurement:
    """One published measurement with the inputs the model needs (units in names)."""

    base_model: str
    engine: str
    parameters: float
    active_parameters: float
    precision: str
    kv_bytes_per_token: float
    device_count: float
    batch_size: float
    input_tokens: float
    output_tokens: float
    memory_bandwidth_gb_s: float
    peak_tflops: float
    tdp_w: float
    energy_per_output_token_j: float
    measured_power_w: float | None = None


@dataclass(frozen=True)
class FoldError:
    """Log errors of one held-out base model."""

    base_model: str
    rows: int
    median_abs_log_error: float
    mean_log_error: float


def _arrays(rows: Sequence[Measurement]) -> dict[str, np.ndarray]:
    """The rows' inputs as arrays, once per fit."""
    return {
        "n": np.array([r.parameters for r in rows]),
        "na": np.array([r.active_parameters for r in rows]),
        "bpp": np.array([BYTES_PER_PARAMETER[r.precision] for r in rows]),
        "kv": np.array([r.kv_bytes_per_token for r in rows]),
        "g": np.array([r.device_count for r in rows]),
        "b": np.array([r.batch_size for r in rows]),
        "i": np.array([r.input_tokens for r in rows]),
        "o": np.array([r.output_tokens for r in rows]),
        "bw": np.array([r.memory_bandwidth_gb_s for r in rows]) * 1e9,
        "peak": np.array([r.peak_tflops for r in rows]) * 1e12,
        "tdp": np.array([r.tdp_w for r in rows]),
        "eager": np.array([r.engine == "eager" for r in rows]),
        "energy": np.array([r.energy_per_output_token_j for r in rows]),
        "power": np.array([r.measured_power_w or np.nan for r in rows]),
    }


def _by_engine(a: dict[str, np.ndarray], values: dict[str, float]) -> np.ndarray:
    result: np.ndarray = np.where(a["eager"], values["eager"], values["optimised"])
    return result


def _predict(a: dict[str, np.ndarray], cal: Calibration) -> tuple[np.ndarray, np.ndarray]:
    f_bw = _by_engine(a, cal.bandwidth_fraction)
    d_mem = _by_engine(a, cal.draw_memory_bound)
    d_cmp = cal.draw_compute_bound
    g, b, i, o = a["g"], a["b"], a["i"], a["o"]
    t_over = _by_engine(a, cal.pass_overhead_s) + b * _by_engine(a, cal.request_overhead_s)
    weights = a["n"] * a["bpp"]
    eff_bw = g * a["bw"] * f_bw
    t_mem = (weights + b * (i + o / 2.0) * a["kv"]) / eff_bw
    t_cmp = 2.0 * a["na"] * b / (g * a["peak"] * cal.decode_utilization)
    t_step = np.maximum(t_mem, t_cmp) + t_over
    t_pre = np.where(
        i > 0,
        np.maximum(2.0 * a["na"] * b * i / (g * a["peak"] * cal.prefill_utilization), weights / eff_bw)
        + t_over,
        0.0,
    )
    p_dec = a["tdp"] * (d_mem + (d_cmp - d_mem) * t_cmp / t_step)
    p_pre = a["tdp"] * (d_cmp - (d_cmp - d_mem) * t_over / np.where(t_pre > 0, t_pre, 1.0))
    energy_batch = g * (p_pre * t_pre + p_dec * o * t_step)
    return energy_batch / b / o, energy_batch / (t_pre + o * t_step)


def predict(rows: Sequence[Measurement], cal: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """Energy per output token [J] and average draw of the replica [W] of each row, vectorised.

    Notes
    -----
    The same equations as :func:`wattprint.engine.inference.estimate_inference` (a test checks
    they agree), with no host share and the TDP-based draw.
    """
    return _predict(_arrays(rows), cal)


def log_errors(rows: Sequence[Measurement], cal: Calibration) -> np.ndarray:
    """Natural-log error ln(predicted / measured) of each row's energy per output token [-]."""
    measured = np.array([r.energy_per_output_token_j for r in rows])
    result: np.ndarray = np.log(predict(rows, cal)[0] / measured)
    return result


def power_log_errors(rows: Sequence[Measurement], cal: Calibration) -> np.ndarray:
    """Natural-log error of each row's average draw [-]; 0 where no draw was published."""
    measured = np.array([r.measured_power_w or np.nan for r in rows])
    result: np.ndarray = np.nan_to_num(np.log(predict(rows, cal)[1] / measured))
    return result


def _with(cal: Calibration, name: str, value: float) -> Calibration:
    kind, _, engine = name.partition(":")
    if kind == "bandwidth_fraction":
        return replace(cal, bandwidth_fraction={**cal.bandwidth_fraction, engine: value})
    if kind == "draw_memory_bound":
        return replace(cal, draw_memory_bound={**cal.draw_memory_bound, engine: value})
    if kind == "pass_overhead_s":
        return replace(cal, pass_overhead_s={**cal.pass_overhead_s, engine: value})
    if kind == "request_overhead_s":
        return replace(cal, request_overhead_s={**cal.request_overhead_s, engine: value})
    if kind == "decode_utilization":
        return replace(cal, decode_utilization=value)
    return replace(cal, draw_compute_bound=value)


def _get(cal: Calibration, name: str) -> float:
    kind, _, engine = name.partition(":")
    if kind == "bandwidth_fraction":
        return cal.bandwidth_fraction[engine]
    if kind == "draw_memory_bound":
        return cal.draw_memory_bound[engine]
    if kind in ("pass_overhead_s", "request_overhead_s"):
        return float(getattr(cal, kind)[engine])
    value: float = getattr(cal, kind)
    return value


def fit(
    rows: Sequence[Measurement],
    start: Calibration,
    sweeps: int = 8,
    overhead_engines: Sequence[str] = OVERHEAD_FITTED_ENGINES,
) -> Calibration:
    """The calibration minimising the mean squared log error over ``rows`` (coordinate descent).

    Parameters
    ----------
    rows : sequence of Measurement
    start : Calibration
        Starting point; engine classes absent from ``rows`` keep their starting values.
    sweeps : int
        Passes over the parameters [-].
    overhead_engines : sequence of str
        Engine classes whose software time per pass and per request are fitted; the others keep
        their starting values (default :data:`OVERHEAD_FITTED_ENGINES`).
    """
    engines = sorted({r.engine for r in rows})
    names = [f"bandwidth_fraction:{e}" for e in engines] + [f"draw_memory_bound:{e}" for e in engines]
    names += ["decode_utilization", "draw_compute_bound"]
    for e in engines:
        if e in overhead_engines:
            names += [f"pass_overhead_s:{e}", f"request_overhead_s:{e}"]
    cal = start

    a = _arrays(rows)

    def loss(c: Calibration) -> float:
        energy, power = _predict(a, c)
        power_errors = np.nan_to_num(np.log(power / a["power"]))
        return float(np.mean(np.log(energy / a["energy"]) ** 2) + np.mean(power_errors**2))

    best = loss(cal)
    for _ in range(sweeps):
        improved = False
        for name in names:
            grid = FRACTION_GRID
            if name.startswith("pass_overhead_s"):
                grid = PASS_OVERHEAD_GRID_S
            elif name.startswith("request_overhead_s"):
                grid = REQUEST_OVERHEAD_GRID_S
            for value in grid:
                if name.startswith("draw_memory_bound") and value > cal.draw_compute_bound:
                    continue
                if name == "draw_compute_bound" and value < max(cal.draw_memory_bound.values()):
                    continue
                trial = _with(cal, name, value)
                current = loss(trial)
                if current < best - 1e-12:
                    best, cal, improved = current, trial, True
        if not improved:
            break
    return cal


def leave_one_model_out(
    rows: Sequence[Measurement],
    start: Calibration,
    overhead_engines: Sequence[str] = OVERHEAD_FITTED_ENGINES,
) -> list[FoldError]:
    """Fit on all base models but one, predict that one; one :class:`FoldError` per base model."""
    folds = []
    for model in sorted({r.base_model for r in rows}):
        train = [r for r in rows if r.base_model != model]
        test = [r for r in rows if r.base_model == model]
        cal = fit(train, start, overhead_engines=overhead_engines)
        errors = log_errors(test, cal)
        folds.append(FoldError(model, len(test), float(np.median(np.abs(errors))), float(np.mean(errors))))
    return folds


def held_out_errors(
    rows: Sequence[Measurement],
    start: Calibration,
    overhead_engines: Sequence[str] = OVERHEAD_FITTED_ENGINES,
) -> np.ndarray:
    """Every row's log error when its base model was held out of the fit [-]."""
    out = np.zeros(len(rows))
    for model in sorted({r.base_model for r in rows}):
        index = [k for k, r in enumerate(rows) if r.base_model == model]
        cal = fit([r for r in rows if r.base_model != model], start, overhead_engines=overhead_engines)
        out[index] = log_errors([rows[k] for k in index], cal)
    return out


def summary(errors: np.ndarray) -> tuple[float, float]:
    """Median and 90th percentile of the absolute log errors [-]."""
    absolute = np.abs(errors)
    return float(np.median(absolute)), float(np.percentile(absolute, 90))


def factor(log_error: float) -> float:
    """A log error as a multiplicative factor [-] (0.3 -> x1.35)."""
    return math.exp(log_error)
