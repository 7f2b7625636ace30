"""Hardware database v2: vendor-checked values, power basis, modelled embodied carbon, the compile merge."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from wattprint.db.loader import load_databases
from wattprint.db.schema import EmbodiedFact, PowerFact

ROOT = Path(__file__).resolve().parents[2]

# (device id, field, value) checked against the document named in each comment.
VENDOR_CHECKED = [
    # nvidia-smi on EC2 G5 shows the A10G board's cap, "9W / 300W" (bottlerocket-core-kit PR 122)
    ("nvidia-a10g", "tdp_w", 300),
    # Intel, Hot Chips 2024 (Kaplan), Gaudi generations table: TDP (OAM), peak BF16, HBM, bandwidth
    ("intel-gaudi", "tdp_w", 400),
    ("intel-gaudi", "bf16_tflops", 60),
    ("intel-gaudi", "memory_bandwidth_gb_s", 900),
    ("intel-gaudi2", "tdp_w", 600),
    ("intel-gaudi2", "bf16_tflops", 432),
    ("intel-gaudi2", "memory_bandwidth_gb_s", 2460),
    ("intel-gaudi3", "tdp_w", 900),
    ("intel-gaudi3", "bf16_tflops", 1835),
    ("intel-gaudi3", "fp8_tflops", 1835),
    ("intel-gaudi3", "memory_bandwidth_gb_s", 3670),
    ("intel-gaudi3-liquid", "tdp_w", 1200),
    # NVIDIA Quadro RTX datasheets: total board power (not the lower "total graphics power")
    ("nvidia-quadro-rtx-8000", "tdp_w", 295),
    ("nvidia-quadro-rtx-6000", "tdp_w", 295),
    ("nvidia-quadro-rtx-5000", "tdp_w", 265),
    ("nvidia-quadro-rtx-5000", "fp32_tflops", 11.2),
    ("nvidia-quadro-rtx-8000", "memory_bandwidth_gb_s", 672),
    # NVIDIA Blackwell: HGX B200 at 1,000 W and GB200 NVL72 per GPU, FP64 40 and FP32 80
    ("nvidia-b200", "fp64_tflops", 40),
    ("nvidia-b200", "fp32_tflops", 80),
    ("nvidia-gb200", "fp64_tflops", 40),
    ("nvidia-gb200", "fp32_tflops", 80),
    # Jouppi et al. 2023 (TPU v4): maximum chip power 192 W (170 W is the mean)
    ("google-tpu-v4", "tdp_w", 192),
    # nvidia-smi on HGX H20 shows "74W / 500W" (NVIDIA/nvtrust issue 128)
    ("nvidia-h20", "tdp_w", 500),
]

ESTIMATED_POWER = [
    "google-tpu-v5p",
    "google-tpu-v6e",
    "google-tpu-v5e",
    "google-tpu-v7-ironwood",
    "aws-trainium1",
    "aws-trainium2",
    "aws-trainium3",
    "aws-inferentia2",
    "amd-epyc-7r13",
    "intel-xeon-platinum-8275cl",
]

NEEDS_EMBODIED = [
    "nvidia-v100-sxm2-16gb",
    "nvidia-a100-sxm4-80gb",
    "nvidia-h100-sxm5-80gb",
    "nvidia-h200-sxm-141gb",
    "nvidia-b200",
    "nvidia-gb200",
    "amd-instinct-mi250x",
    "amd-instinct-mi300x",
    "google-tpu-v5e",
    "intel-gaudi2",
]


@pytest.fixture(scope="module")
def by_id():
    return load_databases().hardware.devices


@pytest.mark.parametrize(("device_id", "field", "expected"), VENDOR_CHECKED)
def test_vendor_checked_values(by_id, device_id, field, expected):
    assert getattr(by_id[device_id], field).value == pytest.approx(expected)


def test_tpu_v4_notes_the_mean(by_id):
    tdp = by_id["google-tpu-v4"].tdp_w
    assert tdp.basis == "vendor" and "170" in (tdp.note or "")


@pytest.mark.parametrize("device_id", ESTIMATED_POWER)
def test_estimated_power_is_labelled(by_id, device_id):
    power = by_id[device_id].tdp_w
    assert power.basis in ("estimate", "model") and power.is_estimate and power.method


def test_every_non_vendor_power_names_its_method(by_id):
    assert [d.id for d in by_id.values() if d.tdp_w.basis != "vendor" and not d.tdp_w.method] == []


def test_schema_refuses_an_estimate_without_method():
    with pytest.raises(ValidationError):
        PowerFact(value=300, source="x", year=2024, basis="estimate")
    with pytest.raises(ValidationError):
        EmbodiedFact(value=30, source="x", year=2024, method="m", basis="model")  # no inputs


def test_v5p_v6e_power_follows_its_stated_model(by_id):
    v5e = by_id["google-tpu-v5e"]
    per_tflops_w = v5e.tdp_w.value / v5e.bf16_tflops.value
    v5p, v6e = by_id["google-tpu-v5p"], by_id["google-tpu-v6e"]
    assert v5p.tdp_w.value == pytest.approx(v5p.bf16_tflops.value * per_tflops_w, abs=1)
    # Google: Trillium "over 67% more energy-efficient than TPU v5e"
    assert v6e.tdp_w.value == pytest.approx(v6e.bf16_tflops.value * per_tflops_w / 1.67, abs=1)


@pytest.mark.parametrize("device_id", NEEDS_EMBODIED)
def test_data_centre_accelerators_have_embodied(by_id, device_id):
    assert by_id[device_id].embodied_kgco2e is not None


def test_modelled_embodied_reproduces_from_its_inputs(by_id):
    modelled = [d for d in by_id.values() if d.embodied_kgco2e and d.embodied_kgco2e.basis == "model"]
    assert len(modelled) >= 40
    for device in modelled:
        fact = device.embodied_kgco2e
        assert fact is not None and fact.inputs is not None
        inputs = fact.inputs
        logic_kg = float(inputs["die_area_mm2"]) / 100 * float(inputs["carbon_per_area_g_per_cm2"]) / 1000
        memory_kg = float(inputs["memory_gb"]) * float(inputs["memory_g_per_gb"]) / 1000
        assert fact.value == pytest.approx(logic_kg + memory_kg, abs=0.1), device.id
        assert inputs["memory_gb"] == device.memory_gb.value, device.id  # type: ignore[union-attr]


def _compile_module():
    spec = importlib.util.spec_from_file_location("compile_hardware", ROOT / "tools" / "compile_hardware.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compile_merge_keeps_hand_curated_entries(tmp_path):
    tool = _compile_module()
    (tmp_path / "sources.yaml").write_text(
        "sources:\n" + "".join(f"  {k}: {{}}\n" for k in tool.CPU_SOURCES), encoding="utf-8"
    )
    (tmp_path / "cpu-cloud.yaml").write_text(
        "family: cpu-cloud\ndevices:\n  - id: amd-epyc-7r13\n    aliases: ['AMD EPYC 7R13 Processor']\n",
        encoding="utf-8",
    )
    tool.FILES.clear()
    common = {"year": 2021, "tdp": 225, "cores": 48}
    tool.dev("cpu-amd-epyc", "amd-epyc-7r13", "AMD EPYC 7R13", "socket", None, "amd-epyc-specs", **common)
    tool.dev(
        "cpu-amd-epyc", "amd-epyc-7643", "AMD EPYC 7643", "socket", None, "amd-epyc-specs",
        aliases=["AMD EPYC 7643 48-Core Processor", "AMD EPYC 7R13 Processor"], **common,
    )  # fmt: skip
    counts = tool.write_all(tmp_path)
    written = yaml.safe_load((tmp_path / "cpu-amd-epyc.yaml").read_text(encoding="utf-8"))
    ids = [d["id"] for d in written["devices"]]
    assert counts["cpu-amd-epyc"] == 1 and ids == ["amd-epyc-7643"]  # the hand-curated 7R13 wins
    assert written["devices"][0]["aliases"] == ["AMD EPYC 7643 48-Core Processor"]  # taken alias dropped
