"""The callbacks in real training loops: a tiny transformers model trained by ``Trainer`` and a
tiny Lightning module fitted by ``lightning.Trainer``, on the CPU, built in the test (no download).
Power comes from the fake backend (no GPU in CI), so every figure is labelled FAKE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

SINGLE_ENV: dict[str, str] = {}  # the tracker reads ranks from here: one process


class Recorder(transformers.TrainerCallback):  # type: ignore[misc]
    """Keeps every logs dict the callbacks after wattprint's see."""

    def __init__(self) -> None:
        self.logs: list[dict[str, Any]] = []

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        self.logs.append(dict(logs or {}))


def tiny_dataset(n: int = 16) -> list[dict[str, Any]]:
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 50, (n, 8), generator=generator)
    return [{"input_ids": ids[i], "labels": int(ids[i, 0] % 2)} for i in range(n)]


def test_trainer_callback_logs_energy_and_writes_the_outputs(tmp_path: Path) -> None:
    from wattprint.integrations.transformers import WattprintCallback

    config = transformers.BertConfig(
        vocab_size=50,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=16,
        num_labels=2,
    )
    model = transformers.BertForSequenceClassification(config)
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path),
        max_steps=6,
        logging_steps=2,
        per_device_train_batch_size=4,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        disable_tqdm=True,
    )
    ours = WattprintCallback(
        backend="fake", region="aws:us-east-1", env=SINGLE_ENV, training_type="pre-training"
    )
    recorder = Recorder()
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=tiny_dataset(), callbacks=[ours, recorder]
    )
    trainer.train()

    steps = [logs for logs in recorder.logs if "loss" in logs]
    assert len(steps) == 3  # logging_steps=2 over 6 steps
    energies = [logs["energy_kwh"] for logs in steps]
    assert all(e > 0 for e in energies) and energies == sorted(energies)  # cumulative
    assert all(
        logs["co2e_kg"]
        == pytest.approx(logs["energy_kwh"] * ours.result.intensity["intensity_g_per_kwh"] / 1000)
        for logs in steps
    )

    result = ours.result
    assert result is not None and result.fake and result.energy_kwh >= energies[-1]
    written = {p.name for p in ours.written}
    assert written == {"wattprint_result.json", "wattprint_model_card.yaml", "wattprint_statement.md"}
    card = yaml.safe_load((tmp_path / "wattprint_model_card.yaml").read_text())["co2_eq_emissions"]
    assert card["emissions"] == pytest.approx(result.co2e_kg * 1000, abs=1e-3)  # grams, the Hub's unit
    assert card["training_type"] == "pre-training" and card["hardware_used"].startswith("1 x ")
    statement = (tmp_path / "wattprint_statement.md").read_text()
    assert "FAKE" in statement and "PUE" in statement and "lifecycle" in statement
    saved = json.loads((tmp_path / "wattprint_result.json").read_text())
    assert saved["energy_kwh"] == pytest.approx(result.energy_kwh)
    assert (tmp_path / "wattprint.jsonl").stat().st_size > 0


def test_lightning_callback_logs_energy_and_writes_the_outputs(tmp_path: Path) -> None:
    lightning = pytest.importorskip("lightning")
    from wattprint.integrations.lightning import WattprintCallback

    class Tiny(lightning.LightningModule):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)

        def training_step(self, batch: Any, batch_idx: int) -> Any:
            x, y = batch
            return torch.nn.functional.mse_loss(self.layer(x), y)

        def configure_optimizers(self) -> Any:
            return torch.optim.SGD(self.parameters(), lr=0.1)

    data = torch.utils.data.TensorDataset(torch.randn(32, 4), torch.randn(32, 1))
    loader = torch.utils.data.DataLoader(data, batch_size=4)
    ours = WattprintCallback(backend="fake", intensity_g_per_kwh=400, env=SINGLE_ENV)
    trainer = lightning.Trainer(
        max_steps=4,
        log_every_n_steps=1,
        default_root_dir=str(tmp_path),
        accelerator="cpu",
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[ours],
    )
    trainer.fit(Tiny(), loader)
    assert float(trainer.callback_metrics["energy_kwh"]) > 0
    assert float(trainer.callback_metrics["co2e_kg"]) == pytest.approx(
        float(trainer.callback_metrics["energy_kwh"]) * 0.4, rel=1e-5
    )
    assert ours.result is not None and ours.result.energy_kwh > 0
    card = yaml.safe_load((tmp_path / "wattprint_model_card.yaml").read_text())["co2_eq_emissions"]
    assert "given" in card["geographical_location"]
