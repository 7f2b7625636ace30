"""A built-in GPU benchmark: dense matrix multiplies, achieved TFLOP/s, average W and GFLOPS/W.

torch or cupy is imported lazily, only when the benchmark runs. The load is ``C = A @ B`` on
square ``n x n`` matrices, repeated for a fixed time after a warm-up; the sampler's window
covers the timed loop only.

Notes
-----
FLOPs of one multiply: ``2 n^3`` (one multiply and one add per inner-product term).
Achieved ``TFLOP/s = matmuls * 2 n^3 / elapsed_s / 1e12``; efficiency
``GFLOPS/W = (FLOPs / 1e9) / energy_j`` (FLOP per joule is FLOP/s per watt).

References
----------
.. [1] NVIDIA, "Matrix Multiplication Background User's Guide" (2 n^3 FLOPs per GEMM),
   https://docs.nvidia.com/deeplearning/performance/dl-performance-matrix-multiplication/, accessed 2025.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from wattprint.errors import MeasurementError
from wattprint.measure.measurement import Measurement
from wattprint.measure.sampler import Sampler

DTYPE_FIELDS = {"bf16": "bf16_tflops", "fp16": "fp16_tflops", "fp32": "fp32_tflops"}
"""Benchmark dtype -> the hardware database's peak field [TFLOP/s]."""

DEFAULT_SIZE = {"bf16": 8192, "fp16": 8192, "fp32": 4096}


class MatmulRunner(Protocol):
    """A prepared matmul load: ``run(seconds)`` returns (FLOPs done, elapsed [s])."""

    library: str
    device_name: str
    matrix_size: int

    def run(self, seconds: float) -> tuple[float, float]: ...


class _TorchRunner:
    library = "torch"

    def __init__(self, torch: Any, dtype: str, size: int) -> None:
        if not torch.cuda.is_available():
            raise MeasurementError("torch is installed but sees no CUDA GPU; the benchmark needs one")
        self.torch = torch
        self.matrix_size = size
        self.device_name = str(torch.cuda.get_device_name(0))
        torch.backends.cuda.matmul.allow_tf32 = False
        kind = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
        self.a = torch.randn(size, size, device="cuda", dtype=kind)
        self.b = torch.randn(size, size, device="cuda", dtype=kind)
        for _ in range(3):
            self.a @ self.b
        torch.cuda.synchronize()

    def run(self, seconds: float) -> tuple[float, float]:
        return _timed_loop(lambda: self.a @ self.b, self.torch.cuda.synchronize, seconds, self.matrix_size)


class _CupyRunner:
    library = "cupy"

    def __init__(self, cupy: Any, dtype: str, size: int) -> None:
        if dtype == "bf16":
            raise MeasurementError("cupy has no bfloat16; use --dtype fp16 or fp32, or install torch")
        self.cupy = cupy
        self.matrix_size = size
        kind = {"fp16": cupy.float16, "fp32": cupy.float32}[dtype]
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props.get("name", b"GPU 0")
        self.device_name = name.decode() if isinstance(name, bytes) else str(name)
        self.a = cupy.random.standard_normal((size, size), dtype=cupy.float32).astype(kind)
        self.b = cupy.random.standard_normal((size, size), dtype=cupy.float32).astype(kind)
        for _ in range(3):
            self.a @ self.b
        cupy.cuda.Device(0).synchronize()

    def run(self, seconds: float) -> tuple[float, float]:
        return _timed_loop(
            lambda: self.a @ self.b, self.cupy.cuda.Device(0).synchronize, seconds, self.matrix_size
        )


def _timed_loop(
    step: Callable[[], Any], sync: Callable[[], Any], seconds: float, size: int
) -> tuple[float, float]:
    sync()
    start = time.perf_counter()
    count = 0
    while True:
        for _ in range(10):
            step()
        count += 10
        sync()
        if time.perf_counter() - start >= seconds:
            break
    elapsed = time.perf_counter() - start
    return count * 2.0 * size**3, elapsed


