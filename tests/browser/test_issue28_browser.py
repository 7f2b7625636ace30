"""Issue 28 in a real browser, from the user's side: the calculator's own path as a first request,
with a hardware name as nvidia-smi reports it."""

from __future__ import annotations

import pytest

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


def test_phone_keeps_the_headline_in_view_while_editing(browser, server) -> None:
    # At 390 px the columns stack and the result starts far below the inputs; the one-line
    # headline stays at the top of the screen while the user edits the location at the bottom.
    context, page = open_page(browser, f"{server}/?count=32&hours=216.0", width=390)
    try:
        page.get_by_text("Operational CO₂e").first.wait_for(timeout=60_000)
        result_top = page.get_by_text("Operational CO₂e").first.bounding_box()["y"]
        where = page.get_by_text("Grid intensity", exact=False).first
        where.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        bar = page.locator(".st-key-phone_bar")
        box = bar.bounding_box()
        assert box is not None and 0 <= box["y"] < 900 and box["height"] < 120, box
        headline = page.locator('[data-testid="stMetricValue"]').first.inner_text()
        assert headline.split(" ")[0] in bar.inner_text(), (headline, bar.inner_text())
        assert result_top > 900  # the full result is more than a screen below the top
    finally:
        context.close()
    context, page = open_page(browser, f"{server}/?count=32&hours=216.0", width=1280)
    try:
        page.get_by_text("Operational CO₂e").first.wait_for(timeout=60_000)
        assert not page.locator(".st-key-phone_bar").is_visible()  # beside the inputs on a desktop
    finally:
        context.close()


def test_the_utilisation_slider_takes_every_key_press(browser, server) -> None:
    # Four presses of the left arrow on the slider at 1.00 (step 0.05) end at 0.80.
    context, page = open_page(browser, f"{server}/?count=32&hours=216.0")
    try:
        page.get_by_text("Operational CO₂e").first.wait_for(timeout=60_000)
        thumb = page.locator('.st-key-calc_utilization input[type="range"]')
        thumb.focus()
        for _ in range(4):
            page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(40)
        page.wait_for_timeout(2500)
        assert thumb.input_value() == "0.8", thumb.input_value()
        page.wait_for_function("() => location.search.includes('utilization=0.8')", timeout=30_000)
    finally:
        context.close()


# Each page's first figure (label) and the first input the figures follow.
FIGURES_FIRST = {
    "compare": ("Your choice", "Kind"),
    "picker": ("Best pick", "Carbon (kg CO₂e of the job)"),
    "report": ("Operational CO₂e (central)", "Accelerator (type to search)"),
    "timeshift": ("Best start [kg CO2e]", "Intensity series"),
    "hardware": ("Devices listed", "Search id, name or alias"),
    "regions": ("Cloud regions", "Search id or name"),
}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", list(FIGURES_FIRST))
def test_each_page_shows_its_figures_above_its_inputs(browser, server, path: str, width: int) -> None:
    # The figures are what the page is for: they sit under the title, on the first screen, and so
    # show as soon as the title does, before the inputs' and the charts' code has loaded.
    figure, first_input = FIGURES_FIRST[path]
    context, page = open_page(browser, f"{server}/{path}", width=width)
    try:
        metric = page.locator('[data-testid="stMetric"]', has_text=figure).first
        metric.wait_for(timeout=60_000)
        value = metric.locator('[data-testid="stMetricValue"]').inner_text()
        assert any(c.isdigit() for c in value), value
        field = page.locator('[data-testid="stMain"]').get_by_text(first_input, exact=True).first
        top, below = metric.bounding_box(), field.bounding_box()
        assert top is not None and below is not None
        assert top["y"] < below["y"], (figure, top, first_input, below)
        assert top["y"] + top["height"] < 900, top  # on the first screen, a phone's too
        assert not page.watch.errors, page.watch.errors
    finally:
        context.close()


# What the browser must load code for before it can draw an input (or the job line's page link).
INPUT_TYPES = {
    "button",
    "button_group",
    "checkbox",
    "date_input",
    "download_button",
    "file_uploader",
    "multiselect",
    "number_input",
    "page_link",
    "radio",
    "selectbox",
    "slider",
    "text_area",
    "text_input",
}


def sent_elements(frames: list[bytes]) -> list[str]:
    """The element types the server sent, in order, from the websocket's binary frames."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sent = []
    for frame in frames:
        message = ForwardMsg.FromString(frame)
        if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
            sent.append(str(message.delta.new_element.WhichOneof("type")))
    return sent


@pytest.mark.parametrize("path", ["calculator", "compare", "picker", "report", "timeshift"])
def test_each_page_sends_its_first_number_before_any_input(browser, server, path: str) -> None:
    # The browser draws a batch of elements once the code of each has loaded; the inputs' code
    # loads on first use. A figure sent after an input waits for it (0.5-2 s on a loaded machine),
    # so each page sends its first figure before its job line's link and its inputs.
    frames: list[bytes] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(data)))
    try:
        page.goto(f"{server}/{path}")
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        sent = sent_elements([frame for frame in frames if isinstance(frame, bytes)])
        assert "metric" in sent, sent
        inputs = [i for i, kind in enumerate(sent) if kind in INPUT_TYPES]
        assert inputs and sent.index("metric") < inputs[0], sent[: inputs[0] + 2 if inputs else 20]
    finally:
        context.close()
