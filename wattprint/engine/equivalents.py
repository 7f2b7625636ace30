"""Everyday equivalents of an emission, each with the factor and where it comes from.

Notes
-----
``count = co2e_kg / factor_kg`` for each equivalent; a smartphone charge's factor is its energy
times the job's own grid intensity, so that comparison holds the grid constant.

References
----------
.. [1] U.S. EPA (2023), "Greenhouse Gas Emissions from a Typical Passenger Vehicle",
   EPA-420-F-23-014: about 400 grams of CO2 per mile.
   https://www.epa.gov/greenvehicles/greenhouse-gas-emissions-typical-passenger-vehicle
.. [2] UK DESNZ (2024), "Greenhouse gas reporting: conversion factors 2024", condensed set,
   Business travel - air, long-haul, economy class, with radiative forcing: 0.150 kgCO2e per
   passenger-km (rounded).
   https://www.gov.uk/government/publications/greenhouse-gas-reporting-conversion-factors-2024
.. [3] U.S. EPA (2024), "Greenhouse Gas Equivalencies Calculator - Calculations and References",
   "Number of smartphones charged": 0.0124 kWh per charge.
   https://www.epa.gov/energy/greenhouse-gas-equivalencies-calculator-calculations-and-references
.. [4] U.S. EPA (2024), same page, "Number of urban tree seedlings grown for 10 years":
   0.060 metric ton CO2 per urban tree planted.
"""

from __future__ import annotations

from dataclasses import dataclass

from wattprint.engine.geo import haversine_km
from wattprint.errors import InputError

KM_PER_MILE = 1.609344
"""Exact statute mile [km] (international yard and pound agreement, 1959)."""

CAR_G_PER_MILE = 400.0
"""Typical US passenger vehicle [gCO2/mile] (US EPA 2023, EPA-420-F-23-014)."""
CAR_KG_PER_KM = CAR_G_PER_MILE / KM_PER_MILE / 1000.0

FLIGHT_KG_PER_PASSENGER_KM = 0.150
"""Long-haul economy flight with radiative forcing [kgCO2e/passenger-km] (UK DESNZ 2024)."""
PARIS_CDG = (49.0097, 2.5479)
NEW_YORK_JFK = (40.6413, -73.7781)
PARIS_NEW_YORK_KM = float(haversine_km(PARIS_CDG[0], PARIS_CDG[1], NEW_YORK_JFK[0], NEW_YORK_JFK[1]))
"""Great-circle distance Paris CDG - New York JFK [km] (about 5,840 km)."""
FLIGHT_KG = FLIGHT_KG_PER_PASSENGER_KM * PARIS_NEW_YORK_KM

SMARTPHONE_KWH_PER_CHARGE = 0.0124
"""Energy of one smartphone charge [kWh] (US EPA 2024 equivalencies calculator)."""

TREE_KG_PER_10_YEARS = 60.0
"""CO2 taken up by one urban tree seedling grown for 10 years [kg] (US EPA 2024: 0.060 t)."""
TREE_KG_PER_MONTH = TREE_KG_PER_10_YEARS / 120.0

EPA_CALCULATOR = (
    "US EPA, Greenhouse Gas Equivalencies Calculator - Calculations and References "
    "(https://www.epa.gov/energy/greenhouse-gas-equivalencies-calculator-calculations-and-references)"
)


@dataclass(frozen=True)
class Equivalent:
    """How many of an everyday thing emit the same, and the factor used."""

    name: str
    count: float
    unit: str
    factor: str
    source: str
    year: int


def equivalents(co2e_kg: float, intensity_g_per_kwh: float) -> list[Equivalent]:
    """Car kilometres, Paris-New York flights, smartphone charges and tree-months of ``co2e_kg``.

    Parameters
    ----------
    co2e_kg : float
        Emissions to express [kgCO2e].
    intensity_g_per_kwh : float
        Grid intensity the smartphone charges are taken at [gCO2e/kWh].
    """
    if not co2e_kg >= 0:
        raise InputError(f"co2e_kg must be at least 0, got {co2e_kg}")
    if not intensity_g_per_kwh >= 0:
        raise InputError(f"intensity must be at least 0, got {intensity_g_per_kwh}")
    phone_kg = SMARTPHONE_KWH_PER_CHARGE * intensity_g_per_kwh / 1000.0
    result = [
        Equivalent(
            "driving a typical car",
            co2e_kg / CAR_KG_PER_KM,
            "km",
            f"{CAR_G_PER_MILE:.0f} gCO2/mile = {CAR_KG_PER_KM * 1000:.1f} gCO2/km",
            "US EPA, Greenhouse Gas Emissions from a Typical Passenger Vehicle (EPA-420-F-23-014)",
            2023,
        ),
        Equivalent(
            "one passenger flying Paris → New York (one way)",
            co2e_kg / FLIGHT_KG,
            "flights",
            f"{FLIGHT_KG_PER_PASSENGER_KM:.3f} kgCO2e/passenger-km × {PARIS_NEW_YORK_KM:,.0f} km "
            f"= {FLIGHT_KG:,.0f} kg",
            "UK DESNZ, GHG conversion factors 2024, long-haul economy with radiative forcing",
            2024,
        ),
    ]
    if phone_kg > 0:
        result.append(
            Equivalent(
                "smartphone charges",
                co2e_kg / phone_kg,
                "charges",
                f"{SMARTPHONE_KWH_PER_CHARGE} kWh/charge × {intensity_g_per_kwh:,.0f} gCO2e/kWh",
                EPA_CALCULATOR,
                2024,
            )
        )
    result.append(
        Equivalent(
            "CO2 taken up by urban tree seedlings",
            co2e_kg / TREE_KG_PER_MONTH,
            "tree-months",
            f"0.060 t CO2 per tree over 10 years = {TREE_KG_PER_MONTH:.2f} kg/month",
            EPA_CALCULATOR,
            2024,
        )
    )
    return result
