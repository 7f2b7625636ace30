"""Exact unit constants and conversions.

Every constant is exact by definition (SI, or the international avoirdupois pound of 1959),
so no rounding enters a conversion.

References
----------
.. [1] BIPM, "The International System of Units (SI)", 9th edition, 2019.
.. [2] US National Bureau of Standards, "Refinement of values for the yard and the pound",
   Federal Register, 1959 (1 lb = 0.45359237 kg exactly).
"""

from __future__ import annotations

J_PER_WH = 3_600.0
J_PER_KWH = 3_600_000.0
WH_PER_KWH = 1_000.0
KWH_PER_MWH = 1_000.0
W_PER_KW = 1_000.0
G_PER_KG = 1_000.0
KG_PER_TONNE = 1_000.0
KG_PER_LB = 0.45359237
HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = 8_760.0
SECONDS_PER_HOUR = 3_600.0


def joules_to_kwh(energy_j: float) -> float:
    """Energy [J] -> [kWh]."""
    return energy_j / J_PER_KWH


def kwh_to_joules(energy_kwh: float) -> float:
    """Energy [kWh] -> [J]."""
    return energy_kwh * J_PER_KWH


def wh_to_kwh(energy_wh: float) -> float:
    """Energy [Wh] -> [kWh]."""
    return energy_wh / WH_PER_KWH


def kwh_to_wh(energy_kwh: float) -> float:
    """Energy [kWh] -> [Wh]."""
    return energy_kwh * WH_PER_KWH


def mwh_to_kwh(energy_mwh: float) -> float:
    """Energy [MWh] -> [kWh]."""
    return energy_mwh * KWH_PER_MWH


def kwh_to_mwh(energy_kwh: float) -> float:
    """Energy [kWh] -> [MWh]."""
    return energy_kwh / KWH_PER_MWH


def watt_hours_to_kwh(power_w: float, duration_h: float) -> float:
    """Average power [W] over a duration [h] -> energy [kWh]."""
    return power_w * duration_h / WH_PER_KWH


def g_to_kg(mass_g: float) -> float:
    """Mass [g] -> [kg]."""
    return mass_g / G_PER_KG


def kg_to_g(mass_kg: float) -> float:
    """Mass [kg] -> [g]."""
    return mass_kg * G_PER_KG


def kg_to_tonnes(mass_kg: float) -> float:
    """Mass [kg] -> metric tonnes [t]."""
    return mass_kg / KG_PER_TONNE


def tonnes_to_kg(mass_t: float) -> float:
    """Metric tonnes [t] -> [kg]."""
    return mass_t * KG_PER_TONNE


def kg_to_lb(mass_kg: float) -> float:
    """Mass [kg] -> avoirdupois pounds [lb]."""
    return mass_kg / KG_PER_LB


def lb_to_kg(mass_lb: float) -> float:
    """Avoirdupois pounds [lb] -> [kg]."""
    return mass_lb * KG_PER_LB


def kg_per_kwh_to_g_per_kwh(intensity_kg_per_kwh: float) -> float:
    """Carbon intensity [kgCO2e/kWh] -> [gCO2e/kWh]."""
    return intensity_kg_per_kwh * G_PER_KG


def g_per_kwh_to_kg_per_kwh(intensity_g_per_kwh: float) -> float:
    """Carbon intensity [gCO2e/kWh] -> [kgCO2e/kWh]."""
    return intensity_g_per_kwh / G_PER_KG


def lb_per_kwh_to_g_per_kwh(intensity_lb_per_kwh: float) -> float:
    """Carbon intensity [lbCO2e/kWh] -> [gCO2e/kWh]."""
    return intensity_lb_per_kwh * KG_PER_LB * G_PER_KG


def lb_per_mwh_to_g_per_kwh(intensity_lb_per_mwh: float) -> float:
    """Carbon intensity [lbCO2e/MWh] -> [gCO2e/kWh] (1 lb/MWh = 0.45359237 g/kWh)."""
    return intensity_lb_per_mwh * KG_PER_LB


def g_per_kwh_to_lb_per_mwh(intensity_g_per_kwh: float) -> float:
    """Carbon intensity [gCO2e/kWh] -> [lbCO2e/MWh]."""
    return intensity_g_per_kwh / KG_PER_LB
