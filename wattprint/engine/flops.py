"""From floating-point operations to device-hours and energy per request.

Notes
-----
Training a dense transformer of ``N`` parameters on ``D`` tokens costs about ``6 N D`` FLOPs
(forward 2ND, backward 4ND) [1]_; a forward pass (inference) costs about ``2 N D`` [1]_. On
hardware with a dense peak of ``P`` FLOP/s per device, sustained at a model-FLOPs utilisation
(MFU) ``u`` [2]_ [3]_::

    device_seconds = FLOPs / (P x u)
    device_hours   = device_seconds / 3600
    wh_per_request = device_power_w x 2 N tokens / (P x u) / 3600

MFU is the share of the peak a run achieves on the model's own FLOPs (no recomputation);
large-scale training reports 30-55% (Chowdhery et al. 2022, Table 3: PaLM 46.2%).

References
----------
.. [1] Kaplan et al. (2020), "Scaling Laws for Neural Language Models", Section 2.1
   (C ~ 6ND). https://arxiv.org/abs/2001.08361
.. [2] Narayanan et al. (2021), "Efficient Large-Scale Language Model Training on GPU Clusters
   Using Megatron-LM", SC21, Section 5.1 (achieved share of peak FLOP/s).
   https://arxiv.org/abs/2104.04473
.. [3] Chowdhery et al. (2022), "PaLM: Scaling Language Modeling with Pathways", Section 4.1
   and Appendix B (model FLOPs utilisation). https://arxiv.org/abs/2204.02311
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from wattprint.db.schema import Device, Fact
from wattprint.engine.footprint import Assumption, Job
from wattprint.errors import InputError

Task = Literal["training", "inference"]

TRAINING_FLOPS_PER_PARAMETER_TOKEN = 6.0
"""FLOPs per parameter per training token [-] (Kaplan et al. 2020, Section 2.1)."""
INFERENCE_FLOPS_PER_PARAMETER_TOKEN = 2.0
"""FLOPs per parameter per generated or processed token in a forward pass [-] (Kaplan et al. 2020)."""
DEFAULT_MFU = 0.4
"""Default model-FLOPs utilisation [-]: between Megatron-LM's 52% of peak on 3072 A100s
(Narayanan et al. 2021) and typical smaller runs; PaLM reached 46.2% (Chowdhery et al. 2022)."""
PRECISIONS: tuple[str, ...] = ("bf16", "fp16", "fp8", "fp4", "tf32", "fp32", "fp64", "int8")
"""Precisions a peak can be looked up for; ``int8`` uses the database's ``int8_tops``."""
SECONDS_PER_HOUR = 3600.0


def _positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {value!r}")
    if value <= 0:
        raise InputError(f"{name} must be greater than 0, got {value:g}")


def model_flops(parameters: float, tokens: float, task: Task) -> float:
    """FLOPs of training (6ND) or inference (2ND) [FLOP].

    Parameters
    ----------
    parameters : float
        Model parameters N [-].
    tokens : float
        Tokens D processed [-].
    task : {"training", "inference"}

    References
    ----------
    Kaplan et al. (2020), Section 2.1.
    """
    _positive("parameters", parameters)
    _positive("tokens", tokens)
    if task == "training":
        factor = TRAINING_FLOPS_PER_PARAMETER_TOKEN
    elif task == "inference":
        factor = INFERENCE_FLOPS_PER_PARAMETER_TOKEN
    else:
        raise InputError(f"task must be 'training' or 'inference', got {task!r}")
    return factor * parameters * tokens


def peak_fact(device: Device, precision: str) -> Fact:
    """The device's dense peak for ``precision`` [TFLOP/s, or TOP/s for int8] from the database.

    Raises :class:`InputError` naming the precisions the device does publish.
    """
    if precision not in PRECISIONS:
        raise InputError(f"unknown precision {precision!r}; valid: {', '.join(PRECISIONS)}")
    fact: Fact | None = getattr(device, "int8_tops" if precision == "int8" else f"{precision}_tflops")
    if fact is None:
        known = available_precisions(device)
        valid = ", ".join(known) if known else "none (give hours instead)"
        raise InputError(f"{device.id} publishes no {precision} peak; valid: {valid}")
    return fact


