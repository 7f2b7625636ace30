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

- every page (``--pages``): navigation to ``/<page>`` until its first number (a metric value, a
  chart or a table) against the baseline's first number, the two timed in turn in the same run
  (both servers up), so that each ratio is of figures taken under the same load; the Batch and CodeCarbon
  pages need a file, so theirs is timed from the upload (a small jobs file, a CodeCarbon fixture)
  to the first metric; Measure and Your database show no number before input, so theirs is the
  page's title, said so in the line;
- changes (``--pages``): on the calculator, from the Enter that commits a hardware or a cloud region
  choice, and a device count, until the CO2e metric changes (timed inside the page), the choices
  as ratios to the number field in the same run.

The machine these run on is shared and loaded (2 cores, several engineers): the load average is
printed with the results, and only the ratios, measured in the same run, mean anything. No
figure of this script is asserted in a test.

Run: ``python bench/ui.py`` (about a minute), ``python bench/ui.py --pages`` (a few minutes more).
"""

from __future__ import annotations

import argparse
import os
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
  window.__wattprintUpdate = new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no change within 60 s')), 60000);
    const observer = new MutationObserver(() => {
      if (enter !== null && changed()) { observer.disconnect(); resolve(performance.now() - enter); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  });
}"""


def measure(browser, url: str, repeats: int = REPEATS) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Times [s] of ``repeats`` fresh contexts on ``url``, after one warm-up visit."""
    warm = browser.new_page()
    warm.goto(url + "/")
    wait_for_result(warm)
    warm.close()
    times: dict[str, list[float]] = {"visible": [], "idle": [], "update": [], "driver": []}
    for index in range(repeats):
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


# The first number in the main section: a metric value with a digit, a chart, or a table.
FIRST_NUMBER = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  if (!main) return null;
  const values = [...main.querySelectorAll('[data-testid=stMetricValue]')];
  if (values.some(e => /\\d/.test(e.innerText))) return 'metric';
  if (main.querySelector('.js-plotly-plot .main-svg')) return 'chart';
  if (main.querySelector('[data-testid=stDataFrame] canvas, [data-testid=stTable] td')) return 'table';
  return null;
}"""
PAGES = (
    "calculator",
    "compare",
    "picker",
    "hardware",
    "regions",
    "timeshift",
    "report",
    "published",
    "batch",
    "codecarbon",
    "measure",
    "database",
)
UPLOADS = {
    "batch": (
        "jobs.csv",
        b"name,hardware,count,hours,region\na,nvidia-h100-sxm5-80gb,8,10,aws:us-east-1\n"
        b"b,nvidia-a100-sxm4-80gb,4,5,gcp:europe-west6\n",
    ),
    "codecarbon": (
        "emissions.csv",
        (Path(__file__).resolve().parents[1] / "tests/fixtures/codecarbon/v2_emissions.csv").read_bytes(),
    ),
}
NO_NUMBER = ("measure", "database")
"""Pages that show no number before the user's input: their title is timed instead."""
# (label of the select, what is typed to pick an option; alternated so that each pick changes it)
CHANGES = {
    "hardware": ("Accelerator (type to search)", ("nvidia-a100-sxm4-80gb", "nvidia-h100-sxm5-80gb")),
    "region": ("Cloud region (type to search)", ("aws:eu-north-1", "aws:ap-south-1")),
}


