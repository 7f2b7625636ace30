"""``wattprint batch``: energy and CO2e of a file (or a folder) of jobs, vectorised.

Exit codes: 2 when the input itself is unusable (missing, empty, no job columns); 0 otherwise,
even when rows fail: each failed row is reported with its line number (stderr, ``--errors``
file, ``error`` column of the results) and stderr says how many rows failed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from wattprint import files
from wattprint.commands import common
from wattprint.db import batchdataset, batchfiles, exports
from wattprint.engine import batch
from wattprint.errors import InputError

SHOWN_ERRORS = 5
"""Failed rows printed on stderr; the rest are in the errors file and the results."""
ERROR_COLUMNS = ("file", "line", "name", "error")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "batch",
        help="energy [kWh] and CO2e [kg] of many jobs from a CSV or Parquet file",
        description=(
            "Each row is a job; columns mirror the estimate options with units in their names: "
            + ", ".join(batch.INPUT_COLUMNS)
            + " (and start or month for the summary by month). Rows that fail are reported with "
            "their line number; the exit code is then still 0 and stderr says how many failed."
        ),
    )
    parser.add_argument(
        "input", metavar="INPUT", help="jobs file (.csv or .parquet), or a folder with --engine dask"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write per-job results (.csv or .parquet)")
    parser.add_argument("--summary", action="store_true", help="print sums by region, hardware and month")
    parser.add_argument("--errors", metavar="FILE", help="write the failed rows with line and reason (.csv)")
    parser.add_argument(
        "--engine", choices=("pandas", "dask"), default="pandas", help="pandas (default, in chunks) or dask"
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="dask.distributed scheduler address (with --engine dask)"
    )
    parser.add_argument(
        "--chunk-rows",
        type=whole_rows,
        default=float(batchfiles.DEFAULT_CHUNK_ROWS),
        help=f"rows per chunk for the pandas engine (default {batchfiles.DEFAULT_CHUNK_ROWS:,})",
    )
    parser.add_argument(
        "--exclude-flagged",
        action="store_true",
        help="leave the rows flagged for review (over 30 days, over 1,024 devices, top 0.1%% of energy) "
        "out of the totals and summaries",
    )
    common.add_json(parser)
    parser.set_defaults(handler=run)


def whole_rows(text: str) -> int:
    """An argparse type: a whole number of rows, at least 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"chunk-rows must be a whole number of rows, got {text!r}") from None
    if not value.is_integer() or value < 1 or value > 100_000_000:
        raise argparse.ArgumentTypeError(
            f"chunk-rows must be a whole number from 1 to 100,000,000, got {text}"
        )
    return int(value)


def check_outputs(args: argparse.Namespace, inputs: list[Path]) -> None:
    """Refuse unusable output paths before anything is read: missing folder, folder, FIFO, an input."""
    paths = [(name, getattr(args, name)) for name in ("output", "errors") if getattr(args, name)]
    for name, value in paths:
        out = Path(value)
        if name == "output" and args.engine == "dask" and batchdataset.is_dataset_target(out):
            continue
        batchfiles.file_kind(out)
        files.check_output_path(out, inputs, "--errors file" if name == "errors" else "output")
    if args.output and args.errors and Path(args.output).resolve() == Path(args.errors).resolve():
        raise InputError("-o and --errors name the same file; give two file names")


def _count_lines(path: Path) -> int | None:
    if batchfiles.file_kind(path) == "parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
    return max(lines - 1, 1)


