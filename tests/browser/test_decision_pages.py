"""The decision pages in a real browser: offline world maps, the region picker, next-day time
shifting, batch grouping and CodeCarbon import.

Screenshots land in artifacts/ (git-ignored) at 1280 px and at phone width (390 px).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import harness
from tests.browser.harness import (
    assert_clean,
    wait_for_result,
    wait_idle,
)

# Marked `browser` and skipped without chromium or playwright by tests/browser/conftest.py.

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts"
COASTLINE_PATHS = (
    "() => [...document.querySelectorAll('g.geo g.layer.coastlines path')]"
    ".map(p => (p.getAttribute('d') || '').length)"
)
EMOJI = re.compile("[\U0001f000-\U0001faff\ufe0f]")  # drawn as empty boxes without an emoji font
MATERIAL_ICON = '[data-testid="stIconMaterial"]'  # a page link's icon
MARKDOWN_ICON = 'span[role="img"][aria-label$=" icon"]'  # ":material/...:" in Markdown, labels included


def shot(page, name: str) -> None:
    harness.shot(page, SHOTS, name)


def selectbox_value(page, label: str) -> str:
    """The shown value of the picker labelled `label`, waited for: pages draw their pickers in
    turn, so "the last picker" may still be one above it when a test looks."""
    picker = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(label, exact=True))
    field = picker.locator("input").first
    field.wait_for(timeout=30_000)
    return str(field.input_value())


def assert_no_emoji(page) -> None:
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert not EMOJI.findall(text), EMOJI.findall(text)


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
    if name == "regions":  # one basis on the map and table, named
        assert page.get_by_text("regions with a lifecycle figure").first.is_visible()
        low_only = page.locator('[data-testid="stCheckbox"]', has_text="Only low-carbon regions")
        assert low_only.locator(MARKDOWN_ICON).first.inner_text() == "eco"  # the leaf, from the icon font
        one_region = page.locator('[data-testid="stMetric"]', has_text="Intensity 20")  # "One region"
        metric = one_region.first.locator('[data-testid="stMetricValue"]')
        assert metric.locator(MARKDOWN_ICON).first.inner_text() == "eco"  # Zurich's grid is low-carbon
        detail = selectbox_value(page, "Region")
        assert detail == "Zürich (gcp:europe-west6)", detail
        assert_no_emoji(page)
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
    calculator = page.locator('[data-testid="stPageLink"]', has_text="Change the job")
    assert calculator.count() == 1  # the job's line has the link; the page adds no second one
    assert calculator.locator(MATERIAL_ICON).first.inner_text() == "calculate"
    assert_no_emoji(page)
    assert "carbon=" in page.url and "near=" in page.url
    assert page.get_by_text("cloud region(s) on the lifecycle basis").first.is_visible()
    shot(page, "picker")
    assert_clean(page)


def test_next_hours_answer_in_the_browser_time_zone(server, browser, page):
    # A second context whose browser clock runs in New York: the page takes that zone.
    context = browser.new_context(viewport=page.viewport_size, timezone_id="America/New_York", locale="en-US")
    local = context.new_page()
    local.watch = harness.Watch(local)
    local.width_name = page.width_name
    open_page(local, server, "Time shifting")
    metric = local.locator("[data-testid=stMetric]", has_text="Start at (America/New_York)").first
    metric.wait_for(timeout=30_000)
    value = metric.locator("[data-testid=stMetricValue]").inner_text()
    assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:00", value), value  # e.g. "Wed 11:00"
    # The plan's summary follows the figures (sent first, so they show first).
    local.get_by_text("not a forecast of the actual day").first.wait_for(timeout=30_000)
    # Every band is labelled: no plotly placeholder annotation anywhere. Plotly draws after the
    # metrics show, so wait for the five labels of the two charts before reading them.
    annotations = "[...document.querySelectorAll('g.annotation-text-g text')]"
    local.wait_for_function(f"() => {annotations}.length >= 5", timeout=30_000)
    texts = local.evaluate(f"() => {annotations}.map(t => t.textContent)")
    assert texts and "new text" not in texts, texts
    assert {"start now", "best start", "run at once", "shifted", "deadline"} <= set(texts), texts
    shot(local, "timeshift")
    assert_clean(local)
    context.close()


def test_timeshift_link_in_tokyo_after_the_series_shows_the_date_used(server, page):
    # A shared link whose date (2026) is after the series (CISO 2021-2024), in a zone where the
    # series' last hours fall in the next year: the same day of 2024 is used and said, no error.
    page.goto(f"{server}/timeshift?ts_timezone=Asia/Tokyo&ts_date=2026-06-01")
    used = page.get_by_text("Submission used: 2024-06-01 00:00 (Asia/Tokyo)").first
    used.wait_for(timeout=30_000)
    wait_idle(page)
    assert page.locator("[data-testid=stMetric]", has_text="Started at submission").first.is_visible()
    assert page.locator('[data-testid="stAlertContentError"], [data-testid="stException"]').count() == 0
    assert ".." not in page.locator('[data-testid="stMain"]').inner_text()
    shot(page, "timeshift-tokyo")
    assert_clean(page)


JOBS = (
    b"name,user,project,hardware,count,hours,region\n"
    b"a,alice,llm,nvidia-h100-sxm5-80gb,8,10,aws:us-east-1\n"
    b"b,bob,vision,NVIDIA H100 80GB HBM3,4,5,aws:us-east-1\n"
    b"c,alice,vision,nvidia-h100-sxm5-80gb,2,3,gcp:europe-west6\n"
    b"d,carol,llm,nvidia-h100-sxm5-80gb,x,3,gcp:europe-west6\n"
)


Y_TICKS = (
    "() => [...document.querySelectorAll('.js-plotly-plot .yaxislayer-above text')].map(t => t.textContent)"
)


def pick_option(page, label: str, option: str) -> None:
    page.locator('[data-testid="stSelectbox"]', has_text=label).click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    wait_idle(page)


def test_batch_groups_by_the_uploads_user_column(server, page):
    open_page(page, server, "Batch audit")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [{"name": "jobs.csv", "mimeType": "text/csv", "buffer": JOBS}]
    )
    page.get_by_text("rows failed").first.wait_for(timeout=30_000)
    wait_idle(page)
    pick_option(page, "Group by", "user")
    page.wait_for_function(f"() => ({Y_TICKS})().includes('alice')", timeout=30_000)
    page.wait_for_timeout(500)
    ticks = page.evaluate(Y_TICKS)
    assert set(ticks) == {"alice", "bob"}, ticks  # carol's only row failed
    failed = page.locator("[data-testid=stMetric]", has_text="Rows failed").first
    assert failed.locator("[data-testid=stMetricValue]").inner_text() == "1"
    assert not failed.locator("[data-testid=stMetricDelta]").count()  # no arrow
    shot(page, "batch")
    assert_clean(page)


def test_codecarbon_three_files_with_one_bad(server, page):
    fixtures = ROOT / "tests" / "fixtures" / "codecarbon"
    open_page(page, server, "CodeCarbon import")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [
            {
                "name": "v2.csv",
                "mimeType": "text/csv",
                "buffer": (fixtures / "v2_emissions.csv").read_bytes(),
            },
            {
                "name": "v3.csv",
                "mimeType": "text/csv",
                "buffer": (fixtures / "v3_emissions.csv").read_bytes(),
            },
            {"name": "notes.csv", "mimeType": "text/csv", "buffer": b"date,comment\n2024-01-01,hi\n"},
        ]
    )
    page.get_by_text("1 of 3 files not imported").first.wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("notes.csv: not a CodeCarbon emissions file").first.is_visible()
    # 2 runs in v2, 1 in v3: said under the headline (as measured, where each ran)
    assert page.get_by_text(re.compile(r"^3 runs, [0-9.,]+ kWh as CodeCarbon measured it")).first.is_visible()
    chart = page.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed(timeout=30_000)  # on a phone the chart is drawn once in view
    page.wait_for_function(f"() => ({Y_TICKS})().length > 0", timeout=30_000)
    ticks = page.evaluate(Y_TICKS)
    assert set(ticks) == {"llama-lora", "vit-pretrain"}, ticks  # projects, not run UUIDs
    shot(page, "codecarbon")
    assert_clean(page)


@pytest.mark.parametrize("title,name", [("Hardware", "hardware"), ("Your database", "database")])
def test_other_owned_pages_render(server, page, title, name):
    open_page(page, server, title)
    page.locator("h1").first.wait_for(timeout=30_000)
    wait_idle(page)
    if name == "hardware":  # the device picker names the device beside its id
        device = selectbox_value(page, "Device")
        assert device == "NVIDIA H100 SXM5 80GB · nvidia-h100-sxm5-80gb", device
        assert_no_emoji(page)
    shot(page, name)
    assert_clean(page)


def test_phone_sidebar_closes_after_picking_a_page(server, browser):
    # A phone (mobile user agent, touch, 390 px): Streamlit collapses the sidebar after a pick.
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        user_agent=(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
        ),
    )
    phone = context.new_page()
    phone.goto(f"{server}/")
    wait_for_result(phone)
    phone.locator('[data-testid="stExpandSidebarButton"]').click()
    phone.wait_for_timeout(500)
    assert phone.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "false"
    phone.locator('[data-testid="stSidebarNav"] a').filter(
        has=phone.get_by_text("Regions", exact=True)
    ).first.click()
    phone.get_by_text("Region database").first.wait_for(timeout=30_000)
    phone.wait_for_timeout(800)
    assert phone.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    context.close()
