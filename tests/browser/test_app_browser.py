"""The app in a real browser: pages render, inputs update results, no console errors, no outside requests.

Screenshots land in tests/browser/screenshots/ (git-ignored) at 1280 px and at phone width (390 px).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import harness
from tests.browser.harness import (
    assert_clean,
    wait_for_metric_change,
    wait_for_result,
    wait_idle,
)

# Marked `browser` and skipped without chromium or playwright by tests/browser/conftest.py.

SHOTS = Path(__file__).with_name("screenshots")


def shot(page, name: str) -> None:
    harness.shot(page, SHOTS, name)


def test_calculator_default_and_updates(server, page):
    page.goto(f"{server}/")
    first = wait_for_result(page)
    assert re.search(r"\d", first)
    page.get_by_text("Had this run in").first.wait_for(timeout=30_000)  # after the headline
    shot(page, "calculator")
    car = page.locator('[data-testid="stMetric"]', has_text="Km by car")
    car_before = car.inner_text()

    count = page.get_by_role("spinbutton", name="Number of devices")
    count.fill("4")
    count.press("Enter")
    wait_for_metric_change(page, "Operational", first)
    halved = wait_for_result(page)
    assert halved != first
    assert "count=4" in page.url
    # The parts below the headline follow the edit too (the inputs rerun only the job's part of the page)
    wait_for_metric_change(page, "Km by car", car_before)

    region = page.locator('[data-testid="stSelectbox"]', has_text="Cloud region")
    region.click()
    page.keyboard.type("europe-west6")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => decodeURIComponent(location.search).includes('region=gcp:europe-west6')", timeout=30_000
    )
    moved = wait_for_result(page)
    assert moved != halved
    shot(page, "calculator-changed")
    assert_clean(page)


def test_shared_link_restores_scenario(server, page):
    page.goto(f"{server}/?count=2&region=azure%3Awesteurope&hours=10.0")
    wait_for_result(page)
    assert page.get_by_role("spinbutton", name="Number of devices").input_value() == "2"
    assert page.get_by_role("spinbutton", name="Hours (wall clock)", exact=True).input_value() == "10.00"
    assert page.get_by_role("heading", name=re.compile(r"2 × .*10.0 h, .*\(azure:westeurope\)")).is_visible()
    assert_clean(page)


@pytest.mark.parametrize(
    "path,title,ready",
    [("compare", "Compare regions", "Regions shown"), ("picker", "Region picker", "Recommendations")],
)
def test_other_pages(server, page, path, title, ready):
    # Open the app at its root and follow the sidebar: a first load at /<page> makes Streamlit's
    # frontend probe /<page>/_stcore/health (a 404 in the console) before it finds the server.
    page.goto(f"{server}/")
    wait_for_result(page)
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=title).first
    box = link.bounding_box()
    if box is None or box["x"] < 0:  # phone width: the sidebar starts collapsed, off screen
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(500)
    link.click()
    page.get_by_text(ready).first.wait_for(timeout=30_000)
    wait_idle(page)
    if (
        page.width_name == "phone"
        and page.locator('[data-testid="stSidebar"][data-collapsed="false"]').count()
    ):
        page.locator('[data-testid="stSidebarCollapseButton"]').first.click(force=True)
        page.wait_for_timeout(500)
    if path == "compare":
        page.get_by_role("tab", name="Map").click()
        page.wait_for_timeout(500)
    shot(page, path)
    assert_clean(page)


def test_edit_on_calculator_reaches_other_pages(server, page):
    """An edit reruns only the calculator's job part; the menu's next page still gets the edited job."""
    page.goto(f"{server}/")
    first = wait_for_result(page)
    count = page.get_by_role("spinbutton", name="Number of devices")
    count.fill("3")
    count.press("Enter")
    wait_for_metric_change(page, "Operational", first)
    link = page.locator('[data-testid="stSidebarNav"] a', has_text="Compare regions").first
    box = link.bounding_box()
    if box is None or box["x"] < 0:  # phone width: the sidebar starts collapsed, off screen
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(500)
    link.click()
    page.get_by_text("Regions shown").first.wait_for(timeout=30_000)
    # The job's line follows the figures (sent first, so they show first).
    page.get_by_text(re.compile(r"3 × NVIDIA H100")).first.wait_for(timeout=30_000)
    assert "count=3" in page.url
    assert_clean(page)


def test_report_formats_are_all_on_screen(server, page):
    """Every format of the Report page can be picked without scrolling sideways (a phone is 390 px)."""
    page.goto(f"{server}/report")
    page.get_by_text("Copy with the button").first.wait_for(timeout=60_000)
    wait_idle(page)
    width = page.viewport_size["width"]
    for name in ("Markdown", "LaTeX", "BibTeX", "Model card", "JSON"):
        option = page.locator('[data-testid="stRadio"]', has_text="Format").get_by_text(name, exact=True)
        box = option.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
    page.locator('[data-testid="stRadio"]', has_text="Format").get_by_text("JSON", exact=True).click()
    page.wait_for_function("() => location.search.includes('format=json')", timeout=30_000)
    assert_clean(page)
