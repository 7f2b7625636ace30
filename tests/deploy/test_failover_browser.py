"""The real frontend behind the proxy: a tab on a process that is killed comes back on the other.

Two headless chromium tabs (two browsers: their own cookies) open the calculator through nginx
on two different jobs, one sticky to each of 2 processes. The process of the first is killed
with SIGKILL. Streamlit's frontend reconnects by itself (health check, new websocket, through
the proxy, with its cookie) to the other process, which has no session for it: app/server.py's
page script sees another process answer and reloads the page. The test checks that the tab was
reloaded and shows its job's figure again from its address, that an input still changes the
result there (a live session on the other process), and that the other tab saw no console error
and still works.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest

from deploy.serve import cluster, find_nginx
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, Watch, wait_for_metric_change, wait_for_result
from tests.deploy.proxy import COOKIE, cookies_by_replica, replica_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(find_nginx() is None, reason="no nginx: `make nginx` installs Debian's"),
    pytest.mark.skipif(
        not CHROMIUM.exists() or importlib.util.find_spec("playwright") is None,
        reason="no /usr/bin/chromium or playwright",
    ),
]

JOBS = {
    "victim": "hardware=nvidia-h100-sxm5-80gb&count=5&hours=24&region=aws:us-east-1",
    "survivor": "hardware=nvidia-h100-sxm5-80gb&count=11&hours=24&region=aws:us-east-1",
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_tab(browser: Any, url: str, cookie: str, query: str) -> Any:
    """A new browser (context) holding the proxy's ``cookie``, on the calculator at ``query``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    name, value = cookie.split("=", 1)
    context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    page.watch = Watch(page)
    page.goto(f"{url}/calculator?{query}")
    return page


def set_count(page: Any, count: int) -> None:
    devices = page.get_by_role("spinbutton", name="Number of devices")
    devices.fill(str(count))
    devices.press("Enter")


def test_a_tab_on_a_killed_process_comes_back_with_its_job(chromium: Any) -> None:
    with cluster(2, timeout_s=120) as running:
        cookies = cookies_by_replica(running.url, 1, prefix="browser")
        victim, survivor = running.replicas[0].address, running.replicas[1].address
        tabs = {
            role: open_tab(chromium, running.url, cookies[address][0], JOBS[role])
            for role, address in (("victim", victim), ("survivor", survivor))
        }
        shown = {role: wait_for_result(page, 60_000) for role, page in tabs.items()}
        assert shown["victim"] != shown["survivor"]
        for page in tabs.values():
            assert page.context.cookies()[0]["name"] == COOKIE

        page = tabs["victim"]
        page.evaluate("() => { window.beforeKill = true }")
        running.kill(0)  # SIGKILL the victim tab's process
        # The frontend reconnects through nginx to the other process; app/server.py's page script
        # sees another process answer and reloads the page, which reruns from its address.
        page.wait_for_function("() => !window.beforeKill", timeout=60_000)
        assert wait_for_result(page, 60_000) == shown["victim"]
        assert "count=5" in page.url
        assert replica_for(running.url, cookies[victim][0]).split(", ")[-1] == survivor
        # A live session: the input still changes the result, and the address follows it.
        set_count(page, 6)
        wait_for_metric_change(page, "Operational CO₂e", shown["victim"], 60_000)
        page.wait_for_function("() => location.search.includes('count=6')", timeout=30_000)

        other = tabs["survivor"]
        set_count(other, 12)
        wait_for_metric_change(other, "Operational CO₂e", shown["survivor"], 60_000)
        assert not other.watch.errors, other.watch.errors
        assert not other.watch.outside and not page.watch.outside
        for tab in tabs.values():
            tab.context.close()
