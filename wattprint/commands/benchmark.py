"""``wattprint benchmark``: matmul load on GPU 0; achieved TFLOP/s, W and GFLOPS/W vs the datasheet."""

from __future__ import annotations

import argparse
from typing import Any

from wattprint.commands import common
from wattprint.errors import MeasurementError, WattprintError
from wattprint.measure.backends import NvmlBackend
from wattprint.measure.benchmark import DTYPE_FIELDS, compare_to_peak, load_runner, run_benchmark
from wattprint.measure.sampler import Sampler


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "benchmark",
        help="matrix-multiply load on GPU 0: achieved TFLOP/s, average W and GFLOPS/W vs the datasheet",
        description=(
            "Needs torch or cupy and a CUDA GPU. Power from NVML on the first visible GPU; "
            "peak and TDP from the hardware database when the GPU's name resolves."
        ),
    )
    parser.add_argument(
        "--seconds",
        type=common.number("seconds", 0.0, strict=True, maximum=3600.0),
        default=10.0,
        help="length of the timed load [s] (default 10)",
    )
    parser.add_argument(
        "--dtype", choices=list(DTYPE_FIELDS), default="bf16", help="matrix precision (default bf16)"
    )
    common.add_json(parser)
    parser.set_defaults(handler=run)


def _datasheet(
    args: argparse.Namespace, name: str, dtype: str
) -> tuple[float | None, float | None, str | None, str | None]:
    try:
        device = common.databases(args).hardware.match(name)
    except WattprintError as error:
        return None, None, None, f"no datasheet figures: {error}"
    peak = getattr(device, DTYPE_FIELDS[dtype])
    return (peak.value if peak is not None else None), device.tdp_w.value, device.id, None


def run(args: argparse.Namespace) -> int:
    runner = load_runner(args.dtype)
    sampler = None
    power_reason = None
    try:
        sampler = Sampler(NvmlBackend(), interval_s=0.1).start()
    except MeasurementError as error:
        power_reason = f"power not measured: {error}"
    try:
        result = run_benchmark(runner, sampler, args.seconds, args.dtype)
    finally:
        if sampler is not None:
            sampler.close()
    name = sampler.devices[0].name if sampler is not None and sampler.devices else runner.device_name
    peak, tdp, hardware_id, reason = _datasheet(args, name, args.dtype)
    report: dict[str, Any] = compare_to_peak(result, peak, tdp)
    report.update(hardware_id=hardware_id, datasheet_reason=reason, power_reason=power_reason)
    if args.json:
        common.print_json(report)
        return 0
    lines = [
        f"Device:     {report['device_name']} ({hardware_id or 'not in the hardware database'})"
        f" via {result.library}",
        f"Load:       {args.dtype} matmul {result.matrix_size}x{result.matrix_size}"
        f" for {common.fmt(result.elapsed_s)} s",
        f"Throughput: {common.fmt(result.tflops)} TFLOP/s"
        + (
            f" = {report['fraction_of_peak']:.0%} of the datasheet's {common.fmt(peak)} TFLOP/s"
            if peak
            else ""
        ),
    ]
    if result.average_power_w is not None:
        lines.append(
            f"Power:      {common.fmt(result.average_power_w)} W average"
            + (f" = {report['power_over_tdp']:.0%} of TDP {common.fmt(tdp)} W" if tdp else "")
        )
    else:
        lines.append(f"Power:      not measured ({power_reason or result.energy_reason})")
    if result.gflops_per_w is not None:
        sheet = report["datasheet_gflops_per_w"]
        lines.append(
            f"Efficiency: {common.fmt(result.gflops_per_w)} GFLOPS/W"
            + (f" (datasheet peak/TDP: {common.fmt(sheet)} GFLOPS/W)" if sheet else "")
        )
    if reason:
        lines.append(f"Note:       {reason}")
    print("\n".join(lines))
    return 0
