"""The README's tables of predictions: every bundled scenario with each model, and kram2025 with each cost curve.

Run: ``python docs/predictions_table.py``; it prints two Markdown tables (about a minute: the optimal-control model
fits each athlete once, then solves).
"""

from __future__ import annotations

import paceline
from paceline.errors import PacelineError
from paceline.fit.athlete import athlete_params
from paceline.physics import metabolic
from paceline.timefmt import format_time

SCENARIOS = ["monaco2023", "breaking4", "kram2025", "breaking4-optimal", "hoogkamer2018", "breaking2", "ineos159"]
MODELS = ["equal-power", "critical-speed", "optimal-control"]


def cell(name: str, model: str) -> str:
    try:
        t = paceline.solve(paceline.load_scenario(name), model).finish_s
    except PacelineError as exc:
        return f"n/a ({exc.__class__.__name__})"
    return format_time(t, 0 if t > 3600 else 2)


print("| scenario | " + " | ".join(MODELS) + " | as raced |")
print("|---|" + "---|" * (len(MODELS) + 1))
for name in SCENARIOS:
    sc = paceline.load_scenario(name)
    raced = format_time(sc.result.time_s) if sc.result is not None else "-"
    print(f"| {name} | " + " | ".join(cell(name, m) for m in MODELS) + f" | {raced} |")

print()
print("| cost curve | elasticity at mile pace | kram2025 |")
print("|---|---|---|")
sc = paceline.load_scenario("kram2025")
v = 1609.344 / 240.0
for curve in ("black2018", "kipp2019", "batliner2018", "leger1984"):
    elasticity = metabolic.treadmill_power_slope(v, curve) * v / metabolic.treadmill_power_w_kg(v, curve)
    her = athlete_params(sc, "equal-power", curve=curve)
    print(f"| {curve} | {float(elasticity):.2f} | {paceline.solve(sc, 'equal-power', athlete=her).finish} |")
