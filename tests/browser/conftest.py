"""Shared by the browser tests: the `browser` mark, the skip without chromium or playwright, and one
app server and one headless chromium per test module."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, Watch, streamlit_server

HERE = Path(__file__).parent
WIDTHS = {"desktop": 1280, "phone": 390}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = None
    if not CHROMIUM.exists():
        reason = "no /usr/bin/chromium (apt-get install chromium) - browser tests skipped"
    elif importlib.util.find_spec("playwright") is None:
        reason = "playwright is not installed - browser tests skipped"
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    """A fresh context at desktop and at phone width, watching console errors (``page.watch``) and
    every request (``page.requests``); ``page.width_name`` is "desktop" or "phone"."""
    context = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900})
    page = context.new_page()
    page.watch = Watch(page)
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.width_name = request.param
    yield page
    context.close()
