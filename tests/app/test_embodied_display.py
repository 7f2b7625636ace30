"""The calculator says the embodied figure's basis in words (issue 26)."""

from __future__ import annotations

from tests.app.apps import opened


def test_calculator_headline_names_the_embodied_basis() -> None:
    at = opened(
        "calculator.py",
        {"hardware": "nvidia-h100-sxm5-80gb", "count": "8", "hours": "100", "embodied": "database"},
    )
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert "Embodied (making the hardware): 0.512 – 2.94 kg CO₂e" in text
    assert "lower bound (dies and memory)" in text and "manufacturer PCF" in text
