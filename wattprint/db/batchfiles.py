"""File I/O of batch audits: job tables in CSV or Parquet, read in chunks, results written safely.

Line numbers
------------
Every row read gets ``line``: for CSV its line number in the file (the header is line 1, so
the first job is line 2; blank lines count, and are skipped); for Parquet its 1-based row
number. A row whose text spans several lines (a quoted newline) shifts the numbers after it.

Unusable files
--------------
A missing, empty or unreadable file (a folder, binary data, not UTF-8), one with none of the
job columns, or one with a column that carries a unit wattprint does not read (for example
``intensity_kg_per_kwh``, ``duration_s``, ``energy_wh``) raises
:class:`~wattprint.errors.InputError` naming the column and listing the valid ones (the CLI exits 2):
such a column would otherwise be ignored silently. Problems of single rows are not raised here:
the engine reports them per row, and the valid rows are still computed.

CSV files may start with a UTF-8 byte order mark and use ``,``, ``;`` or tab as delimiter
(the one most frequent in the header line). Files of any size are read in chunks of
:data:`DEFAULT_CHUNK_ROWS` rows, so memory stays bounded.

CSV exports
-----------
Every CSV wattprint writes goes through :func:`wattprint.db.exports.neutralise_formulas`.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wattprint.db.exports import FORMULA_PREFIXES as FORMULA_PREFIXES  # re-exported for callers
from wattprint.db.exports import neutralise_formulas as neutralise_formulas
from wattprint.db.exports import neutralise_table
from wattprint.engine.batch import INPUT_COLUMNS, POSITION_COLUMNS, RESULT_COLUMNS, TIME_COLUMNS
from wattprint.errors import InputError
from wattprint.files import atomic_output, input_file, os_error_text

CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")
KNOWN_COLUMNS = POSITION_COLUMNS + TIME_COLUMNS + RESULT_COLUMNS
INPUT_COLUMN_NAMES = INPUT_COLUMNS
"""Columns that are not job inputs but are accepted (positions, times, results read back)."""
_UNIT_COLUMN = re.compile(
    r"(?:^|_)(?:w|kw|mw|gw|wh|kwh|mwh|gwh|j|kj|mj|g|kg|t|lb|lbs|tonnes?|h|hrs?|hours|min|minutes|s|sec|"
    r"seconds|ms|d|days?|weeks?|pct|percent|(?:g|kg|t|lbs?)_per_(?:wh|kwh|mwh|gwh))$"
)
"""A column name ending in a unit (``_s``, ``_kwh``, ``_kg_per_kwh`` ...)."""
DEFAULT_CHUNK_ROWS = 250_000
"""Rows per chunk when a batch file is processed in pieces."""


def file_kind(path: Path) -> str:
    """``"csv"`` or ``"parquet"`` from the file name; InputError for anything else."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise InputError(f"{path}: unknown file type {suffix or '(none)'!r}; valid: .csv, .parquet")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file, or --engine dask for a folder of files")
    input_file(path, "jobs file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected a header line of job columns")


def sniff_delimiter(header: str) -> str:
    """``,``, ``;``, tab or ``|`` (Slurm ``sacct --parsable2``): the delimiter most frequent in a
    header line (``,`` on a tie)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_line(path: Path) -> str:
    """The first line of a CSV file (up to 64 KiB) as text; InputError when unreadable.

    The line ends at the first CR, LF or CRLF: files saved with any of the three (or a mix) are read.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError as error:
        raise InputError(f"{path}: cannot be read: {os_error_text(error)}") from None
    import codecs

    try:  # the whole first block must be UTF-8 (a sequence cut at its end excepted)
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def text_dtypes(header: str, delimiter: str) -> dict[str, str]:
    """``str`` for every column of a header line that is not a number column of the engine.

    Text and passed-through columns are then read as text in every chunk (a column that holds
    numbers in one chunk and words in the next keeps one type, and ``007`` stays ``007``).
    """
    from wattprint.engine.batch import NUMBER_COLUMNS

    try:
        names = next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter), [])
    except csv.Error:
        names = header.split(delimiter)
    return {name: "str" for name in names if name.strip() not in NUMBER_COLUMNS and name.strip() != "line"}


