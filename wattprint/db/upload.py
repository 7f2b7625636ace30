"""Check a user's own databases uploaded through the web app, without trusting them.

An upload is a zip holding ``hardware_db/`` and ``region_db/`` (optionally under one top
folder), or loose YAML files for each folder. It is copied into a fresh temporary folder and
validated there with :func:`wattprint.db.loader.check_databases`; nothing in it is executed or
imported: YAML is read with the loader's strict safe loader only (a tag that builds an object,
a duplicate key, nesting past the depth limit or too many nodes is reported as a problem), and
only ``.yaml`` files are written.

Refused, each with one line naming the entry:

- a zip entry whose path is absolute, has a drive letter or a ``..`` component (zip slip), or
  is not under ``hardware_db/`` or ``region_db/``;
- an upload over :data:`MAX_UPLOAD_BYTES`, a file over :data:`wattprint.db.loader.MAX_FILE_BYTES`,
  more than :data:`MAX_UPLOAD_FILES` files, or more than :data:`MAX_UNPACKED_BYTES` unpacked
  (zip bombs: sizes are checked while reading, not taken from the zip's header);
- a file that is not a zip or YAML, or a zip that cannot be read.

References
----------
.. [1] Snyk, "Zip Slip Vulnerability" (2018). https://security.snyk.io/research/zip-slip-vulnerability
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wattprint.db.loader import MAX_FILE_BYTES, check_databases

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""Largest upload accepted [bytes], zip or all YAML files together."""
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
"""Largest total size of the files unpacked from a zip [bytes]."""
MAX_UPLOAD_FILES = 500
"""Most files read from one upload."""
FOLDERS = ("hardware_db", "region_db")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class UploadCheck:
    """What an upload holds and every problem found, one line each (empty when valid)."""

    files: tuple[str, ...]
    problems: tuple[str, ...]
    devices: int
    regions: int

    @property
    def valid(self) -> bool:
        return not self.problems


def _zip_target(name: str) -> tuple[str | None, str]:
    """(relative path under the staging folder, or None; the reason when None)."""
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None, "absolute or Windows path, refused"
    parts = PurePosixPath(name).parts
    if any(part in ("..", "") for part in parts) or not parts:
        return None, "path with '..', refused"
    at = next((i for i, part in enumerate(parts) if part in FOLDERS), None)
    if at is None or at > 1:
        return None, f"not under {' or '.join(f + '/' for f in FOLDERS)}, skipped"
    inner = parts[at + 1 :]
    if len(inner) != 1:
        return None, "in a sub-folder; wattprint reads only the top level of each folder, skipped"
    if not inner[0].lower().endswith(YAML_SUFFIXES):
        return None, "not a .yaml file, skipped"
    return f"{parts[at]}/{inner[0]}", ""


