"""Deep links and shared links in a real browser.

- Every page opened as the first request after a server start shows the menu of page titles and
  logs no console error (no 404 probes of ``/<page>/_stcore/...``).
- A link copied from Compare, Region picker, Report or Published footprints and opened in a fresh
  browser context shows the same job and the same numbers as ``wattprint estimate`` for that job.
- Screenshots of every page at 1280 and 390 px land in ``artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app import components
from tests.app.test_pages import page_list
from tests.browser.harness import (
    Watch,
    full_page_screenshot,
    streamlit_server,
    wait_idle,
)
from tests.conftest import run_cli

# Marked `browser` and skipped without chromium or playwright by tests/browser/conftest.py.

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts"
PAGES = page_list()
TITLES = [title for _, title, _, _ in PAGES]
# 64 x H100 SXM5 for two weeks in Zurich at 80% of TDP with a PUE of 1.2 (the shared job)
JOB_QUERY = "count=64&hours=336.0&region=gcp%3Aeurope-west6&utilization=0.8&pue_mode=custom&pue=1.2"
JOB_CLI = (
    "--hardware nvidia-h100-sxm5-80gb --count 64 --hours 336 --region gcp:europe-west6 "
    "--utilization 0.8 --pue 1.2"
)
READY = {
    "calculator": "Operational CO₂e",
    "compare": "Regions shown",
    "picker": "Recommendations",
    "report": "Copy with the button",
    "published": "Your job",
}


def open_page(browser, url: str, width: int = 1280):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.watch = Watch(page)
    page.goto(url)
    page.locator('[data-testid="stMain"]').wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    wait_idle(page, 60_000)
    return context, page


def menu_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    links = page.locator('[data-testid="stSidebarNav"] a [data-testid="stSidebarNavLinkText"]')
    if not links.count():
        links = page.locator('[data-testid="stSidebarNav"] a')
    return [re.sub(r"\s+", " ", text).strip() for text in links.all_inner_texts()]


def address(index: int, path: str) -> str:
    """A page's address: the default page is the app's root."""
    return "" if index == 0 else path


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[entry[3] for entry in PAGES])
def test_deep_link_is_the_first_request(browser, index):
    _, title, _, path = PAGES[index]
    with streamlit_server() as server:
        context, page = open_page(browser, f"{server}/{address(index, path)}")
        try:
            assert page.locator('[data-testid="stSidebarNav"]').count(), "no page menu"
            shown = menu_titles(page)
            assert all(t in " ".join(shown) for t in TITLES), shown
            assert "streamlit app" not in " ".join(shown).lower()
            current = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
            assert title in current.first.inner_text() if current.count() else True
            assert not page.get_by_text("does not seem to exist").count()
            assert not page.watch.errors, page.watch.errors
            assert not page.watch.outside, page.watch.outside
            assert not page.locator('[data-testid="stException"]').count()
        finally:
            context.close()


@pytest.fixture(scope="module")
def expected() -> dict:
    done = run_cli("estimate", *JOB_CLI.split(), "--json")
    assert done.code == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("path", ["compare", "picker", "report", "published"])
def test_link_from_page_restores_job_in_fresh_context(browser, server, expected, path):
    # Colleague A sets the job on the calculator, goes to the page and copies its address.
    context, page = open_page(browser, f"{server}/?{JOB_QUERY}")
    page.get_by_text("Operational CO₂e").first.wait_for(timeout=30_000)
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=dict((p, t) for _, t, _, p in PAGES)[path])
    link.first.click()
    page.get_by_text(READY[path]).first.wait_for(timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('count=64')", timeout=30_000)
    shared = page.url
    seen_by_a = page.locator('[data-testid="stMain"]').inner_text()
    context.close()
    assert "hours=336" in shared and "pue=1.2" in shared, shared

    # Colleague B opens it in a fresh browser context: same job, same numbers as the CLI.
    context, page = open_page(browser, shared)
    try:
        page.get_by_text(READY[path]).first.wait_for(timeout=30_000)
        wait_idle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        co2e = components.kg(expected["co2e_kg"])
        energy = components.kwh(expected["energy_kwh"])
        assert co2e in text and energy in text, (co2e, energy, text[:800])
        assert "64 × NVIDIA H100 SXM5 80GB, 336 h" in text, text[:800]
        assert "europe-west6" in text
        for number in (co2e, energy):
            assert number in seen_by_a
        assert not page.watch.errors, page.watch.errors
    finally:
        context.close()


def test_page_options_travel_in_the_link(browser, server):
    url = f"{server}/compare?{JOB_QUERY}&kinds=cloud&providers=gcp&data_year=latest"
    context, page = open_page(browser, url)
    try:
        page.get_by_text("Regions shown").first.wait_for(timeout=30_000)
        provider = page.locator('[data-testid="stMultiSelect"]', has_text="Provider")
        assert "gcp" in provider.inner_text()
        assert "providers=gcp" in page.url
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_screenshots_of_every_page(browser, server, width):
    SHOTS.mkdir(exist_ok=True)
    for index, (_, _, _, path) in enumerate(PAGES):
        context, page = open_page(browser, f"{server}/{address(index, path)}?{JOB_QUERY}", width)
        try:
            if path in READY:
                page.get_by_text(READY[path]).first.wait_for(timeout=60_000)
            page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=60_000)
            page.wait_for_timeout(2000)
            wait_idle(page)
            full_page_screenshot(page, str(SHOTS / f"{path}-{width}.png"))
            assert not page.locator('[data-testid="stException"]').count(), path
            assert not page.watch.errors, (path, page.watch.errors)
        finally:
            context.close()


def test_result_stays_in_view_and_invalid_input_says_why(browser, server):
    context, page = open_page(browser, f"{server}/")
    try:
        metric = page.locator('[data-testid="stMetric"]', has_text="Operational CO₂e").first
        metric.wait_for(timeout=30_000)
        # Scroll to the location inputs, far below the first screen: the result is still on screen.
        page.get_by_text("Year of the grid intensity").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = metric.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900, box
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "calculator-scrolled-1280.png"))

        hours = page.get_by_role("spinbutton", name="Hours (wall clock)", exact=True)
        hours.scroll_into_view_if_needed()
        hours.fill("-5")
        hours.press("Enter")
        page.get_by_text("below the smallest valid value").first.wait_for(timeout=30_000)
        wait_idle(page)
        assert page.get_by_text("No result until the inputs are valid").first.is_visible()
        assert not page.locator('[data-testid="stMetric"]', has_text="Operational CO₂e").count()
        assert "hours=-5" not in page.url
        page.screenshot(path=str(SHOTS / "calculator-invalid-1280.png"))
        hours.fill("12")
        hours.press("Enter")
        metric.wait_for(timeout=30_000)
        page.wait_for_function("() => location.search.includes('hours=12.0')", timeout=30_000)
        assert not page.watch.errors, page.watch.errors
    finally:
        context.close()