def _csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        header = header_line(path)
        delimiter = sniff_delimiter(header)
        reader = pd.read_csv(
            path,
            sep=delimiter,
            chunksize=chunk_rows,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            dtype=text_dtypes(header, delimiter),
            keep_default_na=False,  # only an empty cell is "not given"; "nan", "NA", "null" are values
            na_values=[""],
        )
        first_line = 2
        for chunk in reader:
            chunk.columns = [str(c).strip() for c in chunk.columns]
            chunk.insert(0, "line", range(first_line, first_line + len(chunk)))
            first_line += len(chunk)
            blank = chunk.drop(columns="line").isna().all(axis=1)
            yield chunk[~blank].reset_index(drop=True) if blank.any() else chunk
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: no header line; expected job columns") from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[-1]
        raise InputError(f"{path}: not a readable CSV file: {reason}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read: {os_error_text(error)}") from None


def _first_line(error: BaseException) -> str:
    """The first line of a library's message (pyarrow's run over several lines)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _parquet_schema(path: Path) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_schema(path)
    except (pa.ArrowException, OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(error)})") from None


def _parquet_chunks(path: Path, chunk_rows: int, wanted: set[str] | None = None) -> Iterator[pd.DataFrame]:
    """Chunks of the columns ``wanted`` of a Parquet file (all when None); other columns are
    never read, so a wide file costs only the columns the batch uses."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as error:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(error)})") from None
    columns = [name for name in schema.names if wanted is None or str(name) in wanted]
    for name in columns:
        kind = schema.field(name).type
        if pa.types.is_nested(kind) or (pa.types.is_dictionary(kind) and pa.types.is_nested(kind.value_type)):
            raise InputError(
                f"{path}: column {name!r} holds {kind} values; a job column holds one number or text per row"
            )
    first_row = 1
    try:
        for batch in parquet.iter_batches(batch_size=chunk_rows, columns=columns or None):
            chunk = batch.to_pandas()
            for name in columns:
                array = batch.column(name)
                if pa.types.is_floating(array.type) and str(name).strip() != "line":
                    nan = pc.fill_null(pc.is_nan(array), False).to_numpy(zero_copy_only=False)
                    if nan.any():  # a NaN value is a cell that says "nan", not a cell left empty
                        chunk[name] = chunk[name].astype(object).where(~nan, "nan")
            chunk.insert(0, "line", range(first_row, first_row + len(chunk)))
            first_row += len(chunk)
            yield chunk
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path}: not a readable Parquet file ({_first_line(error)})") from None


MAX_COLUMNS = 1_000
"""Most columns of a CSV jobs file (a Slurm ``sacct --format=ALL`` export has about 110)."""
MAX_PARQUET_COLUMNS = 100_000
"""Most columns of a Parquet jobs file (only its job columns are read; the others are counted)."""


def _check_width(path: Path, columns: int, limit: int = MAX_COLUMNS) -> None:
    if columns > limit:
        raise InputError(
            f"{path}: {columns:,} columns is over the limit of {limit:,}; keep the job columns "
            "(valid: " + ", ".join(INPUT_COLUMN_NAMES) + ")"
        )


def file_column_names(path: Path) -> list[str]:
    """A jobs file's column names, from its header (CSV, stripped) or schema (Parquet), after
    the width limit (:data:`MAX_COLUMNS`, :data:`MAX_PARQUET_COLUMNS`)."""
    if file_kind(path) == "parquet":
        names = [str(name) for name in _parquet_schema(path).names]
        _check_width(path, len(names), MAX_PARQUET_COLUMNS)
        return names
    header = header_line(path)
    if not header.strip():
        raise InputError(f"{path}: no header line; expected job columns")
    delimiter = sniff_delimiter(header)
    _check_width(path, header.count(delimiter) + 1)
    try:
        names = next(csv.reader([header], delimiter=delimiter), [])
    except csv.Error:
        names = header.split(delimiter)
    return [name.strip() for name in names]


