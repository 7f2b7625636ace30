"""Every page fed hostile Markdown and HTML in what a user supplies: nothing is fetched from outside.

Each page is visited with hostile link parameters; pages with uploads or text boxes get a file
whose name, header, cells or content carry an image link, and typed text carrying one. The
browser aborts (and records) every request that would leave localhost; the test fails on any.
The tables' raw "Download as CSV" toolbar button must be off (its cells are not neutralised).
"""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import quote

import pytest

from tests.app.test_region_hardware_pages import HOSTILE, write_hostile_db
from tests.browser.harness import is_local, streamlit_server, wait_idle
from wattprint.db.loader import CACHE_DIR_ENV, DB_DIR_ENV

# Marked `browser` and skipped without chromium or playwright by tests/browser/conftest.py.


def evil(tag: str) -> str:
    """Markdown image, raw HTML image and a KaTeX/colour directive, all pointing outside."""
    return (
        f"![x](http://evil.example/{tag}.png) <img src='http://evil.example/{tag}-html.png'> "
        f"[link](http://evil.example/{tag}-link) :red[{tag}] $\\href{{http://evil.example}}{{m}}$"
    )


def evil_name(tag: str, suffix: str) -> str:
    # A file name cannot hold "/": backslashes become slashes in an http URL (WHATWG URL parser).
    return f"![x](http:\\\\evil.example\\{tag}.png){suffix}"


PAGES = [
    "calculator",
    "compare",
    "picker",
    "hardware",
    "regions",
    "timeshift",
    "measure",
    "report",
    "batch",
    "codecarbon",
    "published",
    "database",
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        if is_local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.outside = outside
    yield page
    context.close()


def upload(page, index: int, name: str, content: bytes, mime: str = "text/csv") -> None:  # type: ignore[no-untyped-def]
    uploader = page.locator('[data-testid="stFileUploader"]').nth(index)
    uploader.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    wait_idle(page)
    page.wait_for_timeout(500)


def type_into(page, label: str, text: str) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_role("textbox", name=label).first
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def visit(page, server: str, path: str) -> None:  # type: ignore[no-untyped-def]
    params = "&".join(
        f"{name}={quote(evil('q-' + name))}" for name in ("hardware", "region", "grid", "hours", "x")
    )
    page.goto(f"{server}/{path}?{params}")
    page.locator('[data-testid="stMain"]').wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    page.wait_for_timeout(500)


def jobs_csv() -> bytes:
    header = "name,power_w,hours,intensity_g_per_kwh," + evil("col").replace(",", " ")
    return (header + "\n" + f"{evil('cell').replace(',', ' ')},300,1,400,1\n").encode()


def codecarbon_csv() -> bytes:
    cell = evil("cc").replace(",", " ")
    return (
        "timestamp,project_name,run_id,duration,emissions,energy_consumed,country_iso_code\n"
        f"2024-01-01T00:00:00,{cell},{cell},3600,{cell},0.5,FRA\n"
        f"2024-01-01T01:00:00,{cell},{cell},3600,0.1,0.5,FRA\n"
    ).encode()


def hostile_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            f"hardware_db/{evil_name('zip-entry', '.yaml')}", f"family: {json.dumps(evil('yaml'))}\n"
        )
        archive.writestr("region_db/regions.yaml", "regions: [\n")
    return buffer.getvalue()


