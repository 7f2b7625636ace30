"""The calculator's serving part in a real browser: energy per request from the inference model
for a 7B model at batch 1 on an A100, and Patterson's break-even line.

ML.ENERGY 2023 (A100_chat_benchmark.csv, 4717739) measured 1,828.77 J = 0.508 Wh for one
420-token Llama-2-7B-chat response at batch 1 on an A100 40GB; the page must be within 2x.
A full-page screenshot goes to /tmp/wattprint-serving-<width>.png.
"""

from __future__ import annotations

import re

from tests.browser import harness
from tests.browser.harness import assert_clean, wait_for_result

QUERY = (
    "hardware=nvidia-a100-sxm4-40gb&serve=true&serve_basis=model&serve_params_b=7.0"
    "&serve_batch=1.0&serve_input_tokens=100.0&serve_tokens=420.0&requests_per_day=1000000.0&days=365.0"
)
MEASURED_WH = 1828.77 / 3600


def test_serving_energy_per_request_and_break_even(server, page):
    page.goto(f"{server}/?{QUERY}")
    wait_for_result(page)
    metric = page.locator('[data-testid="stMetric"]', has_text="Energy per request")
    metric.first.wait_for(timeout=30_000)
    text = metric.first.inner_text()
    wh = float(re.search(r"([\d.]+)\s*Wh", text).group(1))
    assert MEASURED_WH / 2 <= wh <= MEASURED_WH * 2, text
    page.get_by_text("Break-even:").first.wait_for(timeout=30_000)
    page.get_by_text("roofline model").first.wait_for(timeout=30_000)
    metric.first.scroll_into_view_if_needed()
    harness.full_page_screenshot(page, f"/tmp/wattprint-serving-{page.width_name}.png")
    assert_clean(page)