def file_plan(path: Path, names: Sequence[str], usable: Sequence[str]) -> ColumnPlan:
    """The :class:`ColumnPlan` of a file; one-line InputError for a file no row of which can be
    a job: a CodeCarbon file, no usable column, or a column with a unit wattprint does not read
    (:func:`read_job_chunks` then refuses a file with rows but no column at all for a duration,
    the power or a location: :func:`check_required`)."""
    keys = {_key(name) for name in names}
    if {"energy_consumed", "emissions", "duration"} <= keys:
        raise InputError(
            f"{path}: this is a CodeCarbon emissions file (duration, energy_consumed, emissions); "
            f"read it with `wattprint import-codecarbon {path}`"
        )
    try:
        plan = plan_columns(names, usable)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None
    if not plan.targets:
        shown = ", ".join(str(c) for c in list(names)[:8]) or "(none)"
        raise InputError(f"{path}: no usable columns (found {shown}); valid columns: {', '.join(usable)}")
    return plan


def read_job_chunks(
    path: Path, usable: Sequence[str], chunk_rows: int = DEFAULT_CHUNK_ROWS, notes: list[str] | None = None
) -> Iterator[pd.DataFrame]:
    """The jobs of a CSV or Parquet file in chunks of ``chunk_rows``, each with ``line``.

    Columns are read under their batch names (:func:`plan_columns`: ``gpu_count`` as ``count``,
    Slurm ``ElapsedRaw`` as ``hours``, ...); ``notes`` (when given) gets one line saying what was
    read as what and one naming every column not used. Raises :class:`InputError` (before the
    first chunk) when the file is unusable: missing, empty, not CSV/Parquet, too wide, or
    without the columns a job needs (:func:`file_plan`).
    """
    path = Path(path)
    _check_file(path)
    kind = file_kind(path)
    plan = file_plan(path, file_column_names(path), usable)
    if notes is not None:
        notes.extend(plan.notes(path, passed_through=kind == "csv"))
    if kind == "csv":
        chunks = _csv_chunks(path, chunk_rows)
    else:
        unused = {name for name, _ in plan.unused}
        chunks = _parquet_chunks(path, chunk_rows, set(file_column_names(path)) - unused)
    first = next(chunks, None)
    if first is None:
        raise InputError(f"{path}: no rows")
    if len(first):  # a header without rows is answered as such, not as a missing column
        check_required(path, plan, usable)
    yield adapt(first, plan)
    for chunk in chunks:
        yield adapt(chunk, plan)


def read_jobs(path: Path, usable: Sequence[str], notes: list[str] | None = None) -> pd.DataFrame:
    """The whole job table of a file, with ``line``; see :func:`read_job_chunks`."""
    chunks = list(read_job_chunks(path, usable, chunk_rows=1_000_000, notes=notes))
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def read_job_buffer(
    data: bytes, name: str, usable: Sequence[str], notes: list[str] | None = None
) -> pd.DataFrame:
    """The job table of an uploaded file's bytes (``name`` gives the type), with ``line``;
    ``notes`` gets the column notes of :func:`read_job_chunks`, naming the upload."""
    import tempfile

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        _check_unpacked_size(path, Path(name).name)
        found: list[str] = []
        frame = read_jobs(path, usable, found)
        if notes is not None:
            notes.extend(note.replace(str(path), Path(name).name, 1) for note in found)
        return frame


MAX_UPLOAD_UNPACKED_BYTES = 1024 * 1024 * 1024
"""Largest jobs upload read into memory at once [bytes], a Parquet file's uncompressed size (from
its metadata) included: a small file that unpacks to gigabytes is refused, not read."""


def _check_unpacked_size(path: Path, shown: str) -> None:
    size = path.stat().st_size
    if file_kind(path) == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            metadata = pq.ParquetFile(path).metadata
        except (pa.ArrowException, OSError, ValueError) as error:
            raise InputError(f"{shown}: not a readable Parquet file ({_first_line(error)})") from None
        size = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if size > MAX_UPLOAD_UNPACKED_BYTES:
        raise InputError(
            f"{shown}: {size / 2**20:,.0f} MiB of data (uncompressed) is over the "
            f"{MAX_UPLOAD_UNPACKED_BYTES // 2**20:,} MiB limit of an upload; use `wattprint batch` on it"
        )


