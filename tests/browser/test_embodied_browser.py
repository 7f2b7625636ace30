"""Issue 26 in a real browser at 1280 and 390 px: the host choice and the embodied range on the
calculator and the report page, and the Hardware page's embodied facts; the words are there and
nothing of them is cut off (no box wider than the screen, no text clipped inside its box).

Screenshots: tests/browser/screenshots/embodied-<page>-<desktop|phone>.png (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

from tests.browser.harness import assert_clean, shot, wait_for_result, wait_idle

SHOTS = Path(__file__).with_name("screenshots")
JOB = "hardware=nvidia-h100-sxm5-80gb&count=8&hours=100.0&embodied=database"
PROXY = "proxy-gpu-server-8gpu-bloom"

CLIPPED = """(selector) => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const e of [root, ...root.querySelectorAll('*')]) {
      const box = e.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      const text = (e.innerText || e.value || '').trim().slice(0, 60);
      if (!text) continue;  // the words: a box without text cuts none off
      if (box.left < -1 || box.right > width + 1) out.push(`outside the screen: ${text}`);
      const style = getComputedStyle(e);
      const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
      if (hides && e.scrollWidth > e.clientWidth + 1 && e.children.length === 0)
        out.push(`clipped in its box: ${text}`);
    }
  }
  return out;
}"""


def clipped(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts inside ``selector`` that leave the screen or are clipped in their own box."""
    assert page.locator(selector).count(), selector
    return list(page.evaluate(CLIPPED, selector))


def open_job(page, server: str, path: str, query: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/{path}?{query}")
    page.locator('[data-testid="stMain"]').wait_for(timeout=60_000)
    page.locator(".st-key-embodied").first.wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    return str(page.locator(".st-key-embodied").first.inner_text())


def test_calculator_host_choice_and_embodied_range(page, server) -> None:  # type: ignore[no-untyped-def]
    text = open_job(page, server, "calculator", f"{JOB}&host={PROXY}")
    wait_for_result(page)
    assert "Embodied (making the hardware): 6.11 – 8.53 kg CO₂e (lower bound (dies and memory)" in text
    assert "Devices (8 × NVIDIA H100 SXM5 80GB): 0.512 – 2.94 kg CO₂e" in text
    assert "Host share (1 × 8-GPU server, proxy (BLOOM's 2,500 kg per server)): 5.60 kg CO₂e, proxy" in text
    assert "Total (operational" in text
    host = page.locator(".st-key-calc_host")
    chosen = host.locator('input[type="radio"]:checked').locator("xpath=ancestor::label")
    proxy = "8-GPU server, proxy (BLOOM's 2,500 kg per server): 2,500 kg CO₂e per GPU server of 8 GPUs"
    assert proxy in chosen.inner_text()
    dell = "Dell PowerEdge C4140: 1,244 kg CO₂e per GPU server of 4 GPUs, manufacturer PCF"
    assert dell in host.inner_text()
    caption = page.get_by_text("kg CO₂e to make one GPU server", exact=False).first
    assert "Amortised over 6 years" in caption.inner_text()
    for selector in (".st-key-embodied", ".st-key-calc_host", ".st-key-calc_embodied", ".st-key-job_result"):
        assert not clipped(page, selector), (page.width_name, selector, clipped(page, selector))
    # choosing another host changes the host line and the address
    host.get_by_text("Dell PowerEdge C4140", exact=False).click()
    page.wait_for_function("() => location.search.includes('host=dell-poweredge-c4140')", timeout=30_000)
    page.get_by_text("Host share (2 × Dell PowerEdge C4140)", exact=False).wait_for(timeout=30_000)
    wait_idle(page, 60_000)
    text = str(page.locator(".st-key-embodied").first.inner_text())
    assert "Host share (2 × Dell PowerEdge C4140): 8.36 kg CO₂e, manufacturer PCF, 4-year life" in text
    assert not clipped(page, ".st-key-calc_host"), clipped(page, ".st-key-calc_host")
    shot(page, SHOTS, "embodied-calculator")
    assert_clean(page)


def test_report_page_states_each_part(page, server) -> None:  # type: ignore[no-untyped-def]
    text = open_job(page, server, "report", f"{JOB}&host={PROXY}")
    assert "Host share (1 × 8-GPU server" in text
    statement = page.get_by_text("The work ran on", exact=False).first.inner_text()
    assert "host (8-GPU server, proxy (BLOOM's 2,500 kg per server)): 5.60 kg, proxy" in statement
    assert statement.count("6-year life at 85% use") == 2
    assert "manufacturer PCF: NVIDIA, 2024" in statement
    for selector in (".st-key-embodied", ".st-key-calc_host"):
        assert not clipped(page, selector), (page.width_name, selector, clipped(page, selector))
    shot(page, SHOTS, "embodied-report")
    assert_clean(page)


def test_hardware_page_embodied_facts(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/hardware")
    picker = page.locator(".st-key-hw_detail input")
    picker.wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    picker.click()
    picker.fill("nvidia-h100-sxm5-80gb")
    page.keyboard.press("Enter")
    said = page.get_by_text("Embodied carbon per device: 28.6 – 164 kg CO₂e", exact=False).first
    said.wait_for(timeout=30_000)
    wait_idle(page, 60_000)
    text = said.inner_text()
    assert "Low end: 28.6 kg CO₂e, lower bound (dies and memory)" in text
    assert "High end: 164 kg CO₂e, manufacturer PCF" in text
    page.get_by_text("Host machines for embodied carbon", exact=False).first.click()
    page.get_by_text("Dell PowerEdge C4140 (dell-poweredge-c4140)", exact=False).first.wait_for()
    assert not clipped(page, '[data-testid="stCaptionContainer"]'), clipped(
        page, '[data-testid="stCaptionContainer"]'
    )
    shot(page, SHOTS, "embodied-hardware")
    assert_clean(page)
