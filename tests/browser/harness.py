"""Start the app with ``streamlit run`` on a free local port, and a headless Debian chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_server(timeout_s: float = 60.0, script: str = "app/server.py") -> Iterator[str]:
    """Run ``script`` in a subprocess; yields its base URL once /_stcore/health answers ok."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"streamlit exited with {process.returncode}:\n{output[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer on {url} within {timeout_s:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def is_local(url: str) -> bool:
    """True for URLs the app may request: its own server, data: and blob: URLs."""
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about", "chrome-extension"):
        return True
    return parsed.hostname in LOCAL_HOSTS


class Watch:
    """Console errors, page errors and requests to other hosts seen by one page."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on(
            "request", lambda request: None if is_local(request.url) else self.outside.append(request.url)
        )


def wait_for_result(page, timeout_ms: float = 30_000) -> str:  # type: ignore[no-untyped-def]
    """Wait until the calculator's CO2e metric is shown and Streamlit is idle; return its text."""
    metric = page.locator('[data-testid="stMetric"]', has_text="Operational CO₂e").first
    metric.wait_for(timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def wait_for_metric_change(page, label: str, old: str, timeout_ms: float = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until a metric whose text includes ``label`` no longer includes ``old``."""
    page.wait_for_function(
        "([label, old]) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m => "
        "m.innerText.includes(label) && !m.innerText.includes(old))",
        arg=[label, old],
        timeout=timeout_ms,
    )


def wait_idle(page, timeout_ms: float = 30_000) -> None:  # type: ignore[no-untyped-def]
    """Wait until no script run is in progress: the app root says its script is not running (its
    ``data-test-script-state``, set the moment a run is asked for; the status widget shows only
    after a delay) and neither the status widget nor a skeleton is shown."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(150)


def full_page_screenshot(page, path: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshot the whole app: Streamlit scrolls inside its main section, so the viewport is
    made as tall as that section's content first, then restored."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stSidebarContent], body')]"
        ".map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 20, 12_000)})
    page.wait_for_timeout(400)
    wait_idle(page)
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(size)


def shot(page, folder: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot ``<folder>/<name>-<desktop|phone>.png``."""
    folder.mkdir(exist_ok=True)
    full_page_screenshot(page, str(folder / f"{name}-{page.width_name}.png"))


def assert_clean(page) -> None:  # type: ignore[no-untyped-def]
    """No console error and no request to another host so far."""
    assert not page.watch.errors, page.watch.errors
    assert not page.watch.outside, page.watch.outside
