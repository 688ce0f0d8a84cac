"""The README's optimal-control tables: shelter gained over running solo, and the predictions with the air charged
at its metabolic rate or only mechanically (Keller).

Run: ``python docs/optimal_control_tables.py``.
"""

from __future__ import annotations

import paceline
from paceline.chain import get_model
from paceline.io.scenario import scenario_from_dict
from paceline.timefmt import format_time

SCENARIOS = ["kram2025", "breaking4", "breaking4-optimal"]


def solo(name: str) -> paceline.Scenario:
    """The scenario with every phase run alone (no pacers)."""
    data = paceline.load_scenario(name).model_dump(exclude_none=True)
    data["pacing"] = [{"from_m": 0.0, "to_m": data["distance_m"], "formation": "solo"}]
    data["name"] = f"{name}-solo"
    return scenario_from_dict(data)


def time_s(scenario: paceline.Scenario, model: str, aero_cost: str | None = None) -> float:
    m = get_model(model, aero_cost=aero_cost) if aero_cost else get_model(model)
    return paceline.solve(scenario, m).finish_s


print("| scenario pair | equal-power | optimal-control, metabolic | optimal-control, mechanical |")
print("|---|---|---|---|")
for name in SCENARIOS:
    sc, alone = paceline.load_scenario(name), solo(name)
    gains = [
        time_s(alone, "equal-power") - time_s(sc, "equal-power"),
        time_s(alone, "optimal-control", "metabolic") - time_s(sc, "optimal-control", "metabolic"),
        time_s(alone, "optimal-control", "mechanical") - time_s(sc, "optimal-control", "mechanical"),
    ]
    print(f"| `{name}` vs solo | " + " | ".join(f"{g:.1f} s" for g in gains) + " |")

print()
print("| scenario | optimal-control (metabolic) | optimal-control (mechanical) | equal-power |")
print("|---|---|---|---|")
for name in SCENARIOS:
    sc = paceline.load_scenario(name)
    row = [
        time_s(sc, "optimal-control", "metabolic"),
        time_s(sc, "optimal-control", "mechanical"),
        time_s(sc, "equal-power"),
    ]
    print(f"| `{name}` | " + " | ".join(format_time(t) for t in row) + " |")
