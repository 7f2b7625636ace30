"""The web app in a real browser: time to the first result, and from an input change to the update.

Starts the app (``app/server.py``) on a free port and a headless Debian chromium, and, as the
baseline of the same run, a one-input Streamlit page (``bench/ui_baseline.py``) served the same way:
the floor that Streamlit and the browser set on this machine. Prints medians (and spread) over
REPEATS fresh browser contexts, and the ratio of the app to the baseline.

- first result: navigation until the CO2e metric shows a value ("visible"), and until the page is
  idle (no script run, no loading placeholder);
- update: from the Enter that commits a new device count until the CO2e metric shows the new
  value, timed inside the page (the keydown event and the DOM change, on the page's clock), so the
  figure is the app's latency and not the test driver's;
- update (driver): the same seen from Playwright, from the start of filling the field: it adds the
  driver's own work (finding the field by its accessible name, typing, round trips), which grows with
  the page's size.

Run: ``python bench/ui.py`` (about a minute).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    streamlit_server,
    wait_for_metric_change,
    wait_for_result,
)

REPEATS = 10
APP = "app/server.py"
BASELINE = "bench/ui_baseline.py"
METRIC = '[data-testid="stMetric"]'
# In the page: the time [ms] from the next Enter keydown until the CO2e metric no longer shows
# ``old`` (a MutationObserver), left in window.__wattprintUpdate as a promise.
WATCH_UPDATE = """old => {
  let enter = null;
  document.addEventListener('keydown', e => { if (e.key === 'Enter') enter = performance.now(); },
                            {capture: true, once: true});
  const changed = () => [...document.querySelectorAll('[data-testid=stMetric]')]
    .some(m => m.innerText.includes('Operational') && !m.innerText.includes(old));
  window.__wattprintUpdate = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (enter !== null && changed()) { observer.disconnect(); resolve(performance.now() - enter); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  });
}"""


def measure(browser, url: str) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Times [s] of REPEATS fresh contexts on ``url``, after one warm-up visit."""
    warm = browser.new_page()
    warm.goto(url + "/")
    wait_for_result(warm)
    warm.close()
    times: dict[str, list[float]] = {"visible": [], "idle": [], "update": [], "driver": []}
    for index in range(REPEATS):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url + "/")
        page.locator(METRIC, has_text="Operational CO₂e").first.wait_for(timeout=60_000)
        times["visible"].append(time.perf_counter() - start)
        before = wait_for_result(page)
        times["idle"].append(time.perf_counter() - start)

        count = page.get_by_role("spinbutton", name="Number of devices")
        page.evaluate(WATCH_UPDATE, before)
        start = time.perf_counter()
        count.fill(str(index + 2 if index + 2 < 8 else index + 3))  # never the default 8
        count.press("Enter")
        wait_for_metric_change(page, "Operational", before)
        times["driver"].append(time.perf_counter() - start)
        times["update"].append(page.evaluate("window.__wattprintUpdate") / 1000)
        context.close()
    return times


def main() -> int:
    if not CHROMIUM.exists():
        print("bench/ui.py: no /usr/bin/chromium; skipped")
        return 0
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        for name, script in (("baseline", BASELINE), ("app", APP)):
            with streamlit_server(script=script) as url:
                results[name] = measure(browser, url)
        browser.close()
    labels = {
        "visible": "navigation -> result visible",
        "idle": "navigation -> page idle",
        "update": "input change -> updated result",
        "driver": "  (driver: fill + Enter -> seen)",
    }
    for key, label in labels.items():
        app, base = results["app"][key], results["baseline"][key]
        print(
            f"{label:32} app median {statistics.median(app) * 1000:6.0f} ms "
            f"(min {min(app) * 1000:.0f}, max {max(app) * 1000:.0f}, n={len(app)}); "
            f"baseline {statistics.median(base) * 1000:5.0f} ms; "
            f"ratio {statistics.median(app) / statistics.median(base):.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
