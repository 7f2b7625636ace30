"""Plausibility and provenance checks of the hardware database (``hardware_db/*.yaml``).

The YAML is loaded directly (yaml.safe_load) and validated with the schema classes; nothing
else of the application is imported.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from wattprint.db.schema import PRECISION_FIELDS, Device, HardwareFile, Source

DB = Path(__file__).resolve().parents[2] / "hardware_db"
ACCELERATOR_KINDS = {"gpu", "tpu", "npu", "accelerator", "soc"}
FACT_FIELDS = ("tdp_w", "cores", *PRECISION_FIELDS, "memory_gb", "memory_bandwidth_gb_s")


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _hardware_files() -> list[Path]:
    return sorted(p for p in DB.glob("*.yaml") if p.name != "sources.yaml" and not p.name.startswith("hosts"))


@pytest.fixture(scope="module")
def sources() -> dict[str, Source]:
    raw = _load(DB / "sources.yaml")["sources"]
    return {key: Source.model_validate(value) for key, value in raw.items()}


@pytest.fixture(scope="module")
def files() -> dict[str, HardwareFile]:
    return {p.stem: HardwareFile.model_validate(_load(p)) for p in _hardware_files()}


@pytest.fixture(scope="module")
def devices(files: dict[str, HardwareFile]) -> list[Device]:
    return [d for f in files.values() for d in f.devices]


@pytest.fixture(scope="module")
def by_id(devices: list[Device]) -> dict[str, Device]:
    return {d.id: d for d in devices}


def source_keys(device: Device) -> list[str]:
    """Every source key a device cites (facts, power range, embodied emissions)."""
    keys = [getattr(device, f).source for f in FACT_FIELDS if getattr(device, f) is not None]
    if device.power_range_w is not None:
        keys.append(device.power_range_w.source)
    if device.embodied_kgco2e is not None:
        keys.append(device.embodied_kgco2e.source)
    return keys


def value(device: Device, field: str) -> float | None:
    fact = getattr(device, field)
    return None if fact is None else fact.value


# ---------------------------------------------------------------------------- structure


def test_every_file_validates_and_family_matches_file_name(files):
    assert len(files) >= 10
    for stem, hardware_file in files.items():
        assert hardware_file.family == stem
        assert hardware_file.devices, stem


def test_counts(devices):
    kinds = Counter(d.kind for d in devices)
    assert sum(kinds[k] for k in ACCELERATOR_KINDS) >= 150, kinds
    assert kinds["cpu"] >= 500, kinds


def test_ids_unique(devices):
    counts = Counter(d.id for d in devices)
    assert [i for i, n in counts.items() if n > 1] == []


def test_aliases_unique_and_not_another_id(devices):
    owner: dict[str, str] = {}
    ids = {d.id.lower(): d.id for d in devices}
    for d in devices:
        for alias in d.aliases:
            key = alias.lower()
            assert key not in owner or owner[key] == d.id, (alias, owner.get(key), d.id)
            owner[key] = d.id
            assert ids.get(key, d.id) == d.id, f"alias {alias!r} of {d.id} is another id"


def test_every_fact_source_is_listed(devices, sources):
    missing = {(d.id, k) for d in devices for k in source_keys(d) if k not in sources}
    assert missing == set()


def test_every_device_cites_a_source(devices):
    assert all(source_keys(d) for d in devices)


def test_a_device_without_source_is_rejected():
    entry = {
        "id": "acme-x1",
        "name": "ACME X1",
        "vendor": "acme",
        "kind": "gpu",
        "tdp_w": {"value": 300, "year": 2024},
    }
    with pytest.raises(ValidationError):
        Device.model_validate(entry)
    with pytest.raises(ValidationError):
        Device.model_validate({**entry, "tdp_w": {"value": 300, "source": "", "year": 2024}})
    entry["tdp_w"] = {"value": 300, "source": "no-such-source", "year": 2024}
    listed = set(_load(DB / "sources.yaml")["sources"])
    assert [k for k in source_keys(Device.model_validate(entry)) if k not in listed]


def test_a_device_without_tdp_is_rejected():
    with pytest.raises(ValidationError):
        Device.model_validate({"id": "acme-x2", "name": "ACME X2", "vendor": "acme", "kind": "gpu"})


# ---------------------------------------------------------------------------- plausibility


def test_tdp_within_plausible_range(devices):
    bad = [(d.id, d.tdp_w.value) for d in devices if not 5 <= d.tdp_w.value <= 2000]
    assert bad == []


def test_power_range_contains_tdp(devices):
    for d in devices:
        if d.power_range_w is not None:
            assert d.power_range_w.min <= d.tdp_w.value <= d.power_range_w.max, d.id


def test_cpus_have_cores(devices):
    for d in devices:
        if d.kind == "cpu":
            assert d.cores is not None and 1 <= d.cores.value <= 512, d.id
            assert 5 <= d.tdp_w.value <= 600, d.id


def test_values_positive(devices):
    for d in devices:
        for field in FACT_FIELDS:
            v = value(d, field)
            assert v is None or v > 0, (d.id, field)


def test_precisions_ordered(devices):
    for d in devices:
        fp64, fp32, tf32 = value(d, "fp64_tflops"), value(d, "fp32_tflops"), value(d, "tf32_tflops")
        bf16, fp16, fp8, fp4 = (
            value(d, f) for f in ("bf16_tflops", "fp16_tflops", "fp8_tflops", "fp4_tflops")
        )
        if fp64 and fp32:
            assert fp64 <= fp32, d.id
        for half in (bf16, fp16, tf32):
            if half and fp32:
                assert half >= fp32, d.id
        if tf32 and bf16:
            assert bf16 >= tf32, d.id
        if fp8 and bf16:
            assert fp8 >= bf16, d.id
        if fp4 and fp8:
            assert fp4 >= fp8, d.id


# Sparse ("with sparsity") figures are exactly twice the dense ones; these caps sit between the
# dense datasheet figure and the sparse one, so a sparse figure fails.
DENSE_CAPS = [
    ("nvidia-h100-sxm5-80gb", "bf16_tflops", 1000),
    ("nvidia-h100-sxm5-80gb", "fp8_tflops", 2000),
    ("nvidia-h100-sxm5-80gb", "tf32_tflops", 500),
    ("nvidia-h100-pcie-80gb", "bf16_tflops", 800),
    ("nvidia-h100-nvl-94gb", "bf16_tflops", 900),
    ("nvidia-h200-sxm-141gb", "bf16_tflops", 1000),
    ("nvidia-a100-sxm4-80gb", "bf16_tflops", 320),
    ("nvidia-a100-sxm4-80gb", "tf32_tflops", 160),
    ("nvidia-l40s", "fp8_tflops", 740),
    ("nvidia-l4", "fp8_tflops", 250),
    ("nvidia-b200", "fp4_tflops", 9100),
    ("amd-instinct-mi300x", "bf16_tflops", 1310),
    ("amd-instinct-mi300x", "fp8_tflops", 2620),
]


@pytest.mark.parametrize(("device_id", "field", "cap"), DENSE_CAPS)
def test_no_sparse_figures(by_id, device_id, field, cap):
    assert value(by_id[device_id], field) <= cap


# ---------------------------------------------------------------------------- required entries

REQUIRED_IDS = [
    "nvidia-h100-sxm5-80gb", "nvidia-h100-pcie-80gb", "nvidia-a100-sxm4-80gb",
    "nvidia-v100-sxm2-16gb", "nvidia-v100-sxm2-32gb", "nvidia-p100-pcie-16gb", "nvidia-t4",
    "google-tpu-v2", "google-tpu-v3", "google-tpu-v4", "intel-xeon-platinum-8380",
    "amd-epyc-9654",
]  # fmt: skip


@pytest.mark.parametrize("device_id", REQUIRED_IDS)
def test_engine_ids_exist(by_id, device_id):
    assert device_id in by_id


NVML_NAMES = [
    "Tesla V100-SXM2-16GB", "Tesla V100-SXM2-32GB", "Tesla V100-PCIE-16GB", "Tesla V100-PCIE-32GB",
    "Tesla V100S-PCIE-32GB", "Tesla T4", "NVIDIA A100-SXM4-40GB", "NVIDIA A100-SXM4-80GB",
    "NVIDIA A100-PCIE-40GB", "NVIDIA A100 80GB PCIe", "NVIDIA A10", "NVIDIA A10G", "NVIDIA A30",
    "NVIDIA A40", "NVIDIA L4", "NVIDIA L40", "NVIDIA L40S", "NVIDIA H100 80GB HBM3",
    "NVIDIA H100 PCIe", "NVIDIA H100 NVL", "NVIDIA H200", "NVIDIA GH200 480GB", "NVIDIA B200",
    "NVIDIA H800", "NVIDIA H20",
]  # fmt: skip


def test_nvml_names_are_aliases(devices):
    aliases = {a for d in devices for a in d.aliases}
    assert [n for n in NVML_NAMES if n not in aliases] == []


def test_every_nvidia_datacenter_gpu_has_an_nvml_style_alias(files):
    for d in files["nvidia-datacenter"].devices:
        assert any(a.startswith(("Tesla ", "NVIDIA ")) for a in d.aliases), d.id


def test_tpu_power_caveat_in_notes(devices):
    for d in devices:
        if d.kind == "tpu":
            # a TPU power figure is either labelled by its basis (measured, estimate, model) or its
            # notes say which vendor figure it is (TDP, maximum)
            labelled = d.tdp_w.basis != "vendor" and d.tdp_w.method
            assert labelled or (d.notes and any(w in d.notes for w in ("TDP", "maximum"))), d.id


# ---------------------------------------------------------------------------- spot checks

# (device id, field, expected value) against the vendor datasheets named in each comment.
SPOT_CHECKS = [
    # NVIDIA H100 Tensor Core GPU datasheet (2023): SXM 700 W, BF16 1,979* (sparse) -> 989.4
    ("nvidia-h100-sxm5-80gb", "tdp_w", 700),
    ("nvidia-h100-sxm5-80gb", "bf16_tflops", 989.4),
    ("nvidia-h100-sxm5-80gb", "memory_gb", 80),
    # NVIDIA H100 datasheet: PCIe 300-350 W, BF16 1,513* -> 756
    ("nvidia-h100-pcie-80gb", "tdp_w", 350),
    # NVIDIA A100 datasheet (2021): SXM 400 W, BF16 312, FP32 19.5, 80 GB at 2,039 GB/s
    ("nvidia-a100-sxm4-80gb", "tdp_w", 400),
    ("nvidia-a100-sxm4-80gb", "bf16_tflops", 312),
    ("nvidia-a100-sxm4-80gb", "fp32_tflops", 19.5),
    ("nvidia-a100-sxm4-80gb", "memory_bandwidth_gb_s", 2039),
    # NVIDIA V100 datasheet: SXM2 300 W, 125 TFLOPS tensor, 15.7 FP32
    ("nvidia-v100-sxm2-16gb", "tdp_w", 300),
    ("nvidia-v100-sxm2-16gb", "fp16_tflops", 125),
    ("nvidia-v100-sxm2-16gb", "fp32_tflops", 15.7),
    # NVIDIA T4 datasheet: 70 W, 65 TFLOPS mixed-precision FP16, 16 GB
    ("nvidia-t4", "tdp_w", 70),
    ("nvidia-t4", "fp16_tflops", 65),
    # NVIDIA A10 datasheet: 150 W, 24 GB
    ("nvidia-a10", "tdp_w", 150),
    ("nvidia-a10", "memory_gb", 24),
    # NVIDIA L4 datasheet: 72 W, 24 GB
    ("nvidia-l4", "tdp_w", 72),
    # NVIDIA L40S datasheet: 350 W, BF16 733* (sparse) -> 362.05 dense
    ("nvidia-l40s", "tdp_w", 350),
    ("nvidia-l40s", "bf16_tflops", 362.05),
    # NVIDIA H200 datasheet: SXM up to 700 W, 141 GB at 4.8 TB/s
    ("nvidia-h200-sxm-141gb", "tdp_w", 700),
    ("nvidia-h200-sxm-141gb", "memory_gb", 141),
    ("nvidia-h200-sxm-141gb", "memory_bandwidth_gb_s", 4800),
    # AMD Instinct MI300X data sheet: 750 W, 1,307.4 TFLOPS BF16 (dense), 192 GB HBM3
    ("amd-instinct-mi300x", "tdp_w", 750),
    ("amd-instinct-mi300x", "bf16_tflops", 1307.4),
    ("amd-instinct-mi300x", "memory_gb", 192),
    # Google Cloud TPU docs (system architecture): TPU v4 275 TFLOPS BF16 per chip, 32 GiB
    ("google-tpu-v4", "bf16_tflops", 275),
    ("google-tpu-v4", "memory_gb", 32),
    # Patterson et al. 2021, Table 3: measured average TPU v2 221 W, TPU v3 283 W
    ("google-tpu-v2", "tdp_w", 221),
    ("google-tpu-v3", "tdp_w", 283),
    # Intel Gaudi 2 (HL-225): 600 W OAM, 96 GB HBM2E at 2.46 TB/s (Intel, Hot Chips 2024 Gaudi table;
    # the earlier 2.45 TB/s was Epoch AI's rounding)
    ("intel-gaudi2", "tdp_w", 600),
    ("intel-gaudi2", "memory_gb", 96),
    ("intel-gaudi2", "memory_bandwidth_gb_s", 2460),
    # Intel ARK, Xeon Platinum 8380: 270 W, 40 cores
    ("intel-xeon-platinum-8380", "tdp_w", 270),
    ("intel-xeon-platinum-8380", "cores", 40),
    # AMD EPYC 9654 product page: 360 W default TDP, 96 cores
    ("amd-epyc-9654", "tdp_w", 360),
    ("amd-epyc-9654", "cores", 96),
]


@pytest.mark.parametrize(("device_id", "field", "expected"), SPOT_CHECKS)
def test_spot_checks_against_datasheets(by_id, device_id, field, expected):
    assert value(by_id[device_id], field) == pytest.approx(expected)


def test_spot_checks_cover_at_least_12_devices():
    assert len({device_id for device_id, _, _ in SPOT_CHECKS}) >= 12


def test_tpu_v2_v3_power_is_flagged_as_measured_average(by_id):
    for device_id in ("google-tpu-v2", "google-tpu-v3"):
        assert "AVERAGE" in by_id[device_id].notes
        assert by_id[device_id].tdp_w.source == "patterson-2021-carbon"


# One id per CPU generation the database must cover (Skylake-SP to Xeon 6, EPYC 7001 to 9005).
CPU_GENERATIONS = [
    "intel-xeon-platinum-8180",  # Skylake-SP
    "intel-xeon-platinum-8280",  # Cascade Lake
    "intel-xeon-platinum-8380",  # Ice Lake-SP
    "intel-xeon-platinum-8490h",  # Sapphire Rapids
    "intel-xeon-platinum-8592plus",  # Emerald Rapids
    "intel-xeon-6980p",  # Xeon 6 (Granite Rapids)
    "intel-xeon-6780e",  # Xeon 6 (Sierra Forest)
    "amd-epyc-7601",  # Naples
    "amd-epyc-7742",  # Rome
    "amd-epyc-7763",  # Milan
    "amd-epyc-9654",  # Genoa
    "amd-epyc-9965",  # Turin
    "amd-ryzen-9-7950x",
    "intel-core-i9-9900k",
    "nvidia-grace-cpu-superchip",
    "ampere-altra-q80-30",
]


@pytest.mark.parametrize("device_id", CPU_GENERATIONS)
def test_cpu_generations_covered(by_id, device_id):
    assert by_id[device_id].kind == "cpu"