def first_number(browser, url: str, path: str) -> float:  # type: ignore[no-untyped-def]
    """Seconds from navigation to ``path`` (or from its upload) until its first number or title."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/{path}")
    if path in UPLOADS:
        name, data = UPLOADS[path]
        uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        uploader.wait_for(state="attached", timeout=60_000)
        start = time.perf_counter()
        uploader.set_input_files([{"name": name, "mimeType": "text/csv", "buffer": data}])
    if path in NO_NUMBER:
        page.locator("[data-testid=stMain] h1").first.wait_for(timeout=60_000)
    else:
        page.wait_for_function(FIRST_NUMBER, timeout=60_000)
    elapsed = time.perf_counter() - start
    context.close()
    return elapsed


def measure_pages(  # type: ignore[no-untyped-def]
    browser, url: str, baseline_url: str, repeats: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Seconds to each page's first number and to the baseline page's, ``repeats`` fresh contexts
    each, taken in turn (baseline, page, baseline, page...) so that both see the same load."""
    found = {}
    for path in PAGES:
        page_times, baseline_times = [], []
        for _ in range(repeats):
            baseline_times.append(first_number(browser, baseline_url, ""))
            page_times.append(first_number(browser, url, path))
        found[path] = (page_times, baseline_times)
        print(f"bench/ui.py: {path} measured", file=sys.stderr, flush=True)
    return found


def measure_changes(browser, url: str, repeats: int) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Seconds [in-page clock] from the committing Enter to the CO2e metric's change, for a device
    count, a hardware choice and a cloud region choice on the calculator."""
    times: dict[str, list[float]] = {"number": [], "hardware": [], "region": []}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url + "/calculator")
    before = wait_for_result(page)
    for index in range(repeats):
        for kind in ("number", "hardware", "region"):
            if kind == "number":
                count = page.get_by_role("spinbutton", name="Number of devices")
                count.fill(str(2 + index % 5))  # 2-6, never the default 8 nor the last value
            else:
                label, typed = CHANGES[kind]
                page.locator('[data-testid="stSelectbox"]', has_text=label).click()
                page.keyboard.type(typed[index % 2])
            # Watched from here: its keydown listener fires once, on the next key (the Enter).
            page.evaluate(WATCH_UPDATE, before)
            page.keyboard.press("Enter")
            try:
                times[kind].append(page.evaluate("window.__wattprintUpdate") / 1000)
            except Exception as error:  # playwright's Error: say which change did not show
                raise RuntimeError(f"{kind} change {index + 1}: {error}") from None
            before = wait_for_result(page)
    context.close()
    return times


def load_words() -> str:
    """The machine's load, said with the results."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def print_pages(pages: dict[str, tuple[list[float], list[float]]], changes: dict[str, list[float]]) -> None:
    repeats = len(next(iter(pages.values()))[0])
    print(f"\nFirst number, median of {repeats}, each page in turn with the baseline page:")
    for path, (times, baseline) in pages.items():
        base = statistics.median(baseline)
        what = (
            "title (no number before input)"
            if path in NO_NUMBER
            else "upload -> first metric"
            if path in UPLOADS
            else "navigation -> first number"
        )
        median = statistics.median(times)
        print(
            f"  {path:11} {what:31} {median * 1000:6.0f} ms  baseline {base * 1000:5.0f} ms  "
            f"ratio {median / base:.2f}"
        )
    number = statistics.median(changes["number"])
    print(f"\nChanges on the calculator, median of {len(changes['number'])} (in-page clock):")
    for kind, times in changes.items():
        median = statistics.median(times)
        print(f"  {kind:9} {median * 1000:6.0f} ms  ratio to the number field {median / number:.2f}")


def main() -> int:
    if not CHROMIUM.exists():
        print("bench/ui.py: no /usr/bin/chromium; skipped")
        return 0
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="every page's first number, and the changes")
    parser.add_argument(
        "--repeats", type=int, default=3, help="contexts per page, and per change, with --pages (default 3)"
    )
    args = parser.parse_args()
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        with streamlit_server(script=BASELINE) as baseline_url, streamlit_server(script=APP) as url:
            for name, served in (("baseline", baseline_url), ("app", url)):
                results[name] = measure(browser, served, args.repeats if args.pages else REPEATS)
                print(f"bench/ui.py: {name} measured", file=sys.stderr, flush=True)
            if args.pages:
                pages = measure_pages(browser, url, baseline_url, args.repeats)
                changes = measure_changes(browser, url, args.repeats)
        browser.close()
    print(f"Shared machine, loaded: {load_words()}; only the ratios (same run) mean anything.")
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
    if args.pages:
        print_pages(pages, changes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
