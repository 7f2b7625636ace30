"""Dodge et al. (2022)'s time-shifting experiment re-run over every bundled zone series.

For each Electricity Maps zone with an hourly series (its newest bundled year), the mean savings
over every start hour t0 of that year, as in Dodge et al. Section 5 (Tables 4-5): Flexible Start
with a fixed flexibility of +24 h, and Pause and Resume with a flexibility of +100% of the job
length, for three of their job lengths: 6 h (BERT fine-tuning), 36 h (BERT pre-training) and
216 h (ViT Huge, about 9 days). Prints a Markdown table for ``docs/timeshift.md``.

With ``--marginal``, the same over EPA AVERT's 2023 hourly marginal rates of the 14 AVERT
regions: the kind of signal Dodge et al. used (WattTime marginal rates).

Run: ``.venv/bin/python tools/dodge_by_zone.py [--marginal]`` (seconds).

References
----------
.. [1] Dodge, Prewitt, Tachet des Combes, Odmark, Schwartz, Strubell, Luccioni, Smith, DeCario,
   Buchanan (2022), "Measuring the Carbon Intensity of AI in Cloud Instances", FAccT '22,
   Section 5 and Tables 2, 4-5. https://arxiv.org/abs/2206.05229
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wattprint.db.loader import load_databases, profile_years  # noqa: E402
from wattprint.db.series import load_profile  # noqa: E402
from wattprint.engine.timeshift import savings_distribution  # noqa: E402

JOBS_H = (6.0, 36.0, 216.0)
FLEX_START_H = 24.0
PAUSE_FRACTION = 1.0


def rows(prefix: str = "em-") -> list[tuple[str, int, float, list[float]]]:
    db = load_databases(ROOT).regions
    newest: dict[str, object] = {}
    for profile in db.profiles.values():
        if profile.id.startswith(prefix):
            held = newest.get(profile.grid)
            if held is None or profile.start > held.start:  # type: ignore[attr-defined]
                newest[profile.grid] = profile
    out = []
    for zone, profile in sorted(newest.items()):
        series = load_profile(db.profile_path(profile))  # type: ignore[arg-type]
        cells = []
        for job in JOBS_H:
            cells.append(savings_distribution(series, "flexible-start", job, FLEX_START_H, gaps="fill").mean)
        for job in JOBS_H:
            flex = job * PAUSE_FRACTION
            cells.append(savings_distribution(series, "pause-resume", job, flex, gaps="fill").mean)
        out.append((zone.split(":", 1)[1], profile_years(profile)[0], float(series.mean()), cells))  # type: ignore[arg-type]
    return out


def main() -> None:
    table = rows("avert-" if "--marginal" in sys.argv[1:] else "em-")
    jobs = " | ".join(f"{job:g} h" for job in JOBS_H)
    print(f"| zone | year | mean [g/kWh] | FS +24h: {jobs} | P&R +100%: {jobs} |".replace(" | 36", " | 36"))
    print("|---|---:|---:|" + "---:|" * (2 * len(JOBS_H)))
    for zone, year, mean, cells in table:
        print(f"| {zone} | {year} | {mean:.0f} | " + " | ".join(f"{100 * c:.1f}" for c in cells) + " |")
    means = [sum(r[3][i] for r in table) / len(table) for i in range(2 * len(JOBS_H))]
    print(f"| **mean of {len(table)} zones** | | | " + " | ".join(f"**{100 * m:.1f}**" for m in means) + " |")


if __name__ == "__main__":
    main()