def dataset_files(folder: Path) -> list[Path]:
    """The CSV and Parquet files of a dataset folder, in name order; InputError when none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; --engine dask reads a folder of CSV or Parquet files")
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in CSV_SUFFIXES + PARQUET_SUFFIXES
    )
    if not files:
        raise InputError(f"{folder}: no .csv or .parquet files")
    return files


def read_partition(path: str, job_columns: Sequence[str]) -> pd.DataFrame:
    """One dataset file as one partition: ``file``, ``line`` and exactly ``job_columns``.

    Columns missing from the file are added empty, others dropped, so every partition has the
    same layout.
    """
    frame = read_jobs(Path(path), job_columns)
    frame.insert(0, "file", Path(path).name)
    out = frame.reindex(columns=["file", "line", *job_columns])
    for name in out.columns:
        if name in TEXT_NAMES:
            out[name] = out[name].astype("str").where(out[name].notna())
        elif name == "line":
            out[name] = out[name].astype("int64")
    return out


TEXT_NAMES = ("file", "name", "hardware", "region", "start", "month")


def partition_meta(columns: Sequence[str]) -> pd.DataFrame:
    """An empty frame with the layout of :func:`read_partition` (for dask's ``meta``)."""
    data: dict[str, pd.Series] = {"file": pd.Series(dtype="str"), "line": pd.Series(dtype="int64")}
    for name in columns:
        data[name] = pd.Series(dtype="str" if name in TEXT_NAMES else "float64")
    return pd.DataFrame(data)


TEXT_RESULT_COLUMNS = ("file", "name", "hardware", "region", "error")
"""Result columns written as text; ``line`` is an integer, the others float64 (see
:func:`result_schema`)."""


def result_schema(columns: Sequence[str]) -> Any:
    """The declared pyarrow schema of a result table with ``columns``.

    Types follow the column name, never the data of a chunk, so every chunk and every dask
    partition is written with one schema: ``line`` int64; the engine's numbers and results
    float64; every other column (text inputs, ``error``, ``start``, ``month``, columns passed
    through) a string.
    """
    import pyarrow as pa

    from wattprint.engine.batch import NUMBER_COLUMNS

    numbers = set(NUMBER_COLUMNS) | (set(RESULT_COLUMNS) - {"error"})
    fields = []
    for name in columns:
        if name == "line":
            fields.append(pa.field(name, pa.int64()))
        elif name in numbers:
            fields.append(pa.field(name, pa.float64()))
        else:
            fields.append(pa.field(str(name), pa.string()))
    return pa.schema(fields)


def _arrow_column(column: pd.Series, kind: Any) -> Any:
    """One column as a pyarrow array of type ``kind`` (string, int64 or float64), nulls for NaN."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_string(kind):
        if column.dtype != object and pd.api.types.is_string_dtype(column):
            return pa.array(column, type=pa.string(), from_pandas=True)
        codes, uniques = pd.factorize(column)  # object text: converted once per distinct value
        values = pa.array([str(value) for value in uniques], type=pa.string())
        indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
        return pa.DictionaryArray.from_arrays(indices, values).dictionary_decode()
    numbers = pd.to_numeric(column, errors="coerce")
    if pa.types.is_int64(kind):
        integers = numbers.astype("Int64")
        return pa.array(integers, type=pa.int64(), from_pandas=True)
    values = np.asarray(numbers, dtype="float64")
    return pa.array(values, type=pa.float64(), mask=np.isnan(values))


def conform(chunk: pd.DataFrame, schema: Any) -> pd.DataFrame:
    """``chunk`` with exactly the columns of ``schema``, each converted to its declared type."""
    converted: pd.DataFrame = parquet_table(chunk, schema).to_pandas()
    return converted


def parquet_table(chunk: pd.DataFrame, schema: Any) -> Any:
    """A pyarrow table of ``chunk`` with the declared ``schema`` (never an ArrowInvalid): missing
    columns are empty, others converted to their declared type."""
    import pyarrow as pa

    arrays = []
    for field in schema:
        if field.name in chunk.columns:
            arrays.append(_arrow_column(chunk[field.name], field.type))
        else:
            arrays.append(pa.nulls(len(chunk), type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


class ResultWriter:
    """Writes result chunks to one CSV or Parquet file (by suffix), safely.

    The file is written to a temporary file beside ``path`` and renamed onto ``path`` by
    :meth:`close` only when every chunk was written (:func:`wattprint.files.atomic_output`); on
    :meth:`abort` (or an exception inside ``with``) the temporary file is removed and ``path`` is
    left as it was. ``path`` may not be one of ``inputs`` (same inode), nor a folder, FIFO or
    device, nor in a missing folder: :class:`~wattprint.errors.InputError` at construction, before
    anything is read or written. CSV text cells are neutralised (:mod:`wattprint.db.exports`); Parquet
    columns get the declared types of :func:`result_schema`.
    """

    def __init__(self, path: Path, inputs: Sequence[Path] = (), what: str = "output") -> None:
        self.path = Path(path)
        self.kind = file_kind(self.path)
        self._atomic = atomic_output(self.path, inputs, what)
        self.temporary = self._atomic.__enter__()
        self._started = False
        self._done = False
        self._parquet: Any = None
        self._schema: Any = None
        self._csv: Any = None

    def write(self, chunk: pd.DataFrame) -> None:
        try:
            if self.kind == "csv":
                self._write_csv(chunk)
            else:
                import pyarrow.parquet as pq

                if self._parquet is None:
                    self._schema = result_schema(list(chunk.columns))
                    self._parquet = pq.ParquetWriter(self.temporary, self._schema)
                self._parquet.write_table(parquet_table(chunk, self._schema))
        except OSError as error:
            self.abort()
            raise InputError(f"output {str(self.path)!r} cannot be written: {os_error_text(error)}") from None
        self._started = True

    def _write_csv(self, chunk: pd.DataFrame) -> None:
        import pyarrow.csv as pacsv

        if self._csv is None:
            self._schema = result_schema(list(chunk.columns))
            header = neutralise_table(parquet_table(chunk.iloc[:0], self._schema)).schema
            self._csv = pacsv.CSVWriter(str(self.temporary), header)
        table = neutralise_table(parquet_table(chunk, self._schema))
        self._csv.write_table(table)

    def close(self) -> None:
        """Finish the file and rename it into place."""
        if self._done:
            return
        self._done = True
        try:
            if self._parquet is not None:
                self._parquet.close()
            if self._csv is not None:
                self._csv.close()
        except OSError as error:
            self._atomic.__exit__(type(error), error, None)
            raise InputError(f"output {str(self.path)!r} cannot be written: {os_error_text(error)}") from None
        self._atomic.__exit__(None, None, None)

    def abort(self) -> None:
        """Remove the temporary file; ``path`` is left as it was."""
        if self._done:
            return
        self._done = True
        for handle in (self._parquet, self._csv):
            try:
                if handle is not None:
                    handle.close()
            except OSError:
                pass
        self.temporary.unlink(missing_ok=True)
        with contextlib.suppress(BaseException):
            self._atomic.__exit__(RuntimeError, RuntimeError("aborted"), None)

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_table(frame: pd.DataFrame, path: Path, inputs: Sequence[Path] = ()) -> None:
    """One frame to a CSV or Parquet file (by suffix), atomically; CSV text cells neutralised."""
    with ResultWriter(path, inputs) as writer:
        writer.write(frame)


# --- The user's column names ------------------------------------------------------------------

COLUMN_ALIASES: dict[str, tuple[str, str]] = {
    # count of devices
    "gpu_count": ("count", ""),
    "num_gpus": ("count", ""),
    "n_gpus": ("count", ""),
    "ngpus": ("count", ""),
    "ngpu": ("count", ""),
    "num_gpu": ("count", ""),
    "n_gpu": ("count", ""),
    "gpucount": ("count", ""),
    "numgpus": ("count", ""),
    "gpus": ("count", ""),
    "gpu_num": ("count", ""),
    "device_count": ("count", ""),
    "num_devices": ("count", ""),
    "alloctres": ("count", "tres_gpu"),  # Slurm sacct: billing=8,cpu=8,gres/gpu=4,mem=64G,node=1
    # hardware
    "gpu_name": ("hardware", ""),
    "gpu_model": ("hardware", ""),
    "gpu_type": ("hardware", ""),
    "gputype": ("hardware", ""),
    "gpuname": ("hardware", ""),
    "gpumodel": ("hardware", ""),
    "accelerator": ("hardware", ""),
    # wall-clock duration
    "elapsed_hours": ("hours", ""),
    "elapsed_h": ("hours", ""),
    "duration_h": ("hours", ""),
    "duration_hours": ("hours", ""),
    "runtime_hours": ("hours", ""),
    "wall_hours": ("hours", ""),
    "duration_s": ("hours", "seconds"),
    "duration_seconds": ("hours", "seconds"),
    "elapsed_s": ("hours", "seconds"),
    "elapsed_seconds": ("hours", "seconds"),
    "runtime_s": ("hours", "seconds"),
    "elapsedraw": ("hours", "seconds"),  # Slurm sacct ElapsedRaw [s]
    "elapsed": ("hours", "clock"),  # Slurm sacct Elapsed: [D-]HH:MM:SS
    # names and times
    "jobname": ("name", ""),
    "job_name": ("name", ""),
    "start_time": ("start", ""),
    # power
    "avg_power_w": ("power_w", ""),
    "mean_power_w": ("power_w", ""),
    "gpu_power_w": ("power_w", ""),
}
"""Common scheduler and tracker column names (compared in lower case, spaces and dashes as
``_``) -> (the batch column, the conversion: ``""`` none, ``"seconds"`` s -> h, ``"clock"``
Slurm ``[D-]HH:MM:SS`` -> h, ``"tres_gpu"`` the ``gres/gpu`` count of a Slurm TRES list)."""
CONVERSION_WORDS = {
    "": "",
    "seconds": " (seconds / 3600)",
    "clock": " ([D-]HH:MM:SS -> h)",
    "tres_gpu": " (its gres/gpu count)",
}
SCHEDULER_FIELDS = frozenset(
    {
        "account",
        "partition",
        "state",
        "user",
        "group",
        "qos",
        "nodelist",
        "exitcode",
        "submit",
        "end",
        "jobid",
        "jobidraw",
        "uid",
        "gid",
        "workdir",
        "cluster",
        "nnodes",
        "ncpus",
        "alloccpus",
        "reqmem",
    }
)
"""Scheduler fields that name no job column: listed as not used, with no "did you mean"."""
UNUSED_SHOWN = 30
"""Unused columns named in the note; the rest are counted."""


def _key(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


@dataclass(frozen=True)
class ColumnPlan:
    """How a file's columns become batch columns.

    ``renamed``: file column -> batch column (same values); ``converted``: batch column ->
    (file column, conversion), the file column kept as it is; ``unused``: file columns the
    engine does not read, each with a suggestion (or ``""``).
    """

    renamed: dict[str, str]
    converted: dict[str, tuple[str, str]]
    unused: tuple[tuple[str, str], ...]

    @property
    def targets(self) -> set[str]:
        return set(self.renamed.values()) | set(self.converted)

    def notes(self, path: Path | str, passed_through: bool = True) -> list[str]:
        """Lines for the user: what was read as what, and every column not used."""
        lines = []
        read_as = [f"{source} as {target}" for source, target in self.renamed.items() if source != target]
        read_as += [
            f"{source} as {target}{CONVERSION_WORDS[how]}" for target, (source, how) in self.converted.items()
        ]
        if read_as:
            lines.append(f"{path}: read " + ", ".join(read_as))
        if self.unused:
            shown = [f"{name} ({hint})" if hint else name for name, hint in self.unused[:UNUSED_SHOWN]]
            more = len(self.unused) - UNUSED_SHOWN
            tail = f" and {more:,} more" if more > 0 else ""
            lines.append(
                f"{path}: {len(self.unused):,} column(s) not used in the estimate "
                + ("(passed through to the results): " if passed_through else "(not read): ")
                + ", ".join(shown)
                + tail
            )
        return lines


def plan_columns(names: Sequence[object], usable: Sequence[str]) -> ColumnPlan:
    """The :class:`ColumnPlan` of a file's column ``names`` for the batch columns ``usable``.

    A batch column's own name (in any case) wins over an alias; the first alias of a batch
    column wins over later ones; a column with a unit wattprint does not read raises
    :class:`InputError` (it would otherwise be ignored silently).
    """
    import difflib

    usable_set = set(usable)
    exact = {_key(name): name for name in usable}
    renamed: dict[str, str] = {}
    converted: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for name in names:  # the batch's own names first
        key = _key(name)
        if key in exact and exact[key] not in taken:
            renamed[str(name)] = exact[key]
            taken.add(exact[key])
    unused: list[tuple[str, str]] = []
    for name in names:
        text, key = str(name), _key(name)
        if text in renamed or text.strip() in KNOWN_COLUMNS:
            continue
        if key in KNOWN_COLUMNS:  # "Start" (sacct) is start
            if key not in taken and key not in {str(other).strip() for other in names}:
                renamed[text] = key
                taken.add(key)
            continue
        alias = COLUMN_ALIASES.get(key)
        if alias is not None and alias[0] in usable_set:
            target, how = alias
            if target in taken:
                unused.append((text, f"{target} is read from another column"))
                continue
            taken.add(target)
            if how:
                converted[target] = (text, how)
            else:
                renamed[text] = target
            continue
        if _UNIT_COLUMN.search(key):
            raise InputError(
                f"column {text!r} has a unit wattprint does not read; rename or convert it "
                f"(valid columns: {', '.join(usable)})"
            )
        near = (
            []
            if key in SCHEDULER_FIELDS
            else difflib.get_close_matches(key, [*usable, *COLUMN_ALIASES], n=1, cutoff=0.75)
        )
        hint = ""
        if near:
            target = near[0] if near[0] in usable_set else COLUMN_ALIASES[near[0]][0]
            hint = f"did you mean {target}?"
        unused.append((text, hint))
    return ColumnPlan(renamed=renamed, converted=converted, unused=tuple(unused))


_CLOCK = re.compile(r"^(?:(?P<d>\d+)-)?(?:(?P<h>\d+):)?(?P<m>\d+):(?P<s>\d+(?:\.\d*)?)$")


def _convert(column: pd.Series, how: str) -> pd.Series:
    """One converted column as text (parsed, checked and refused per row by the engine)."""
    text = column.astype(object).where(column.isna(), column.astype(str).str.strip())
    if how == "seconds":
        seconds = pd.Series(pd.to_numeric(text, errors="coerce"), index=text.index)
        hours_of: pd.Series = seconds.div(3600.0).astype(object).where(seconds.notna(), text)
        return hours_of
    if how == "clock":
        parts = text.astype("str").str.extract(_CLOCK)
        numbers = parts.apply(pd.to_numeric, errors="coerce").fillna({"d": 0.0, "h": 0.0})
        hours = numbers["d"] * 24.0 + numbers["h"] + numbers["m"] / 60.0 + numbers["s"] / 3600.0
        clock_hours: pd.Series = hours.astype(object).where(hours.notna(), text)
        return clock_hours
    # tres_gpu: the gres/gpu count (any gres/gpu:TYPE too) of "billing=8,cpu=8,gres/gpu=4,..."
    found = text.astype("str").str.extract(r"(?:^|,)gres/gpu(?::[^=,]*)?=(\d+(?:\.\d+)?)")[0]
    gpus = pd.to_numeric(found, errors="coerce")
    empty = text.isna() | (text.astype("str") == "")
    return gpus.astype(object).where(
        gpus.notna(), np.where(empty, np.nan, "no gres/gpu in " + text.astype("str"))
    )


def adapt(chunk: pd.DataFrame, plan: ColumnPlan) -> pd.DataFrame:
    """``chunk`` with the columns of ``plan`` under their batch names (conversions added)."""
    if not plan.renamed and not plan.converted:
        return chunk
    out = chunk.rename(columns={k: v for k, v in plan.renamed.items() if k != v})
    for target, (source, how) in plan.converted.items():
        out[target] = _convert(chunk[source], how)
    return out


REQUIRED_GROUPS = (
    ("a duration", ("hours", "device_hours"), "hours, device_hours (or elapsed, ElapsedRaw, duration_s)"),
    ("the power", ("hardware", "power_w", "total_power_w"), "hardware, power_w, total_power_w (or gpu_name)"),
    ("a location", ("region", "intensity_g_per_kwh"), "region, intensity_g_per_kwh"),
)


def check_required(path: Path | str, plan: ColumnPlan, usable: Sequence[str]) -> None:
    """One line naming a job column no row can do without when the file has none of its kind."""
    if not set(usable) >= {"hours", "hardware", "region"}:
        return
    targets = plan.targets
    for what, group, valid in REQUIRED_GROUPS:
        if not targets & set(group):
            unread = ", ".join(f"{name} ({hint})" if hint else name for name, hint in plan.unused)
            rest = f"; columns not read: {unread}" if unread else ""
            raise InputError(f"{path}: no column gives {what}; add one of: {valid}{rest}")
