"""The decision pages in a real browser: offline world maps, the region picker, next-day time
shifting, batch grouping and CodeCarbon import.

Screenshots land in artifacts/ (git-ignored) at 1280 px and at phone width (390 px).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Watch,
    full_page_screenshot,
    streamlit_server,
    wait_for_result,
    wait_idle,
)

pytestmark = pytest.mark.browser
if not CHROMIUM.exists():
    pytest.skip(
        "no /usr/bin/chromium (apt-get install chromium) - browser tests skipped", allow_module_level=True
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts"
WIDTHS = {"desktop": 1280, "phone": 390}
COASTLINE_PATHS = (
    "() => [...document.querySelectorAll('g.geo g.layer.coastlines path')]"
    ".map(p => (p.getAttribute('d') || '').length)"
)


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def page(request, browser):
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900})
    page = context.new_page()
    page.watch = Watch(page)
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.width_name = request.param
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    full_page_screenshot(page, str(SHOTS / f"{name}-{page.width_name}.png"))


def assert_clean(page) -> None:
    assert not page.watch.errors, page.watch.errors
    assert not page.watch.outside, page.watch.outside


def open_page(page, server: str, title: str) -> None:
    """Open the app at its root, then follow the sidebar link ``title`` (exact text)."""
    page.goto(f"{server}/")
    wait_for_result(page)
    link = (
        page.locator('[data-testid="stSidebarNav"] a').filter(has=page.get_by_text(title, exact=True)).first
    )
    box = link.bounding_box()
    if box is None or box["x"] < 0:  # phone width: the sidebar starts collapsed, off screen
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(500)
    link.click()
    page.wait_for_timeout(300)
    wait_idle(page)
    close_sidebar_on_phone(page)


def close_sidebar_on_phone(page) -> None:
    if (
        page.width_name == "phone"
        and page.locator('[data-testid="stSidebar"][data-collapsed="false"]').count()
    ):
        page.locator('[data-testid="stSidebarCollapseButton"]').first.click(force=True)
        page.wait_for_timeout(500)


def wait_coastlines(page) -> list[int]:
    page.wait_for_function(f"() => ({COASTLINE_PATHS})().some(n => n > 1000)", timeout=30_000)
    return page.evaluate(COASTLINE_PATHS)


@pytest.mark.parametrize("title,name", [("Regions", "regions"), ("Compare regions", "compare")])
def test_map_draws_coastlines_from_the_app_itself(server, page, title, name):
    open_page(page, server, title)
    if name == "compare":
        page.get_by_role("tab", name="Map").click()
    lengths = wait_coastlines(page)
    assert max(lengths) > 1000, lengths
    wait_idle(page)
    fetched = [url for url in page.requests if "topojson" in url]
    assert fetched and all(url.startswith(server) for url in fetched), fetched
    assert not any("cdn.plot.ly" in url for url in page.requests)
    shot(page, name)
    assert_clean(page)


def test_picker_shows_the_job_kg_and_the_map(server, page):
    open_page(page, server, "Region picker")
    page.get_by_text("Recommendations").first.wait_for(timeout=30_000)
    lengths = wait_coastlines(page)
    assert max(lengths) > 1000
    # The user's places are drawn as stars (plotly's star symbol path) on the map.
    stars = page.evaluate("() => document.querySelectorAll('g.geo g.trace.scattergeo path.point').length")
    assert stars > 0
    assert page.locator("[data-testid=stMetric]", has_text="Best pick").first.is_visible()
    assert "carbon=" in page.url and "near=" in page.url
    shot(page, "picker")
    assert_clean(page)


def test_next_hours_answer_in_the_browser_time_zone(server, browser, page):
    # A second context whose browser clock runs in New York: the page takes that zone.
    context = browser.new_context(viewport=page.viewport_size, timezone_id="America/New_York", locale="en-US")
    local = context.new_page()
    local.watch = Watch(local)
    local.width_name = page.width_name
    open_page(local, server, "Time shifting")
    metric = local.locator("[data-testid=stMetric]", has_text="Start at (America/New_York)").first
    metric.wait_for(timeout=30_000)
    value = metric.locator("[data-testid=stMetricValue]").inner_text()
    assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:00", value), value  # e.g. "Wed 11:00"
    assert local.get_by_text("not a forecast of the actual day").first.is_visible()
    # Every band is labelled: no plotly placeholder annotation anywhere.
    texts = local.evaluate(
        "() => [...document.querySelectorAll('g.annotation-text-g text')].map(t => t.textContent)"
    )
    assert texts and "new text" not in texts, texts
    assert {"start now", "best start", "run at once", "shifted", "deadline"} <= set(texts), texts
    shot(local, "timeshift")
    assert_clean(local)
    context.close()
