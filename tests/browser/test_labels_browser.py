"""No metric label or value is cut off on the Batch and CodeCarbon pages, at 1280 and 390 px
(issue 28: "Jobs estimated 4,987 of 5,…", "CodeCarbon's own figure [....").

A label or value is cut when its box (or a box inside it) holds more than it shows: it hides
its overflow or ends in an ellipsis while its scrollWidth exceeds its clientWidth or a child is
wider than it (Streamlit's label text is a paragraph inside an ellipsis box: "CodeCarbon's own
figure [kg]" was 172.3 px in a 171 px box at 1280 px with three files), or the metric reaches past
the right edge of the window.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser import harness
from tests.browser.harness import assert_clean, wait_idle
from tests.browser.test_decision_pages import open_page  # the sidebar closed again on a phone

# Marked `browser` and skipped without chromium or playwright by tests/browser/conftest.py.

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "codecarbon"
CUT = """() => {
  const cut = [];
  for (const metric of document.querySelectorAll('[data-testid=stMain] [data-testid=stMetric]')) {
    const parts = metric.querySelectorAll(
      '[data-testid=stMetricLabel], [data-testid=stMetricLabel] *, ' +
      '[data-testid=stMetricValue], [data-testid=stMetricValue] *');
    for (const box of parts) {
      const style = getComputedStyle(box);
      const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
      const inner = [...box.children].map(c => c.getBoundingClientRect().width);
      const wider = Math.max(0, ...inner) > box.getBoundingClientRect().width + 0.5;
      if (box.clientWidth > 0 && hides && (box.scrollWidth > box.clientWidth || wider)) {
        cut.push(box.innerText.trim());
      }
    }
    if (metric.getBoundingClientRect().right > window.innerWidth + 1) cut.push(metric.innerText.trim());
  }
  return [...new Set(cut)];
}"""
METRICS = (
    "() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetric]')]"
    ".map(m => m.innerText)"
)


def upload(page, files: list[tuple[str, bytes]]) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [{"name": name, "mimeType": "text/csv", "buffer": data} for name, data in files]
    )


def five_thousand_jobs() -> bytes:
    """A scheduler export of 5,000 jobs, 13 of them with an unreadable GPU count: the page then
    shows 4,987 of 5,000 jobs estimated, the figure a user saw cut at 1280 px."""
    lines = ["name,user,hardware,count,hours,region"]
    for number in range(5_000):
        count = "x" if number % 385 == 0 else str(1 + number % 8)
        lines.append(
            f"job{number},user{number % 40},nvidia-h100-sxm5-80gb,{count},{1 + number % 24},aws:us-east-1"
        )
    return ("\n".join(lines) + "\n").encode()


def test_batch_metrics_are_not_cut(server, page) -> None:
    open_page(page, server, "Batch audit")
    upload(page, [("jobs.csv", five_thousand_jobs())])
    page.get_by_text("rows failed").first.wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    shown = " | ".join(page.evaluate(METRICS))
    assert "4,987" in shown and "5,000" in shown, shown
    assert page.evaluate(CUT) == []
    harness.shot(page, ROOT / "artifacts", "batch-metrics")
    assert_clean(page)


def test_codecarbon_metrics_are_not_cut(server, page) -> None:
    open_page(page, server, "CodeCarbon import")
    names = ("real_2021_empty_header_cells.csv", "v2_emissions.csv", "v3_emissions.csv")
    upload(page, [(name, (FIXTURES / name).read_bytes()) for name in names])
    page.get_by_text("CodeCarbon's own figure [kg]").first.wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    metrics = page.evaluate(METRICS)
    shown = " | ".join(metrics)
    # The headline, first: the runs as measured, where they ran; the what-if after it, named so.
    assert metrics[0].startswith("CodeCarbon's own figure [kg]"), metrics
    assert metrics[1].startswith("wattprint, where each ran [kg]"), metrics
    assert "What if all ran in" in shown, shown
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert text.index("As measured, where each ran") < text.index("What if every run had been in one region")
    assert "CodeCarbon measures IT energy only" in text
    assert page.evaluate(CUT) == []
    harness.shot(page, ROOT / "artifacts", "codecarbon-headline")
    assert_clean(page)
