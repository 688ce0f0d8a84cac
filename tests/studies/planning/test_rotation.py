"""Pacer rotation: each pacer against their own slot's line, fresh teams kept, no slot filled silently."""

from __future__ import annotations

from typing import Any

import pytest

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.studies.planning.plan import pacer_roles
from paceline.studies.planning.rotation import optimise_rotation, stint_need

FAST = [{"distance_m": 800, "time": "1:46.00"}, {"distance_m": 1500, "time": "3:36.00"}]


def _arrowhead_fresh_at_800() -> dict[str, Any]:
    """The issue's reproducer: the Breaking2 arrowhead all the way, team A to 800 m, fresh team B after."""
    data = load_scenario("breaking4-optimal").model_dump(exclude_none=True)
    data["pacers"] = [{"name": f"{t}{i}", "performances": FAST} for t in "AB" for i in range(1, 7)]
    data["pacing"] = [
        {"from_m": 0, "to_m": 800, "formation": "breaking2-arrowhead", "pacers": [f"A{i}" for i in range(1, 7)]},
        {
            "from_m": 800,
            "to_m": data["distance_m"],
            "formation": "breaking2-arrowhead",
            "pacers": [f"B{i}" for i in range(1, 7)],
        },
    ]
    data["formations"] = {}
    return data


def test_fresh_team_is_kept_and_every_stint_is_within_capability() -> None:
    sc = scenario_from_dict(_arrowhead_fresh_at_800())
    res = optimise_rotation(sc)
    after = {a["pacer"] for a in res.assignments if a["phase"] == 1}
    assert "A6" not in after  # the issue: A6 kept for the mile in a slot A6 cannot hold
    assert not res.unfilled
    for r in pacer_roles(res.scenario, solve(res.scenario)):
        assert r.margin is not None and r.margin >= 0  # checked as the plan checks it, on the slot's own line


def test_pacer_is_checked_on_their_own_line_not_her_mean_speed() -> None:
    data = _arrowhead_fresh_at_800()
    sc = scenario_from_dict(data)
    race = solve(sc)
    form = sc.formation("breaking2-arrowhead")
    slots = {s.name: s for s in form.slots}
    inner = max(form.slots, key=lambda s: -s.dy_m)  # innermost slot
    outer = max(form.slots, key=lambda s: s.dy_m)
    need = {}
    for s in (inner, outer):
        dist, t0, t1 = stint_need(sc, race, s.dx_m, s.dy_m, form.athlete_offset_m + s.dy_m, 0.0, 800.0)
        need[s.name] = dist / (t1 - t0)
    # outer slots run further on the bends: (R + d) / (R + a) of her speed (track geometry)
    assert need[outer.name] > need[inner.name] > 0
    t = float(race.time_at(800.0))
    v_mid = 0.5 * (need[inner.name] + need[outer.name])
    # pacers whose capability over the stint lies between the two lines (one performance: Riegel gives exactly
    # distance / time at that duration)
    data["pacers"] = [{"name": f"P{i}", "performances": [{"distance_m": v_mid * t, "time_s": t}]} for i in range(12)]
    data["pacing"] = [
        {"from_m": 0, "to_m": 800, "formation": "breaking2-arrowhead"},
        {"from_m": 800, "to_m": data["distance_m"], "formation": "solo"},
    ]
    res = optimise_rotation(scenario_from_dict(data))
    unfilled = {u["slot"] for u in res.unfilled if u["phase"] == 0}
    assert outer.name in unfilled and inner.name not in unfilled
    for u in res.unfilled:
        assert u["need_m_s"] > v_mid * 0.999  # only slots whose own line is faster than they can hold
    assert set(slots) - unfilled == {a["slot"] for a in res.assignments if a["phase"] == 0}


def test_slot_nobody_can_hold_is_unfilled_and_said() -> None:
    data = _arrowhead_fresh_at_800()
    for p in data["pacers"]:
        p["performances"] = [{"distance_m": 800, "time_s": 150.0}]  # 2:30 800 m runners: 5.3 m/s, she runs 6.7
    res = optimise_rotation(scenario_from_dict(data))
    assert not res.assignments and len(res.unfilled) == 12
    assert len([n for n in res.notes if "unfilled" in n]) == 12
    assert all(ph.formation == "solo" for ph in res.scenario.phases())


def test_reserve_out_of_range_names_it() -> None:
    with pytest.raises(ScenarioError, match="reserve"):
        optimise_rotation(load_scenario("breaking4-optimal"), reserve=0.5)
