"""A Lightning ``Callback`` that measures a ``Trainer.fit`` with :func:`wattprint.track`.

>>> from wattprint.integrations.lightning import WattprintCallback  # doctest: +SKIP
>>> trainer = lightning.Trainer(callbacks=[WattprintCallback(region="gcp:europe-west6")])  # doctest: +SKIP

It imports ``lightning.pytorch`` (else ``pytorch_lightning``). The tracker starts at fit start
(the first process of each node samples), ``energy_kwh`` and ``co2e_kg`` are logged with
``pl_module.log`` every ``log_every_n_steps`` training batches, and at fit end the result, the
model card block and a statement are written into ``trainer.default_root_dir`` (global rank 0).
"""

from __future__ import annotations

from typing import Any

try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the older package name
    from pytorch_lightning.callbacks import Callback  # type: ignore[assignment]

from wattprint.integrations.outputs import TrackingCallback, write_outputs


class WattprintCallback(TrackingCallback, Callback):  # type: ignore[misc]
    """Measure a Lightning fit; options are those of :class:`wattprint.measure.track.Tracker`."""

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        self.start_tracker(trainer.default_root_dir)

    def on_train_batch_end(
        self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int
    ) -> None:
        if self.tracker is None or (trainer.global_step % max(1, trainer.log_every_n_steps)) != 0:
            return
        energy_kwh, co2e_kg = self.tracker.so_far()
        if energy_kwh is not None:
            pl_module.log("energy_kwh", energy_kwh, rank_zero_only=True)
        if co2e_kg is not None:
            pl_module.log("co2e_kg", co2e_kg, rank_zero_only=True)

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
        if self.tracker is None:
            return
        self.result = self.tracker.stop()
        if trainer.is_global_zero:
            self.written = write_outputs(
                self.result, trainer.default_root_dir, self.training_type, type(pl_module).__name__
            )
