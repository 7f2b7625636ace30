"""Energy of serving a language model: per output token and per request, from the hardware's limits.

Notes
-----
Autoregressive inference has two phases [1]_ [2]_. *Prefill* runs the prompt's ``I`` tokens of
each of the ``B`` requests of a batch through the model in one pass: about ``2 N_active`` FLOPs
per token (Kaplan et al. 2020), so it is compute-bound. *Decode* then produces one token per
request per step; every step reads all the weights once (shared by the batch) plus each
request's key-value (KV) cache, so at small batches it is bound by memory bandwidth [2]_ [3]_.
Each forward pass (a decode step, or the prefill) also takes a software time the hardware
limits do not give: kernel launches, the scheduler, sampling and output handling on the host
[6]_ [7]_. On ``G`` devices in tensor parallel (weights, FLOPs and bandwidth split ``G`` ways;
the all-reduce time is not modelled)::

    W          = N_total x bytes_per_parameter                    weights read per step [B]
    KV_step    = B x (I + O/2) x kv_bytes_per_token               KV cache read per step [B]
    t_memory   = (W + KV_step) / (G x BW x f_bw)                   [s]
    t_compute  = 2 x N_active x B / (G x P x u_decode)             [s]
    t_overhead = t_pass + B x t_request                           software time per pass [s]
    t_step     = max(t_memory, t_compute) + t_overhead            the roofline [3]_ plus software
    t_prefill  = max(2 x N_active x B x I / (G x P x u_prefill), W / (G x BW x f_bw)) + t_overhead
                                                                  (0 when I = 0: no prefill pass)
    t_batch    = t_prefill + O x t_step                           one batch, prompt to last token
    power      = G x TDP x (d_mem + (d_cmp - d_mem) x t_compute / t_step)           (decode)
               = G x TDP x (d_cmp - (d_cmp - d_mem) x t_overhead / t_prefill)       (prefill)
    E_request  = (power_prefill x t_prefill + power_decode x O x t_step) / B  + host share
    E_token    = E_request / O

The software time is added to, not overlapped with, the hardware time: at every step the host
must see the last token before it can schedule and launch the next pass, so the part of its
work that follows the device's (sampling, stopping checks, scheduling, the launch of the first
kernels) is serial [6]_ [7]_. It has a fixed part per pass ``t_pass`` (launches and
scheduling, whatever the batch) and a part per running request ``t_request`` (sampling,
detokenising and bookkeeping for each sequence). During it the devices draw the memory-bound
share ``d_mem``: they stay clocked up between kernels. Fitted as a constant of its own, that
level comes out at 0.67 of TDP for the optimised class (``d_mem`` 0.66) with no lower held-out
error, so no constant was added for it. With it the decode draw keeps its form, the compute
share now taken over the whole step.

``BW`` is the device's memory bandwidth and ``P`` its dense peak at the precision, both from
``hardware_db/``; ``bytes_per_parameter`` follows the precision (2 for bf16). What physics does
not give is fitted to published measurements (:data:`CALIBRATION`): the achieved fraction of
bandwidth ``f_bw``, the achieved share of peak FLOP/s in decode ``u_decode``, and the draw as a
share of TDP when memory-bound (``d_mem``) and compute-bound (``d_cmp``), and the software
time per pass and per request (``t_pass``, ``t_request``, per engine class). ``u_prefill`` is the
calculator's default MFU (0.4, :data:`wattprint.engine.flops.DEFAULT_MFU`), not fitted.

The software time is fitted for the ``optimised`` class only (2.25 ms a pass and 68 us per
running request on vLLM 0.11, ML.ENERGY 2025); with it that source's held-out median error went
from x1.26 to x1.12 and its 90th percentile from x1.70 to x1.34. For ``eager`` it is zero:
fitted to ML.ENERGY 2023 it came out at 10.75 ms a pass (and 200 us per request, the grid's
bound) with a bandwidth fraction of 0.31; it lowered that source's median held-out error (x1.55
to x1.43) but raised its 90th percentile (x1.72 to x1.76), the median over all fitted rows
(x1.18 to x1.19) and the out-of-sample error on Wilkins et al. 2024 (median x1.58 to x1.65,
every row over-predicted more), so it was not adopted. The cause is in the fitted rows:
ML.ENERGY 2023's batch-2 runs take about twice the batch-1 step time (energy x batch / draw),
which a fixed time per step cannot give, so the fit keeps a low bandwidth fraction (0.31),
while Wilkins' batch-1 steps (25-32 ms for the 7B models, 37 ms for 13B: 8 ms more for 12.5 GB
more weights, near the full bandwidth) ask for a high fraction and about 20 ms of host time, as
gpt-fast's eager baseline does (25.5 tokens/s for a 7B Llama on an A100, "heavily CPU overhead
bound" [7]_).

The fit and its leave-one-model-out error are in ``tests/validation/inference_measurements.csv``
and ``tests/validation/test_inference_validation.py`` (:data:`VALIDATION_NOTE`).

References
----------
.. [1] Kaplan et al. (2020), "Scaling Laws for Neural Language Models", Section 2.1 (2N FLOPs
   per token in a forward pass). https://arxiv.org/abs/2001.08361
.. [2] Pope et al. (2022), "Efficiently Scaling Transformer Inference", MLSys 2023, Sections 2-3
   (decode is memory-bound at small batch; weights and KV cache loaded each step).
   https://arxiv.org/abs/2211.05102
.. [3] Williams, Waterman, Patterson (2009), "Roofline: an insightful visual performance model
   for multicore architectures", Communications of the ACM 52(4). https://doi.org/10.1145/1498765.1498785
.. [4] Chung et al. (2025), "The ML.ENERGY Benchmark: Toward Automated Inference Energy
   Measurement and Optimization", NeurIPS Datasets and Benchmarks. https://arxiv.org/abs/2505.06371
.. [5] Patterson et al. (2021), "Carbon Emissions and Large Neural Network Training", Section 2
   (most ML energy at Google, NVIDIA and AWS goes to inference). https://arxiv.org/abs/2104.10350
.. [6] vLLM Team (2024), "vLLM v0.6.0: 2.7x Throughput Improvement and 5x Latency Reduction",
   vLLM blog, 5 September 2024 (Llama 3 8B on one H100, v0.5.3: the API server 33 % and
   scheduling 29 % of the time, GPU execution 38 %). https://blog.vllm.ai/2024/09/05/perf-update.html
.. [7] Team PyTorch (2023), "Accelerating Generative AI with PyTorch II: GPT, Fast", PyTorch blog,
   30 November 2023 (Llama-2-7B at batch 1 on an A100: 25.5 tokens/s in eager PyTorch, "heavily
   CPU overhead bound"; about 4x faster once the step is compiled into CUDA graphs).
   https://pytorch.org/blog/accelerating-generative-ai-2/
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wattprint.db.schema import Device, Fact, Source
from wattprint.engine.flops import peak_fact
from wattprint.engine.footprint import Assumption
from wattprint.errors import InputError

Engine = Literal["optimised", "eager"]
Binding = Literal["memory", "compute", "overhead"]

BINDING_WORDS: dict[str, str] = {
    "memory": "memory-bound",
    "compute": "compute-bound",
    "overhead": "bound by software time per step",
}
"""Each :data:`Binding` in words, for statements."""

ENGINES: tuple[str, ...] = ("optimised", "eager")
"""Serving software classes the fit distinguishes: ``optimised`` (continuous batching, CUDA
graphs: vLLM, TGI, TensorRT-LLM) and ``eager`` (a framework's plain ``generate`` loop, e.g.
Hugging Face Transformers as in ML.ENERGY's 2023 leaderboard)."""

BYTES_PER_PARAMETER: dict[str, float] = {
    "fp32": 4.0,
    "tf32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "fp4": 0.5,
    "int4": 0.5,
}
"""Bytes of weight memory per parameter at each storage precision [B] (the format's width)."""

COMPUTE_PRECISION: dict[str, str] = {"int4": "int8", "tf32": "tf32"}
"""The peak whose precision a weight format computes at, where it is not its own name."""

KV_REFERENCE_BYTES_PER_TOKEN = 131_072.0
"""KV cache of Llama 3.1 8B per token [B]: 2 (K, V) x 32 layers x 8 KV heads x 128 x 2 bytes
(Meta, Llama-3.1-8B config.json: num_hidden_layers 32, num_key_value_heads 8, head_dim 128)."""
KV_REFERENCE_PARAMETERS = 8.03e9
"""Parameters of Llama 3.1 8B [-] (Meta, Llama 3.1 model card, 2024)."""
KV_SCALING_EXPONENT = 0.4
"""Assumed growth of the KV cache per token with parameters, N^0.4 [-]: layer count grows about
so across the Llama 3.1 family (32, 80, 126 layers at 8B, 70B, 405B with 8 KV heads each)."""

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Calibration:
    """What physics does not give, fitted to published measurements (dimensionless, 0-1).

    Attributes
    ----------
    bandwidth_fraction : dict
        Achieved fraction of the memory bandwidth in decode, by :data:`ENGINES` [-].
    decode_utilization : float
        Achieved fraction of the dense peak FLOP/s in decode [-].
    draw_memory_bound : dict
        Board draw as a fraction of TDP when decode is memory-bound, by engine [-].
    draw_compute_bound : float
        Board draw as a fraction of TDP when compute-bound (and in prefill) [-].
    prefill_utilization : float
        Fraction of peak FLOP/s in prefill [-]; not fitted (the calculator's default MFU).
    pass_overhead_s : dict
        Software time per forward pass whatever the batch, by engine [s] (launches, scheduling).
    request_overhead_s : dict
        Software time per forward pass for each running request, by engine [s] (sampling,
        detokenising, bookkeeping). Both default to zero (the hardware roofline alone).
    """

    bandwidth_fraction: dict[str, float]
    decode_utilization: float
    draw_memory_bound: dict[str, float]
    draw_compute_bound: float
    prefill_utilization: float = 0.4
    pass_overhead_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ENGINES, 0.0))
    request_overhead_s: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ENGINES, 0.0))


