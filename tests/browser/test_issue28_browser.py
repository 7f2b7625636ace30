"""Issue 28 in a real browser, from the user's side: the calculator's own path as a first request,
with a hardware name as nvidia-smi reports it."""

from __future__ import annotations

from tests.browser.test_links_browser import open_page

# The PhD student's job: 32 x A100 SXM4 80GB for 216 h, the hardware named as nvidia-smi names it.
QUERY = "hardware=NVIDIA%20A100-SXM4-80GB&count=32&hours=216.0"


def test_calculator_path_as_first_request_opens_the_job(browser, server) -> None:
    context, page = open_page(browser, f"{server}/calculator?{QUERY}")
    try:
        page.get_by_text("Operational CO₂e").first.wait_for(timeout=60_000)
        text = page.locator('[data-testid="stMain"]').inner_text()
        assert not page.get_by_text("Page not found").count()
        assert not page.get_by_text("does not seem to exist").count()
        assert "32 × NVIDIA A100 SXM4 80GB, 216 h" in text, text[:600]
        assert "Link" not in text.split("Operational")[0]  # no warning that the name was refused
        page.wait_for_function("() => location.search.includes('count=32')", timeout=30_000)
        assert "hardware=nvidia-a100-sxm4-80gb" in page.url
        assert not page.watch.errors, page.watch.errors
    finally:
        context.close()
