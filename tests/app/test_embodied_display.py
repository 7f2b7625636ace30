"""The calculator says the embodied figure's basis in words (issue 26)."""

from __future__ import annotations

from tests.app.apps import opened


def test_calculator_headline_names_the_embodied_basis() -> None:
    at = opened(
        "calculator.py",
        {"hardware": "nvidia-h100-sxm5-80gb", "count": "8", "hours": "100", "embodied": "database"},
    )
    text = " ".join(c.value for c in at.caption)
    assert "Plus embodied" in text
    assert "lower bound (dies and memory)" in text and "manufacturer PCF" in text