CALIBRATION = Calibration(
    bandwidth_fraction={"optimised": 0.81, "eager": 0.24},
    decode_utilization=0.41,
    draw_memory_bound={"optimised": 0.66, "eager": 0.47},
    draw_compute_bound=1.00,
    pass_overhead_s={"optimised": 0.00225, "eager": 0.0},
    request_overhead_s={"optimised": 68e-6, "eager": 0.0},
)
"""The fit to the 103 rows of ``tests/validation/inference_measurements.csv`` whose ``use`` is
``fit`` (ML.ENERGY 2023 and 2025; the 31 ``check`` rows are never fitted): least squares in log
energy per output token and log draw, :func:`wattprint.engine.inference_fit.fit`. The test
``tests/validation/test_inference_validation.py`` refits and checks these values. The software
time is fitted for the ``optimised`` class only (see the module Notes); ``draw_compute_bound``
sits at its bound, 1.0 (ML.ENERGY 2025 measured 688 W of the H100's 700 W at batch 511)."""

VALIDATION_MEDIAN_LOG_ERROR = 0.17
"""Median absolute natural-log error of energy per output token, leave-one-model-out [-]
(13 base models, 103 measurements; measured 0.163): a factor of 1.18 (1.29 before the software
time per pass was added)."""
VALIDATION_P90_LOG_ERROR = 0.50
"""90th percentile of the same errors [-] (measured 0.499, a factor of 1.65; 1.71 before); the
estimate's range is this factor either side."""
VALIDATION_NOTE = (
    "roofline model (prefill compute-bound, decode memory-bound at the device's bandwidth, plus "
    "a software time per step) calibrated on published measurements (ML.ENERGY 2023 and 2025); "
    "leave-one-model-out median error x{median:.2f}, 90th percentile x{p90:.2f}"
)


