"""The Breaking4 mile (``paceline predict breaking4``) with its altitude and temperature changed: the README table.

Run: ``python docs/altitude_heat_table.py``.
"""

from paceline.chain import solve
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.timefmt import format_time

base = load_scenario("breaking4").model_dump(exclude_none=True)
temps = (10.0, 20.0, 30.0, 35.0)
print("| altitude | " + " | ".join(f"{t:g} degC" for t in temps) + " |")
print("|---|" + "---|" * len(temps))
for alt in (0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0):
    cells = []
    for t in temps:
        data = {**base, "conditions": {**base["conditions"], "altitude_m": alt, "temperature_c": t}}
        data["conditions"].pop("temperature_c_range", None)
        data["conditions"].pop("pressure_pa", None)
        cells.append(format_time(solve(scenario_from_dict(data)).finish_s))
    print(f"| {alt:g} m | " + " | ".join(cells) + " |")