class Progress:
    """A progress line on stderr, shown only for inputs of more than one chunk."""

    def __init__(self, total: int | None, enabled: bool) -> None:
        self.total, self.enabled, self.done, self.started = total, enabled, 0, time.perf_counter()

    def update(self, rows: int) -> None:
        self.done += rows
        if not self.enabled:
            return
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        share = f" ({min(self.done / self.total, 1.0):.0%})" if self.total else ""
        sys.stderr.write(f"\rbatch: {self.done:,} rows{share}, {rate:,.0f} rows/s")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def error_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The failed rows: position, name and reason first, then the inputs."""
    failed = results[results["error"].fillna("") != ""]
    first = [c for c in ERROR_COLUMNS if c in failed.columns]
    rest = [c for c in batch.INPUT_COLUMNS if c in failed.columns and c not in first]
    return failed[first + rest]


def run_pandas(args: argparse.Namespace, tables: batch.BatchTables) -> dict[str, Any]:
    path = Path(args.input)
    check_outputs(args, [path])
    chunk_rows = int(args.chunk_rows)
    notes: list[str] = []
    chunks = batchfiles.read_job_chunks(path, batch.INPUT_COLUMNS, chunk_rows, notes)
    first = next(chunks)  # raises InputError for an unusable file before anything is written
    total_rows = _count_lines(path)
    progress = Progress(total_rows, enabled=bool(total_rows and total_rows > chunk_rows))
    parts: list[batch.BatchTotals] = []
    summaries: dict[str, list[pd.DataFrame]] = {key: [] for key in batch.SUMMARY_KEYS}
    by_region: list[pd.DataFrame] = []  # the jobs in regions that take another place's figure
    shown: list[dict[str, Any]] = []
    candidates: list[pd.DataFrame] = []
    keep_top = batch.top_energy_count(total_rows or 0) + 1
    writer = batchfiles.ResultWriter(Path(args.output), [path]) if args.output else None
    errors = batchfiles.ResultWriter(Path(args.errors), [path], "--errors file") if args.errors else None
    try:
        for chunk in _chain(first, chunks):
            results = batch.estimate_frame(chunk, tables)
            parts.append(batch.totals(results))
            candidates.append(batch.flag_candidates(results, keep_top))
            by_region.append(batch.borrowed_summary(results, tables))
            if args.summary:
                for key in batch.SUMMARY_KEYS:
                    summaries[key].append(batch.summarize(results, key))
            failed = error_rows(results)
            if len(failed):
                shown.extend(failed[["line", "error"]].head(SHOWN_ERRORS - len(shown)).to_dict("records"))
                if errors is not None:
                    errors.write(failed)
            if writer is not None:
                writer.write(results)
            progress.update(len(chunk))
    except BaseException:
        for output in (writer, errors):
            if output is not None:
                output.abort()
        raise
    finally:
        progress.finish()
    for output in (writer, errors):
        if output is not None:
            output.close()
    combined = {key: batch.combine_summaries(parts_, key) for key, parts_ in summaries.items()}
    totals = batch.combine_totals(parts)
    pool = [frame for frame in candidates if len(frame)]
    flagged = batch.flagged_rows(
        pd.concat(pool, ignore_index=True) if pool else candidates[0],
        totals.jobs - totals.failed,
        totals.energy_kwh,
    )
    borrowed = batch.borrowed_regions(batch.combine_summaries(by_region, "region"), tables)
    return {
        "totals": totals,
        "summaries": combined,
        "shown": shown,
        "notes": notes,
        "flagged": flagged,
        "borrowed": borrowed,
    }


def _share(flagged: pd.DataFrame, totals: batch.BatchTotals) -> float:
    """The flagged rows' share of the energy of every valid row [-]."""
    return float(flagged["energy_kwh"].sum()) / totals.energy_kwh if totals.energy_kwh > 0 else 0.0


def _flag_record(row: dict[str, Any]) -> dict[str, Any]:
    keep = [c for c in batch.FLAG_COLUMNS if c in row]
    return {key: (None if isinstance(row[key], float) and row[key] != row[key] else row[key]) for key in keep}


