"""Citations say what their documents state: a figure no document states is labelled model or
estimate, names its method, and (for a model) lists its inputs with the documents that state them.

Expected values are computed by hand in the comments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from wattprint.db.loader import HardwareDB, load_hardware
from wattprint.db.schema import EmbodiedFact, PowerFact, evaluate_formula

DB = Path(__file__).resolve().parents[2] / "hardware_db"

# Documents checked by hand that do NOT state a figure the database holds: (device, field, source).
# Epoch AI's table lists no TPU v5p power; Google's Trillium announcement gives no TPU v6e watts
# (only "over 67% more energy-efficient than TPU v5e"); AWS's Neuron docs give no chip power.
NOT_STATED: list[tuple[str, str, str]] = [
    ("google-tpu-v5p", "tdp_w", "epoch-ml-hardware"),
    ("google-tpu-v6e", "tdp_w", "google-trillium-blog-2024"),
    ("google-tpu-v6e", "tdp_w", "google-tpu-system-architecture"),
    ("google-tpu-v5p", "tdp_w", "google-tpu-system-architecture"),
    ("aws-trainium1", "tdp_w", "aws-neuron-trn1-inf2"),
    ("aws-inferentia2", "tdp_w", "aws-neuron-trn1-inf2"),
    ("aws-graviton2", "tdp_w", "ampere-altra-specs"),
    ("aws-graviton3", "tdp_w", "nvidia-grace-datasheet"),
    ("aws-graviton4", "tdp_w", "nvidia-grace-datasheet"),
    ("nvidia-h100-sxm5-80gb", "embodied_kgco2e", "gupta-2022-act"),
]


@pytest.fixture(scope="module")
def hardware() -> HardwareDB:
    problems: list[str] = []
    db = load_hardware(DB, problems)
    assert problems == []
    return db


@pytest.mark.parametrize(("device_id", "field", "source"), NOT_STATED)
def test_a_source_that_does_not_state_the_value_is_labelled(hardware, device_id, field, source) -> None:
    fact = getattr(hardware.get(device_id), field)
    if fact.source != source:
        return  # cited elsewhere: nothing claims this document states it
    assert fact.basis in ("model", "estimate"), f"{device_id}.{field} cites {source} as if it stated it"
    assert fact.method, f"{device_id}.{field}: a model or estimate names its method"


def test_every_non_vendor_figure_names_its_method(hardware) -> None:
    for device in hardware.devices.values():
        for fact in (device.tdp_w, device.embodied_kgco2e, device.embodied_product_kgco2e):
            if isinstance(fact, PowerFact) and fact.basis != "vendor":
                assert fact.method, device.id
            if isinstance(fact, EmbodiedFact):
                assert fact.method, device.id


def test_every_modelled_power_lists_inputs_whose_documents_exist(hardware) -> None:
    modelled = [d for d in hardware.devices.values() if d.tdp_w.basis == "model"]
    assert {d.id for d in modelled} >= {
        "google-tpu-v5p",
        "google-tpu-v6e",
        "aws-trainium1",
        "aws-inferentia2",
    }
    for device in modelled:
        inputs = device.tdp_w.inputs or {}
        assert inputs and device.tdp_w.formula, device.id
        for name, model_input in inputs.items():
            assert model_input.source in hardware.sources, (device.id, name)
        assert device.tdp_w.source in {i.source for i in inputs.values()}
        computed = evaluate_formula(device.tdp_w.formula or "", {k: i.value for k, i in inputs.items()})
        assert computed == pytest.approx(device.tdp_w.value, rel=0.01), device.id


def test_tpu_v5p_and_v6e_name_the_method_and_inputs_sources(hardware) -> None:
    v5p = hardware.get("google-tpu-v5p").tdp_w
    v6e = hardware.get("google-tpu-v6e").tdp_w
    assert v5p.inputs and v6e.inputs
    v5p_in = {k: i.value for k, i in v5p.inputs.items()}
    v6e_in = {k: i.value for k, i in v6e.inputs.items()}
    # v5p: 459 TFLOPS x 140 W / 197 TFLOPS = 326.2 W (stored 326)
    assert evaluate_formula(v5p.formula or "", v5p_in) == pytest.approx(326.2, abs=0.05)
    assert v5p.value == 326
    # v6e: 918 TFLOPS / (197 TFLOPS / 140 W) / 1.67 = 390.65 W (stored 391)
    assert evaluate_formula(v6e.formula or "", v6e_in) == pytest.approx(390.65, abs=0.01)
    assert v6e.value == 391
    assert {i.source for i in v5p.inputs.values()} == {"google-tpu-system-architecture", "epoch-ml-hardware"}
    assert {i.source for i in v6e.inputs.values()} == {
        "google-tpu-system-architecture",
        "epoch-ml-hardware",
        "google-trillium-blog-2024",
    }
    assert "no document states" in (v5p.method or "") and "no document states" in (v6e.method or "")


def test_a_model_that_does_not_add_up_is_rejected() -> None:
    base = {"value": 300, "source": "a", "year": 2025, "basis": "model", "method": "m"}
    inputs = {"x": {"value": 2, "unit": "W", "source": "a"}, "y": {"value": 100, "unit": "-", "source": "b"}}
    assert PowerFact.model_validate({**base, "inputs": inputs, "formula": "x * y + 100"}).value == 300
    with pytest.raises(ValidationError, match="gives 200"):
        PowerFact.model_validate({**base, "inputs": inputs, "formula": "x * y"})
    with pytest.raises(ValidationError, match="lists its inputs"):
        PowerFact.model_validate(base)
    with pytest.raises(ValidationError, match="cites one of its inputs"):
        PowerFact.model_validate({**base, "source": "c", "inputs": inputs, "formula": "x * y + 100"})
    with pytest.raises(ValidationError, match="only input names"):
        PowerFact.model_validate({**base, "inputs": inputs, "formula": "__import__('os')"})
