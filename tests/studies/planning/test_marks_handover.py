"""The lights operator's sheet data (track marks, trains, pacing changes) and the pacer cards' data (handovers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from paceline.chain import solve
from paceline.errors import ScenarioError
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.studies.planning.handover import handovers, pacer_cards
from paceline.studies.planning.marks import lights_sheet, mark_crossings
from paceline.studies.planning.plan import light_schedule, make_plan


def scenario(distance_m: float = 1609.344, pacing: list[dict[str, Any]] | None = None, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "name": "t",
        "distance_m": distance_m,
        "target": "3:59.99" if distance_m < 2000 else None,
        "athlete": {"name": "Faith Kipyegon", "height_m": 1.57, "mass_kg": 42, "calibration": "monaco2023"},
        "formations": {
            "two": {"slots": [{"name": "front", "dx_m": 1.3, "dy_m": 0.0}, {"name": "side", "dx_m": 0.5, "dy_m": 1.0}]},
            "one": {"slots": [{"name": "front", "dx_m": 1.3, "dy_m": 0.0}]},
        },
        "pacing": pacing or [],
        **extra,
    }
    return scenario_from_dict({k: v for k, v in data.items() if v is not None})


def test_a_mile_passes_the_marks_9344_m_after_each_hundred() -> None:
    # DESIGN.md / World Athletics: the mile starts 9.344 m before the finish line
    rows = mark_crossings(scenario())
    assert rows[0]["mark"] == "start" and rows[0]["race_distance_m"] == 0.0
    x = np.array([r["race_distance_m"] for r in rows[1:]])
    assert x == pytest.approx(9.344 + 100.0 * np.arange(17), abs=1e-6)
    assert [r["mark"] for r in rows[1:5]] == ["finish line", "100 m mark", "200 m mark", "300 m mark"]
    assert rows[-1]["mark"] == "finish line" and rows[-1]["lap"] == 4
    assert {r["lap"] for r in rows if r["race_distance_m"] <= 9.345} == {0}


def test_a_1500_m_starts_on_the_100_m_mark_and_first_crosses_the_line_at_300_m() -> None:
    rows = mark_crossings(scenario(1500.0))
    assert rows[0]["race_distance_m"] == 0.0 and rows[0]["mark"] == "100 m mark"
    line = [r["race_distance_m"] for r in rows if r["mark"] == "finish line"]
    assert line[0] == pytest.approx(300.0) and line[-1] == pytest.approx(1500.0)


def test_target_train_runs_even_pace_and_plan_train_matches_the_split_table() -> None:
    sc = load_scenario("kram2025")
    race = solve(sc)
    sheet = lights_sheet(sc, race)
    trains = {t["train"]: t for t in sheet["trains"]}
    assert set(trains) == {"target", "plan", "lead-pacer"}
    target = trains["target"]
    for m in target["marks"]:
        assert m["time_s"] == pytest.approx(sc.target_s * m["race_distance_m"] / sc.distance_m)
    full = [lp for lp in target["laps"] if lp["lap_m"] > 399]
    assert [lp["lap_s"] for lp in full] == pytest.approx([sc.target_s * 400 / sc.distance_m] * len(full))
    # the plan train's lap lines are the race's own split table (Race.split_rows)
    splits = race.split_rows()
    assert [lp["time_s"] for lp in trains["plan"]["laps"]] == pytest.approx([s["time_s"] for s in splits])
    assert "green" in target["label"] and "target" in target["label"]
    # the lead pacer's lights run ahead of the plan by the lead slot's gap: earlier at every mark
    lead, plan = trains["lead-pacer"]["marks"], trains["plan"]["marks"]
    assert all(a["time_s"] < b["time_s"] for a, b in zip(lead[1:], plan[1:], strict=True))


def test_pacing_changes_list_every_formation_change() -> None:
    sc = scenario(
        pacing=[{"from_m": 0, "to_m": 800, "formation": "two"}, {"from_m": 800, "to_m": 1609.344, "formation": "one"}]
    )
    sheet = lights_sheet(sc, solve(sc))
    for tr in sheet["trains"]:
        why = [c for c in tr["changes"] if "formation" in c["why"]]
        assert [c["race_distance_m"] for c in why] == [800.0]
        assert "two -> one" in why[0]["why"]


def test_a_road_race_has_no_lights() -> None:
    sc = load_scenario("breaking2")
    with pytest.raises(ScenarioError) as exc:
        light_schedule(sc, solve(sc))
    assert exc.value.field == "track.kind" and "pacing lights need a track" in str(exc.value)
    assert make_plan(sc).lights == []


def test_handover_to_the_pacer_in_the_same_slot_and_nobody_when_the_slot_closes() -> None:
    sc = scenario(
        pacing=[
            {"from_m": 0, "to_m": 400, "formation": "two", "pacers": ["A", "B"]},
            {"from_m": 400, "to_m": 800, "formation": "two", "pacers": ["C", "B"]},
            {"from_m": 800, "to_m": 1609.344, "formation": "one", "pacers": ["C"]},
        ],
        pacers=[{"name": n} for n in "ABC"],
    )
    pl = make_plan(sc)
    hand = handovers(pl.roles, sc.distance_m)
    assert [(h["at_m"], h["out"], h["in"]) for h in hand] == [(400.0, "A", "C"), (800.0, "B", None)]
    cards = {c["name"]: c for c in pacer_cards(pl)}
    assert cards["A"]["stints"][0]["handed_to"] == "C"
    assert cards["C"]["stints"][0]["takes_over_from"] == "A"
    assert cards["B"]["stints"][0]["handed_to"] is None and not cards["B"]["stints"][0]["to_finish"]
    assert cards["C"]["stints"][-1]["to_finish"]


def test_card_splits_are_at_the_marks_the_pacer_passes() -> None:
    sc = scenario(
        pacing=[{"from_m": 0, "to_m": 1609.344, "formation": "two", "pacers": ["A", "B"]}],
        pacers=[{"name": "A"}, {"name": "B"}],
    )
    pl = make_plan(sc)
    cards = {c["name"]: c for c in pacer_cards(pl)}
    front, side = cards["A"]["stints"][0], cards["B"]["stints"][0]
    # the front pacer (1.3 m ahead) reaches each mark when she is 1.3 m behind it
    for s in front["splits"]:
        assert s["her_at_m"] == pytest.approx(s["pacer_at_m"] - 1.3)
        assert s["time_s"] == pytest.approx(float(pl.race.time_at(s["her_at_m"])))
    assert [s["mark"] for s in front["splits"][:2]] == ["finish line", "100 m mark"]
    # in line: her metres, so over a whole lap the same pace as hers; 1 m outside: 2 pi m more per lap, faster
    lap_front = sum(s["segment_s"] for s in front["splits"][1:5])
    lap_side = sum(s["segment_s"] for s in side["splits"][1:5])
    assert lap_front == pytest.approx(lap_side, abs=0.05)  # both hold their slot: the same clock per lap
    assert np.mean([s["pace_s_per_400m"] for s in side["splits"][1:5]]) < np.mean(
        [s["pace_s_per_400m"] for s in front["splits"][1:5]]
    )
    assert any("outside her" in n for n in side["notes"]) and not any("outside her" in n for n in front["notes"])
    assert front["lead"] and not side["lead"]


def test_a_pacer_is_told_to_lead_only_where_the_slot_is_the_lead_of_its_phase() -> None:
    from paceline.render.pacer_cards import briefing_markdown, plan_info

    # as at the Bowerman Mile 2023: M 2.6 m and S 1.3 m in line ahead to 400 m, S alone ahead to 1000 m, then nobody
    sc = scenario(
        pacing=[
            {"from_m": 0, "to_m": 400, "formation": "line", "pacers": ["S", "M"]},
            {"from_m": 400, "to_m": 1000, "formation": "one", "pacers": ["S"]},
            {"from_m": 1000, "to_m": 1609.344, "formation": "solo"},
        ],
        pacers=[{"name": "S"}, {"name": "M"}],
        formations={
            "line": {"slots": [{"name": "front", "dx_m": 1.3, "dy_m": 0.0}, {"name": "lead", "dx_m": 2.6, "dy_m": 0}]},
            "one": {"slots": [{"name": "front", "dx_m": 1.3, "dy_m": 0.0}]},
        },
    )
    pl = make_plan(sc)
    cards = {c["name"]: c for c in pacer_cards(pl)}
    (s,), (m,) = cards["S"]["stints"], cards["M"]["stints"]
    assert (s["enter_m"], s["leave_m"]) == (0.0, 1000.0)  # one stint: the same slot in both phases
    assert m["lead"] and m["lead_spans"] == [(0.0, 400.0)]
    assert s["lead"] and s["lead_spans"] == [(400.0, 1000.0)]
    text = briefing_markdown(cards["S"], plan_info(pl))
    assert "(you lead from 400 m to 1000 m: follow the lead-pacer lights)" in text
    assert "slot 'lead' (you lead: follow the lead-pacer lights)" in briefing_markdown(cards["M"], plan_info(pl))


def test_a_pacers_own_metres_add_up_over_a_stint() -> None:
    # the metres on a pacer's own line over a stint are the sum over its 200 m segments (the card's pace uses the
    # whole stretch at once), and a lap of it is 2 pi x (its offset from the lane-1 line) more than 400 m
    import math

    from paceline.studies.planning.plan import own_line_m, pacer_segments

    pl = make_plan(load_scenario("breaking4"))
    for role in pl.roles[:6]:
        whole = own_line_m(pl.scenario, role, role.enter_m, role.leave_m)
        parts = sum(s["distance_m"] for s in pacer_segments(pl.scenario, pl.race, role))
        assert whole == pytest.approx(parts, abs=1e-9), role.name
        if role.leave_m - role.enter_m >= 400.0:
            lap = own_line_m(pl.scenario, role, role.enter_m, role.enter_m + 400.0)
            assert lap - 400.0 == pytest.approx(2 * math.pi * (role.offset_m - 0.30), abs=1e-6), role.name
