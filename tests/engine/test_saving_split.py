"""The greener region's saving split into its grid and PUE parts (issue 28)."""

from __future__ import annotations

import pytest

from wattprint.engine.footprint import Job, estimate
from wattprint.engine.whatif import Greener, saving_split


def test_grid_and_pue_parts_add_up_to_the_saving() -> None:
    # 1,000 kWh of IT energy (1,000 W for 1,000 h) at PUE 1.56 and 500 g/kWh: 780 kg. Moved to a
    # 30 g/kWh grid at PUE 1.09: 32.7 kg, a saving of 747.3 kg. Grid part at the job's PUE:
    # 1,000 x 1.56 x (500 - 30) / 1,000 = 733.2 kg; PUE part on the new grid:
    # 1,000 x 0.47 x 30 / 1,000 = 14.1 kg.
    job = Job(device_count=1, duration_h=1000.0, measured_power_w=1000.0, pue=1.56, intensity_g_per_kwh=500.0)
    footprint = estimate(job)
    assert footprint.co2e_kg == pytest.approx(780.0)
    greener = Greener("x:clean", "Clean", 32.7, 747.3, 747.3 / 780.0, intensity_g_per_kwh=30.0, pue=1.09)
    grid_kg, pue_kg = saving_split(footprint, greener)
    assert grid_kg == pytest.approx(733.2)
    assert pue_kg == pytest.approx(14.1)
    assert grid_kg + pue_kg == pytest.approx(greener.savings_kg)
