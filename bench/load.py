"""Load: many browser sessions changing the calculator's inputs at once against one local server.

Starts ``streamlit run`` on a free 127.0.0.1 port (the harness of tests/browser), opens one
headless Debian chromium with ``--sessions`` browser contexts (one Streamlit session each), and
for ``--seconds`` has every session change the number of devices and wait until the CO2e metric
shows the new result. Prints the count of updates, the errors (page exceptions, console errors,
``st.exception`` blocks, requests to other hosts, timeouts; must be 0) and the p50/p95/max update
time: from the input change to the result updated and Streamlit idle.

    python bench/load.py [--sessions 20] [--seconds 60]

Bounded: at most 64 sessions and 600 s; loopback only. Exit code 1 when any error was counted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, is_local, streamlit_server  # noqa: E402

MAX_SESSIONS = 64
MAX_SECONDS = 600
UPDATE_TIMEOUT_MS = 60_000
METRIC = '[data-testid="stMetric"]:has-text("Operational CO₂e") [data-testid="stMetricValue"]'
IDLE = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
)
CHANGED = (
    "old => { const all = [...document.querySelectorAll('[data-testid=stMetric]')]"
    ".filter(e => e.innerText.includes('Operational'));"
    " return all.length > 0 && !all[0].innerText.includes(old)"
    " && !document.querySelector('[data-testid=\"stStatusWidget\"]'); }"
)


@dataclass
class Tally:
    updates_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def session(
    browser, url: str, index: int, start: asyncio.Barrier, clock: dict[str, float], tally: Tally
) -> None:  # type: ignore[no-untyped-def]
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("console", lambda m: m.type == "error" and tally.errors.append(f"s{index} console: {m.text}"))
    page.on("pageerror", lambda e: tally.errors.append(f"s{index} pageerror: {e}"))
    page.on(
        "request", lambda r: None if is_local(r.url) else tally.errors.append(f"s{index} outside: {r.url}")
    )
    loaded = False
    try:
        try:
            await page.goto(f"{url}/", timeout=UPDATE_TIMEOUT_MS)
            metric = page.locator(METRIC).first
            await metric.wait_for(timeout=UPDATE_TIMEOUT_MS)
            await page.wait_for_function(IDLE, timeout=UPDATE_TIMEOUT_MS)
            loaded = True
        finally:
            await start.wait()  # every session loaded (or failed): the timed phase starts together
        if not loaded:
            return
        count = page.get_by_role("spinbutton", name="Number of devices")
        step = 0
        while time.monotonic() < clock["deadline"]:
            old = await metric.inner_text()
            value = 1 + (index + step) % 16
            current = await count.input_value()
            if str(value) == current.split(".")[0]:
                value = value % 16 + 1
            step += 1
            started = time.perf_counter()
            await count.fill(str(value))
            await count.press("Enter")
            try:
                await page.wait_for_function(CHANGED, arg=old, timeout=UPDATE_TIMEOUT_MS)
                await page.wait_for_function(IDLE, timeout=UPDATE_TIMEOUT_MS)
            except Exception as error:  # playwright TimeoutError
                tally.errors.append(f"s{index} timeout after count={value}: {type(error).__name__}")
                continue
            tally.updates_s.append(time.perf_counter() - started)
            if await page.locator('[data-testid="stException"]').count():
                tally.errors.append(f"s{index} st.exception shown after count={value}")
    except Exception as error:
        tally.errors.append(f"s{index} {type(error).__name__}: {str(error).splitlines()[0][:200]}")
    finally:
        await context.close()


async def run(sessions: int, seconds: float) -> Tally:
    from playwright.async_api import async_playwright

    tally = Tally()
    with streamlit_server() as url:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                start = asyncio.Barrier(sessions + 1)
                clock = {"deadline": math.inf}
                tasks = [
                    asyncio.create_task(session(browser, url, i, start, clock, tally))
                    for i in range(sessions)
                ]
                await start.wait()
                clock["deadline"] = time.monotonic() + seconds
                await asyncio.gather(*tasks)
            finally:
                await browser.close()
    return tally


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="browser sessions at once (default 20)")
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="how long they change inputs (default 60)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--sessions must be 1-{MAX_SESSIONS} and --seconds 1-{MAX_SECONDS}")
    if not CHROMIUM.exists():
        print(f"load: no {CHROMIUM}; install Debian's chromium (make chromium)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    tally = asyncio.run(run(args.sessions, args.seconds))
    wall = time.perf_counter() - started
    times = tally.updates_s
    print(f"load: {args.sessions} sessions for {args.seconds:g} s, one local streamlit ({wall:.0f} s wall)")
    print(f"updates: {len(times)} ({len(times) / args.seconds:.1f}/s)   errors: {len(tally.errors)}")
    if times:
        print(
            f"update time [s]: p50 {statistics.median(times):.2f}  p95 {percentile(times, 0.95):.2f}  "
            f"max {max(times):.2f}"
        )
    for line in tally.errors[:20]:
        print(f"  error: {line}")
    return 1 if tally.errors or not times else 0


if __name__ == "__main__":
    raise SystemExit(main())
