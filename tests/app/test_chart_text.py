"""Names from a database reach plotly labels escaped: plotly draws <b>, <a href> and <br> as HTML."""

from __future__ import annotations

import pandas as pd

from app import components, maps, safe

HOSTILE = '<a href="http://evil.example">x</a> & <b>bold</b>'


def hostile_regions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["gcp:europe-west6", "aws:<b>x</b>"],
            "name": [HOSTILE, "Plain name"],
            "latitude": [47.4, 39.0],
            "longitude": [8.5, -77.5],
            "intensity_g_per_kwh": [30.0, 380.0],
            "intensity_basis": ["lifecycle", "lifecycle"],
            "intensity_year": [2024, 2024],
            "co2e_kg": [4.0, 50.0],
        }
    )


def all_text(figure) -> str:  # type: ignore[no-untyped-def]
    parts = []
    for trace in figure.data:
        for field in ("text", "y", "customdata", "name"):
            value = getattr(trace, field, None)
            if value is not None:
                parts.extend(str(v) for v in (value if not isinstance(value, str) else [value]))
    return " ".join(parts)


def test_chart_text_escapes_tags_and_ampersands_but_not_quotes():
    assert (
        safe.chart_text(HOSTILE)
        == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt; &amp; &lt;b&gt;bold&lt;/b&gt;'
    )
    assert safe.chart_text("Zürich") == "Zürich"


def test_region_map_labels_are_escaped():
    text = all_text(maps.region_map(hostile_regions(), "co2e_kg", "kg CO₂e", highlight=["aws:<b>x</b>"]))
    assert "<b>" not in text and "<a " not in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    assert "<br>intensity: lifecycle, 2024" in text  # the app's own line break stays


def test_ranked_bars_and_map_of_compare_are_escaped():
    frame = hostile_regions()
    bars = all_text(components.ranked_figure(frame, "gcp:europe-west6"))
    dots = all_text(components.map_figure(frame, "gcp:europe-west6"))
    for text in (bars, dots):
        assert "<b>" not in text and "<a " not in text, text
        assert "&lt;b&gt;" in text


def test_ring_hover_and_places_are_escaped():
    figure = maps.region_map(
        hostile_regions(),
        "co2e_kg",
        "kg CO₂e",
        highlight=["aws:<b>x</b>"],
        places=[maps.Place("<b>home</b>", 1, 2)],
    )
    text = all_text(figure)
    assert "<b>" not in text, text
    assert "&lt;b&gt;home&lt;/b&gt;" in text