@dataclass(frozen=True)
class InferenceRange:
    """Low and high of the estimate: the 90th-percentile validation error either side."""

    energy_per_output_token_j_low: float
    energy_per_output_token_j_high: float
    energy_per_request_wh_low: float
    energy_per_request_wh_high: float
    factor: float


@dataclass(frozen=True)
class InferenceEstimate:
    """Energy and speed of serving one model on ``G`` devices at one batch size.

    Attributes
    ----------
    energy_per_output_token_j : float
        Energy per generated token, prefill included [J].
    energy_per_request_j, energy_per_request_wh : float
        Energy of one request (prompt and response) [J], [Wh].
    tokens_per_second : float
        Output tokens per second of the whole replica (all ``G`` devices, all ``B`` requests),
        prefill time included [1/s].
    binding : {"memory", "compute", "overhead"}
        The limit of the phase that takes most of the batch's time.
    decode_binding, prefill_binding : {"memory", "compute", "overhead"}
        Each phase's own limit: the largest of its three parts, the memory time, the compute
        time and the software time (``overhead`` only when the software time exceeds both
        hardware times; the hardware limit is then the larger of the other two).
    decode_step_s, prefill_s, request_latency_s : float
        One decode step, the batch's prefill, and prompt-to-last-token time [s].
    decode_overhead_s : float
        The software time within each decode step [s] (0 where none is modelled).
    power_w : float
        Average draw of the ``G`` devices and host share over a batch [W].
    flops_lower_bound_j_per_token : float
        2N FLOPs per token at peak x ``u_prefill`` and the same draw [J]: a lower bound only.
    range : InferenceRange
    assumptions : tuple of Assumption
    method : str
        Which model and which validation error apply, in words.
    caveats : tuple of str
        Where the estimate is known to be weak for these inputs, in words (empty when none).
    """

    energy_per_output_token_j: float
    energy_per_request_j: float
    energy_per_request_wh: float
    tokens_per_second: float
    binding: Binding
    decode_binding: Binding
    prefill_binding: Binding
    decode_step_s: float
    decode_overhead_s: float
    prefill_s: float
    request_latency_s: float
    power_w: float
    flops_lower_bound_j_per_token: float
    range: InferenceRange
    assumptions: tuple[Assumption, ...]
    method: str
    caveats: tuple[str, ...] = ()


