"""The Batch page on the files of issues 27 and 28: what the page shows, as a user reads it."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from tests.app.apps import routed

H100 = "nvidia-h100-sxm5-80gb"


def upload(name: str, data: bytes, mime: str = "text/csv"):
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload(name, data, mime).run()
    assert not at.exception, at.exception
    return at


def metric(at, label: str) -> str:
    return next(m for m in at.metric if m.label == label).value


def test_cr_line_ends_are_read() -> None:
    # Was "This app has encountered an error" (_csv.Error).
    text = f"name,hardware,count,hours,region\ra,{H100},2,3,aws:us-east-1\rb,{H100},2,3,aws:us-east-1\r"
    at = upload("cr.csv", text.encode())
    assert metric(at, "Jobs estimated") == "2 of 2"


def test_nested_parquet_column_is_one_error_line() -> None:
    # Was "This app has encountered an error" (unhashable type).
    buffer = io.BytesIO()
    pq.write_table(pa.table({"hardware": [[H100]], "hours": [1.0], "region": ["aws:us-east-1"]}), buffer)
    at = upload("nested.parquet", buffer.getvalue(), "application/octet-stream")
    assert len(at.error) == 1
    assert "column 'hardware' holds list<element: string> values" in at.error[0].value.replace("\\", "")


def test_scheduler_columns_are_read_and_the_others_listed() -> None:
    text = f"JobName,gpu_count,elapsed_hours,gpu_name,region,Partition\nj,8,2,{H100},aws:us-east-1,gpu\n"
    at = upload("jobs.csv", text.encode())
    infos = " ".join(i.value for i in at.info).replace("\\", "")  # markdown escapes
    assert "read JobName as name, gpu_count as count, elapsed_hours as hours, gpu_name as hardware" in infos
    assert "1 column(s) not used in the estimate (passed through to the results): Partition" in infos
    assert metric(at, "Jobs estimated") == "1 of 1"


def test_implausible_rows_are_flagged_and_can_be_left_out() -> None:
    text = (
        "name,power_w,count,hours,intensity_g_per_kwh\na,700,8,100000,400\nb,700,2048,1,400\nc,700,8,24,400\n"
    )
    at = upload("jobs.csv", text.encode())
    warning = " ".join(w.value for w in at.warning)
    assert (
        "2 row(s) flagged for review: over 30 days, over 1,024 devices or in the top 0.1% of energy"
        in warning
    )
    assert "Together 100.0% of the energy" in warning  # 99.97%
    before = metric(at, "Energy [kWh]")
    assert before == f"{700 * (8 * 100000 + 2048 + 8 * 24) / 1000 * 1.56:,.1f}"
    at.checkbox(key="batch_exclude_flagged").check().run()
    assert metric(at, "Energy [kWh]") == f"{700 * 8 * 24 / 1000 * 1.56:,.1f}"  # row c only


def test_jobs_on_a_larger_area_figure_are_named_beside_the_totals() -> None:
    # A US state has no lifecycle figure of its own: its jobs are priced on the national one.
    text = f"hardware,count,hours,region\n{H100},8,24,us-state:CA\n{H100},8,24,aws:us-east-1\n"
    at = upload("jobs.csv", text.encode())
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "1 job(s), " in warning and "us-state:CA on zone:US" in warning, warning
    clean = upload("clean.csv", f"hardware,count,hours,region\n{H100},8,24,aws:us-east-1\n".encode())
    assert not [w for w in clean.warning if "larger area" in w.value]