def _flag_table(flagged: pd.DataFrame) -> pd.DataFrame:
    """The flagged rows for a terminal: position, what the job is, its figures and why."""
    table = pd.DataFrame({"line": flagged["line"].astype("int64")})
    if "file" in flagged.columns:  # a folder of files (--engine dask): which file the line is in
        table.insert(0, "file", flagged["file"].map(lambda v: exports.terminal_safe(Path(str(v)).name)[:30]))
    for name in ("name", "hardware", "region"):
        if name in flagged.columns:
            table[name] = flagged[name].map(
                lambda v: exports.terminal_safe(v)[:30] if isinstance(v, str) else ""
            )
    table["devices"] = flagged["devices"].map(
        lambda v: f"{v:,.0f}" if float(v).is_integer() else common.fmt(v)
    )
    table["hours"] = flagged["duration_h_used"].map(common.fmt)
    table["energy_kwh"] = flagged["energy_kwh"].map(common.fmt)
    table["share"] = flagged["share_of_energy"].map(lambda v: f"{v:.1%}")
    table["reason"] = flagged["reason"]
    return table


def _chain(first: pd.DataFrame, rest: Any) -> Any:
    yield first
    yield from rest


CSV_LINE_END = "\r\n"
"""Line ends of the dask engine's CSV files (RFC 4180): pandas then quotes every cell holding a CR,
so a reader that splits rows on CR never sees part of a cell as a cell of its own."""
SCHEDULER_TIMEOUT_S = 5
"""Seconds to reach a ``--scheduler`` before giving up (the whole refusal stays under 10 s)."""


def dask_results(files: list[Path], tables: batch.BatchTables, columns: list[str] | None = None) -> Any:
    """A lazy dask DataFrame of results: one partition per file, :func:`estimate_frame` on each.

    ``columns`` are the job columns every partition gets (missing ones empty); by default the
    input and time columns that some file has.
    """
    import dask.dataframe as dd

    if columns is None:
        columns = batchdataset.dataset_columns(files, [*batch.INPUT_COLUMNS, *batch.TIME_COLUMNS])
    jobs = dd.from_map(
        batchfiles.read_partition,
        [str(Path(path).resolve()) for path in files],
        job_columns=columns,
        meta=batchfiles.partition_meta(columns),
        enforce_metadata=False,
        label="read-jobs",
    )
    meta = batch.estimate_frame(jobs._meta, tables)
    return jobs.map_partitions(batch.estimate_frame, tables, meta=meta)


