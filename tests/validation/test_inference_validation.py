"""The inference model against published measurements: the fit, and leave-one-model-out error.

Rows: ``inference_measurements.csv`` (sources in ``inference_sources.yaml``): ML.ENERGY's 2023
leaderboard (A100, Hugging Face Transformers, batch 1-2) and its 2025 benchmark (H100 and B200,
vLLM, batch 8-512) are fitted (column ``use`` = fit); TokenPowerBench's GH200 runs (``use`` =
check) are only predicted, as their GPU-only readings and the module TDP are of different bases.
The table the note reports is printed by ``python -m tests.validation.test_inference_validation``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import yaml

from wattprint.engine import inference_fit as fitting
from wattprint.engine.inference import (
    CALIBRATION,
    VALIDATION_MEDIAN_LOG_ERROR,
    VALIDATION_P90_LOG_ERROR,
    estimate_inference,
)

HERE = Path(__file__).parent
ROWS_FILE = HERE / "inference_measurements.csv"
SOURCES_FILE = HERE / "inference_sources.yaml"


def load_rows(databases, use: str = "fit") -> tuple[list[dict[str, str]], list[fitting.Measurement]]:
    raw = [r for r in csv.DictReader(ROWS_FILE.open(encoding="utf-8")) if r["use"] == use]
    rows = []
    for r in raw:
        device = databases.hardware.get(r["hardware"])
        rows.append(
            fitting.Measurement(
                base_model=r["base_model"],
                engine=r["engine"],
                parameters=float(r["parameters"]),
                active_parameters=float(r["active_parameters"]),
                precision=r["precision"],
                kv_bytes_per_token=float(r["kv_bytes_per_token"]),
                device_count=float(r["count"]),
                batch_size=float(r["batch_size"]),
                input_tokens=float(r["input_tokens"]),
                output_tokens=float(r["output_tokens"]),
                memory_bandwidth_gb_s=device.memory_bandwidth_gb_s.value,
                peak_tflops=getattr(device, f"{r['precision']}_tflops").value,
                tdp_w=device.tdp_w.value,
                energy_per_output_token_j=float(r["energy_per_output_token_j"]),
                measured_power_w=float(r["measured_power_w"]),
            )
        )
    return raw, rows


@pytest.fixture(scope="module")
def table(databases):
    return load_rows(databases)


def test_the_set_is_wide_enough_and_cited(table) -> None:
    raw, rows = table
    sources = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))
    assert len(rows) >= 40
    assert len({r["hardware"] for r in raw}) >= 2
    assert {r["use"] for r in csv.DictReader(ROWS_FILE.open(encoding="utf-8"))} == {"fit", "check"}
    batches = [r.batch_size for r in rows]
    assert min(batches) <= 1 and max(batches) >= 64
    for r in raw:
        assert r["source"] in sources["sources"], r
        assert r["locator"], r
        assert r["base_model"] in sources["architectures"], r
    # the anchor: Llama-2-7B-chat, batch 1, 1,828.77 J / 420.07 tokens = 4.354 J
    anchor = next(r for r in raw if r["model"] == "metaai/Llama-2-7b-chat-hf")
    assert float(anchor["energy_per_output_token_j"]) == pytest.approx(4.354, abs=0.001)


def test_vectorised_fit_model_is_the_engine(table) -> None:
    _, rows = table
    predicted, _ = fitting.predict(rows, CALIBRATION)
    for row, value in zip(rows, predicted, strict=True):
        direct = estimate_inference(
            parameters=row.parameters,
            active_parameters=row.active_parameters,
            precision=row.precision,
            kv_bytes_per_token=row.kv_bytes_per_token,
            device_count=row.device_count,
            batch_size=row.batch_size,
            input_tokens=row.input_tokens,
            output_tokens=row.output_tokens,
            memory_bandwidth_gb_s=row.memory_bandwidth_gb_s,
            peak_tflops=row.peak_tflops,
            tdp_w=row.tdp_w,
            engine=row.engine,
        )
        assert direct.energy_per_output_token_j == pytest.approx(value, rel=1e-9)


def test_shipped_calibration_is_the_fit(table) -> None:
    _, rows = table
    fitted = fitting.fit(rows, CALIBRATION)
    for engine in ("optimised", "eager"):
        assert fitted.bandwidth_fraction[engine] == pytest.approx(
            CALIBRATION.bandwidth_fraction[engine], abs=0.011
        )
        assert fitted.draw_memory_bound[engine] == pytest.approx(
            CALIBRATION.draw_memory_bound[engine], abs=0.011
        )
    assert fitted.decode_utilization == pytest.approx(CALIBRATION.decode_utilization, abs=0.011)
    assert fitted.draw_compute_bound == pytest.approx(CALIBRATION.draw_compute_bound, abs=0.011)


def test_leave_one_model_out_error_is_what_the_note_reports(table) -> None:
    _, rows = table
    errors = fitting.held_out_errors(rows, CALIBRATION)
    median, p90 = fitting.summary(errors)
    assert median <= VALIDATION_MEDIAN_LOG_ERROR
    assert p90 <= VALIDATION_P90_LOG_ERROR
    # and the reported figures are not loose: within 0.02 of what is measured
    assert median >= VALIDATION_MEDIAN_LOG_ERROR - 0.02
    assert p90 >= VALIDATION_P90_LOG_ERROR - 0.02


def test_check_rows_from_another_source(databases) -> None:
    # TokenPowerBench, GH200 (not fitted). Qwen2.5-7B with a 30,035-token prompt: measured
    # 6604.17 J / 1536 tokens = 4.30 J; predicted about 1.5x higher, within the 90th-percentile
    # factor, since the draw is a share of the module's 1000 W while NVML read the GPU alone.
    raw, rows = load_rows(databases, "check")
    assert {r["source"] for r in raw} == {"tokenpowerbench-2026"}
    errors = fitting.log_errors(rows, CALIBRATION)
    by_model = {row.base_model: [] for row in rows}
    for row, error in zip(rows, errors, strict=True):
        by_model[row.base_model].append(float(error))
    assert all(0 < e <= VALIDATION_P90_LOG_ERROR for e in by_model["Qwen2.5-7B"])
    # Qwen2.5-0.5B decodes at about 7 ms a step where its 1 GB of weights take 0.4 ms at the
    # bandwidth: a per-step software floor the model does not have. It is under-estimated by
    # more than 3x (4.5x at batch 1); the note says so, and this fails if that changes unnoticed.
    assert all(e < -1.2 for e in by_model["Qwen2.5-0.5B"])


def test_flops_only_formula_is_far_below_measurement(table) -> None:
    # The calculator's old formula (2N FLOPs per token at 40% of peak, TDP draw) against the
    # measured rows: it under-estimates every one, by a median factor above 10.
    _, rows = table
    measured = np.array([r.energy_per_output_token_j for r in rows])
    flops = np.array(
        [
            r.tdp_w * 2 * r.active_parameters / (r.peak_tflops * 1e12 * 0.4 * r.device_count) * r.device_count
            for r in rows
        ]
    )
    assert np.all(flops < measured)
    assert np.median(measured / flops) > 10


def main() -> None:  # pragma: no cover - prints the note's table
    from wattprint.db.loader import load_databases

    _, rows = load_rows(load_databases())
    errors = fitting.held_out_errors(rows, CALIBRATION)
    print(f"{'held-out base model':<16} {'rows':>4} {'median |ln err|':>16} {'x':>6} {'mean ln err':>12}")
    for model in sorted({r.base_model for r in rows}):
        e = np.array([x for r, x in zip(rows, errors, strict=True) if r.base_model == model])
        med = float(np.median(np.abs(e)))
        print(f"{model:<16} {len(e):>4} {med:>16.2f} {fitting.factor(med):>6.2f} {float(np.mean(e)):>12.2f}")
    median, p90 = fitting.summary(errors)
    _, checks = load_rows(load_databases(), "check")
    for row, error in zip(checks, fitting.log_errors(checks, CALIBRATION), strict=True):
        print(f"check (not fitted) {row.base_model} batch {row.batch_size:g}: ln error {error:+.2f}")
    print(
        f"all {len(rows)} rows: median {median:.3f} (x{fitting.factor(median):.2f}), "
        f"p90 {p90:.3f} (x{fitting.factor(p90):.2f})"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
