"""Catalogue of bad values fed to the web app's widgets and uploads, and the answer each must get.

Every case: no exception (``at.exception`` empty) and an inline ``st.error`` or ``st.warning``
saying what is wrong (or, for a number widget, the value clamped to its valid range).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import state
from tests.conftest import MINI_DB
from wattprint.db.loader import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "app" / "streamlit_app.py"
PAGES = ROOT / "app" / "views"
TIMEOUT = 60
BINARY = bytes(range(256)) * 8


def routed(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    at.run()
    if page != "calculator.py":
        at.switch_page(f"views/{page}").run()
    assert not at.exception, at.exception
    return at


def messages(at: AppTest) -> list[str]:
    return [e.value for e in at.error] + [w.value for w in at.warning]


def plain(text: str) -> str:
    """Markdown-escaped message text back to plain text (``\\:`` -> ``:``)."""
    return text.replace("\\", "")


def assert_inline(at: AppTest, fragment: str) -> None:
    assert not at.exception, at.exception
    shown = [plain(m) for m in messages(at)]
    assert any(fragment in m for m in shown), shown


# --- calculator -------------------------------------------------------------------------------


@pytest.mark.parametrize("name, value", [("count", 0), ("hours", -5.0)])
def test_calculator_out_of_range_number_says_why_and_hides_the_result(name: str, value: float) -> None:
    at = routed("calculator.py")
    at.number_input(key=state.widget_key(name)).set_value(value).run()
    assert not at.exception
    assert_inline(at, "below the smallest valid value")
    assert at.session_state["calc_result"] is None


@pytest.mark.parametrize(
    "query, fragment",
    [
        ({"count": "0"}, "ignored count='0'"),
        ({"hours": "1e300"}, "ignored hours='1e300'"),
        ({"hours": "nan"}, "hours"),
        ({"hours": "-5"}, "hours"),
        ({"pue": "0.2"}, "ignored pue='0.2'"),
        ({"hardware": "<script>alert(1)</script>"}, "unknown hardware"),
        ({"region": "mars:olympus"}, "mars:olympus"),
    ],
)
def test_calculator_bad_link_values_warn(query: dict[str, str], fragment: str) -> None:
    at = routed("calculator.py", query)
    assert_inline(at, fragment)


def test_calculator_huge_hours_typed_warn() -> None:
    at = routed("calculator.py")
    at.number_input(key=state.widget_key("hours")).set_value(1e12).run()
    assert not at.exception
    assert messages(at), "a 114-million-year job should be flagged"


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"{not json", "Could not load"),
        (b"[]", "Could not load"),
        (BINARY, "Could not load"),
        (b"", "Could not load"),
        (b"[" * 100_000 + b"]" * 100_000, "Could not load"),
        (b'{"wattprint_scenario": 1, "job": {"count": "lots"}}', "Could not load"),
    ],
    ids=["broken", "list", "binary", "empty", "deeply nested", "wrong type"],
)
def test_calculator_bad_scenario_file(content: bytes, fragment: str) -> None:
    at = routed("calculator.py")
    at.file_uploader(key="calc_upload").upload("bad.json", content, "application/json")
    at.run()
    assert_inline(at, fragment)


# --- batch page -------------------------------------------------------------------------------

BATCH_UPLOADS = [
    ("wrong columns", b"foo,bar\n1,2\n", "no usable columns"),
    ("kg column", b"name,power_w,hours,intensity_kg_per_kwh\na,300,1,0.4\n", "has a unit"),
    ("empty", b"", "the file is empty"),
    ("binary", BINARY, "not UTF-8"),
    ("row errors", b"name,power_w,hours,intensity_g_per_kwh\nok,300,1,400\nbad,x,1,400\n", "1 rows failed"),
    ("ends mid-row", b"name,power_w,hours,intensity_g_per_kwh\nok,300,1,400\nhalf,30", "1 rows failed"),
]


@pytest.mark.parametrize("case, content, fragment", BATCH_UPLOADS, ids=[c[0] for c in BATCH_UPLOADS])
def test_batch_page_bad_jobs_file(case: str, content: bytes, fragment: str) -> None:
    at = routed("batch.py")
    at.file_uploader(key="batch_upload").upload("jobs.csv", content, "text/csv")
    at.run()
    assert_inline(at, fragment)


CODECARBON_UPLOADS = [
    ("not codecarbon", b"foo,bar\n1,2\n", "not a CodeCarbon emissions file"),
    ("empty", b"", "empty"),
    ("binary", BINARY, "emissions.csv: not"),
    ("no valid row", b"duration,emissions,energy_consumed\nx,0.1,y\n", "No CodeCarbon rows"),
    ("truncated", b"duration,emissions,energy_consumed\n10,0.1,0.5\n20,0.", "truncated last line"),
]


@pytest.mark.parametrize(
    "case, content, fragment", CODECARBON_UPLOADS, ids=[c[0] for c in CODECARBON_UPLOADS]
)
def test_batch_page_bad_codecarbon_file(case: str, content: bytes, fragment: str) -> None:
    at = routed("codecarbon.py")
    at.file_uploader(key="cc_files").upload("emissions.csv", content, "text/csv")
    at.run()
    assert_inline(at, fragment)


# --- time shifting page -----------------------------------------------------------------------

SERIES_UPLOADS = [
    ("kg column", b"timestamp,intensity_kg_per_kwh\n2024-01-01T00:00Z,0.3\n", "not in gCO2e/kWh"),
    ("kg values", b"timestamp,intensity_g_per_kwh\n2024-01-01T00:00Z,0.3\n2024-01-01T01:00Z,0.2\n", "kg/kWh"),
    ("no columns", b"a,b,c\n1,2,3\n", "no timestamp column"),
    ("empty", b"", "empty"),
    ("binary", BINARY, "not UTF-8"),
    ("negative", b"timestamp,intensity_g_per_kwh\n2024-01-01T00:00Z,-3\n", "negative"),
    ("gzip bomb", gzip.compress(b"0" * (65 * 1024 * 1024)), "unzips to more than"),
]


@pytest.mark.parametrize("case, content, fragment", SERIES_UPLOADS, ids=[c[0] for c in SERIES_UPLOADS])
def test_timeshift_bad_series_file(case: str, content: bytes, fragment: str) -> None:
    at = routed("timeshift.py")
    at.radio(key="ts_source").set_value("Upload a CSV").run()
    at.file_uploader(key="ts_upload").upload("series.csv", content, "text/csv")
    at.run()
    assert_inline(at, fragment)


# --- measure page -----------------------------------------------------------------------------

LOGS = [
    ("not json", b"not json\n", "Cannot read this log"),
    ("binary", BINARY, "Cannot read this log"),
    ("empty", b"", "Cannot read this log"),
    ("header only", b'{"type": "header", "version": 1, "devices": []}\n', ""),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000 + b"\n", "Cannot read this log"),
]


@pytest.mark.parametrize("case, content, fragment", LOGS, ids=[c[0] for c in LOGS])
def test_measure_bad_log(case: str, content: bytes, fragment: str) -> None:
    at = routed("measure.py")
    at.file_uploader(key="ms_log").upload("log.jsonl", content, "application/x-ndjson")
    at.run()
    assert not at.exception, at.exception
    assert at.error, "an inline error"
    assert_inline(at, fragment)


# --- your database page -----------------------------------------------------------------------


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def mini_db_entries(prefix: str = "") -> dict[str, bytes]:
    return {f"{prefix}{p.relative_to(MINI_DB).as_posix()}": p.read_bytes() for p in MINI_DB.rglob("*.yaml")}


def database_page(zip_bytes: bytes | None = None, hardware: dict[str, bytes] | None = None) -> AppTest:
    at = routed("database.py")
    if zip_bytes is not None:
        at.file_uploader(key="db_zip").upload("db.zip", zip_bytes, "application/zip")
    for name, data in (hardware or {}).items():
        at.file_uploader(key="db_hardware").upload(name, data, "application/x-yaml")
    at.run()
    assert not at.exception, at.exception
    return at


def problems(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def test_database_page_accepts_a_valid_zip() -> None:
    at = database_page(zipped(mini_db_entries("my_dbs/")))
    assert any("Valid" in s.value for s in at.success), [e.value for e in at.error]


PWNED = Path("/tmp/wattprint-ui-pwned")
GPUS = (MINI_DB / "hardware_db" / "gpus.yaml").read_text(encoding="utf-8")

DATABASE_CASES = [
    ("zip slip", {"hardware_db/../../evil.yaml": b"x: 1\n"}, "path with '..', refused"),
    ("absolute path", {"/etc/hardware_db/x.yaml": b"x: 1\n"}, "absolute or Windows path"),
    (
        "object-building tag",
        {"hardware_db/evil.yaml": f"devices: !!python/object/apply:os.system ['touch {PWNED}']\n".encode()},
        "not valid safe YAML",
    ),
    (
        "wrong type",
        {"hardware_db/gpus.yaml": GPUS.replace("{value: 300,", "{value: lots,", 1).encode()},
        "tdp_w",
    ),
    (
        "duplicate ids",
        {"hardware_db/gpus.yaml": GPUS.encode(), "hardware_db/copy.yaml": GPUS.encode()},
        "already",
    ),
    ("missing field", {"hardware_db/x.yaml": b"devices:\n  - id: a-b-c\n"}, "Field required"),
    ("not a mapping", {"hardware_db/x.yaml": b"- a\n- b\n"}, "expected a mapping"),
    ("binary", {"hardware_db/x.yaml": BINARY}, "x.yaml"),
    ("huge file", {"hardware_db/big.yaml": b"#" * (MAX_FILE_BYTES + 1)}, "byte limit"),
    ("python file", {"hardware_db/plugin.py": b"import os\n"}, "not a .yaml file"),
    ("outside the folders", {"readme.txt": b"hi"}, "not under hardware_db/ or region_db/"),
    # Once a crash of the page (RecursionError; libyaml's composer crashes the interpreter).
    (
        "deep nesting",
        {"hardware_db/deep.yaml": b"devices: " + b"[" * 100_000 + b"]" * 100_000},
        "nested deeper",
    ),
    (
        "5,000-digit integer",
        {"hardware_db/n.yaml": b"family: x\nn: " + b"9" * 5000 + b"\n"},
        "5000 characters",
    ),
    (
        "second tdp_w",
        {
            "hardware_db/gpus.yaml": GPUS.replace(
                "    tdp_w: {value: 300", "    tdp_w: {value: 1}\n    tdp_w: {value: 300", 1
            ).encode()
        },
        "given twice",
    ),
    (
        "second devices:",
        {"hardware_db/gpus.yaml": (GPUS + "devices: []\n").encode()},
        "'devices' is given twice",
    ),
    ("too many nodes", {"hardware_db/big.yaml": b"devices: [" + b"1," * 250_000 + b"1]"}, "YAML nodes"),
]


@pytest.mark.parametrize("case, entries, fragment", DATABASE_CASES, ids=[c[0] for c in DATABASE_CASES])
def test_database_page_reports_problems(case: str, entries: dict[str, bytes], fragment: str) -> None:
    base = {k: v for k, v in mini_db_entries().items() if k.startswith("region_db/")}
    at = database_page(zipped({**base, **entries}))
    assert at.error, "an inline error"
    assert fragment in problems(at), problems(at)
    assert not PWNED.exists()
    assert not (ROOT.parent / "evil.yaml").exists() and not Path("/evil.yaml").exists()


def test_database_page_empty_zip() -> None:
    at = database_page(zipped({"readme.txt": b"hi"}))
    assert at.error and "no .yaml files" in problems(at)


def test_database_page_not_a_zip() -> None:
    at = database_page(BINARY)
    assert at.error and "not a readable zip file" in problems(at)


def test_database_page_loose_yaml_files() -> None:
    at = database_page(hardware={"gpus.yaml": GPUS.replace("id: ", "id: BAD ID ", 1).encode()})
    assert at.error and "hardware_db/gpus.yaml" in problems(at)
    assert "/tmp/" not in problems(at), "temporary paths are not shown"
