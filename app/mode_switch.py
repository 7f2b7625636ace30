"""Switching how a value is given keeps what it means: the duration's hours <-> device-hours.

The calculator offers the job's duration as wall-clock hours, device-hours or FLOPs. A switch of
that choice writes the same job in the new form (hours x devices = device-hours), rather than
showing the new field's own default (192 device-hours for a job of 6,912).
"""

from __future__ import annotations

import math
from typing import Any

from app import state

K = state.widget_key


def equivalent_duration(
    old: str, new: str, hours: float, device_hours: float, count: float, derived_device_hours: float | None
) -> dict[str, float]:
    """The inputs to set when the duration mode goes from ``old`` to ``new``.

    Parameters
    ----------
    old, new : str
        ``hours``, ``device_hours`` or ``flops``.
    hours, device_hours : float
        The wall-clock hours [h] and device-hours [h] fields as they are.
    count : float
        Devices [-].
    derived_device_hours : float or None
        The device-hours the FLOPs gave on the last result [h] (None when unknown).

    Returns
    -------
    dict
        Input name -> value for the new mode's field; empty when nothing can be carried over
        (to FLOPs, or from FLOPs without a result).
    """
    if old == new or new == "flops" or not (math.isfinite(count) and count > 0):
        return {}
    if old == "hours":
        total = hours * count
    elif old == "device_hours":
        total = device_hours
    elif derived_device_hours is not None and math.isfinite(derived_device_hours):
        total = derived_device_hours
    else:
        return {}
    if new == "device_hours":
        return {"device_hours": float(total)}
    return {"hours": float(total / count)}


def keep_duration() -> None:
    """The duration radio's callback: carry the job's duration into the chosen form."""
    import streamlit as st

    from app import cached
    from wattprint.errors import WattprintError

    session = st.session_state
    job: dict[str, Any] = session[state.SAVED_KEY]
    derived = None
    if job.get("duration") == "flops":  # the device-hours the FLOPs give for the job as it stands
        try:
            derived = state.build(job, cached.databases()).spec.device_hours
        except (WattprintError, ValueError, TypeError):
            derived = None
    updates = equivalent_duration(
        str(job.get("duration", "hours")),
        str(session[K("duration")]),
        float(session.get(K("hours"), job["hours"])),
        float(session.get(K("device_hours"), job["device_hours"])),
        float(session.get(K("count"), job["count"])),
        derived,
    )
    for name, value in updates.items():
        session[K(name)] = value
        job[name] = value
