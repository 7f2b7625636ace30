"""What a tracked training run writes at its end: the result as JSON, the Hugging Face model-card
``co2_eq_emissions`` block and a paper statement in Markdown, from measured energy.

Notes
-----
The Hub's ``co2_eq_emissions`` block takes ``emissions`` in grams of CO2e, with ``source``,
``training_type``, ``geographical_location`` and ``hardware_used`` (Hugging Face, "Displaying
carbon emissions for your model", https://huggingface.co/docs/hub/model-cards-co2, accessed
2025). The figures are measured device energy (NVML: whole GPUs; RAPL: CPU sockets), before any
facility overhead (PUE not applied), times the region's grid intensity.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from wattprint.measure.track import Tracker, TrackResult

LOG_FILE = "wattprint.jsonl"
RESULT_FILE = "wattprint_result.json"
MODEL_CARD_FILE = "wattprint_model_card.yaml"
STATEMENT_FILE = "wattprint_statement.md"


class TrackingCallback:
    """What the framework callbacks share: their options, the tracker they start and its result."""

    def __init__(
        self, training_type: str = "fine-tuning", log: str | Path | None = None, **options: Any
    ) -> None:
        self.training_type = training_type
        self.log_path = log
        self.options = options
        self.tracker: Tracker | None = None
        self.result: TrackResult | None = None
        self.written: list[Path] = []

    def start_tracker(self, folder: str | os.PathLike[str]) -> None:
        """Start tracking, logging to ``log`` or to ``folder/wattprint.jsonl``."""
        log = Path(self.log_path) if self.log_path is not None else Path(folder) / LOG_FILE
        log.parent.mkdir(parents=True, exist_ok=True)
        self.tracker = Tracker(log=log, **self.options).start()


def hardware_used(result: TrackResult) -> str:
    """The devices measured, as "8 x NVIDIA H100 80GB HBM3" (from the measurement)."""
    if result.measurement is None or not result.measurement.devices:
        return "unknown (nothing measured)"
    names: dict[str, int] = {}
    for device in result.measurement.devices:
        names[device.name] = names.get(device.name, 0) + 1
    return ", ".join(f"{count} x {name}" for name, count in names.items())


def model_card_block(result: TrackResult, training_type: str = "fine-tuning") -> str | None:
    """The ``co2_eq_emissions`` YAML block, or None when the run has no CO2e (no region given,
    or nothing measured): the Hub's field would otherwise carry a made-up number."""
    if result.co2e_kg is None or result.intensity is None:
        return None
    intensity = result.intensity
    place = intensity.get("region") or f"grid at {intensity['intensity_g_per_kwh']:g} gCO2e/kWh (given)"
    data = {
        "co2_eq_emissions": {
            "emissions": round(result.co2e_kg * 1000.0, 3),
            "source": "wattprint (measured: " + result.backend + ")",
            "training_type": training_type,
            "geographical_location": place,
            "hardware_used": hardware_used(result),
        }
    }
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return text.replace("  emissions:", "  # grams of CO2e (the Hub's unit)\n  emissions:", 1)


def statement_markdown(result: TrackResult, model_name: str = "the model") -> str:
    """A paragraph for a paper: measured energy, its scope, CO2e with the figure's basis and year."""
    if result.energy_kwh is None:
        return (
            f"The energy of training {model_name} was not measured: {result.energy_reason}. "
            "No figure is given rather than an estimate presented as a measurement.\n"
        )
    duration_h = result.measurement.duration_s / 3600.0 if result.measurement else 0.0
    fake = " These figures come from wattprint's FAKE demo backend, not a measurement." if result.fake else ""
    text = (
        f"Training {model_name} drew {result.energy_kwh:,.3g} kWh on {hardware_used(result)} over "
        f"{duration_h:,.3g} h, measured with wattprint ({result.backend}; whole-device energy, "
        f"facility overhead (PUE) not included).{fake}"
    )
    if result.co2e_kg is not None and result.intensity is not None:
        i = result.intensity
        where = i.get("region") or "the given grid"
        figure = f"{i['intensity_g_per_kwh']:g} gCO2e/kWh"
        label = f"{i.get('basis')} basis, {i.get('year')}, {i.get('source')}" if i.get("region") else "given"
        text += f" At {figure} ({where}; {label}) this is {result.co2e_kg:,.3g} kg CO2e."
    return text + "\n"


def write_outputs(
    result: TrackResult,
    folder: str | os.PathLike[str],
    training_type: str = "fine-tuning",
    model_name: str = "",
) -> list[Path]:
    """Write the result JSON, the model-card block (when there is a CO2e) and the statement into
    ``folder``; the paths written."""
    where = Path(folder)
    where.mkdir(parents=True, exist_ok=True)
    written = []
    payload: dict[str, Any] = result.to_dict()
    path = where / RESULT_FILE
    path.write_text(json.dumps(payload, indent=2, default=str, allow_nan=False) + "\n", encoding="utf-8")
    written.append(path)
    block = model_card_block(result, training_type)
    if block is not None:
        path = where / MODEL_CARD_FILE
        path.write_text(block, encoding="utf-8")
        written.append(path)
    path = where / STATEMENT_FILE
    path.write_text(statement_markdown(result, model_name or "the model"), encoding="utf-8")
    written.append(path)
    return written