SOFTWARE_FLOOR_S = 0.003
"""Decode step below which serving software, not the hardware, often sets the pace [s], for a
calibration without software time: vLLM's shortest median inter-token latency in ML.ENERGY 2025
is 4.6 ms (Llama 3.1 8B, B200, batch 8)."""

EAGER_STEP_FLOOR_S = 0.018
"""Decode step below which an engine with no modelled software time is likely too fast [s]: the
shortest batch-1 step of a plain Hugging Face Transformers loop in the validation rows is 18.4 ms
(BLOOM-7B on an A100, ML.ENERGY 2023; energy x batch / draw); Wilkins et al. 2024 measured
25-38 ms for 7B and 13B models on the same GPU."""


def _largest(t_memory: float, t_compute: float, t_overhead: float) -> Binding:
    """The largest part of a pass: memory, compute, or the software time (ties go to hardware)."""
    if t_overhead > max(t_memory, t_compute):
        return "overhead"
    return "memory" if t_memory >= t_compute else "compute"


def _number(name: str, value: float, minimum: float = 0.0, strict: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    if value < minimum or (strict and value == minimum):
        relation = "greater than" if strict else "at least"
        raise InputError(f"{name} must be {relation} {minimum:g}, got {value:g}")
    return float(value)


def default_kv_bytes_per_token(parameters: float) -> float:
    """Assumed KV cache per token of a model of ``parameters`` [B] when its architecture is not given.

    Parameters
    ----------
    parameters : float
        Total parameters N [-].

    Notes
    -----
    ``kv = 131072 x (N / 8.03e9)^0.4``: Llama 3.1 8B's grouped-query cache (8 KV heads of 128,
    16-bit), scaled as the layer count grows across the Llama 3.1 family. Models with full
    multi-head attention (Llama 2 7B: 524,288 B) hold several times more; give the figure.

    References
    ----------
    Meta (2024), Llama-3.1-8B / 70B / 405B config.json (num_hidden_layers, num_key_value_heads).
    """
    _number("parameters", parameters)
    ratio = float(parameters) / KV_REFERENCE_PARAMETERS
    return KV_REFERENCE_BYTES_PER_TOKEN * math.pow(ratio, KV_SCALING_EXPONENT)


def estimate_inference(
    *,
    parameters: float,
    batch_size: float,
    input_tokens: float,
    output_tokens: float,
    memory_bandwidth_gb_s: float,
    peak_tflops: float,
    tdp_w: float,
    active_parameters: float | None = None,
    precision: str = "bf16",
    device_count: float = 1.0,
    memory_gb: float | None = None,
    power_w: float | None = None,
    host_power_w: float = 0.0,
    kv_bytes_per_token: float | None = None,
    engine: str = "optimised",
    calibration: Calibration = CALIBRATION,
    device_name: str = "device",
    sources: dict[str, tuple[str, int | None]] | None = None,
) -> InferenceEstimate:
    """Energy per output token and per request of serving a transformer language model.

    Parameters
    ----------
    parameters : float
        Total parameters N_total [-]; all are read from memory each decode step.
    batch_size : float
        Requests decoded together B [-] (continuous batching: the average running batch).
    input_tokens, output_tokens : float
        Prompt tokens I and generated tokens O per request [-].
    memory_bandwidth_gb_s : float
        Memory bandwidth of one device [GB/s].
    peak_tflops : float
        Dense peak of one device at the compute precision [TFLOP/s].
    tdp_w : float
        Board power (TDP) of one device [W].
    active_parameters : float, optional
        Parameters used per token N_active [-] (MoE); default ``parameters``.
    precision : str
        Weight storage format, a key of :data:`BYTES_PER_PARAMETER`.
    device_count : float
        Devices G the model is split over in tensor parallel [-].
    memory_gb : float, optional
        Memory of one device [GB]; when given, weights that do not fit are refused.
    power_w : float, optional
        Measured average draw per device while serving [W]; replaces the TDP-based draw.
    host_power_w : float
        Host (CPU, memory, network) draw attributed to this replica [W]; 0 counts the devices only.
    kv_bytes_per_token : float, optional
        KV cache per token of context [B]: 2 x layers x KV heads x head size x bytes. Default
        :func:`default_kv_bytes_per_token` (an assumption, said in the result).
    engine : {"optimised", "eager"}
        Serving software class (:data:`ENGINES`).
    calibration : Calibration
        The fitted constants (default :data:`CALIBRATION`).
    device_name : str
        Name used in the assumptions.
    sources : dict, optional
        ``{"bandwidth"|"peak"|"tdp"|"memory": (citation, year)}`` for the device's figures.

    Returns
    -------
    InferenceEstimate

    Notes
    -----
    See the module docstring for the equations. Energy is the devices' (and host share's) IT
    energy, before PUE.

    References
    ----------
    Kaplan et al. (2020); Pope et al. (2022); Williams et al. (2009); Chung et al. (2025).
    """
    n_total = _number("parameters", parameters)
    n_active = n_total if active_parameters is None else _number("active parameters", active_parameters)
    if n_active > n_total:
        raise InputError(f"active parameters ({n_active:.3g}) cannot exceed total parameters ({n_total:.3g})")
    batch = _number("batch size", batch_size)
    if batch < 1:
        raise InputError(f"batch size must be at least 1, got {batch:g}")
    n_in = _number("input tokens", input_tokens, strict=False)
    n_out = _number("output tokens", output_tokens)
    bandwidth = _number("memory bandwidth [GB/s]", memory_bandwidth_gb_s) * 1e9
    peak = _number("peak TFLOP/s", peak_tflops) * 1e12
    tdp = _number("TDP [W]", tdp_w)
    count = _number("device count", device_count)
    host_w = _number("host power [W]", host_power_w, strict=False)
    if precision not in BYTES_PER_PARAMETER:
        raise InputError(f"unknown precision {precision!r}; valid: {', '.join(BYTES_PER_PARAMETER)}")
    if engine not in ENGINES:
        raise InputError(f"unknown serving engine {engine!r}; valid: {', '.join(ENGINES)}")
    cal = calibration
    src = sources or {}

    def cited(key: str, default: str) -> tuple[str, int | None]:
        return src.get(key, (default, None))

    bytes_per_parameter = BYTES_PER_PARAMETER[precision]
    weights_b = n_total * bytes_per_parameter
    if memory_gb is not None:
        memory_b = _number("device memory [GB]", memory_gb) * 1e9
        if weights_b > count * memory_b:
            need = math.ceil(weights_b / memory_b)
            raise InputError(
                f"the weights ({weights_b / 1e9:,.1f} GB at {precision}) do not fit in {count:g} x "
                f"{memory_b / 1e9:g} GB; use at least {need} devices (--count) or a smaller precision"
            )
    if kv_bytes_per_token is None:
        kv = default_kv_bytes_per_token(n_total)
        kv_source = (
            "assumed: Llama-3.1-8B-like grouped-query cache scaled by N^0.4; "
            "give kv_bytes_per_token (2 x layers x KV heads x head size x bytes)"
        )
    else:
        kv = _number("KV cache bytes per token", kv_bytes_per_token, strict=False)
        kv_source = "given"
    context = n_in + n_out / 2.0
    kv_step_b = batch * context * kv

    f_bw = cal.bandwidth_fraction[engine]
    effective_bandwidth = count * bandwidth * f_bw
    t_pass = cal.pass_overhead_s[engine]
    t_request = cal.request_overhead_s[engine]
    t_overhead = t_pass + batch * t_request
    t_memory = (weights_b + kv_step_b) / effective_bandwidth
    t_compute = 2.0 * n_active * batch / (count * peak * cal.decode_utilization)
    t_step = max(t_memory, t_compute) + t_overhead
    decode_binding = _largest(t_memory, t_compute, t_overhead)

    t_prefill_compute = 2.0 * n_active * batch * n_in / (count * peak * cal.prefill_utilization)
    t_prefill_memory = weights_b / effective_bandwidth if n_in > 0 else 0.0
    t_prefill = max(t_prefill_compute, t_prefill_memory) + t_overhead if n_in > 0 else 0.0
    prefill_binding = _largest(t_prefill_memory, t_prefill_compute, t_overhead)
    t_decode = n_out * t_step
    t_batch = t_prefill + t_decode
    binding = decode_binding if t_decode >= t_prefill else prefill_binding

    if power_w is None:
        compute_share = t_compute / t_step
        d_mem = cal.draw_memory_bound[engine]
        d_cmp = cal.draw_compute_bound
        decode_device_w = tdp * (d_mem + (d_cmp - d_mem) * compute_share)
        prefill_overhead_share = t_overhead / t_prefill if t_prefill > 0 else 0.0
        prefill_device_w = tdp * (d_cmp - (d_cmp - d_mem) * prefill_overhead_share)
        draw_source = (
            f"fitted to published measurements: {d_mem:.0%} of TDP memory-bound and during "
            f"software time, {d_cmp:.0%} compute-bound ({engine} engine)"
        )
    else:
        decode_device_w = prefill_device_w = _number("power [W]", power_w)
        draw_source = "given (measured)"
    energy_batch_j = count * (prefill_device_w * t_prefill + decode_device_w * t_decode) + host_w * t_batch
    energy_request_j = energy_batch_j / batch
    energy_token_j = energy_request_j / n_out
    power_avg_w = energy_batch_j / t_batch
    tokens_per_second = batch * n_out / t_batch

    flops_time_per_token = 2.0 * n_active / (count * peak * cal.prefill_utilization)
    flops_lower_bound = count * decode_device_w * flops_time_per_token

    factor = math.exp(VALIDATION_P90_LOG_ERROR)
    energy_request_wh = energy_request_j / SECONDS_PER_HOUR
    spread = InferenceRange(
        energy_token_j / factor,
        energy_token_j * factor,
        energy_request_wh / factor,
        energy_request_wh * factor,
        factor,
    )
    bandwidth_cite = cited("bandwidth", "given")
    peak_cite = cited("peak", "given")
    tdp_cite = cited("tdp", "given")
    assumptions = (
        Assumption(
            "model",
            "roofline: prefill compute-bound, decode memory- or compute-bound",
            "-",
            "Pope et al. 2022; Williams et al. 2009",
            None,
        ),
        Assumption("total parameters", n_total, "-", "given", None),
        Assumption(
            "active parameters per token",
            n_active,
            "-",
            "given" if active_parameters is not None else "dense model (= total)",
            None,
        ),
        Assumption(
            "weight precision", precision, f"{bytes_per_parameter:g} B/parameter", "format width", None
        ),
        Assumption("devices in tensor parallel", count, "-", "given (all-reduce time not modelled)", None),
        Assumption("batch size", batch, "requests", "given", None),
        Assumption("input tokens per request", n_in, "tokens", "given", None),
        Assumption("output tokens per request", n_out, "tokens", "given", None),
        Assumption("KV cache per token", kv, "B", kv_source, None),
        Assumption(f"{device_name} memory bandwidth", bandwidth / 1e9, "GB/s", *bandwidth_cite),
        Assumption(f"{device_name} dense peak", peak / 1e12, "TFLOP/s", *peak_cite),
        Assumption(f"{device_name} TDP", tdp, "W", *tdp_cite),
        Assumption("achieved fraction of bandwidth", f_bw, "-", f"fitted ({engine} engine)", None),
        Assumption("achieved fraction of peak in decode", cal.decode_utilization, "-", "fitted", None),
        Assumption(
            "software time per forward pass",
            t_pass * 1000.0,
            "ms",
            f"fitted ({engine} engine)" if t_pass > 0 else f"none modelled ({engine} engine)",
            None,
        ),
        Assumption(
            "software time per running request per pass",
            t_request * 1e6,
            "us",
            f"fitted ({engine} engine)" if t_request > 0 else f"none modelled ({engine} engine)",
            None,
        ),
        Assumption(
            "fraction of peak in prefill",
            cal.prefill_utilization,
            "-",
            "calculator default MFU (Narayanan et al. 2021; Chowdhery et al. 2022)",
            None,
        ),
        Assumption("draw per device in decode", decode_device_w, "W", draw_source, None),
        Assumption(
            "host power share",
            host_w,
            "W",
            "given" if host_power_w else "not counted (devices only, as ML.ENERGY measures)",
            None,
        ),
    )
    caveats: list[str] = []
    if t_overhead == 0.0 and engine != "eager" and t_step < SOFTWARE_FLOOR_S:
        caveats.append(
            f"a decode step of {t_step * 1000:.2g} ms, with no software time in this calibration, is "
            "below the ~3-7 ms that serving software takes per step in published measurements; the "
            "estimate may be several times too low"
        )
    elif t_overhead == 0.0 and engine == "eager" and t_step < EAGER_STEP_FLOOR_S:
        caveats.append(
            f"a decode step of {t_step * 1000:.2g} ms, with no software time modelled for the {engine} "
            "engine: a plain generate loop took 18-52 ms a step at batch 1 for 7B-13B models on an A100 "
            "(ML.ENERGY 2023, Wilkins et al. 2024), so the estimate may be several times too low"
        )
    elif t_overhead > 0.0 and decode_binding == "overhead":
        caveats.append(
            f"software time ({t_overhead * 1000:.2g} ms of each {t_step * 1000:.2g} ms step) sets most of "
            "the pace; it was fitted on vLLM 0.11 on H100 and B200 (ML.ENERGY 2025) and other software or "
            "hosts differ: TokenPowerBench's vLLM on a GH200 took about 7 ms a step for Qwen2.5-0.5B"
        )
    if memory_gb is not None:
        needed_b = weights_b + batch * (n_in + n_out) * kv
        if needed_b > count * memory_gb * 1e9:
            caveats.append(
                f"weights and the batch's KV cache need {needed_b / 1e9:,.0f} GB, more than the "
                f"{count * memory_gb:,.0f} GB of the devices: a server would run a smaller batch"
            )
    method = VALIDATION_NOTE.format(
        median=math.exp(VALIDATION_MEDIAN_LOG_ERROR), p90=math.exp(VALIDATION_P90_LOG_ERROR)
    )
    return InferenceEstimate(
        energy_per_output_token_j=energy_token_j,
        energy_per_request_j=energy_request_j,
        energy_per_request_wh=energy_request_wh,
        tokens_per_second=tokens_per_second,
        binding=binding,
        decode_binding=decode_binding,
        prefill_binding=prefill_binding,
        decode_step_s=t_step,
        decode_overhead_s=t_overhead,
        prefill_s=t_prefill,
        request_latency_s=t_batch,
        power_w=power_avg_w,
        flops_lower_bound_j_per_token=flops_lower_bound,
        range=spread,
        assumptions=assumptions,
        method=method,
        caveats=tuple(caveats),
    )


def estimate_inference_on_device(
    device: Device,
    citations: Mapping[str, Source],
    *,
    precision: str = "bf16",
    **inputs: Any,
) -> InferenceEstimate:
    """:func:`estimate_inference` with the bandwidth, peak, TDP and memory of a database device.

    Parameters
    ----------
    device : Device
        An entry of ``hardware_db/``.
    citations : mapping
        The hardware database's sources by key, to name each figure's source.
    precision : str
        Weight format (:data:`BYTES_PER_PARAMETER`). Its dense peak is used for FLOPs; a device
        that publishes none for it (fp8 on an A100) computes at its bf16 (else fp16) peak, and
        the assumptions say so.
    **inputs
        The other keyword arguments of :func:`estimate_inference`.

    Raises
    ------
    InputError
        When the device publishes no memory bandwidth, or no usable peak.
    """
    if precision not in BYTES_PER_PARAMETER:
        raise InputError(f"unknown precision {precision!r}; valid: {', '.join(BYTES_PER_PARAMETER)}")
    if device.memory_bandwidth_gb_s is None:
        raise InputError(
            f"{device.id} has no memory bandwidth in the hardware database; decode speed cannot be "
            "estimated without it"
        )
    wanted = COMPUTE_PRECISION.get(precision, precision)
    fallback_note = ""
    try:
        peak = peak_fact(device, wanted)
    except InputError:
        for other in ("bf16", "fp16"):
            if getattr(device, f"{other}_tflops") is not None:
                peak = peak_fact(device, other)
                fallback_note = f" (no {wanted} peak published: weight-only {precision}, computed at {other})"
                break
        else:
            raise

    def cite(fact: Fact) -> tuple[str, int | None]:
        source = citations.get(fact.source)
        name = f"{source.publisher}, {source.title}" if source else fact.source
        return name, fact.year

    peak_source, peak_year = cite(peak)
    sources = {
        "bandwidth": cite(device.memory_bandwidth_gb_s),
        "peak": (peak_source + fallback_note, peak_year),
        "tdp": cite(device.tdp_w),
    }
    return estimate_inference(
        precision=precision,
        memory_bandwidth_gb_s=device.memory_bandwidth_gb_s.value,
        peak_tflops=peak.value,
        tdp_w=device.tdp_w.value,
        memory_gb=device.memory_gb.value if device.memory_gb is not None else None,
        device_name=device.name,
        sources=sources,
        **inputs,
    )


def inference_to_dict(result: InferenceEstimate) -> dict[str, object]:
    """The ``wattprint inference --json`` contract: figures with units in their names."""
    r = result.range
    return {
        "energy_per_output_token_j": result.energy_per_output_token_j,
        "energy_per_request_j": result.energy_per_request_j,
        "energy_per_request_wh": result.energy_per_request_wh,
        "tokens_per_second": result.tokens_per_second,
        "binding": result.binding,
        "decode_binding": result.decode_binding,
        "prefill_binding": result.prefill_binding,
        "decode_step_s": result.decode_step_s,
        "decode_overhead_s": result.decode_overhead_s,
        "prefill_s": result.prefill_s,
        "request_latency_s": result.request_latency_s,
        "power_w": result.power_w,
        "flops_lower_bound_j_per_token": result.flops_lower_bound_j_per_token,
        "range": {
            "energy_per_output_token_j": {
                "low": r.energy_per_output_token_j_low,
                "high": r.energy_per_output_token_j_high,
            },
            "energy_per_request_wh": {
                "low": r.energy_per_request_wh_low,
                "high": r.energy_per_request_wh_high,
            },
            "factor": r.factor,
        },
        "method": result.method,
        "caveats": list(result.caveats),
        "assumptions": [
            {"name": a.name, "value": a.value, "unit": a.unit, "source": a.source, "year": a.year}
            for a in result.assumptions
        ],
    }


@dataclass(frozen=True)
class ServingTradeoff:
    """Training beside a serving lifetime (Patterson et al. 2021): energy and the break-even day.

    Attributes
    ----------
    training_energy_kwh : float
        The training run's energy [kWh], as the caller computed it (PUE as the caller chose).
    serving_energy_kwh : float
        requests/day x Wh/request x days / 1000 x PUE [kWh].
    serving_share : float
        serving / (training + serving) [-].
    break_even_days : float
        Days of serving whose energy equals the training's [d].
    break_even_requests : float
        Requests whose energy equals the training's [-].
    """

    training_energy_kwh: float
    serving_energy_kwh: float
    serving_share: float
    break_even_days: float
    break_even_requests: float


def serving_tradeoff(
    training_energy_kwh: float,
    energy_per_request_wh: float,
    requests_per_day: float,
    days: float,
    pue: float = 1.0,
) -> ServingTradeoff:
    """Serving lifetime beside training, and when serving overtakes it.

    Parameters
    ----------
    training_energy_kwh : float
        Training energy [kWh], with the same PUE convention as ``pue``.
    energy_per_request_wh : float
        IT energy of one request [Wh].
    requests_per_day : float
        Requests served per day [1/d].
    days : float
        Days in service [d].
    pue : float
        Facility overhead applied to serving [-].

    Notes
    -----
    ``serving_kwh = requests_per_day x energy_per_request_wh x days x pue / 1000``;
    ``break_even_days = training_kwh / (requests_per_day x energy_per_request_wh x pue / 1000)``.

    References
    ----------
    Patterson et al. (2021), Section 2: inference is most of ML's energy at Google (about 3/5),
    NVIDIA (80-90%) and AWS (90%).
    """
    _number("training energy [kWh]", training_energy_kwh, strict=False)
    _number("energy per request [Wh]", energy_per_request_wh)
    _number("requests per day", requests_per_day)
    _number("days in service", days)
    _number("PUE", pue, minimum=1.0, strict=False)
    per_day_kwh = requests_per_day * energy_per_request_wh * pue / 1000.0
    serving_kwh = per_day_kwh * days
    total = training_energy_kwh + serving_kwh
    return ServingTradeoff(
        training_energy_kwh=training_energy_kwh,
        serving_energy_kwh=serving_kwh,
        serving_share=serving_kwh / total if total > 0 else 0.0,
        break_even_days=training_energy_kwh / per_day_kwh,
        break_even_requests=training_energy_kwh * 1000.0 / (energy_per_request_wh * pue),
    )


@dataclass(frozen=True)
class ServingPerRequest:
    """Energy per request for a serving lifetime, with how it was made, in words.

    Attributes
    ----------
    wh_per_request : float
        IT energy of one request [Wh] (the model's estimate, never the lower bound).
    device_count : float
        Devices the model was placed on [-].
    description : str
        Model, devices, limit, throughput, validation error and the FLOPs-only lower bound.
    estimate : InferenceEstimate
    """

    wh_per_request: float
    device_count: float
    description: str
    estimate: InferenceEstimate


def serving_per_request(
    device: Device,
    citations: Mapping[str, Source],
    *,
    parameters: float,
    batch_size: float,
    input_tokens: float,
    output_tokens: float,
    precision: str = "bf16",
    power_w: float | None = None,
) -> ServingPerRequest:
    """Energy per request of serving on the fewest ``device`` that hold the weights.

    Parameters
    ----------
    device : Device
    citations : mapping
        The hardware database's sources by key.
    parameters : float
        Total parameters [-].
    batch_size, input_tokens, output_tokens : float
        Requests decoded together, prompt and generated tokens per request [-].
    precision : str
        Weight format.
    power_w : float, optional
        Measured draw per device [W].

    Notes
    -----
    ``G = ceil(N x bytes_per_parameter / memory_gb)`` devices (at least 1), then
    :func:`estimate_inference_on_device`. The description states G, so it is never hidden.
    """
    _number("parameters", parameters)
    bytes_per_parameter = BYTES_PER_PARAMETER.get(precision)
    if bytes_per_parameter is None:
        raise InputError(f"unknown precision {precision!r}; valid: {', '.join(BYTES_PER_PARAMETER)}")
    count = 1.0
    if device.memory_gb is not None and device.memory_gb.value > 0:
        count = float(max(1, math.ceil(parameters * bytes_per_parameter / (device.memory_gb.value * 1e9))))
    result = estimate_inference_on_device(
        device,
        citations,
        precision=precision,
        parameters=parameters,
        batch_size=batch_size,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        device_count=count,
        power_w=power_w,
    )
    lower_wh = result.flops_lower_bound_j_per_token * output_tokens / SECONDS_PER_HOUR
    description = (
        f"roofline model on {count:g} × {device.name} at batch {batch_size:g}: "
        f"{BINDING_WORDS[result.binding]}, "
        f"{result.energy_per_output_token_j:.3g} J per output token, "
        f"{result.tokens_per_second:,.0f} tokens/s ({result.method}). "
        f"FLOPs-only lower bound {lower_wh:.3g} Wh per request (not an estimate)"
    )
    return ServingPerRequest(result.energy_per_request_wh, count, description, result)
