"""``wattprint inference``: energy per output token and per request of serving a language model."""

from __future__ import annotations

import argparse
from typing import Any

from wattprint.commands import common
from wattprint.engine.inference import (
    BINDING_WORDS,
    BYTES_PER_PARAMETER,
    ENGINES,
    InferenceEstimate,
    estimate_inference_on_device,
    inference_to_dict,
)
from wattprint.errors import InputError

MAX_PARAMETERS = 1e14
MAX_TOKENS = 1e8
MAX_BATCH = 1e6


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inference",
        help="energy per output token [J] and per request [Wh] of serving a language model",
        description=(
            "A roofline model: prefill is compute-bound (2N FLOPs per input token), decode is bound by "
            "memory bandwidth (each step reads the weights and the KV cache, shared by the batch) "
            "until the batch makes it compute-bound; each step adds a fitted software time (per step and "
            "per running request); the draw is a fitted share of TDP. Calibrated on published ML.ENERGY "
            "measurements; the output names the validation error. binding is memory, compute, or "
            "overhead where the software time is the largest part of the step."
        ),
    )
    n = common.number
    parser.add_argument("--hardware", metavar="ID", required=True, help="hardware id or alias")
    parser.add_argument(
        "--params",
        type=n("params", 0.0, strict=True, maximum=MAX_PARAMETERS),
        required=True,
        help="total parameters, e.g. 7e9",
    )
    parser.add_argument(
        "--active-params",
        type=n("active-params", 0.0, strict=True, maximum=MAX_PARAMETERS),
        help="parameters used per token (mixture of experts); default: all",
    )
    parser.add_argument(
        "--precision",
        choices=list(BYTES_PER_PARAMETER),
        default="bf16",
        help="weight format (default bf16: 2 bytes per parameter)",
    )
    parser.add_argument(
        "--count",
        type=n("count", 1.0, maximum=4096),
        default=1.0,
        help="devices the model is split over in tensor parallel (default 1)",
    )
    parser.add_argument(
        "--batch",
        type=n("batch", 1.0, maximum=MAX_BATCH),
        required=True,
        help="requests decoded together (the average running batch)",
    )
    parser.add_argument(
        "--input-tokens",
        type=n("input-tokens", 0.0, maximum=MAX_TOKENS),
        required=True,
        help="prompt tokens per request",
    )
    parser.add_argument(
        "--output-tokens",
        type=n("output-tokens", 0.0, strict=True, maximum=MAX_TOKENS),
        required=True,
        help="generated tokens per request",
    )
    parser.add_argument(
        "--kv-bytes-per-token",
        type=n("kv-bytes-per-token", 0.0, maximum=1e9),
        help="KV cache per token [B] = 2 x layers x KV heads x head size x bytes (default: assumed)",
    )
    parser.add_argument(
        "--engine",
        choices=list(ENGINES),
        default="optimised",
        help="serving software: optimised (vLLM, TGI, TensorRT-LLM; default) or eager (a generate loop)",
    )
    parser.add_argument(
        "--power-w",
        type=n("power-w", 0.0, strict=True, maximum=1e5),
        help="measured average draw per device while serving [W] (replaces the TDP-based draw)",
    )
    parser.add_argument(
        "--host-power-w",
        type=n("host-power-w", maximum=1e6),
        default=0.0,
        help="host draw attributed to this replica [W] (default 0: devices only)",
    )
    parser.add_argument("--region", metavar="ID", help="region id for the request's CO2e")
    parser.add_argument("--year", type=common.year, help="year of the region's intensity (default: latest)")
    parser.add_argument(
        "--pue", type=n("pue", 1.0, maximum=5.0), help="PUE for the CO2e (default: the region's, else 1.56)"
    )
    common.add_json(parser)
    parser.set_defaults(handler=run)


