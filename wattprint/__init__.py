"""wattprint: energy and carbon of machine-learning work, estimated, compared and measured offline.

One import gives the whole API; nothing heavy is imported until a function is called (no
pandas, Streamlit, plotly or NVML at ``import wattprint``).

>>> import wattprint
>>> wattprint.estimate(device_hours=1000, power_w=300, pue=1.5, intensity_g_per_kwh=400).co2e_kg
180.0

- :func:`estimate`, :func:`compare`, :func:`inference`, :func:`shift`, :func:`report`: what the
  CLI's commands do.
- :func:`track` (a context manager) and :func:`tracked` (a decorator): measure the energy of code
  in your own program with NVML, RAPL or the fake backend, with windows
  (``run.begin_window(name)`` / ``run.end_window(name)``), a crash-safe log and CO2e.
- :func:`merge_logs`: the total of the logs several nodes wrote.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0.dev0"

if TYPE_CHECKING:
    from wattprint.api import Estimate, compare, estimate, inference, report, shift
    from wattprint.measure.track import Tracker, TrackResult, merge_logs, track, tracked

_LAZY = {
    "Estimate": "wattprint.api",
    "estimate": "wattprint.api",
    "compare": "wattprint.api",
    "inference": "wattprint.api",
    "shift": "wattprint.api",
    "report": "wattprint.api",
    "Tracker": "wattprint.measure.track",
    "TrackResult": "wattprint.measure.track",
    "track": "wattprint.measure.track",
    "tracked": "wattprint.measure.track",
    "merge_logs": "wattprint.measure.track",
}

__all__ = [
    "Estimate",
    "TrackResult",
    "Tracker",
    "__version__",
    "compare",
    "estimate",
    "inference",
    "merge_logs",
    "report",
    "shift",
    "track",
    "tracked",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wattprint' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
