"""The inference model against published measurements: the fit, and leave-one-model-out error.

Rows: ``inference_measurements.csv`` (sources in ``inference_sources.yaml``): ML.ENERGY's 2023
leaderboard (A100, Hugging Face Transformers, batch 1-2) and its 2025 benchmark (H100 and B200,
vLLM, batch 8-512) are fitted (column ``use`` = fit). Two independent sources are only predicted
(``use`` = check), as out-of-sample checks with the shipped constants: TokenPowerBench's GH200
runs (GPU-only readings against a module TDP) and Wilkins et al. 2024's A100 runs (Hugging Face
Transformers without a KV cache, kept to contexts of at most 102 tokens). Each source has its own
test of the median absolute log error the note reports. Sources read and kept out (Luccioni et
al. 2024, Samsi et al. 2023) are listed with the reason under ``kept_out`` in the YAML file.
The tables the note reports are printed by ``python -m tests.validation.test_inference_validation``.
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

# Median (and for the fitted sources 90th percentile) absolute ln error per source, as
# docs/inference.md reports them (each test below also fails if the measured figure drops more
# than 0.02 under the reported one, so they stay tight). Before the software time per pass was
# added: 2023 0.436 / 0.549, 2025 0.230 / 0.530, Wilkins 0.458, TokenPowerBench 1.403.
FITTED_SOURCE_MEDIAN_LOG_ERROR = {"mlenergy-2023": 0.44, "mlenergy-2025": 0.12}  # held out
FITTED_SOURCE_P90_LOG_ERROR = {"mlenergy-2023": 0.55, "mlenergy-2025": 0.30}  # held out
WILKINS_MEDIAN_LOG_ERROR = 0.46  # out of sample, shipped constants
TOKENPOWERBENCH_MEDIAN_LOG_ERROR = 0.44  # out of sample, shipped constants


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
    for r in csv.DictReader(ROWS_FILE.open(encoding="utf-8")):
        assert r["source"] in sources["sources"], r
        assert r["source"] not in sources["kept_out"], r
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
    # the software time: one grid step (0.25 ms a pass, 2 us a request); eager is not fitted
    assert fitted.pass_overhead_s["optimised"] == pytest.approx(
        CALIBRATION.pass_overhead_s["optimised"], abs=3e-4
    )
    assert fitted.request_overhead_s["optimised"] == pytest.approx(
        CALIBRATION.request_overhead_s["optimised"], abs=2.5e-6
    )
    assert CALIBRATION.pass_overhead_s["eager"] == 0.0 == fitted.pass_overhead_s["eager"]
    assert CALIBRATION.request_overhead_s["eager"] == 0.0 == fitted.request_overhead_s["eager"]


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
    assert {r["source"] for r in raw} == {"tokenpowerbench-2026", "wilkins-2024"}
    rows = [row for r, row in zip(raw, rows, strict=True) if r["source"] == "tokenpowerbench-2026"]
    assert len(rows) == 3
    errors = fitting.log_errors(rows, CALIBRATION)
    by_model = {row.base_model: [] for row in rows}
    for row, error in zip(rows, errors, strict=True):
        by_model[row.base_model].append(float(error))
    assert all(0 < e <= VALIDATION_P90_LOG_ERROR for e in by_model["Qwen2.5-7B"])
    # Qwen2.5-0.5B: measured 1.17 and 0.54 J (batch 1 and 2), about 7 ms a step at 156-159 W.
    # Its 1 GB of weights take 0.25 ms at the bandwidth; the software time fitted on vLLM 0.11
    # (ML.ENERGY 2025) adds 2.3 ms, so the step is still about 2.8x too short, while the draw is
    # about 4x too high (a share of the module's 1000 W against a GPU-only reading). The two
    # errors cancel to an over-estimate of x1.45 and x1.63 (it was 4.5x under before the
    # software time). The note says so; this fails if either part changes unnoticed.
    assert all(0.3 < e < 0.55 for e in by_model["Qwen2.5-0.5B"])
    small = [row for row in rows if row.base_model == "Qwen2.5-0.5B"]
    power_errors = fitting.power_log_errors(small, CALIBRATION)
    assert np.all(power_errors > 1.3)  # the draw: over x3.7 (basis: module TDP vs GPU reading)
    measured_step_s = np.array(
        [r.batch_size * r.energy_per_output_token_j / r.measured_power_w for r in small]
    )
    predicted = [
        estimate_inference(
            parameters=r.parameters,
            kv_bytes_per_token=r.kv_bytes_per_token,
            batch_size=r.batch_size,
            input_tokens=r.input_tokens,
            output_tokens=r.output_tokens,
            memory_bandwidth_gb_s=r.memory_bandwidth_gb_s,
            peak_tflops=r.peak_tflops,
            tdp_w=r.tdp_w,
        )
        for r in small
    ]
    assert all(p.decode_binding == "overhead" for p in predicted)
    steps = np.array([p.decode_step_s for p in predicted])
    assert np.all(measured_step_s / steps > 2.4)  # the step: still under by more than x2.4
    # the figure the note reports for this source: median |ln error| 0.43 (x1.54)
    median = float(np.median(np.abs(errors)))
    assert TOKENPOWERBENCH_MEDIAN_LOG_ERROR - 0.02 <= median <= TOKENPOWERBENCH_MEDIAN_LOG_ERROR


def source_rows(databases, source: str) -> tuple[list[dict[str, str]], list[fitting.Measurement]]:
    raw, rows = load_rows(databases, "check")
    pairs = [(r, row) for r, row in zip(raw, rows, strict=True) if r["source"] == source]
    return [r for r, _ in pairs], [row for _, row in pairs]


def test_wilkins_rows_are_what_the_source_publishes(databases) -> None:
    # Transcribed by hand from grantwilkins/energy-inference@5c2cfa4,
    # plots/parameter-scale-input-test/all-input-scale-stats.csv, Llama-2 (13B), 1 GPU, input 32,
    # the 7 runs' "GPU Energy (J)" / 32 output tokens; their median is 259.867 J / 32 = 8.1208 J.
    raw, rows = source_rows(databases, "wilkins-2024")
    assert len(rows) == 28
    row = next(
        r for r, m in zip(raw, rows, strict=True) if m.base_model == "Llama-2-13B" and m.input_tokens == 32
    )
    assert float(row["energy_per_output_token_j"]) == pytest.approx(259.867 / 32, abs=1e-4)
    for r, m in zip(raw, rows, strict=True):
        # the selection rule: one GPU, and a context short enough that recomputing it without a
        # KV cache stays under the weight read (see the source's `use` in the YAML file)
        assert m.device_count == 1 and m.batch_size == 1, r
        assert m.input_tokens + m.output_tokens <= 102, r
        assert r["hardware"] == "nvidia-a100-sxm4-40gb" and r["engine"] == "eager", r


def test_wilkins_out_of_sample_error(databases) -> None:
    # Not fitted: the shipped constants predict every row. The model over-predicts all 28 (by
    # x1.58 at the median): the measured draw is close (median ln error of the draw under 0.2),
    # the excess is the predicted step time (about 36 ms for 7B and 70 ms for 13B at the eager
    # bandwidth fraction, with no software time; measured 25-32 ms for 7B and 37 ms for 13B).
    _, rows = source_rows(databases, "wilkins-2024")
    errors = fitting.log_errors(rows, CALIBRATION)
    median = float(np.median(np.abs(errors)))
    assert WILKINS_MEDIAN_LOG_ERROR - 0.02 <= median <= WILKINS_MEDIAN_LOG_ERROR
    assert np.all(errors > 0)
    # the worst row: Falcon-7B, 8 tokens out, +0.80 (x2.2; +0.79 before the refit raised the
    # compute-bound draw, used in prefill, from 0.92 to 1.0 of TDP)
    assert np.max(errors) <= 0.82
    power = fitting.power_log_errors(rows, CALIBRATION)
    assert abs(float(np.median(power))) < 0.2


def test_fitted_sources_held_out_error_per_source(table) -> None:
    # The leave-one-model-out errors split by source: ML.ENERGY 2023 (A100, eager) and 2025
    # (H100/B200, vLLM) each within the figures the note reports.
    raw, rows = table
    errors = fitting.held_out_errors(rows, CALIBRATION)
    for source, reported in FITTED_SOURCE_MEDIAN_LOG_ERROR.items():
        mine = np.array([e for r, e in zip(raw, errors, strict=True) if r["source"] == source])
        median = float(np.median(np.abs(mine)))
        assert reported - 0.02 <= median <= reported, source
        p90 = float(np.percentile(np.abs(mine), 90))
        assert FITTED_SOURCE_P90_LOG_ERROR[source] - 0.02 <= p90 <= FITTED_SOURCE_P90_LOG_ERROR[source], (
            source
        )


def test_eager_software_time_is_not_adopted_for_the_reason_given(table, databases) -> None:
    # Fitting the software time for the eager class too (ML.ENERGY 2023) gives about 10.75 ms a
    # pass; it helps that source's median but makes the median over all fitted rows and the
    # out-of-sample Wilkins rows worse, which is why the shipped eager value is zero (module Notes
    # of wattprint.engine.inference). This fails if that stops being true.
    raw, rows = table
    both = ("optimised", "eager")
    shipped = fitting.held_out_errors(rows, CALIBRATION)
    adopted = fitting.held_out_errors(rows, CALIBRATION, overhead_engines=both)
    in_2023 = np.array([r["source"] == "mlenergy-2023" for r in raw])
    assert np.median(np.abs(adopted[in_2023])) < np.median(np.abs(shipped[in_2023]))
    assert np.percentile(np.abs(adopted[in_2023]), 90) > np.percentile(np.abs(shipped[in_2023]), 90)
    assert np.median(np.abs(adopted)) > np.median(np.abs(shipped))
    full = fitting.fit(rows, CALIBRATION, overhead_engines=both)
    assert 0.008 <= full.pass_overhead_s["eager"] <= 0.013
    _, wilkins = source_rows(databases, "wilkins-2024")
    with_eager = np.median(np.abs(fitting.log_errors(wilkins, full)))
    assert with_eager > np.median(np.abs(fitting.log_errors(wilkins, CALIBRATION))) + 0.03


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
    raw, _ = load_rows(load_databases())
    for source in sorted({r["source"] for r in raw}):
        mine = np.array([e for r, e in zip(raw, errors, strict=True) if r["source"] == source])
        med = float(np.median(np.abs(mine)))
        p90_source = float(np.percentile(np.abs(mine), 90))
        print(
            f"held out, source {source}: {len(mine)} rows, median {med:.3f} (x{fitting.factor(med):.2f}), "
            f"p90 {p90_source:.3f} (x{fitting.factor(p90_source):.2f})"
        )
    check_raw, checks = load_rows(load_databases(), "check")
    check_errors = fitting.log_errors(checks, CALIBRATION)
    for r, row, error in zip(check_raw, checks, check_errors, strict=True):
        print(
            f"check (not fitted) {r['source']} {row.base_model} batch {row.batch_size:g} "
            f"in {row.input_tokens:g} out {row.output_tokens:g}: ln error {error:+.2f}"
        )
    for source in sorted({r["source"] for r in check_raw}):
        mine = np.array([e for r, e in zip(check_raw, check_errors, strict=True) if r["source"] == source])
        med = float(np.median(np.abs(mine)))
        print(
            f"out of sample, source {source}: {len(mine)} rows, median {med:.3f} "
            f"(x{fitting.factor(med):.2f}), mean {float(np.mean(mine)):+.2f}"
        )
    print(
        f"all {len(rows)} rows: median {median:.3f} (x{fitting.factor(median):.2f}), "
        f"p90 {p90:.3f} (x{fitting.factor(p90):.2f})"
    )


if __name__ == "__main__":  # pragma: no cover
    main()
