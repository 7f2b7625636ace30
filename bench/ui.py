"""The web app in a real browser: time to the first result, and from an input change to the update.

Starts ``streamlit run`` on a free port and a headless Debian chromium, then prints the median
(and spread) over REPEATS runs of each. Run: ``python bench/ui.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_result

REPEATS = 10


def main() -> int:
    if not CHROMIUM.exists():
        print("bench/ui.py: no /usr/bin/chromium; skipped")
        return 0
    from playwright.sync_api import sync_playwright

    first: list[float] = []
    update: list[float] = []
    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        # Warm-up: the first ever run loads the databases into the server's cache.
        warm = browser.new_page()
        warm.goto(url + "/")
        wait_for_result(warm)
        warm.close()
        for index in range(REPEATS):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url + "/")
            before = wait_for_result(page)
            first.append(time.perf_counter() - start)

            count = page.get_by_role("spinbutton", name="Number of devices")
            start = time.perf_counter()
            count.fill(str(index + 2 if index + 2 < 8 else index + 3))  # never the default 8
            count.press("Enter")
            page.wait_for_function(
                "old => [...document.querySelectorAll('[data-testid=stMetric]')].some(m => "
                "m.innerText.includes('Operational') && !m.innerText.includes(old))",
                arg=before,
                timeout=30_000,
            )
            update.append(time.perf_counter() - start)
            context.close()
        browser.close()
    for name, times in (("navigation -> first result", first), ("input change -> updated result", update)):
        print(
            f"{name:32} median {statistics.median(times) * 1000:7.0f} ms  "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