def load_runner(dtype: str, size: int | None = None) -> MatmulRunner:
    """A matmul load on GPU 0 through torch, else cupy; MeasurementError when neither is usable."""
    if dtype not in DTYPE_FIELDS:
        raise MeasurementError(f"unknown dtype {dtype!r}; valid: {', '.join(DTYPE_FIELDS)}")
    n = size or DEFAULT_SIZE[dtype]
    torch: Any
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        return _TorchRunner(torch, dtype, n)
    try:
        import cupy  # type: ignore[import-not-found]
    except ImportError:
        raise MeasurementError(
            "the benchmark needs torch or cupy with a CUDA GPU; neither is installed (pip install torch)"
        ) from None
    return _CupyRunner(cupy, dtype, n)


@dataclass(frozen=True)
class BenchmarkResult:
    """Achieved throughput [TFLOP/s], power [W] and efficiency [GFLOPS/W] of one run."""

    library: str
    dtype: str
    device_name: str
    matrix_size: int
    flops: float
    elapsed_s: float
    measurement: Measurement | None
    average_power_w: float | None
    energy_j: float | None
    energy_reason: str | None

    @property
    def tflops(self) -> float:
        """Achieved throughput [TFLOP/s]."""
        return self.flops / self.elapsed_s / 1e12 if self.elapsed_s > 0 else 0.0

    @property
    def gflops_per_w(self) -> float | None:
        """Achieved efficiency [GFLOPS/W] = GFLOP per joule; None without an energy figure."""
        if self.energy_j is None or self.energy_j <= 0:
            return None
        return self.flops / 1e9 / self.energy_j


def run_benchmark(
    runner: MatmulRunner, sampler: Sampler | None, seconds: float, dtype: str
) -> BenchmarkResult:
    """Run the prepared load for ``seconds`` [s] inside a sampler window (device 0's figures)."""
    measurement = None
    if sampler is not None:
        sampler.begin_window("benchmark")
    try:
        flops, elapsed_s = runner.run(seconds)
    finally:
        if sampler is not None:
            measurement = sampler.end_window("benchmark")
    energy_j = None
    reason: str | None = "no power backend"
    power_w = None
    if measurement is not None and measurement.devices:
        first = measurement.devices[0]
        energy_j, reason, power_w = first.energy_j, first.energy_reason, first.average_power_w
    elif measurement is not None:
        reason = measurement.energy_reason
    return BenchmarkResult(
        library=runner.library,
        dtype=dtype,
        device_name=runner.device_name,
        matrix_size=runner.matrix_size,
        flops=flops,
        elapsed_s=elapsed_s,
        measurement=measurement,
        average_power_w=power_w,
        energy_j=energy_j,
        energy_reason=reason,
    )


def compare_to_peak(
    result: BenchmarkResult, peak_tflops: float | None, tdp_w: float | None
) -> dict[str, Any]:
    """Achieved figures beside the datasheet: fraction of peak [-], of TDP [-], GFLOPS/W at peak and TDP."""
    return {
        "library": result.library,
        "dtype": result.dtype,
        "device_name": result.device_name,
        "matrix_size": result.matrix_size,
        "elapsed_s": result.elapsed_s,
        "achieved_tflops": result.tflops,
        "average_power_w": result.average_power_w,
        "energy_j": result.energy_j,
        "energy_reason": result.energy_reason,
        "achieved_gflops_per_w": result.gflops_per_w,
        "peak_tflops": peak_tflops,
        "fraction_of_peak": result.tflops / peak_tflops if peak_tflops else None,
        "tdp_w": tdp_w,
        "power_over_tdp": result.average_power_w / tdp_w
        if tdp_w and result.average_power_w is not None
        else None,
        "datasheet_gflops_per_w": peak_tflops * 1000.0 / tdp_w if peak_tflops and tdp_w else None,
    }
