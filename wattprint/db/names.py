"""One lookup for hardware names as machines report them.

NVML (``nvmlDeviceGetName``), amdsmi / HIP (``hipDeviceProp_t.name``), ``/proc/cpuinfo``
(``model name``) and ``lscpu`` (``Model name:``) report names that differ from the database's
ids and display names: ``Intel(R) Xeon(R) Platinum 8358 CPU @ 2.60GHz``,
``AMD EPYC 7763 64-Core Processor``, ``12th Gen Intel(R) Core(TM) i7-12700K``,
``AMD Instinct MI300X VF`` (an SR-IOV virtual function on Azure),
``NVIDIA A100-SXM4-80GB MIG 3g.40gb``. :func:`match` resolves such a name in three steps and
says which one it used:

1. ``exact``: the name equals an id or an alias (ignoring case and outer spaces);
2. ``normalised``: after :func:`normalise`, it equals the normalised id, name or alias of
   exactly one device;
3. a name that several devices report (a device's ``shared_names``, e.g. GCP's masked
   ``Intel(R) Xeon(R) CPU @ 2.20GHz``, or HIP's ``AMD Instinct MI250X/MI250``), or a normalised
   form that fits more than one device, is ``ambiguous``: the answer lists every candidate and
   picks none.

A name that resolves to nothing raises :class:`~wattprint.errors.UnknownIdError` naming the closest ids.
There is no fuzzy guessing: explicit aliases live in the YAML files, normalisation only removes
decoration that carries no model information.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from wattprint.db.schema import Device
from wattprint.errors import InputError, UnknownIdError

MatchHow = Literal["exact", "normalised", "ambiguous"]

_DECORATION = (
    re.compile(r"^\s*model name\s*:\s*", re.IGNORECASE),  # /proc/cpuinfo and lscpu lines
    re.compile(r"^\s*gpu\s+\d+\s*:\s*", re.IGNORECASE),  # nvidia-smi -L "GPU 0: ..."
    re.compile(r"^\s*gpu\[\d+\]\s*:\s*card series\s*:\s*", re.IGNORECASE),  # rocm-smi "GPU[0] : Card series:"
    re.compile(r"^\s*\d+\s*x\s+", re.IGNORECASE),  # CodeCarbon gpu_model "8 x NVIDIA A100-SXM4-40GB"
    re.compile(r"\s*\(uuid:[^)]*\)\s*$", re.IGNORECASE),  # nvidia-smi -L "(UUID: GPU-...)"
    re.compile(r"\(r\)|\(tm\)|®|™", re.IGNORECASE),
    re.compile(r"\b\d{1,2}(st|nd|rd|th) gen\b", re.IGNORECASE),  # "12th Gen Intel Core"
    re.compile(r"\s*@\s*\d+(\.\d+)?\s*[gm]hz\s*$", re.IGNORECASE),  # " @ 2.60GHz"
    re.compile(r"\s+\d+-core processor\s*$", re.IGNORECASE),  # AMD "64-Core Processor"
    re.compile(r"\s+processor\s*$", re.IGNORECASE),
    re.compile(r"\s+cpu\s*$", re.IGNORECASE),  # Intel "... CPU" left after the clock
    re.compile(r"\s+vf\s*$", re.IGNORECASE),  # SR-IOV virtual function
    re.compile(r"\s+mig\s+\d+g\.\d+gb\s*$", re.IGNORECASE),  # NVML MIG device name
)


def normalise(name: str) -> str:
    """A reported name reduced to the words that identify the model, lower case.

    Removes trademark signs ("(R)", "(TM)", "®", "™"), an "nth Gen" prefix, a trailing clock
    (" CPU @ 2.60GHz"), "n-Core Processor" / "Processor", a virtual-function " VF" or MIG
    suffix, an ``lscpu`` "Model name:", ``rocm-smi`` "GPU[0] : Card series:" or ``nvidia-smi -L``
    "GPU 0:" / "(UUID: ...)" frame, a
    leading "NVIDIA " (older drivers omit it), and repeated spaces.
    """
    text = name.replace("\xa0", " ").replace("\u200b", "")
    for pattern in _DECORATION:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    text = text.removeprefix("nvidia ")
    return text


@dataclass(frozen=True)
class NameMatch:
    """What a reported name resolved to: one device id, or the candidates of an ambiguous name."""

    name: str
    how: MatchHow
    device_id: str | None
    candidates: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """True where the name fits several devices and none was chosen."""
        return self.how == "ambiguous"


SHOWN_CANDIDATES = 12
"""Candidates named in an error line; the JSON answer of ``hardware match`` lists them all."""


class AmbiguousNameError(InputError):
    """A reported name that several devices share; ``candidates`` lists their ids."""

    def __init__(self, name: str, candidates: Iterable[str], note: str = "") -> None:
        self.name = name
        self.candidates = tuple(sorted(candidates))
        self.note = note
        shown = ", ".join(self.candidates[:SHOWN_CANDIDATES])
        more = len(self.candidates) - SHOWN_CANDIDATES
        if more > 0:
            shown += f", and {more} more (see --json)"
        super().__init__(
            f"{name!r} is ambiguous: {len(self.candidates)} database devices fit it ({shown}); "
            "give one of these ids" + (f" ({note})" if note else "")
        )


def same_power_note(candidates: Iterable[str], devices: object) -> str:
    """Words for candidates that share one TDP [W]: a TDP-based estimate is the same with any of
    them, but their peak FLOP/s may differ (so the name is still not resolved to one)."""
    if not isinstance(devices, Mapping):
        return ""
    found = [devices[c] for c in candidates if c in devices]
    if len(found) < 2 or not all(isinstance(d, Device) for d in found):
        return ""
    powers = {(d.tdp_w.value, d.tdp_w.basis) for d in found}
    if len(powers) != 1:
        return ""
    ((power_w, _),) = powers
    peaks = {d.bf16_tflops.value if d.bf16_tflops else None for d in found}
    differ = (
        "; their peak 16-bit FLOP/s differ, so a FLOPs-based estimate needs the id" if len(peaks) > 1 else ""
    )
    return f"all have a {power_w:g} W TDP, so a TDP-based estimate is the same with any of them{differ}"


@dataclass(frozen=True)
class NameIndex:
    """Exact and normalised names of every device, built once from the loaded devices."""

    exact: Mapping[str, str]
    normalised: Mapping[str, frozenset[str]]
    shared: Mapping[str, frozenset[str]]

    @classmethod
    def build(cls, devices: Mapping[str, Device]) -> NameIndex:
        """Index ids, display names and aliases; ``shared_names`` go to the ambiguous table."""
        exact: dict[str, str] = {}
        normalised: dict[str, set[str]] = {}
        shared: dict[str, set[str]] = {}
        for device in devices.values():
            for name in (*device.aliases, device.id):
                exact[name.strip().lower()] = device.id
            for name in (device.id, device.name, *device.aliases):
                normalised.setdefault(normalise(name), set()).add(device.id)
            for name in device.shared_names:
                shared.setdefault(name.strip().lower(), set()).add(device.id)
                shared.setdefault(normalise(name), set()).add(device.id)
        return cls(
            exact=exact,
            normalised={k: frozenset(v) for k, v in normalised.items() if k},
            shared={k: frozenset(v) for k, v in shared.items() if k},
        )


def match(index: NameIndex, reported_name: str, valid_ids: Iterable[str]) -> NameMatch:
    """Resolve ``reported_name`` (exact, then normalised); ambiguous names list candidates.

    Raises :class:`~wattprint.errors.UnknownIdError` (naming the closest ids) when nothing fits.
    """
    key = reported_name.strip().lower()
    if not key:
        raise InputError("empty hardware name; give an id (see `wattprint hardware list`) or a reported name")
    if key in index.shared:
        return NameMatch(reported_name, "ambiguous", None, tuple(sorted(index.shared[key])))
    if key in index.exact:
        return NameMatch(reported_name, "exact", index.exact[key])
    normal = normalise(reported_name)
    for table in (index.shared, index.normalised):
        found = table.get(normal)
        if found and len(found) == 1 and table is index.normalised:
            return NameMatch(reported_name, "normalised", next(iter(found)))
        if found:
            return NameMatch(reported_name, "ambiguous", None, tuple(sorted(found)))
    raise UnknownIdError("hardware", reported_name, valid_ids, "see `wattprint hardware list`")


def resolve(index: NameIndex, reported_name: str, valid_ids: Iterable[str]) -> str:
    """The one device id for ``reported_name``; AmbiguousNameError or UnknownIdError otherwise."""
    found = match(index, reported_name, valid_ids)
    if found.device_id is None:
        raise AmbiguousNameError(
            reported_name, found.candidates, same_power_note(found.candidates, valid_ids)
        )
    return found.device_id


def resolve_reported(
    index: NameIndex, reported_name: str | None, valid_ids: Iterable[str]
) -> tuple[str | None, str]:
    """``(device id, how)`` for a reported name, or ``(None, reason)`` if empty, unknown or ambiguous."""
    if reported_name is None or not str(reported_name).strip():
        return None, "no name reported"
    try:
        found = match(index, str(reported_name), valid_ids)
    except (UnknownIdError, InputError) as error:
        return None, str(error)
    if found.device_id is None:
        return None, f"ambiguous: {', '.join(found.candidates)}"
    return found.device_id, found.how