def available_precisions(device: Device) -> list[str]:
    """Precisions with a published dense peak for ``device``, in :data:`PRECISIONS` order."""
    found = []
    for precision in PRECISIONS:
        name = "int8_tops" if precision == "int8" else f"{precision}_tflops"
        if getattr(device, name) is not None:
            found.append(precision)
    return found


def device_hours_from_flops(total_flops: float, peak_tflops: float, mfu: float) -> float:
    """Device-hours [h] to execute ``total_flops`` at ``mfu`` of the per-device peak.

    Parameters
    ----------
    total_flops : float
        Work [FLOP].
    peak_tflops : float
        Dense peak of one device [TFLOP/s].
    mfu : float
        Model-FLOPs utilisation [-], in (0, 1].

    Notes
    -----
    ``device_hours = total_flops / (peak_tflops x 1e12 x mfu) / 3600``

    References
    ----------
    Narayanan et al. (2021), Section 5.1; Chowdhery et al. (2022), Appendix B.
    """
    _positive("total FLOPs", total_flops)
    _positive("peak TFLOP/s", peak_tflops)
    _positive("utilisation (MFU)", mfu)
    if mfu > 1:
        raise InputError(f"utilisation (MFU) is a fraction of peak (0-1], got {mfu:g}")
    return total_flops / (peak_tflops * 1e12 * mfu) / SECONDS_PER_HOUR


@dataclass(frozen=True)
class FlopsDuration:
    """Device-hours derived from FLOPs, with the sentence and assumptions that explain them."""

    total_flops: float
    """Work [FLOP]."""
    peak_tflops: float
    """Dense peak of one device at the precision [TFLOP/s]."""
    mfu: float
    """Model-FLOPs utilisation [-]."""
    device_hours: float
    """Device-hours [h]: ``total_flops / (peak_tflops x 1e12 x mfu) / 3600``."""
    note: str
    """How the device-hours were derived, in one line."""
    assumptions: tuple[Assumption, ...]


def peak_source(sources: Mapping[str, Any], device: Device, precision: str) -> str:
    """The source of ``device``'s ``precision`` peak as a reader should see it: "publisher, title"
    from the hardware database's ``sources`` (its id when the database does not list it)."""
    fact = peak_fact(device, precision)
    source = sources.get(fact.source)
    return f"{source.publisher}, {source.title}" if source is not None else fact.source


def duration_from_flops(
    device: Device,
    precision: str,
    mfu: float,
    peak_source: str,
    *,
    total_flops: float | None = None,
    parameters: float | None = None,
    tokens: float | None = None,
    task: Task = "training",
) -> FlopsDuration:
    """Device-hours of a job given as total FLOPs, or as parameters x tokens for a task.

    Parameters
    ----------
    device : Device
        The hardware entry (its dense peak at ``precision`` is read from it).
    precision : str
        One of :data:`PRECISIONS`.
    mfu : float
        Model-FLOPs utilisation [-], in (0, 1].
    peak_source : str
        The peak's source as the reader should see it (publisher, title).
    total_flops : float, optional
        Work [FLOP]; give this or ``parameters`` and ``tokens``.
    parameters, tokens : float, optional
        Model parameters N [-] and tokens D [-]; work is 6ND (training) or 2ND (inference).
    task : {"training", "inference"}

    Notes
    -----
    ``device_hours = FLOPs / (peak_tflops x 1e12 x mfu) / 3600`` (:func:`device_hours_from_flops`).

    References
    ----------
    Kaplan et al. (2020), Section 2.1; Narayanan et al. (2021), Section 5.1.
    """
    given_total = total_flops is not None
    given_model = parameters is not None or tokens is not None
    if given_total == given_model:
        raise InputError("give the FLOPs either as a total or as parameters and tokens, not both or neither")
    assumptions: list[Assumption] = []
    if total_flops is not None:
        total = float(total_flops)
        _positive("total FLOPs", total)
        how = f"{total:.3g} FLOPs given"
    else:
        if parameters is None or tokens is None:
            raise InputError("FLOPs from a model need both parameters and tokens")
        total = model_flops(parameters, tokens, task)
        factor = (
            TRAINING_FLOPS_PER_PARAMETER_TOKEN if task == "training" else INFERENCE_FLOPS_PER_PARAMETER_TOKEN
        )
        how = (
            f"{int(factor)} × {parameters / 1e9:g} B parameters × {tokens / 1e9:g} B tokens "
            f"= {total:.3g} FLOPs "
            f"({'Kaplan et al. 2020' if task == 'training' else 'forward pass, 2ND'})"
        )
        assumptions.append(
            Assumption(f"FLOPs per parameter-token ({task})", int(factor), "-", "Kaplan et al. 2020", 2020)
        )
    fact = peak_fact(device, precision)
    peak_tflops = float(fact.value)
    device_hours = device_hours_from_flops(total, peak_tflops, mfu)
    assumptions.append(
        Assumption(f"{device.name} dense {precision} peak", peak_tflops, "TFLOP/s", peak_source, fact.year)
    )
    assumptions.append(
        Assumption(
            "model-FLOPs utilisation (MFU)",
            mfu,
            "-",
            "given (Narayanan et al. 2021; Chowdhery et al. 2022)",
            None,
        )
    )
    note = f"{how} ÷ ({peak_tflops:,.1f} TFLOP/s × {mfu:.0%} MFU) = {device_hours:,.1f} device-hours"
    return FlopsDuration(total, peak_tflops, mfu, device_hours, note, tuple(assumptions))


