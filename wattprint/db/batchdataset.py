"""File I/O of batch audits on Dask: a folder or glob of job files in, a Parquet dataset out.

Inputs
------
A folder (searched recursively) or a glob pattern (``jobs/*.csv``, ``runs/**/*.parquet``) of CSV
and Parquet files; each file is one partition. Only the job columns that some file has are kept
(:func:`dataset_columns`), so absent inputs are not written.

Output
------
``-o DIR/`` (a name ending in ``/``, an existing folder or a name without suffix) or
``-o results.parquet`` is a partitioned Parquet dataset: a folder with one ``part-NNNNN.parquet``
per input file, each written by the worker that computed it, all with the one declared schema of
:func:`wattprint.db.batchfiles.result_schema`. The dataset is written into a temporary folder beside
the target and renamed into place when every part is written (an existing dataset at the target
is replaced then, never before). With a distributed scheduler, the target folder must be on a
filesystem the workers share with the client (as for any Dask output).
"""

from __future__ import annotations

import csv
import glob
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from wattprint.db import batchfiles
from wattprint.errors import InputError
from wattprint.files import os_error_text

GLOB_CHARACTERS = ("*", "?", "[")
PART_NAME = "part-{:05d}.parquet"


def input_files(source: str) -> list[Path]:
    """The job files named by ``source``: one file, a folder (recursive) or a glob pattern."""
    path = Path(source)
    if any(character in source for character in GLOB_CHARACTERS) and not path.exists():
        matches = sorted(
            Path(name)
            for name in glob.glob(source, recursive=True)
            if Path(name).is_file()
            and Path(name).suffix.lower() in batchfiles.CSV_SUFFIXES + batchfiles.PARQUET_SUFFIXES
        )
        if not matches:
            raise InputError(f"{source}: no .csv or .parquet file matches this pattern")
        return matches
    if path.is_file():
        return [path]
    if not path.exists():
        raise InputError(f"{source}: no such file or folder")
    return batchfiles.dataset_files(path)


def file_columns(path: Path) -> list[str]:
    """The column names of one job file, read from its header (CSV) or schema (Parquet)."""
    if batchfiles.file_kind(path) == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            return [str(name) for name in pq.read_schema(path).names]
        except (pa.ArrowInvalid, OSError) as error:
            raise InputError(f"{path}: not a readable Parquet file ({error})") from None
    header = batchfiles.header_line(path)
    delimiter = batchfiles.sniff_delimiter(header)
    return [name.strip() for name in next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter), [])]


def dataset_columns(files: Sequence[Path], candidates: Sequence[str]) -> list[str]:
    """The ``candidates`` that at least one of ``files`` has, in the order of ``candidates``."""
    found: set[str] = set()
    for path in files:
        found.update(batchfiles.plan_columns(file_columns(path), candidates).targets)
    return [name for name in candidates if name in found]


def is_dataset_target(path: Path) -> bool:
    """True when ``-o path`` names a Parquet dataset folder (see the module notes)."""
    text = str(path)
    return (
        text.endswith(("/", os.sep))
        or path.is_dir()
        or path.suffix == ""
        or batchfiles.file_kind(path) == "parquet"
    )


def check_dataset_target(path: Path, inputs: Sequence[Path]) -> Path:
    """``path`` as a dataset folder that may be (re)written; one-line InputError otherwise."""
    target = Path(str(path).rstrip("/" + os.sep) or ".")
    parent = target.parent
    if not parent.is_dir():
        raise InputError(f"output folder {str(parent)!r} does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"output folder {str(parent)!r} is not writable")
    if target.exists() and not target.is_dir() and not target.is_file():
        raise InputError(f"output {str(target)!r} is not a regular file or folder; give another name")
    if target.is_dir():
        foreign = [
            p.name for p in target.iterdir() if not (p.name.startswith("part-") or p.name.startswith("_"))
        ]
        if foreign:
            raise InputError(
                f"output folder {str(target)!r} holds other files ({', '.join(sorted(foreign)[:3])}); "
                "give an empty or new folder"
            )
        resolved = target.resolve()
        for source in inputs:
            if resolved in Path(source).resolve().parents:
                raise InputError(f"output folder {str(target)!r} holds the input {str(source)!r}")
    for source in inputs:
        if target.is_file() and os.path.samefile(target, source):
            raise InputError(f"output {str(target)!r} is the input {str(source)!r}; give another name")
    return target


def new_staging_folder(target: Path) -> Path:
    """A temporary folder beside ``target`` for the parts of the dataset."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        umask = os.umask(0)
        os.umask(umask)
        folder.chmod(0o777 & ~umask)  # as a folder made by mkdir, not mkdtemp's private 0700
        return folder
    except OSError as error:
        raise InputError(f"output {str(target)!r} cannot be written: {os_error_text(error)}") from None


def write_part(
    results: pd.DataFrame, folder: str, schema: Any, partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Write one partition of results as ``part-NNNNN.parquet`` in ``folder`` (on the worker).

    Returns an empty frame (dask needs a result); the number is the partition's position.
    """
    import pyarrow.parquet as pq

    number = int(partition_info["number"]) if partition_info else 0
    pq.write_table(batchfiles.parquet_table(results, schema), Path(folder) / PART_NAME.format(number))
    return results.iloc[:0][[]]


def publish(staging: Path, target: Path) -> None:
    """Move the finished dataset into place, replacing an old one at ``target`` only now."""
    old: Path | None = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "previous")
        os.replace(staging, target)
    except OSError as error:
        if old is not None and (old / "previous").exists() and not target.exists():
            os.replace(old / "previous", target)
        raise InputError(f"output {str(target)!r} cannot be written: {os_error_text(error)}") from None
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
