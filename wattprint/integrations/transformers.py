"""A ``transformers.TrainerCallback`` that measures a ``Trainer`` run with :func:`wattprint.track`.

>>> from wattprint.integrations.transformers import WattprintCallback  # doctest: +SKIP
>>> trainer = Trainer(..., callbacks=[WattprintCallback(region="aws:us-east-1")])  # doctest: +SKIP

It starts a tracker when training begins (only the first process of each node samples its
devices: see :mod:`wattprint.measure.track`), adds ``energy_kwh`` and ``co2e_kg`` to the logs at
each logging step, and when training ends writes the result, the model card's
``co2_eq_emissions`` block and a paper statement into the run's ``output_dir`` (on the main
process). The shape follows transformers' own ``CodeCarbonCallback``: nothing happens at import.
"""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from wattprint.integrations.outputs import TrackingCallback, write_outputs


class WattprintCallback(TrackingCallback, TrainerCallback):  # type: ignore[misc]
    """Measure a ``transformers.Trainer`` run; options are those of :class:`Tracker`.

    Parameters
    ----------
    training_type : str
        The model card's ``training_type`` ("pre-training", "fine-tuning", ...).
    log : path, optional
        The JSONL log (default ``<output_dir>/wattprint.jsonl``).
    **options
        ``region``, ``year``, ``intensity_g_per_kwh``, ``backend``, ``interval_s``,
        ``attribute``, ``db_dir`` (see :class:`wattprint.measure.track.Tracker`).
    """

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.start_tracker(args.output_dir)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if self.tracker is None or logs is None:
            return
        energy_kwh, co2e_kg = self.tracker.so_far()
        if energy_kwh is not None:
            logs["energy_kwh"] = energy_kwh
        if co2e_kg is not None:
            logs["co2e_kg"] = co2e_kg

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.tracker is None:
            return
        self.result = self.tracker.stop()
        if state.is_world_process_zero:
            model = kwargs.get("model")
            name = type(model).__name__ if model is not None else ""
            self.written = write_outputs(self.result, args.output_dir, self.training_type, name)
