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

# Median absolute ln error per source, as docs/inference.md reports them (each test below also
# fails if the measured figure drops more than 0.02 under the reported one, so they stay tight).
FITTED_SOURCE_MEDIAN_LOG_ERROR = {"mlenergy-2023": 0.44, "mlenergy-2025": 0.23}  # held out
WILKINS_MEDIAN_LOG_ERROR = 0.46  # out of sample, shipped constants
TOKENPOWERBENCH_MEDIAN_LOG_ERROR = 1.41  # out of sample, shipped constants


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
    # Qwen2.5-0.5B decodes at about 7 ms a step where its 1 GB of weights take 0.4 ms at the
    # bandwidth: a per-step software floor the model does not have. It is under-estimated by
    # more than 3x (4.5x at batch 1); the note says so, and this fails if that changes unnoticed.
    assert all(e < -1.2 for e in by_model["Qwen2.5-0.5B"])
    # the figure the note reports for this source: median |ln error| 1.40 (x4.1), set by the two
    # Qwen2.5-0.5B rows
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
    # bandwidth fraction; measured 26-38 ms for both sizes).
    _, rows = source_rows(databases, "wilkins-2024")
    errors = fitting.log_errors(rows, CALIBRATION)
    median = float(np.median(np.abs(errors)))
    assert WILKINS_MEDIAN_LOG_ERROR - 0.02 <= median <= WILKINS_MEDIAN_LOG_ERROR
    assert np.all(errors > 0)
    assert np.max(errors) <= VALIDATION_P90_LOG_ERROR + 0.3
    power = fitting.power_log_errors(rows, CALIBRATION)
    assert abs(float(np.median(power))) < 0.2


def test_fitted_sources_held_out_error_per_source(table) -> None:
    # The leave-one-model-out errors split by source: ML.ENERGY 2023 (A100, eager) and 2025
    # (H100/B200, vLLM) each within the figure the note reports.
    raw, rows = table
    errors = fitting.held_out_errors(rows, CALIBRATION)
    for source, reported in FITTED_SOURCE_MEDIAN_LOG_ERROR.items():
        mine = np.array([e for r, e in zip(raw, errors, strict=True) if r["source"] == source])
        median = float(np.median(np.abs(mine)))
        assert reported - 0.02 <= median <= reported, source


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
        print(f"held out, source {source}: {len(mine)} rows, median {med:.3f} (x{fitting.factor(med):.2f})")
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