def _co2e(args: argparse.Namespace, dbs: Any, energy_wh: float) -> dict[str, Any] | None:
    """The request's CO2e in the region, through the same estimate as ``wattprint estimate``."""
    if not args.region:
        return None
    from wattprint.db.tables import intensity_fields
    from wattprint.engine.footprint import estimate
    from wattprint.engine.jobspec import JobSpec, resolve

    spec = JobSpec(total_power_w=energy_wh, hours=1.0, region=args.region, year=args.year, pue=args.pue)
    footprint = estimate(resolve(spec, dbs))
    return {
        **intensity_fields(dbs.regions, args.region, args.year),
        "region": args.region,
        "co2e_g_per_request": footprint.co2e_kg * 1000.0,
        "energy_per_request_wh_with_pue": footprint.energy_kwh * 1000.0,
        "intensity_g_per_kwh": footprint.intensity_g_per_kwh,
        "pue": footprint.pue,
        "assumptions": [
            {"name": a.name, "value": a.value, "unit": a.unit, "source": a.source, "year": a.year}
            for a in footprint.assumptions
            if "intensity" in a.name.lower() or "pue" in a.name.lower()
        ],
    }


def render(result: InferenceEstimate, co2e: dict[str, Any] | None, dbs: Any = None) -> str:
    """Plain-text result: the figures, their range, the limit, the method and the assumptions."""
    f = common.fmt
    words = BINDING_WORDS
    r = result.range
    lines = [
        f"Energy per output token: {f(result.energy_per_output_token_j)} J "
        f"(range {f(r.energy_per_output_token_j_low)}-{f(r.energy_per_output_token_j_high)} J)",
        f"Energy per request:      {f(result.energy_per_request_wh)} Wh "
        f"(range {f(r.energy_per_request_wh_low)}-{f(r.energy_per_request_wh_high)} Wh)",
        f"Throughput:              {f(result.tokens_per_second)} output tokens/s at {f(result.power_w)} W",
        f"Limit:                   {words[result.binding]} "
        f"(decode {words[result.decode_binding]}, prefill {words[result.prefill_binding]})",
        f"Decode step:             {f(result.decode_step_s * 1000)} ms, of which software time "
        f"{f(result.decode_overhead_s * 1000)} ms",
        f"FLOPs-only lower bound:  {f(result.flops_lower_bound_j_per_token)} J per token (not an estimate)",
    ]
    if co2e is not None:
        grid = common.intensity_words(co2e, dbs)
        lines.append(
            f"CO2e per request:        {f(co2e['co2e_g_per_request'])} g in {co2e['region']} "
            f"at {f(co2e['intensity_g_per_kwh'])} gCO2e/kWh{grid[0]}, PUE {co2e['pue']:g}"
        )
        if grid[1]:
            lines.append(f"                         {grid[1]}")
    lines.append(f"Method: {result.method}")
    lines.extend(f"Caveat: {caveat}" for caveat in result.caveats)
    lines.append("Assumptions:")
    for a in result.assumptions:
        value = f(a.value) if isinstance(a.value, float) else str(a.value)
        year = f", {a.year}" if a.year else ""
        lines.append(f"  - {a.name}: {value} {a.unit} ({a.source}{year})")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not float(args.count).is_integer():
        raise InputError(f"count must be a whole number of devices, got {args.count:g}")
    dbs = common.databases(args)
    device = dbs.hardware.get(args.hardware)
    result = estimate_inference_on_device(
        device,
        dbs.hardware.sources,
        precision=args.precision,
        parameters=args.params,
        active_parameters=args.active_params,
        device_count=args.count,
        batch_size=args.batch,
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        kv_bytes_per_token=args.kv_bytes_per_token,
        engine=args.engine,
        power_w=args.power_w,
        host_power_w=args.host_power_w,
    )
    co2e = _co2e(args, dbs, result.energy_per_request_wh)
    if args.json:
        data = inference_to_dict(result)
        data["hardware"] = device.id
        data["co2e"] = co2e
        common.print_json(data)
    else:
        print(render(result, co2e, dbs))
    return 0
