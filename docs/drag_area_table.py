"""Kipyegon's drag area and what it does to ``paceline predict kram2025``: the README table.

The default drag area is Cd 0.9 x 0.266 x DuBois body surface area (Pugh 1971). A measured value replaces it with
``[athlete] drag_area_m2`` in the scenario (the same value is then used in her calibration race, Monaco 2023). No
measured drag area of hers is published, so the other rows are a what-if sweep, not measurements.

Run: ``python docs/drag_area_table.py``.
"""

from paceline.chain import solve
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.physics import aero
from paceline.timefmt import format_time

base = load_scenario("kram2025")
ath = base.athlete
pugh_m2 = float(aero.drag_area(ath.height_m, ath.mass_kg))
t0 = solve(base).finish_s
print(f"{ath.name} ({ath.height_m:g} m, {ath.mass_kg:g} kg), kram2025 (paper: 3:59.37)")
print()
print("| drag area | m^2 | kram2025 | vs default |")
print("|---|---|---|---|")
print(f"| {aero.drag_area_source(None)} (default) | {pugh_m2:.3f} | {format_time(t0)} | 0.00 s |")
data = base.model_dump(exclude_none=True)
for area in (0.20, 0.25, 0.30, 0.35, 0.40):
    data["athlete"]["drag_area_m2"] = area
    t = solve(scenario_from_dict(data)).finish_s
    print(f"| drag_area_m2 = {area:.2f} (what-if, not measured) | {area:.3f} | {format_time(t)} | {t - t0:+.2f} s |")