@pytest.mark.parametrize("path", PAGES)
def test_page_fetches_nothing_from_outside(server, page, path: str) -> None:
    visit(page, server, path)
    if path == "calculator":
        scenario = json.dumps(
            {"wattprint_scenario": 1, "job": {"label": evil("scenario"), "count": evil("n")}}
        )
        upload(page, 0, evil_name("scenario", ".json"), scenario.encode(), "application/json")
    elif path == "hardware":
        type_into(page, "Search id, name or alias", evil("search"))
    elif path == "regions":
        type_into(page, "Search id or name", evil("search"))
    elif path == "picker":
        type_into(page, "…or lat, lon (e.g. 48.85, 2.35; 40.7, -74.0)", evil("latlon"))
    elif path == "timeshift":
        type_into(page, "Your time zone (IANA name)", evil("tz"))
        page.locator('[data-testid="stRadio"] label', has_text="Upload a CSV").first.click()
        wait_idle(page)
        content = (
            "timestamp," + evil("series-col").replace(",", " ") + "\n2024-01-01T00:00:00Z,x\n"
        ).encode()
        upload(page, 0, evil_name("series", ".csv"), content)
    elif path == "measure":
        header = {
            "type": "header",
            "version": 1,
            "backend": evil("backend"),
            "fake": False,
            "scope": evil("scope"),
            "interval_s": 1,
            "devices": [{"index": 0, "name": evil("device"), "uuid": evil("uuid"), "kind": "gpu"}],
        }
        log = (json.dumps(header) + "\n" + json.dumps({"type": evil("t"), "t_s": evil("ts")}) + "\n").encode()
        uploader_count = page.locator('[data-testid="stFileUploader"]').count()
        upload(page, uploader_count - 1, evil_name("log", ".jsonl"), log, "application/json")
    elif path == "batch":
        # A header of one unknown column: the error quotes it. Then a file with a hostile cell.
        upload(page, 0, evil_name("jobs", ".csv"), (evil("col-only").replace(",", " ") + "\n1\n").encode())
        upload(page, 0, evil_name("jobs", ".csv"), jobs_csv())
        # A CodeCarbon file: the note sending it to the CodeCarbon page quotes its name.
        upload(page, 0, evil_name("emissions", ".csv"), codecarbon_csv())
    elif path == "codecarbon":
        # Not a CodeCarbon file: the error quotes its name. Then one with hostile cells.
        upload(page, 0, evil_name("not-codecarbon", ".csv"), b"a,b\n1,2\n")
        upload(page, 0, evil_name("emissions", ".csv"), codecarbon_csv())
    elif path == "database":
        upload(page, 0, evil_name("db", ".zip"), hostile_zip(), "application/zip")
        upload(
            page,
            1,
            evil_name("loose", ".yaml"),
            f"family: {json.dumps(evil('loose'))}\n".encode(),
            "text/yaml",
        )
    page.wait_for_timeout(1500)  # give any image the time to be requested
    assert not page.outside, page.outside
    # A file name's image link is percent-encoded into a local URL ("http:%5Cevil..."), so no
    # request leaves: an image element pointing at it shows that its Markdown was rendered.
    images = page.locator('[data-testid="stMain"] img[src*="evil"]')
    assert images.count() == 0, [images.nth(i).evaluate("e => e.outerHTML") for i in range(images.count())]
    assert "Traceback" not in page.locator('[data-testid="stMain"]').inner_text()


def test_table_toolbar_has_no_raw_csv_download(server, page) -> None:
    visit(page, server, "published")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    table.hover()
    page.wait_for_timeout(500)
    toolbar = page.locator('[data-testid="stElementToolbar"]')
    labels = [button.get_attribute("aria-label") or "" for button in toolbar.locator("button").all()]
    assert toolbar.count() == 0 or labels, "the toolbar was not found"
    assert not any("download" in label.lower() for label in labels), labels


@pytest.mark.parametrize("path", ["regions", "hardware"])
def test_database_names_and_notes_show_literally(browser, tmp_path, monkeypatch, path: str) -> None:
    # A database opened with --db-dir (WATTPRINT_DB_DIR) whose names and notes carry Markdown and HTML.
    monkeypatch.setenv(DB_DIR_ENV, str(write_hostile_db(tmp_path / "db")))
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        with streamlit_server() as url:
            page.goto(f"{url}/{path}")
            main = page.locator('[data-testid="stMain"]')
            main.wait_for(timeout=60_000)
            wait_idle(page, 60_000)
            # notes (both pages), the grid's name (Regions), the expander and properties (Hardware)
            page.wait_for_function(
                "text => document.querySelector('[data-testid=stMain]').innerText.split(text).length > 2",
                arg=HOSTILE,
                timeout=30_000,
            )
            wait_idle(page)
            assert main.locator('a[href^="http://evil"]').count() == 0
            assert main.locator("strong", has_text="bold").count() == 0
            assert main.locator("b").count() == 0
    finally:
        context.close()