def _partial_totals(results: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame([batch.totals_to_dict(batch.totals(results))])


def _probe(address: str) -> str | None:
    """Why a ``tcp://HOST:PORT`` address cannot be reached (a refused connection answers at once),
    or None when it accepts connections or is not a plain TCP address."""
    import socket
    from urllib.parse import urlsplit

    if not address.startswith("tcp://"):
        return None
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        return "the port is not a number"
    if not parts.hostname or port is None:
        return "missing host or port"
    try:
        with socket.create_connection((parts.hostname, port), timeout=SCHEDULER_TIMEOUT_S):
            return None
    except OSError as error:
        return files.os_error_text(error) if error.strerror else (str(error) or type(error).__name__)


def _refusal(address: str, reason: str) -> InputError:
    return InputError(
        f"--scheduler {address}: no dask scheduler answered within {SCHEDULER_TIMEOUT_S} s "
        f"({reason[:120]}); give its address as tcp://HOST:PORT (start one with `dask scheduler`), "
        "or leave out --scheduler"
    )


def check_scheduler(address: str) -> None:
    """Refuse at once (before the databases load) a TCP scheduler address that does not accept."""
    problem = _probe(address)
    if problem is not None:
        raise _refusal(address, problem)


def _connect(address: str) -> Any:
    """A distributed Client for ``address``; one-line InputError when it cannot be reached in time."""
    from distributed import Client

    check_scheduler(address)
    try:
        return Client(address, timeout=SCHEDULER_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        text = str(error).strip()
        raise _refusal(address, text.splitlines()[0] if text else type(error).__name__) from None
    except Exception as error:  # whatever answered there is not a dask scheduler
        raise _refusal(address, f"what answered is not a dask scheduler: {type(error).__name__}") from None


def run_dask(args: argparse.Namespace, tables: batch.BatchTables) -> dict[str, Any]:
    import warnings

    import dask

    paths = batchdataset.input_files(args.input)
    notes: list[str] = []
    for path in paths:  # unusable files are fatal, as for the pandas engine
        next(batchfiles.read_job_chunks(path, batch.INPUT_COLUMNS, chunk_rows=1, notes=notes))
    check_outputs(args, paths)
    dataset = None
    if args.output and batchdataset.is_dataset_target(Path(args.output)):
        dataset = batchdataset.check_dataset_target(Path(args.output), paths)
    columns = batchdataset.dataset_columns(paths, [*batch.INPUT_COLUMNS, *batch.TIME_COLUMNS])
    client = _connect(args.scheduler) if args.scheduler else None
    staging: Path | None = None
    try:
        with contextlib.ExitStack() as stack:
            results = dask_results(paths, tables, columns)
            tasks: list[Any] = []
            if dataset is not None:
                staging = batchdataset.new_staging_folder(dataset)
                schema = batchfiles.result_schema(list(results._meta.columns))
                tasks.append(
                    results.map_partitions(
                        batchdataset.write_part, str(staging.resolve()), schema, meta=results._meta[[]]
                    )
                )
            elif args.output:
                temporary = stack.enter_context(files.atomic_output(args.output, paths))
                safe = results.map_partitions(exports.neutralise_formulas, meta=results._meta)
                tasks.append(
                    safe.to_csv(
                        str(temporary),
                        single_file=True,
                        index=False,
                        compute=False,
                        lineterminator=CSV_LINE_END,
                    )
                )
            failed = results[results["error"] != ""]
            if args.errors:
                temporary_errors = stack.enter_context(
                    files.atomic_output(args.errors, paths, "--errors file")
                )
                failed_view = failed.map_partitions(error_rows)
                safe_errors = failed_view.map_partitions(exports.neutralise_formulas)
                tasks.append(
                    safe_errors.to_csv(
                        str(temporary_errors),
                        single_file=True,
                        index=False,
                        compute=False,
                        lineterminator=CSV_LINE_END,
                    )
                )
            totals_meta = pd.DataFrame(
                {key: pd.Series(dtype="float64") for key in batch.totals_to_dict(batch.totals(results._meta))}
            )
            totals_sum = results.map_partitions(_partial_totals, meta=totals_meta).sum()
            summaries = {}
            for key in batch.SUMMARY_KEYS if args.summary else ():
                meta = batch.summarize(results._meta, key)
                partial = results.map_partitions(batch.summarize, key, meta=meta)
                summaries[key] = partial.groupby(key)[["jobs", *batch.SUMMARY_SUMS]].sum()
            borrowed_parts = results.map_partitions(
                batch.borrowed_summary, tables, meta=batch.summarize(results._meta, "region")
            )
            shown = failed[["line", "error"]].head(SHOWN_ERRORS, npartitions=-1, compute=False)
            # The plausibility pass as with pandas: each partition's candidates, judged once totals are in.
            rows = sum(_count_lines(path) or 0 for path in paths)
            keep_top = batch.top_energy_count(rows) + 1
            candidates = results.map_partitions(
                batch.flag_candidates, keep_top, meta=batch.flag_candidates(results._meta, keep_top)
            )
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Computing mixed collections")
                computed = dask.compute(totals_sum, shown, summaries, candidates, borrowed_parts, *tasks)
        if staging is not None and dataset is not None:
            batchdataset.publish(staging, dataset)
            staging = None
    finally:
        if staging is not None:
            batchdataset.discard(staging)
        if client is not None:
            client.close()
    totals_row, shown_frame, summary_frames = computed[0], computed[1], computed[2]
    totals = batch.BatchTotals(
        jobs=int(totals_row["jobs"]),
        failed=int(totals_row["failed"]),
        energy_kwh=float(totals_row["energy_kwh"]),
        it_energy_kwh=float(totals_row["it_energy_kwh"]),
        co2e_kg=float(totals_row["co2e_kg"]),
        device_hours=float(totals_row["device_hours"]),
    )
    combined = {
        key: batch.combine_summaries([frame.reset_index()], key) for key, frame in summary_frames.items()
    }
    borrowed = batch.borrowed_regions(batch.combine_summaries([computed[4]], "region"), tables)
    flagged = batch.flagged_rows(computed[3], totals.jobs - totals.failed, totals.energy_kwh)
    return {
        "totals": totals,
        "summaries": combined,
        "shown": shown_frame.to_dict("records"),
        "notes": notes,
        "flagged": flagged,
        "borrowed": borrowed,
    }


def run(args: argparse.Namespace) -> int:
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    if args.scheduler:
        check_scheduler(args.scheduler)  # a refused address is answered before anything loads
    tables = batch.build_tables(common.databases(args))
    outcome = run_dask(args, tables) if args.engine == "dask" else run_pandas(args, tables)
    result: batch.BatchTotals = outcome["totals"]
    for note in outcome["notes"]:
        print(f"wattprint: note: {exports.terminal_safe(note)}", file=sys.stderr)
    for row in outcome["shown"]:
        print(f"wattprint: line {int(row['line'])}: {exports.terminal_safe(row['error'])}", file=sys.stderr)
    if result.failed:
        where = f"; all of them are in {args.errors}" if args.errors else "; --errors FILE writes them all"
        print(f"wattprint: {result.failed:,} of {result.jobs:,} rows failed{where}", file=sys.stderr)
    flagged: pd.DataFrame | None = outcome["flagged"]
    excluded = bool(args.exclude_flagged and flagged is not None and len(flagged))
    all_rows = result
    if excluded:
        assert flagged is not None
        result = batch.without_flagged(result, flagged)
        outcome["summaries"] = {
            key: batch.summary_without(frame, flagged, key) for key, frame in outcome["summaries"].items()
        }
    if args.json:
        data: dict[str, Any] = {"totals": batch.totals_to_dict(result)}
        if flagged is not None:
            data["flagged"] = {
                "rows": [_flag_record(row) for row in flagged.to_dict("records")],
                "share_of_energy": _share(flagged, all_rows),
                "excluded_from_totals": excluded,
            }
        if args.summary:
            data["summaries"] = {key: frame.to_dict("records") for key, frame in outcome["summaries"].items()}
        data["borrowed_figures"] = {
            "regions": outcome["borrowed"].to_dict("records"),
            "note": batch.borrowed_words(outcome["borrowed"], all_rows.co2e_kg) or None,
        }
        data["column_notes"] = outcome["notes"]
        data["errors_shown"] = [{"line": int(r["line"]), "error": r["error"]} for r in outcome["shown"]]
        common.print_json(data)
        return 0
    print(
        f"Jobs:        {result.jobs:,} ({result.failed:,} failed)\n"
        f"Energy:      {common.fmt(result.energy_kwh)} kWh (IT {common.fmt(result.it_energy_kwh)} kWh)\n"
        f"CO2e:        {common.fmt(result.co2e_kg)} kg\n"
        f"Device-hours: {common.fmt(result.device_hours)} h"
    )
    borrowed = batch.borrowed_words(outcome["borrowed"], all_rows.co2e_kg)
    if borrowed:
        print(f"Grid:        {exports.terminal_safe(borrowed)}")
    if flagged is not None and len(flagged):
        share = _share(flagged, all_rows)
        what = (
            "left out of the totals above"
            if excluded
            else "included above; --exclude-flagged leaves them out"
        )
        print(f"\nFlagged for review: {len(flagged):,} rows, {share:.1%} of the energy ({what}):")
        print(_flag_table(flagged).to_string(index=False))
    if args.output:
        print(f"Results:     {args.output}")
    if args.summary:
        for key, frame in outcome["summaries"].items():
            print(f"\nBy {key}:")
            print(frame.to_string(index=False) if len(frame) else "  (no data)")
    return 0
