"""Compile the region database (``region_db/*.yaml``) from the reference data sets.

Inputs: the read-only reference copies under ``/work/shared/reference`` (``--reference``) plus the
hand-written tables below (region codes, cities and coordinates of AWS / Azure / OCI / GPU-cloud
regions, provider PUE reports, eGRID2022 subregion rates), each cited in ``SOURCES``.
Also reads ``region_db/profiles/*.csv.gz`` (written first by ``tools/compile_profiles.py``) to
give the balancing-authority grids their 2022 mean intensity.

The output YAML is committed; the product never reads the reference folder.

Run: ``.venv/bin/python tools/compile_profiles.py && .venv/bin/python tools/compile_regions.py``
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DB = ROOT / "region_db"
DEFAULT_REFERENCE = Path("/work/shared/reference")
LB_PER_MWH_TO_G_PER_KWH = 0.45359237
COUNTRY_FIRST_YEAR = 2015

# --------------------------------------------------------------------------------------------
# Sources (key -> Source)
# --------------------------------------------------------------------------------------------
GOOGLE_RCI = "https://github.com/GoogleCloudPlatform/region-carbon-info"
DCCEEW = "https://www.dcceew.gov.au/climate-change/publications/"
NGA_URL = DCCEEW + "national-greenhouse-accounts-factors"
SOURCES: dict[str, dict[str, Any]] = {
    **{
        f"google-region-carbon-{y}": {
            "publisher": "Google",
            "title": f"Carbon free energy for Google Cloud regions ({y} data, region-carbon-info)",
            "url": GOOGLE_RCI,
            "year": y,
            "license": "Apache-2.0",
        }
        for y in range(2019, 2025)
    },
    "google-region-picker": {
        "publisher": "Google",
        "title": "Google Cloud Region Picker data (prices.json: E2 on-demand price per vCPU-hour)",
        "url": "https://github.com/GoogleCloudPlatform/region-picker",
        "year": 2024,
        "license": "Apache-2.0",
    },
    "google-dc-efficiency": {
        "publisher": "Google",
        "title": "Google Data Centers: Efficiency (fleet-wide trailing twelve-month PUE by year)",
        "url": "https://www.google.com/about/datacenters/efficiency/",
        "year": 2025,
    },
    "ccf-google-pue": {
        "publisher": "Google (per-campus PUE), compiled by Cloud Carbon Footprint (Thoughtworks)",
        "title": "Cloud Carbon Footprint GCP footprint estimation constants (per-region PUE)",
        "url": "https://github.com/cloud-carbon-footprint/cloud-carbon-footprint",
        "year": 2021,
        "license": "Apache-2.0",
    },
    "aws-sustainability-2024": {
        "publisher": "Amazon Web Services",
        "title": "AWS Cloud sustainability: data center power usage effectiveness (2023, 2024)",
        "url": "https://sustainability.aboutamazon.com/products-services/aws-cloud",
        "year": 2025,
    },
    "microsoft-dc-sustainability": {
        "publisher": "Microsoft",
        "title": "Microsoft datacenter sustainability fact sheets (fleet PUE)",
        "url": "https://datacenters.microsoft.com/sustainability/efficiency/",
        "year": 2023,
    },
    "ovhcloud-csr-2023": {
        "publisher": "OVHcloud",
        "title": "OVHcloud Universal Registration Document FY2023, non-financial statement (PUE)",
        "url": "https://corporate.ovhcloud.com/en/investor-relations/",
        "year": 2023,
    },
    "uptime-survey-2024": {
        "publisher": "Uptime Institute",
        "title": "Global Data Center Survey 2024 (industry average annual PUE 1.56)",
        "url": "https://uptimeinstitute.com/resources/research-and-reports/"
        "uptime-institute-global-data-center-survey-results-2024",
        "year": 2024,
    },
    "ember-owid-carbon-intensity": {
        "publisher": "Ember; Energy Institute; Our World in Data",
        "title": "Carbon intensity of electricity generation (gCO2e/kWh, lifecycle), OWID grapher",
        "url": "https://ourworldindata.org/grapher/carbon-intensity-electricity",
        "year": 2025,
        "license": "CC BY 4.0",
    },
    "epa-egrid-2016": {
        "publisher": "US Environmental Protection Agency (EPA)",
        "title": "eGRID2016 state total output CO2 emission rate (lb/MWh), via CodeCarbon",
        "url": "https://www.epa.gov/egrid",
        "year": 2018,
        "license": "US public domain",
    },
    "epa-egrid-2022": {
        "publisher": "US Environmental Protection Agency (EPA)",
        "title": "eGRID2022 summary tables, subregion total output CO2 emission rate (lb/MWh)",
        "url": "https://www.epa.gov/egrid/summary-data",
        "year": 2024,
        "license": "US public domain",
    },
    "carbonfootprint-2022": {
        "publisher": "Carbon Footprint Ltd (carbonfootprint.com), via Green Algorithms",
        "title": "Country specific electricity grid greenhouse gas emission factors (March 2022)",
        "url": "https://www.carbonfootprint.com/international_electricity_factors.html",
        "year": 2022,
        "license": "CC BY 4.0 (Green Algorithms compilation)",
    },
    "canada-nir-2021": {
        "publisher": "Environment and Climate Change Canada (via carbonfootprint.com)",
        "title": "National Inventory Report 1990-2019, Annex 13 electricity intensity by province",
        "url": "https://unfccc.int/documents/271493",
        "year": 2021,
    },
    "au-nga-2021": {
        "publisher": "Australian Government (DISER), via carbonfootprint.com / Green Algorithms",
        "title": "National Greenhouse Accounts Factors 2021, electricity by state (scope 2+3)",
        "url": NGA_URL,
        "year": 2021,
    },
    "eia-930-2022": {
        "publisher": "US Energy Information Administration (EIA)",
        "title": "EIA-930 Hourly Electric Grid Monitor, net generation by energy source, 2022 "
        "(via HewlettPackard/dc-rl); intensity recomputed with IPCC AR5 lifecycle medians",
        "url": "https://www.eia.gov/electricity/gridmonitor/",
        "year": 2023,
        "license": "US public domain (dc-rl copy: MIT)",
    },
    "rte-eco2mix": {
        "publisher": "RTE (Réseau de Transport d'Électricité), éCO2mix via ODRÉ",
        "title": "éCO2mix national generation by source, 2012-2022 (intensity recomputed)",
        "url": "https://odre.opendatasoft.com/explore/dataset/eco2mix-national-cons-def/",
        "year": 2023,
        "license": "Licence Ouverte / Etalab Open Licence 2.0 (Source: RTE - éCO2mix, via ODRÉ)",
    },
    "entsoe-wiesner-2021": {
        "publisher": "ENTSO-E Transparency Platform; Wiesner et al. (Middleware '21)",
        "title": "Let's Wait Awhile: How Temporal Workload Shifting Can Reduce Carbon Emissions "
        "in the Cloud - data (ENTSO-E actual generation per production type, 2020)",
        "url": "https://github.com/dos-group/lets-wait-awhile",
        "year": 2021,
    },
    "ipcc-ar5-annex3": {
        "publisher": "IPCC",
        "title": "AR5 WG3 Annex III: Technology-specific cost and performance parameters "
        "(Schlömer et al. 2014), Table A.III.2 lifecycle emission medians",
        "url": "https://www.ipcc.ch/site/assets/uploads/2018/02/ipcc_wg3_ar5_annex-iii.pdf",
        "year": 2014,
    },
}

# --------------------------------------------------------------------------------------------
# Countries: ISO 3166-1 alpha-3 -> (alpha-2, continent). OWID aggregates (OWID_*) are skipped.
# --------------------------------------------------------------------------------------------
AF, AS, EU, NA, OC, SA = (
    "Africa",
    "Asia",
    "Europe",
    "North America",
    "Oceania",
    "South America",
)
ISO3: dict[str, tuple[str, str]] = {
    "ABW": ("AW", NA), "AFG": ("AF", AS), "AGO": ("AO", AF), "ALB": ("AL", EU),
    "ARE": ("AE", AS), "ARG": ("AR", SA), "ARM": ("AM", AS), "ASM": ("AS", OC),
    "ATG": ("AG", NA), "AUS": ("AU", OC), "AUT": ("AT", EU), "AZE": ("AZ", AS),
    "BDI": ("BI", AF), "BEL": ("BE", EU), "BEN": ("BJ", AF), "BFA": ("BF", AF),
    "BGD": ("BD", AS), "BGR": ("BG", EU), "BHR": ("BH", AS), "BHS": ("BS", NA),
    "BIH": ("BA", EU), "BLR": ("BY", EU), "BLZ": ("BZ", NA), "BMU": ("BM", NA),
    "BOL": ("BO", SA), "BRA": ("BR", SA), "BRB": ("BB", NA), "BRN": ("BN", AS),
    "BTN": ("BT", AS), "BWA": ("BW", AF), "CAF": ("CF", AF), "CAN": ("CA", NA),
    "CHE": ("CH", EU), "CHL": ("CL", SA), "CHN": ("CN", AS), "CIV": ("CI", AF),
    "CMR": ("CM", AF), "COD": ("CD", AF), "COG": ("CG", AF), "COK": ("CK", OC),
    "COL": ("CO", SA), "COM": ("KM", AF), "CPV": ("CV", AF), "CRI": ("CR", NA),
    "CUB": ("CU", NA), "CYM": ("KY", NA), "CYP": ("CY", EU), "CZE": ("CZ", EU),
    "DEU": ("DE", EU), "DJI": ("DJ", AF), "DMA": ("DM", NA), "DNK": ("DK", EU),
    "DOM": ("DO", NA), "DZA": ("DZ", AF), "ECU": ("EC", SA), "EGY": ("EG", AF),
    "ERI": ("ER", AF), "ESH": ("EH", AF), "ESP": ("ES", EU), "EST": ("EE", EU),
    "ETH": ("ET", AF), "FIN": ("FI", EU), "FJI": ("FJ", OC), "FLK": ("FK", SA),
    "FRA": ("FR", EU), "FRO": ("FO", EU), "GAB": ("GA", AF), "GBR": ("GB", EU),
    "GEO": ("GE", AS), "GHA": ("GH", AF), "GIB": ("GI", EU), "GIN": ("GN", AF),
    "GLP": ("GP", NA), "GMB": ("GM", AF), "GNB": ("GW", AF), "GNQ": ("GQ", AF),
    "GRC": ("GR", EU), "GRD": ("GD", NA), "GRL": ("GL", NA), "GTM": ("GT", NA),
    "GUF": ("GF", SA), "GUM": ("GU", OC), "GUY": ("GY", SA), "HKG": ("HK", AS),
    "HND": ("HN", NA), "HRV": ("HR", EU), "HTI": ("HT", NA), "HUN": ("HU", EU),
    "IDN": ("ID", AS), "IND": ("IN", AS), "IRL": ("IE", EU), "IRN": ("IR", AS),
    "IRQ": ("IQ", AS), "ISL": ("IS", EU), "ISR": ("IL", AS), "ITA": ("IT", EU),
    "JAM": ("JM", NA), "JOR": ("JO", AS), "JPN": ("JP", AS), "KAZ": ("KZ", AS),
    "KEN": ("KE", AF), "KGZ": ("KG", AS), "KHM": ("KH", AS), "KIR": ("KI", OC),
    "KNA": ("KN", NA), "KOR": ("KR", AS), "KWT": ("KW", AS), "LAO": ("LA", AS),
    "LBN": ("LB", AS), "LBR": ("LR", AF), "LBY": ("LY", AF), "LCA": ("LC", NA),
    "LKA": ("LK", AS), "LSO": ("LS", AF), "LTU": ("LT", EU), "LUX": ("LU", EU),
    "LVA": ("LV", EU), "MAC": ("MO", AS), "MAR": ("MA", AF), "MDA": ("MD", EU),
    "MDG": ("MG", AF), "MDV": ("MV", AS), "MEX": ("MX", NA), "MKD": ("MK", EU),
    "MLI": ("ML", AF), "MLT": ("MT", EU), "MMR": ("MM", AS), "MNE": ("ME", EU),
    "MNG": ("MN", AS), "MOZ": ("MZ", AF), "MRT": ("MR", AF), "MSR": ("MS", NA),
    "MTQ": ("MQ", NA), "MUS": ("MU", AF), "MWI": ("MW", AF), "MYS": ("MY", AS),
    "NAM": ("NA", AF), "NCL": ("NC", OC), "NER": ("NE", AF), "NGA": ("NG", AF),
    "NIC": ("NI", NA), "NLD": ("NL", EU), "NOR": ("NO", EU), "NPL": ("NP", AS),
    "NRU": ("NR", OC), "NZL": ("NZ", OC), "OMN": ("OM", AS), "PAK": ("PK", AS),
    "PAN": ("PA", NA), "PER": ("PE", SA), "PHL": ("PH", AS), "PNG": ("PG", OC),
    "POL": ("PL", EU), "PRI": ("PR", NA), "PRK": ("KP", AS), "PRT": ("PT", EU),
    "PRY": ("PY", SA), "PSE": ("PS", AS), "PYF": ("PF", OC), "QAT": ("QA", AS),
    "REU": ("RE", AF), "ROU": ("RO", EU), "RUS": ("RU", EU), "RWA": ("RW", AF),
    "SAU": ("SA", AS), "SDN": ("SD", AF), "SEN": ("SN", AF), "SGP": ("SG", AS),
    "SHN": ("SH", AF), "SLB": ("SB", OC), "SLE": ("SL", AF), "SLV": ("SV", NA),
    "SOM": ("SO", AF), "SPM": ("PM", NA), "SRB": ("RS", EU), "SSD": ("SS", AF),
    "STP": ("ST", AF), "SUR": ("SR", SA), "SVK": ("SK", EU), "SVN": ("SI", EU),
    "SWE": ("SE", EU), "SWZ": ("SZ", AF), "SYC": ("SC", AF), "SYR": ("SY", AS),
    "TCA": ("TC", NA), "TCD": ("TD", AF), "TGO": ("TG", AF), "THA": ("TH", AS),
    "TJK": ("TJ", AS), "TKM": ("TM", AS), "TLS": ("TL", AS), "TON": ("TO", OC),
    "TTO": ("TT", NA), "TUN": ("TN", AF), "TUR": ("TR", AS), "TWN": ("TW", AS),
    "TZA": ("TZ", AF), "UGA": ("UG", AF), "UKR": ("UA", EU), "URY": ("UY", SA),
    "USA": ("US", NA), "UZB": ("UZ", AS), "VCT": ("VC", NA), "VEN": ("VE", SA),
    "VGB": ("VG", NA), "VIR": ("VI", NA), "VNM": ("VN", AS), "VUT": ("VU", OC),
    "WSM": ("WS", OC), "YEM": ("YE", AS), "ZAF": ("ZA", AF), "ZMB": ("ZM", AF),
    "ZWE": ("ZW", AF),
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# US states, eGRID subregions, balancing authorities
# --------------------------------------------------------------------------------------------
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip

# eGRID2022 subregion total output CO2 emission rates, lb/MWh (EPA eGRID2022 summary tables,
# as reproduced in EPA's GHG Emission Factors Hub 2024, Table 6).
EGRID_2022: dict[str, tuple[str, float]] = {
    "AKGD": ("ASCC Alaska Grid", 1052.114),
    "AKMS": ("ASCC Miscellaneous", 495.772),
    "AZNM": ("WECC Southwest", 776.036),
    "CAMX": ("WECC California", 497.443),
    "ERCT": ("ERCOT All", 771.083),
    "FRCC": ("FRCC All", 813.846),
    "HIMS": ("HICC Miscellaneous", 1155.486),
    "HIOA": ("HICC Oahu", 1575.407),
    "MROE": ("MRO East", 1479.621),
    "MROW": ("MRO West", 936.485),
    "NEWE": ("NPCC New England", 536.428),
    "NWPP": ("WECC Northwest", 602.088),
    "NYCW": ("NPCC NYC/Westchester", 885.233),
    "NYLI": ("NPCC Long Island", 1200.708),
    "NYUP": ("NPCC Upstate NY", 274.559),
    "PRMS": ("Puerto Rico Miscellaneous", 1593.481),
    "RFCE": ("RFC East", 657.386),
    "RFCM": ("RFC Michigan", 1216.404),
    "RFCW": ("RFC West", 1000.053),
    "RMPA": ("WECC Rockies", 1124.887),
    "SPNO": ("SPP North", 952.575),
    "SPSO": ("SPP South", 970.398),
    "SRMV": ("SERC Mississippi Valley", 801.015),
    "SRMW": ("SERC Midwest", 1369.887),
    "SRSO": ("SERC South", 893.29),
    "SRTV": ("SERC Tennessee Valley", 933.067),
    "SRVC": ("SERC Virginia/Carolina", 622.987),
}
EGRID_COUNTRY = {"PRMS": "PR"}

BA_INFO = {  # code -> (name, home state)
    "AZPS": ("Arizona Public Service Company", "AZ"),
    "BPAT": ("Bonneville Power Administration", "OR"),
    "CISO": ("California Independent System Operator", "CA"),
    "ERCO": ("Electric Reliability Council of Texas", "TX"),
    "MISO": ("Midcontinent Independent System Operator", "IN"),
    "NYIS": ("New York Independent System Operator", "NY"),
    "PJM": ("PJM Interconnection", "PA"),
    "SOCO": ("Southern Company Services", "GA"),
    "WAAT": ("WAAT (dc-rl label; data near-identical to BPAT)", "WA"),
}

CA_PROVINCES = {
    "AB": ("Alberta", "CA-AB"), "BC": ("British Columbia", "CA-BC"),
    "MB": ("Manitoba", "CA-MT"), "NB": ("New Brunswick", "CA-NB"),
    "NL": ("Newfoundland and Labrador", "CA-NL"), "NS": ("Nova Scotia", "CA-NS"),
    "NT": ("Northwest Territories", "CA-NT"), "NU": ("Nunavut", "CA-NU"),
    "ON": ("Ontario", "CA-ON"), "PE": ("Prince Edward Island", "CA-PE"),
    "QC": ("Quebec", "CA-QC"), "SK": ("Saskatchewan", "CA-SK"), "YT": ("Yukon", "CA-YT"),
}  # fmt: skip
AU_STATES = {
    "ACT": ("Australian Capital Territory", "AU-ACT", None),
    "NSW": ("New South Wales", "AU-NSW", None),
    "NT": ("Northern Territory", "AU-NT", None),
    "QLD": ("Queensland", "AU-QLD", None),
    "SA": ("South Australia", "AU-SA", None),
    "TAS": ("Tasmania", "AU-TAS", None),
    "VIC": ("Victoria", "AU-VIC", None),
    "WA": ("Western Australia", "AU-WA2", "South West Interconnected System (SWIS) figure"),
}

# --------------------------------------------------------------------------------------------
# Cloud regions. Tuple: code, name, city, country, lat, lon, grid[, notes]
# Coordinates: the metro area of the region (or the known campus), checked against the city.
# --------------------------------------------------------------------------------------------
GCP_SITES: dict[str, tuple[str, str, float, float, str]] = {
    # code: (city, country, lat, lon, grid)
    "africa-south1": ("Johannesburg", "ZA", -26.20, 28.05, "country:ZA"),
    "asia-east1": ("Changhua County", "TW", 24.07, 120.54, "country:TW"),
    "asia-east2": ("Hong Kong", "HK", 22.32, 114.17, "country:HK"),
    "asia-northeast1": ("Tokyo", "JP", 35.68, 139.65, "country:JP"),
    "asia-northeast2": ("Osaka", "JP", 34.69, 135.50, "country:JP"),
    "asia-northeast3": ("Seoul", "KR", 37.57, 126.98, "country:KR"),
    "asia-south1": ("Mumbai", "IN", 19.08, 72.88, "country:IN"),
    "asia-south2": ("Delhi", "IN", 28.70, 77.10, "country:IN"),
    "asia-southeast1": ("Jurong West", "SG", 1.34, 103.71, "country:SG"),
    "asia-southeast2": ("Jakarta", "ID", -6.21, 106.85, "country:ID"),
    "australia-southeast1": ("Sydney", "AU", -33.87, 151.21, "au-state:NSW"),
    "australia-southeast2": ("Melbourne", "AU", -37.81, 144.96, "au-state:VIC"),
    "europe-central2": ("Warsaw", "PL", 52.23, 21.01, "country:PL"),
    "europe-north1": ("Hamina", "FI", 60.57, 27.19, "country:FI"),
    "europe-north2": ("Stockholm", "SE", 59.33, 18.07, "country:SE"),
    "europe-southwest1": ("Madrid", "ES", 40.42, -3.70, "country:ES"),
    "europe-west1": ("St. Ghislain", "BE", 50.47, 3.87, "country:BE"),
    "europe-west2": ("London", "GB", 51.51, -0.13, "country:GB"),
    "europe-west3": ("Frankfurt", "DE", 50.11, 8.68, "country:DE"),
    "europe-west4": ("Eemshaven", "NL", 53.44, 6.83, "country:NL"),
    "europe-west6": ("Zurich", "CH", 47.38, 8.54, "country:CH"),
    "europe-west8": ("Milan", "IT", 45.47, 9.19, "country:IT"),
    "europe-west9": ("Paris", "FR", 48.86, 2.35, "country:FR"),
    "europe-west10": ("Berlin", "DE", 52.52, 13.40, "country:DE"),
    "europe-west12": ("Turin", "IT", 45.07, 7.69, "country:IT"),
    "me-central1": ("Doha", "QA", 25.29, 51.53, "country:QA"),
    "me-central2": ("Dammam", "SA", 26.42, 50.09, "country:SA"),
    "me-west1": ("Tel Aviv", "IL", 32.09, 34.78, "country:IL"),
    "northamerica-northeast1": ("Montréal", "CA", 45.50, -73.57, "ca-province:QC"),
    "northamerica-northeast2": ("Toronto", "CA", 43.65, -79.38, "ca-province:ON"),
    "northamerica-south1": ("Querétaro", "MX", 20.59, -100.39, "country:MX"),
    "southamerica-east1": ("São Paulo (Osasco)", "BR", -23.53, -46.79, "country:BR"),
    "southamerica-west1": ("Santiago", "CL", -33.45, -70.67, "country:CL"),
    "us-central1": ("Council Bluffs, Iowa", "US", 41.26, -95.86, "ba:MISO"),
    "us-central2": ("Pryor, Oklahoma", "US", 36.31, -95.32, "us-state:OK"),
    "us-east1": ("Moncks Corner, South Carolina", "US", 33.20, -80.01, "us-state:SC"),
    "us-east2": ("Douglas County, Georgia", "US", 33.75, -84.65, "ba:SOCO"),
    "us-east4": ("Ashburn, Virginia", "US", 39.04, -77.49, "ba:PJM"),
    "us-east5": ("Columbus, Ohio", "US", 39.96, -83.00, "ba:PJM"),
    "us-south1": ("Dallas, Texas", "US", 32.78, -96.80, "ba:ERCO"),
    "us-west1": ("The Dalles, Oregon", "US", 45.60, -121.18, "ba:BPAT"),
    "us-west2": ("Los Angeles, California", "US", 34.05, -118.24, "ba:CISO"),
    "us-west3": ("Salt Lake City, Utah", "US", 40.76, -111.89, "us-state:UT"),
    "us-west4": ("Las Vegas, Nevada", "US", 36.17, -115.14, "us-state:NV"),
}
GCP_NOTES = {
    "africa-south1": "Google's region-picker data gives latitude +26.2; corrected to -26.2.",
    "us-east1": "Berkeley County data centre; served by Santee Cooper (not Southern Company), "
    "so no EIA hourly series is linked.",
    "us-east2": "Listed in Google's 2024 carbon file (Georgia); Georgia Power is part of the "
    "Southern Company (SOCO) balancing authority.",
    "us-central2": "Listed in Google's carbon files (Oklahoma, Mayes County campus).",
    "us-west2": "Los Angeles metro; CISO is used although the City of Los Angeles itself is "
    "served by LADWP, a separate balancing authority.",
}

AWS = [
    ("us-east-1", "US East (N. Virginia)", "Ashburn, Virginia", "US", 39.04, -77.49, "ba:PJM"),
    ("us-east-2", "US East (Ohio)", "Columbus, Ohio", "US", 39.96, -83.00, "ba:PJM"),
    (
        "us-west-1",
        "US West (N. California)",
        "San Jose, California",
        "US",
        37.34,
        -121.89,
        "ba:CISO",
    ),
    ("us-west-2", "US West (Oregon)", "Boardman, Oregon", "US", 45.84, -119.70, "ba:BPAT"),
    (
        "us-gov-east-1",
        "AWS GovCloud (US-East)",
        "Ohio",
        "US",
        39.96,
        -83.00,
        "us-state:OH",
        "Exact site not published; Ohio per AWS; coordinates approximate (Columbus).",
    ),
    (
        "us-gov-west-1",
        "AWS GovCloud (US-West)",
        "Oregon",
        "US",
        45.84,
        -119.70,
        "us-state:OR",
        "Exact site not published; coordinates approximate.",
    ),
    ("ca-central-1", "Canada (Central)", "Montréal", "CA", 45.50, -73.57, "ca-province:QC"),
    ("ca-west-1", "Canada West (Calgary)", "Calgary", "CA", 51.05, -114.07, "ca-province:AB"),
    ("mx-central-1", "Mexico (Central)", "Querétaro", "MX", 20.59, -100.39, "country:MX"),
    ("sa-east-1", "South America (São Paulo)", "São Paulo", "BR", -23.55, -46.63, "country:BR"),
    ("eu-west-1", "Europe (Ireland)", "Dublin", "IE", 53.35, -6.26, "country:IE"),
    ("eu-west-2", "Europe (London)", "London", "GB", 51.51, -0.13, "country:GB"),
    ("eu-west-3", "Europe (Paris)", "Paris", "FR", 48.86, 2.35, "country:FR"),
    ("eu-central-1", "Europe (Frankfurt)", "Frankfurt", "DE", 50.11, 8.68, "country:DE"),
    ("eu-central-2", "Europe (Zurich)", "Zurich", "CH", 47.38, 8.54, "country:CH"),
    ("eu-north-1", "Europe (Stockholm)", "Stockholm", "SE", 59.33, 18.07, "country:SE"),
    ("eu-south-1", "Europe (Milan)", "Milan", "IT", 45.46, 9.19, "country:IT"),
    ("eu-south-2", "Europe (Spain)", "Zaragoza, Aragón", "ES", 41.65, -0.89, "country:ES"),
    ("il-central-1", "Israel (Tel Aviv)", "Tel Aviv", "IL", 32.09, 34.78, "country:IL"),
    ("me-south-1", "Middle East (Bahrain)", "Manama", "BH", 26.23, 50.59, "country:BH"),
    (
        "me-central-1",
        "Middle East (UAE)",
        "United Arab Emirates",
        "AE",
        24.45,
        54.38,
        "country:AE",
        "City not published; coordinates approximate (Abu Dhabi).",
    ),
    ("af-south-1", "Africa (Cape Town)", "Cape Town", "ZA", -33.92, 18.42, "country:ZA"),
    ("ap-east-1", "Asia Pacific (Hong Kong)", "Hong Kong", "HK", 22.32, 114.17, "country:HK"),
    ("ap-south-1", "Asia Pacific (Mumbai)", "Mumbai", "IN", 19.08, 72.88, "country:IN"),
    ("ap-south-2", "Asia Pacific (Hyderabad)", "Hyderabad", "IN", 17.39, 78.49, "country:IN"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)", "Tokyo", "JP", 35.68, 139.69, "country:JP"),
    ("ap-northeast-2", "Asia Pacific (Seoul)", "Seoul", "KR", 37.57, 126.98, "country:KR"),
    ("ap-northeast-3", "Asia Pacific (Osaka)", "Osaka", "JP", 34.69, 135.50, "country:JP"),
    ("ap-southeast-1", "Asia Pacific (Singapore)", "Singapore", "SG", 1.35, 103.82, "country:SG"),
    ("ap-southeast-2", "Asia Pacific (Sydney)", "Sydney", "AU", -33.87, 151.21, "au-state:NSW"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)", "Jakarta", "ID", -6.21, 106.85, "country:ID"),
    (
        "ap-southeast-4",
        "Asia Pacific (Melbourne)",
        "Melbourne",
        "AU",
        -37.81,
        144.96,
        "au-state:VIC",
    ),
    ("ap-southeast-5", "Asia Pacific (Malaysia)", "Kuala Lumpur", "MY", 3.14, 101.69, "country:MY"),
    ("ap-southeast-7", "Asia Pacific (Thailand)", "Bangkok", "TH", 13.76, 100.50, "country:TH"),
    ("cn-north-1", "China (Beijing)", "Beijing", "CN", 39.90, 116.40, "country:CN"),
    ("cn-northwest-1", "China (Ningxia)", "Zhongwei, Ningxia", "CN", 37.51, 105.19, "country:CN"),
]

AZURE = [
    (
        "eastus",
        "East US",
        "Virginia",
        "US",
        37.37,
        -79.82,
        "ba:PJM",
        "Coordinates as published by Microsoft (az account list-locations).",
    ),
    ("eastus2", "East US 2", "Boydton, Virginia", "US", 36.67, -78.39, "ba:PJM"),
    ("centralus", "Central US", "Des Moines, Iowa", "US", 41.59, -93.62, "ba:MISO"),
    ("northcentralus", "North Central US", "Chicago, Illinois", "US", 41.88, -87.63, "ba:PJM"),
    ("southcentralus", "South Central US", "San Antonio, Texas", "US", 29.42, -98.49, "ba:ERCO"),
    (
        "westcentralus",
        "West Central US",
        "Cheyenne, Wyoming",
        "US",
        41.14,
        -104.82,
        "us-state:WY",
        "Microsoft's metadata gives 40.89,-110.23 (Utah border); Cheyenne used.",
    ),
    ("westus", "West US", "San Francisco, California", "US", 37.78, -122.42, "ba:CISO"),
    ("westus2", "West US 2", "Quincy, Washington", "US", 47.23, -119.85, "us-state:WA"),
    ("westus3", "West US 3", "Phoenix, Arizona", "US", 33.45, -112.07, "ba:AZPS"),
    ("canadacentral", "Canada Central", "Toronto", "CA", 43.65, -79.38, "ca-province:ON"),
    ("canadaeast", "Canada East", "Québec City", "CA", 46.81, -71.21, "ca-province:QC"),
    ("mexicocentral", "Mexico Central", "Querétaro", "MX", 20.59, -100.39, "country:MX"),
    ("brazilsouth", "Brazil South", "São Paulo State", "BR", -23.55, -46.63, "country:BR"),
    ("brazilsoutheast", "Brazil Southeast", "Rio de Janeiro", "BR", -22.90, -43.21, "country:BR"),
    ("chilecentral", "Chile Central", "Santiago", "CL", -33.45, -70.67, "country:CL"),
    ("northeurope", "North Europe", "Dublin", "IE", 53.35, -6.26, "country:IE"),
    ("westeurope", "West Europe", "Amsterdam", "NL", 52.37, 4.90, "country:NL"),
    ("uksouth", "UK South", "London", "GB", 51.51, -0.13, "country:GB"),
    ("ukwest", "UK West", "Cardiff", "GB", 51.48, -3.18, "country:GB"),
    ("francecentral", "France Central", "Paris", "FR", 48.86, 2.35, "country:FR"),
    ("francesouth", "France South", "Marseille", "FR", 43.30, 5.37, "country:FR"),
    ("germanywestcentral", "Germany West Central", "Frankfurt", "DE", 50.11, 8.68, "country:DE"),
    ("germanynorth", "Germany North", "Berlin", "DE", 52.52, 13.40, "country:DE"),
    ("norwayeast", "Norway East", "Oslo", "NO", 59.91, 10.75, "country:NO"),
    ("norwaywest", "Norway West", "Stavanger", "NO", 58.97, 5.73, "country:NO"),
    ("swedencentral", "Sweden Central", "Gävle", "SE", 60.67, 17.14, "country:SE"),
    ("switzerlandnorth", "Switzerland North", "Zurich", "CH", 47.45, 8.56, "country:CH"),
    ("switzerlandwest", "Switzerland West", "Geneva", "CH", 46.20, 6.14, "country:CH"),
    ("italynorth", "Italy North", "Milan", "IT", 45.47, 9.18, "country:IT"),
    ("polandcentral", "Poland Central", "Warsaw", "PL", 52.23, 21.01, "country:PL"),
    (
        "spaincentral",
        "Spain Central",
        "Madrid",
        "ES",
        40.43,
        -3.42,
        "country:ES",
        "carbon-aware-sdk lists longitude +3.42; corrected to -3.42 (Madrid region).",
    ),
    (
        "israelcentral",
        "Israel Central",
        "Israel (central)",
        "IL",
        32.08,
        34.78,
        "country:IL",
        "Site not published; coordinates approximate (Tel Aviv).",
    ),
    ("qatarcentral", "Qatar Central", "Doha", "QA", 25.55, 51.44, "country:QA"),
    ("uaenorth", "UAE North", "Dubai", "AE", 25.27, 55.32, "country:AE"),
    ("uaecentral", "UAE Central", "Abu Dhabi", "AE", 24.47, 54.37, "country:AE"),
    ("southafricanorth", "South Africa North", "Johannesburg", "ZA", -26.20, 28.05, "country:ZA"),
    ("southafricawest", "South Africa West", "Cape Town", "ZA", -33.92, 18.42, "country:ZA"),
    ("centralindia", "Central India", "Pune", "IN", 18.52, 73.86, "country:IN"),
    ("southindia", "South India", "Chennai", "IN", 13.08, 80.27, "country:IN"),
    ("westindia", "West India", "Mumbai", "IN", 19.08, 72.87, "country:IN"),
    ("jioindiawest", "Jio India West", "Jamnagar", "IN", 22.47, 70.06, "country:IN"),
    ("jioindiacentral", "Jio India Central", "Nagpur", "IN", 21.15, 79.09, "country:IN"),
    ("eastasia", "East Asia", "Hong Kong", "HK", 22.27, 114.19, "country:HK"),
    ("southeastasia", "Southeast Asia", "Singapore", "SG", 1.28, 103.83, "country:SG"),
    ("japaneast", "Japan East", "Tokyo, Saitama", "JP", 35.68, 139.77, "country:JP"),
    ("japanwest", "Japan West", "Osaka", "JP", 34.69, 135.50, "country:JP"),
    ("koreacentral", "Korea Central", "Seoul", "KR", 37.57, 126.98, "country:KR"),
    ("koreasouth", "Korea South", "Busan", "KR", 35.18, 129.08, "country:KR"),
    ("indonesiacentral", "Indonesia Central", "Jakarta", "ID", -6.21, 106.85, "country:ID"),
    ("malaysiawest", "Malaysia West", "Kuala Lumpur", "MY", 3.14, 101.69, "country:MY"),
    ("australiaeast", "Australia East", "Sydney", "AU", -33.86, 151.21, "au-state:NSW"),
    (
        "australiasoutheast",
        "Australia Southeast",
        "Melbourne",
        "AU",
        -37.81,
        144.96,
        "au-state:VIC",
    ),
    ("australiacentral", "Australia Central", "Canberra", "AU", -35.31, 149.12, "au-state:ACT"),
    ("australiacentral2", "Australia Central 2", "Canberra", "AU", -35.31, 149.12, "au-state:ACT"),
    ("newzealandnorth", "New Zealand North", "Auckland", "NZ", -36.85, 174.76, "country:NZ"),
]

OCI = [
    ("us-ashburn-1", "US East (Ashburn)", "Ashburn, Virginia", "US", 39.04, -77.49, "ba:PJM"),
    ("us-phoenix-1", "US West (Phoenix)", "Phoenix, Arizona", "US", 33.45, -112.07, "ba:AZPS"),
    ("us-sanjose-1", "US West (San Jose)", "San Jose, California", "US", 37.34, -121.89, "ba:CISO"),
    ("us-chicago-1", "US Midwest (Chicago)", "Chicago, Illinois", "US", 41.88, -87.63, "ba:PJM"),
    (
        "ca-toronto-1",
        "Canada Southeast (Toronto)",
        "Toronto",
        "CA",
        43.65,
        -79.38,
        "ca-province:ON",
    ),
    (
        "ca-montreal-1",
        "Canada Southeast (Montreal)",
        "Montréal",
        "CA",
        45.50,
        -73.57,
        "ca-province:QC",
    ),
    (
        "mx-queretaro-1",
        "Mexico Central (Queretaro)",
        "Querétaro",
        "MX",
        20.59,
        -100.39,
        "country:MX",
    ),
    (
        "mx-monterrey-1",
        "Mexico Northeast (Monterrey)",
        "Monterrey",
        "MX",
        25.69,
        -100.32,
        "country:MX",
    ),
    ("sa-saopaulo-1", "Brazil East (Sao Paulo)", "São Paulo", "BR", -23.55, -46.63, "country:BR"),
    ("sa-vinhedo-1", "Brazil Southeast (Vinhedo)", "Vinhedo", "BR", -23.03, -46.98, "country:BR"),
    ("sa-santiago-1", "Chile Central (Santiago)", "Santiago", "CL", -33.45, -70.67, "country:CL"),
    (
        "sa-valparaiso-1",
        "Chile West (Valparaiso)",
        "Valparaíso",
        "CL",
        -33.05,
        -71.62,
        "country:CL",
    ),
    ("sa-bogota-1", "Colombia Central (Bogota)", "Bogotá", "CO", 4.71, -74.07, "country:CO"),
    ("uk-london-1", "UK South (London)", "London", "GB", 51.51, -0.13, "country:GB"),
    ("uk-cardiff-1", "UK West (Newport)", "Newport, Wales", "GB", 51.59, -3.00, "country:GB"),
    ("eu-frankfurt-1", "Germany Central (Frankfurt)", "Frankfurt", "DE", 50.11, 8.68, "country:DE"),
    (
        "eu-amsterdam-1",
        "Netherlands Northwest (Amsterdam)",
        "Amsterdam",
        "NL",
        52.37,
        4.90,
        "country:NL",
    ),
    ("eu-zurich-1", "Switzerland North (Zurich)", "Zurich", "CH", 47.38, 8.54, "country:CH"),
    ("eu-paris-1", "France Central (Paris)", "Paris", "FR", 48.86, 2.35, "country:FR"),
    ("eu-marseille-1", "France South (Marseille)", "Marseille", "FR", 43.30, 5.37, "country:FR"),
    ("eu-milan-1", "Italy Northwest (Milan)", "Milan", "IT", 45.46, 9.19, "country:IT"),
    ("eu-stockholm-1", "Sweden Central (Stockholm)", "Stockholm", "SE", 59.33, 18.07, "country:SE"),
    ("eu-madrid-1", "Spain Central (Madrid)", "Madrid", "ES", 40.42, -3.70, "country:ES"),
    (
        "eu-jovanovac-1",
        "Serbia Central (Jovanovac)",
        "Jovanovac (Kragujevac)",
        "RS",
        44.05,
        20.93,
        "country:RS",
    ),
    ("me-jeddah-1", "Saudi Arabia West (Jeddah)", "Jeddah", "SA", 21.49, 39.19, "country:SA"),
    ("me-riyadh-1", "Saudi Arabia Central (Riyadh)", "Riyadh", "SA", 24.71, 46.68, "country:SA"),
    ("me-dubai-1", "UAE East (Dubai)", "Dubai", "AE", 25.20, 55.27, "country:AE"),
    ("me-abudhabi-1", "UAE Central (Abu Dhabi)", "Abu Dhabi", "AE", 24.45, 54.38, "country:AE"),
    ("il-jerusalem-1", "Israel Central (Jerusalem)", "Jerusalem", "IL", 31.77, 35.21, "country:IL"),
    (
        "af-johannesburg-1",
        "South Africa Central (Johannesburg)",
        "Johannesburg",
        "ZA",
        -26.20,
        28.05,
        "country:ZA",
    ),
    ("ap-mumbai-1", "India West (Mumbai)", "Mumbai", "IN", 19.08, 72.88, "country:IN"),
    ("ap-hyderabad-1", "India South (Hyderabad)", "Hyderabad", "IN", 17.39, 78.49, "country:IN"),
    ("ap-tokyo-1", "Japan East (Tokyo)", "Tokyo", "JP", 35.68, 139.69, "country:JP"),
    ("ap-osaka-1", "Japan Central (Osaka)", "Osaka", "JP", 34.69, 135.50, "country:JP"),
    ("ap-seoul-1", "South Korea Central (Seoul)", "Seoul", "KR", 37.57, 126.98, "country:KR"),
    (
        "ap-chuncheon-1",
        "South Korea North (Chuncheon)",
        "Chuncheon",
        "KR",
        37.88,
        127.73,
        "country:KR",
    ),
    ("ap-singapore-1", "Singapore (Singapore)", "Singapore", "SG", 1.35, 103.82, "country:SG"),
    ("ap-singapore-2", "Singapore West (Singapore)", "Singapore", "SG", 1.34, 103.70, "country:SG"),
    ("ap-sydney-1", "Australia East (Sydney)", "Sydney", "AU", -33.87, 151.21, "au-state:NSW"),
    (
        "ap-melbourne-1",
        "Australia Southeast (Melbourne)",
        "Melbourne",
        "AU",
        -37.81,
        144.96,
        "au-state:VIC",
    ),
]

GPU_CLOUDS = {
    "coreweave": [
        ("LGA1", "US East (LGA1)", "Weehawken, New Jersey", "US", 40.77, -74.02, "ba:PJM"),
        ("ORD1", "US Central (ORD1)", "Chicago, Illinois", "US", 41.88, -87.63, "ba:PJM"),
        ("LAS1", "US West (LAS1)", "Las Vegas, Nevada", "US", 36.17, -115.14, "us-state:NV"),
    ],
    "lambda": [
        (
            "us-east-1",
            "Lambda us-east-1 (Virginia)",
            "Virginia",
            "US",
            38.90,
            -77.45,
            "us-state:VA",
            "Lambda publishes the state only; coordinates approximate.",
        ),
        (
            "us-west-1",
            "Lambda us-west-1 (California)",
            "California (SF Bay Area)",
            "US",
            37.77,
            -122.42,
            "us-state:CA",
            "Lambda publishes the state only; coordinates approximate.",
        ),
        (
            "us-west-2",
            "Lambda us-west-2 (Arizona)",
            "Arizona",
            "US",
            33.45,
            -112.07,
            "us-state:AZ",
            "Lambda publishes the state only; coordinates approximate (Phoenix).",
        ),
        (
            "us-west-3",
            "Lambda us-west-3 (Utah)",
            "Utah",
            "US",
            40.76,
            -111.89,
            "us-state:UT",
            "Lambda publishes the state only; coordinates approximate (Salt Lake City).",
        ),
        (
            "us-south-1",
            "Lambda us-south-1 (Texas)",
            "Texas",
            "US",
            32.78,
            -96.80,
            "us-state:TX",
            "Lambda publishes the state only; coordinates approximate (Dallas area).",
        ),
        (
            "us-midwest-1",
            "Lambda us-midwest-1 (Illinois)",
            "Illinois",
            "US",
            41.88,
            -87.63,
            "us-state:IL",
            "Lambda publishes the state only; coordinates approximate (Chicago).",
        ),
        (
            "europe-central-1",
            "Lambda europe-central-1 (Germany)",
            "Germany",
            "DE",
            50.11,
            8.68,
            "country:DE",
            "Country only; coordinates approximate (Frankfurt).",
        ),
        (
            "asia-northeast-1",
            "Lambda asia-northeast-1 (Japan)",
            "Tokyo",
            "JP",
            35.68,
            139.69,
            "country:JP",
            "Country only; coordinates approximate.",
        ),
        (
            "asia-south-1",
            "Lambda asia-south-1 (India)",
            "India",
            "IN",
            19.08,
            72.88,
            "country:IN",
            "Country only; coordinates approximate (Mumbai).",
        ),
        (
            "me-west-1",
            "Lambda me-west-1 (Israel)",
            "Israel",
            "IL",
            32.09,
            34.78,
            "country:IL",
            "Country only; coordinates approximate (Tel Aviv).",
        ),
    ],
    "scaleway": [
        ("fr-par", "Paris (fr-par)", "Paris", "FR", 48.86, 2.35, "country:FR"),
        ("nl-ams", "Amsterdam (nl-ams)", "Amsterdam", "NL", 52.37, 4.90, "country:NL"),
        ("pl-waw", "Warsaw (pl-waw)", "Warsaw", "PL", 52.23, 21.01, "country:PL"),
    ],
    "ovh": [
        ("gra", "Gravelines (GRA)", "Gravelines", "FR", 50.99, 2.13, "country:FR"),
        ("rbx", "Roubaix (RBX)", "Roubaix", "FR", 50.69, 3.18, "country:FR"),
        ("sbg", "Strasbourg (SBG)", "Strasbourg", "FR", 48.58, 7.75, "country:FR"),
        ("bhs", "Beauharnois (BHS)", "Beauharnois, Quebec", "CA", 45.31, -73.87, "ca-province:QC"),
        ("waw", "Warsaw (WAW)", "Ożarów Mazowiecki", "PL", 52.21, 20.80, "country:PL"),
        ("eri", "London (ERI)", "Erith", "GB", 51.48, 0.18, "country:GB"),
        ("lim", "Frankfurt (LIM)", "Limburg an der Lahn", "DE", 50.39, 8.06, "country:DE"),
        ("sgp", "Singapore (SGP)", "Singapore", "SG", 1.35, 103.82, "country:SG"),
        ("syd", "Sydney (SYD)", "Sydney", "AU", -33.87, 151.21, "au-state:NSW"),
        ("vin", "US East (VIN)", "Vint Hill, Virginia", "US", 38.75, -77.67, "ba:PJM"),
        ("hil", "US West (HIL)", "Hillsboro, Oregon", "US", 45.52, -122.99, "us-state:OR"),
    ],
    "nebius": [
        ("eu-north1", "Nebius eu-north1", "Mäntsälä", "FI", 60.63, 25.32, "country:FI"),
    ],
}
GPU_CLOUD_NAMES = {
    "coreweave": "CoreWeave",
    "lambda": "Lambda",
    "scaleway": "Scaleway",
    "ovh": "OVHcloud",
    "nebius": "Nebius",
}

CONTINENT_OF = {iso2: cont for iso2, cont in ISO3.values()}

# Provider fleet PUE (value, year, source, note)
PROVIDER_PUE: dict[str, tuple[str, list[tuple[int, float, str, str | None]]]] = {
    "gcp": (
        "Google Cloud",
        [(y, 1.10, "google-dc-efficiency", None) for y in range(2019, 2024)]
        + [(2024, 1.09, "google-dc-efficiency", None)],
    ),
    "aws": (
        "Amazon Web Services",
        [
            (2023, 1.15, "aws-sustainability-2024", None),
            (2024, 1.15, "aws-sustainability-2024", None),
        ],
    ),
    "azure": (
        "Microsoft Azure",
        [
            (
                2022,
                1.18,
                "microsoft-dc-sustainability",
                "Fleet average as reported by Microsoft; new designs target 1.12.",
            )
        ],
    ),
    "ovh": ("OVHcloud", [(2023, 1.26, "ovhcloud-csr-2023", "Fleet average, fiscal year 2023.")]),
}
FALLBACK_NOTE = "No published fleet PUE; Uptime Institute 2024 industry average as fallback."
for _pid, _name in [
    ("oci", "Oracle Cloud Infrastructure"),
    ("coreweave", "CoreWeave"),
    ("lambda", "Lambda"),
    ("scaleway", "Scaleway"),
    ("nebius", "Nebius"),
]:
    PROVIDER_PUE[_pid] = (_name, [(2024, 1.56, "uptime-survey-2024", FALLBACK_NOTE)])

CCF_GCP_PUE_YEAR = 2021


# --------------------------------------------------------------------------------------------
def fact(year: int, value: float, source: str, note: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"year": int(year), "value": float(value), "source": source}
    if note:
        out["note"] = note
    return out


def region(**kw: Any) -> dict[str, Any]:
    order = [
        "id", "kind", "name", "provider", "city", "country", "subdivision", "continent", "grid",
        "latitude", "longitude", "aliases", "intensity_g_per_kwh", "cfe_fraction", "pue",
        "profile", "price_index", "notes",
    ]  # fmt: skip
    return {k: kw[k] for k in order if kw.get(k) not in (None, [], ())}


EMBER = "ember-owid-carbon-intensity"
AU_SRC = "au-nga-2021"


def green_algorithms_ci(ref: Path) -> dict[str, dict[str, str]]:
    rows = read_ga_csv(ref / "green-algorithms-tool" / "CI_aggregated.csv")
    return {r["location"]: r for r in rows}


def read_ga_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()[1:]  # drop the units row of the 2-line header
    return list(csv.DictReader(lines))


def profile_means(profile_dir: Path) -> dict[str, float]:
    means = {}
    index = yaml.safe_load((profile_dir / "index.yaml").read_text())
    for p in index["profiles"]:
        df = pd.read_csv(profile_dir / p["file"])
        means[p["id"]] = round(float(df["intensity_g_per_kwh"].mean()), 1)
    return means


PROFILE_OF_GRID = {
    **{f"ba:{ba}": f"eia-{ba.lower()}-2022" for ba in BA_INFO},
    "country:FR": "rte-fr-2012-2022",
    "country:GB": "entsoe-gb-2020",
    "country:DE": "entsoe-de-2020",
}


def cloud_region(provider: str, row: tuple, **extra: Any) -> dict[str, Any]:
    code, name, city, country, lat, lon, grid, *rest = row
    notes = rest[0] if rest else None
    return region(
        id=f"{provider}:{code}",
        kind="cloud",
        name=name,
        provider=provider,
        city=city,
        country=country,
        continent=CONTINENT_OF[country],
        grid=grid,
        latitude=lat,
        longitude=lon,
        profile=PROFILE_OF_GRID.get(grid),
        notes=notes,
        **extra,
    )


# --------------------------------------------------------------------------------------------
def build_countries(ref: Path) -> tuple[list[dict], dict]:
    path = ref / "owid-ember-carbon-intensity" / "carbon-intensity-electricity.csv"
    rows: dict[str, dict[int, float]] = {}
    names: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            code = r["Code"]
            if not code or r["carbon_intensity"] == "":
                continue
            rows.setdefault(code, {})[int(r["Year"])] = float(r["carbon_intensity"])
            names[code] = r["Entity"]
    out = []
    for code in sorted(rows):
        if code.startswith("OWID_"):
            continue
        iso2, cont = ISO3[code]
        years = {y: v for y, v in rows[code].items() if y >= COUNTRY_FIRST_YEAR}
        if len(years) < 5:
            continue  # e.g. Western Sahara (data stops in 2009)
        out.append(
            region(
                id=f"country:{iso2}",
                kind="country",
                name=names[code],
                country=iso2,
                continent=cont,
                aliases=[code],
                intensity_g_per_kwh=[fact(y, round(v, 2), EMBER) for y, v in sorted(years.items())],
                profile=PROFILE_OF_GRID.get(f"country:{iso2}"),
            )
        )
    world = rows["OWID_WRL"]
    world_region = region(
        id="world:WORLD",
        kind="world",
        name="World",
        aliases=["WORLD"],
        intensity_g_per_kwh=[
            fact(y, round(v, 2), "ember-owid-carbon-intensity")
            for y, v in sorted(world.items())
            if y >= COUNTRY_FIRST_YEAR
        ],
    )
    return out, world_region


def build_us(ref: Path, means: dict[str, float]) -> list[dict]:
    egrid16 = json.loads((ref / "codecarbon" / "usa_emissions.json").read_text())
    e16 = {v["regionCode"]: v["emissions"] for v in egrid16.values()}
    ga = green_algorithms_ci(ref)
    out = []
    for code, name in US_STATES.items():
        facts = [
            fact(
                2016,
                round(e16[code] * LB_PER_MWH_TO_G_PER_KWH, 1),
                "epa-egrid-2016",
                "CO2 total output emission rate, converted from lb/MWh (x 0.45359237).",
            ),
            fact(2020, float(ga[f"US-{code}"]["carbonIntensity"]), "carbonfootprint-2022"),
        ]
        out.append(
            region(
                id=f"us-state:{code}",
                kind="grid",
                name=name,
                country="US",
                subdivision=f"US-{code}",
                continent=NA,
                aliases=[f"US-{code}"],
                intensity_g_per_kwh=facts,
            )
        )
    for code, (name, rate) in EGRID_2022.items():
        out.append(
            region(
                id=f"egrid:{code}",
                kind="grid",
                name=f"eGRID {code} ({name})",
                country=EGRID_COUNTRY.get(code, "US"),
                continent=NA,
                intensity_g_per_kwh=[
                    fact(
                        2022,
                        round(rate * LB_PER_MWH_TO_G_PER_KWH, 1),
                        "epa-egrid-2022",
                        f"CO2 only, total output rate {rate} lb/MWh (x 0.45359237).",
                    )
                ],
            )
        )
    for code, (name, state) in BA_INFO.items():
        pid = f"eia-{code.lower()}-2022"
        notes = None
        if code == "WAAT":
            notes = (
                "The dc-rl copy labelled WAAT is 99.7% identical to its BPAT file (apparently a "
                "Washington-state alias of BPAT); treat as BPAT, not as an independent BA."
            )
        out.append(
            region(
                id=f"ba:{code}",
                kind="grid",
                name=f"{name} ({code})",
                country="US",
                subdivision=f"US-{state}",
                continent=NA,
                intensity_g_per_kwh=[
                    fact(
                        2022,
                        means[pid],
                        "eia-930-2022",
                        f"Mean of the hourly series {pid} (EIA-930 mix x IPCC AR5 lifecycle "
                        "medians; see profiles/index.yaml).",
                    )
                ],
                profile=pid,
                notes=notes,
            )
        )
    return out


CA_NOTE = "Consumption intensity incl. T&D, NIR 2021 (2019 data), via carbonfootprint.com."


def build_canada(ref: Path) -> list[dict]:
    ga = green_algorithms_ci(ref)
    return [
        region(
            id=f"ca-province:{code}",
            kind="grid",
            name=name,
            country="CA",
            subdivision=f"CA-{code}",
            continent=NA,
            aliases=[f"CA-{code}"],
            intensity_g_per_kwh=[
                fact(2019, float(ga[ga_code]["carbonIntensity"]), "canada-nir-2021", CA_NOTE)
            ],
        )
        for code, (name, ga_code) in CA_PROVINCES.items()
    ]  # fmt: skip


def build_australia(ref: Path) -> list[dict]:
    ga = green_algorithms_ci(ref)
    out = []
    for code, (name, ga_code, extra) in AU_STATES.items():
        ci = float(ga[ga_code]["carbonIntensity"])
        note = "Scope 2 + 3 (full fuel cycle incl. T&D), 2019 data, via carbonfootprint.com."
        if extra:
            note += " " + extra + "."
        out.append(
            region(
                id=f"au-state:{code}",
                kind="grid",
                name=name,
                country="AU",
                subdivision=f"AU-{code}",
                continent=OC,
                aliases=[f"AU-{code}"],
                intensity_g_per_kwh=[fact(2019, ci, AU_SRC, note)],
            )
        )
    return out


def build_gcp(ref: Path) -> list[dict]:
    data: dict[str, dict[int, tuple[str | None, str]]] = {}
    location: dict[str, str] = {}
    for y in range(2019, 2025):
        with open(ref / "gcp-region-carbon-info" / f"{y}.csv", encoding="utf-8") as fh:
            for r in csv.reader(list(fh)[1:]):
                if not r:
                    continue
                code, loc, cfe, ci = r[0], r[1], r[2], r[3]
                data.setdefault(code, {})[y] = (cfe or None, ci)
                location[code] = loc
    prices = json.loads((ref / "gcp-region-picker" / "prices.json").read_text())
    base = prices["us-central1"]["gce"]
    pue = {}
    with open(ref / "cloud-carbon-footprint" / "ccf_pue.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["provider"] == "gcp" and r["region"] != "fleet_avg":
                pue[r["region"]] = float(r["PUE"])
    out = []
    for code in sorted(data):
        city, country, lat, lon, grid = GCP_SITES[code]
        years = data[code]
        intensity = []
        cfe = []
        for y, (c, ci) in sorted(years.items()):
            note = "Lifecycle grid intensity (method of the 2019-2020 files)." if y < 2021 else None
            intensity.append(fact(y, float(ci), f"google-region-carbon-{y}", note))
            if c is not None:
                cfe.append(fact(y, float(c), f"google-region-carbon-{y}"))
        pue_facts = []
        if code in pue:
            pue_facts.append(
                fact(
                    CCF_GCP_PUE_YEAR,
                    pue[code],
                    "ccf-google-pue",
                    "Campus trailing-twelve-month PUE.",
                )
            )
        price = prices.get(code, {}).get("gce")
        out.append(
            region(
                id=f"gcp:{code}",
                kind="cloud",
                name=f"{code} ({location[code]})",
                provider="gcp",
                city=city,
                country=country,
                continent=CONTINENT_OF[country],
                grid=grid,
                latitude=lat,
                longitude=lon,
                intensity_g_per_kwh=intensity,
                cfe_fraction=cfe,
                pue=pue_facts,
                profile=PROFILE_OF_GRID.get(grid),
                price_index=round(price / base, 3) if price else None,
                notes=GCP_NOTES.get(code),
            )
        )
    return out


def build_azure() -> list[dict]:
    return [cloud_region("azure", row, aliases=[f"Azure {row[1]}"]) for row in AZURE]


def providers_file() -> dict:
    providers = []
    for pid, (name, facts) in PROVIDER_PUE.items():
        pue = [fact(y, v, s, n) for y, v, s, n in facts]
        providers.append({"id": pid, "name": name, "pue": pue})
    return {"providers": providers}


# --------------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


class _Flow(dict):
    pass


def _flow_repr(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


def _dict_repr(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)


_Dumper.add_representer(_Flow, _flow_repr)
_Dumper.add_representer(dict, _dict_repr)


def _flowify(obj: Any) -> Any:
    if isinstance(obj, dict):
        if {"year", "value", "source"} <= set(obj):
            return _Flow(obj)
        return {k: _flowify(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_flowify(v) for v in obj]
    return obj


def dump(name: str, content: dict, comment: str) -> None:
    header = f"# Generated by tools/compile_regions.py - do not edit by hand.\n# {comment}\n"
    data = _flowify(content)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    (DB / name).write_text(header + text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ref = parser.parse_args().reference
    means = profile_means(DB / "profiles")
    countries, world = build_countries(ref)
    dump("sources.yaml", {"sources": SOURCES}, "Every YearFact.source is a key of this mapping.")
    dump("providers.yaml", providers_file(), "Provider fleet PUE by year.")
    dump("countries.yaml", {"regions": countries}, "Countries (Ember / OWID, CC BY 4.0).")
    dump("world.yaml", {"regions": [world]}, "World average (Ember / OWID, CC BY 4.0).")
    dump("us.yaml", {"regions": build_us(ref, means)}, "US states, eGRID subregions, EIA BAs.")
    dump("canada.yaml", {"regions": build_canada(ref)}, "Canadian provinces and territories.")
    dump("australia.yaml", {"regions": build_australia(ref)}, "Australian states and territories.")
    dump("gcp.yaml", {"regions": build_gcp(ref)}, "Google Cloud regions (region-carbon-info).")
    dump("aws.yaml", {"regions": [cloud_region("aws", r) for r in AWS]}, "AWS regions.")
    dump("azure.yaml", {"regions": build_azure()}, "Microsoft Azure regions.")
    dump("oci.yaml", {"regions": [cloud_region("oci", r) for r in OCI]}, "Oracle Cloud regions.")
    gpu = [cloud_region(p, r) for p, rows in GPU_CLOUDS.items() for r in rows]
    dump("gpu-clouds.yaml", {"regions": gpu}, "GPU / specialist clouds.")
    print(f"countries={len(countries)} gpu={len(gpu)} profiles={len(means)}")


if __name__ == "__main__":
    main()