def wh_per_request(
    parameters: float, tokens_per_request: float, peak_tflops: float, mfu: float, device_power_w: float
) -> float:
    """A LOWER BOUND on the IT energy of one inference request [Wh]: 2ND FLOPs on one device.

    Decoding is bound by memory bandwidth at small batches, so this is often 10-100x below
    measurement (ML.ENERGY); the estimate is :func:`wattprint.engine.inference.estimate_inference`.

    Parameters
    ----------
    parameters : float
        Model parameters N [-].
    tokens_per_request : float
        Tokens processed and generated per request [-].
    peak_tflops : float
        Dense peak of one device [TFLOP/s].
    mfu : float
        Utilisation of that peak while serving [-].
    device_power_w : float
        Average draw of the device while serving [W].

    Notes
    -----
    ``wh = device_power_w x device_hours_from_flops(2 N tokens, peak, mfu)``
    """
    _positive("device power", device_power_w)
    hours = device_hours_from_flops(
        model_flops(parameters, tokens_per_request, "inference"), peak_tflops, mfu
    )
    return device_power_w * hours


@dataclass(frozen=True)
class Serving:
    """A deployed model's lifetime of requests."""

    requests_per_day: float
    wh_per_request: float
    days: float

    @property
    def it_energy_kwh(self) -> float:
        """IT energy of every request [kWh]: requests/day x Wh/request x days / 1000."""
        return self.requests_per_day * self.wh_per_request * self.days / 1000.0


def serving_job(training: Job, serving: Serving, source: str) -> Job:
    """The serving lifetime as an engine :class:`Job` in the same place as ``training``.

    Its average draw is ``it_energy_kwh x 1000 / (days x 24)`` [W], so :func:`estimate` applies
    the same PUE and intensity; ``source`` says where the energy per request came from.

    References
    ----------
    Patterson et al. (2021), "Carbon Emissions and Large Neural Network Training", Section 2:
    most of the energy of ML at Google went to inference (about 3/5).
    """
    _positive("requests per day", serving.requests_per_day)
    _positive("energy per request", serving.wh_per_request)
    _positive("days in service", serving.days)
    duration_h = serving.days * 24.0
    return replace(
        training,
        duration_h=duration_h,
        device_hours=None,
        device_count=1.0,
        device_power_w=None,
        measured_power_w=None,
        total_power_w=serving.it_energy_kwh * 1000.0 / duration_h,
        cpu_power_w=0.0,
        memory_power_w=0.0,
        utilization_range=None,
        embodied=None,
        label="serving",
        assumptions=(
            Assumption("requests per day", serving.requests_per_day, "-", "given", None),
            Assumption("energy per request", serving.wh_per_request, "Wh", source, None),
            Assumption("days in service", serving.days, "d", "given", None),
        ),
    )