def _unzip(data: bytes, name: str, target: Path, problems: list[str]) -> list[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        problems.append(f"{name}: not a readable zip file ({error})")
        return []
    if len(entries) > MAX_UPLOAD_FILES:
        problems.append(f"{name}: {len(entries)} entries, over the limit of {MAX_UPLOAD_FILES}")
        return []
    written: list[str] = []
    unpacked = 0
    for entry in entries:
        if entry.is_dir():
            continue
        relative, why = _zip_target(entry.filename)
        if relative is None:
            if "skipped" not in why or not entry.filename.endswith("/"):
                problems.append(f"{name}: {entry.filename!r}: {why}")
            continue
        if entry.file_size > MAX_FILE_BYTES:
            problems.append(f"{relative}: {entry.file_size} bytes is over the {MAX_FILE_BYTES} byte limit")
            continue
        try:
            with archive.open(entry) as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
            problems.append(f"{name}: {entry.filename!r}: cannot be read ({error})")
            continue
        if len(content) > MAX_FILE_BYTES:
            problems.append(f"{relative}: unpacks to over the {MAX_FILE_BYTES} byte limit")
            continue
        unpacked += len(content)
        if unpacked > MAX_UNPACKED_BYTES:
            problems.append(f"{name}: unpacks to over {MAX_UNPACKED_BYTES // 2**20} MiB, refused")
            return written
        (target / relative).write_bytes(content)
        written.append(relative)
    return written


def stage_upload(uploads: Sequence[tuple[str, str, bytes]], target: Path) -> tuple[list[str], list[str]]:
    """Write the uploads under ``target``; returns (files written, problems).

    Parameters
    ----------
    uploads : sequence of (folder, file name, bytes)
        ``folder`` is ``"zip"`` for a zip of both folders, else ``"hardware_db"`` or
        ``"region_db"`` for a loose YAML file.
    target : pathlib.Path
        An empty folder; ``hardware_db/`` and ``region_db/`` are made in it.
    """
    problems: list[str] = []
    written: list[str] = []
    for folder in FOLDERS:
        (target / folder).mkdir(parents=True, exist_ok=True)
    total = sum(len(data) for _, _, data in uploads)
    if total > MAX_UPLOAD_BYTES:
        return [], [f"upload of {total} bytes is over the {MAX_UPLOAD_BYTES // 2**20} MiB limit"]
    if len(uploads) > MAX_UPLOAD_FILES:
        return [], [f"{len(uploads)} files is over the limit of {MAX_UPLOAD_FILES}"]
    for folder, name, data in uploads:
        if folder == "zip":
            written.extend(_unzip(data, name, target, problems))
            continue
        if folder not in FOLDERS:
            problems.append(f"{name}: unknown folder {folder!r}; valid: {', '.join(FOLDERS)}")
            continue
        base = PurePosixPath(name.replace("\\", "/")).name
        if not base.lower().endswith(YAML_SUFFIXES) or base.startswith("."):
            problems.append(f"{name}: not a .yaml file; upload YAML files or a zip")
            continue
        if len(data) > MAX_FILE_BYTES:
            problems.append(f"{folder}/{base}: {len(data)} bytes is over the {MAX_FILE_BYTES} byte limit")
            continue
        (target / folder / base).write_bytes(data)
        written.append(f"{folder}/{base}")
    return written, problems


_CHECKED: OrderedDict[str, UploadCheck] = OrderedDict()
_CHECKED_LOCK = threading.Lock()
CHECKS_KEPT = 16
"""Most upload results remembered (by content hash): a page rerun does not validate again."""


def check_upload(uploads: Sequence[tuple[str, str, bytes]]) -> UploadCheck:
    """Stage ``uploads`` (see :func:`stage_upload`) in a temporary folder and validate them.

    Problems name files relative to the upload (``hardware_db/gpus.yaml: ...``); the temporary
    folder is removed before returning. The result of the same uploads (same names and bytes)
    is remembered, so a web page that reruns does not pay for the validation again.
    """
    digest = hashlib.sha256()
    for folder, name, data in uploads:
        digest.update(f"{folder}\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    key = digest.hexdigest()
    with _CHECKED_LOCK:  # the web app's sessions run in threads
        if key in _CHECKED:
            _CHECKED.move_to_end(key)
            return _CHECKED[key]
    result = _check_upload(uploads)
    with _CHECKED_LOCK:
        _CHECKED[key] = result
        while len(_CHECKED) > CHECKS_KEPT:
            _CHECKED.popitem(last=False)
    return result


def _check_upload(uploads: Sequence[tuple[str, str, bytes]]) -> UploadCheck:
    with tempfile.TemporaryDirectory(prefix="wattprint-upload-") as folder:
        root = Path(folder)
        written, problems = stage_upload(uploads, root)
        devices = regions = 0
        if written:
            databases, found = check_databases(root)
            prefix = str(root) + "/"
            problems.extend(line.replace(prefix, "").replace(str(root), "(upload)") for line in found)
            devices, regions = len(databases.hardware.devices), len(databases.regions.regions)
        else:
            problems.append("no .yaml files under hardware_db/ or region_db/ in the upload")
    return UploadCheck(tuple(written), tuple(problems), devices, regions)
