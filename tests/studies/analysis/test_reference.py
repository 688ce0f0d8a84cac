"""A reference the athlete could run, and the Shapley split of a time difference."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from paceline.errors import ScenarioError
from paceline.io.races import load_race
from paceline.io.scenario import load_scenario, scenario_from_dict
from paceline.physics.formation import Formation, Slot
from paceline.studies.analysis.attribution import Reference
from paceline.studies.analysis.compare import compare
from paceline.studies.analysis.race_analysis import analyze
from paceline.studies.analysis.reference import best_runnable_formation, formation_runnable, shapley_split


def test_shapley_of_an_additive_game_is_each_players_own_value() -> None:
    w = {"a": 1.0, "b": -2.0, "c": 0.5}
    out = shapley_split(list(w), lambda s: sum(w[i] for i in s))
    assert out == pytest.approx(w)


def test_shapley_shares_an_interaction_equally_and_adds_up() -> None:
    """v(S) = sum of own values + 3 when both a and b are in S: the 3 is split 1.5 / 1.5 (symmetry axiom), and the
    shares add up to v(all) - v(none) (efficiency), whatever the order of a sequential substitution would say."""
    w = {"a": 1.0, "b": 2.0, "c": -1.0}

    def v(s: frozenset[str]) -> float:
        return sum(w[i] for i in s) + (3.0 if {"a", "b"} <= s else 0.0)

    out = shapley_split(list(w), v)
    assert out == pytest.approx({"a": 2.5, "b": 3.5, "c": -1.0})
    assert sum(out.values()) == pytest.approx(v(frozenset(w)) - v(frozenset()))
    # and it is the mean of the sequential shares over every order
    orders = list(itertools.permutations(w))
    mean = dict.fromkeys(w, 0.0)
    for order in orders:
        done: set[str] = set()
        for c in order:
            mean[c] += (v(frozenset(done | {c})) - v(frozenset(done))) / len(orders)
            done.add(c)
    assert out == pytest.approx(mean)


def test_a_slot_inside_the_kerb_is_not_runnable() -> None:
    sc = load_scenario("breaking4")
    form = Formation("tight", (Slot("in", 1.3, -0.6),), athlete_offset_m=0.3)
    check = formation_runnable(form, sc, 6.5, 246.0)
    assert not check.ok and "inside" in check.reasons[0]


def _with_pacers(times: list[str]) -> Any:
    data = load_scenario("breaking4").model_dump(exclude_none=True)
    data["pacers"] = [{"name": f"P{i}", "performances": [{"distance_m": 1500, "time": t}]} for i, t in enumerate(times)]
    for ph in data["pacing"]:
        ph.pop("pacers", None)
    return scenario_from_dict(data)


def test_the_roster_limits_the_reference() -> None:
    """Six pacers who can each hold 1500 m in 3:36 (6.94 m/s) can run the arrowhead at her 6.53 m/s; three cannot
    fill it, so the best runnable reference needs at most three slots; pacers of 4:30 for 1500 m (5.56 m/s, Riegel)
    can hold none, so the reference is solo."""
    fast = _with_pacers(["3:36"] * 6)
    name, _, _, check = best_runnable_formation(fast, 1609.344 / 246.42, 246.42)
    assert name == "breaking2-arrowhead" and check.pacers_checked
    assert {row["pacer"] for row in check.lines} == {f"P{i}" for i in range(6)}
    three = _with_pacers(["3:36"] * 3)
    _, _, form, _ = best_runnable_formation(three, 1609.344 / 246.42, 246.42)
    assert form.n_pacers <= 3
    slow = _with_pacers(["4:30"] * 6)
    assert best_runnable_formation(slow, 1609.344 / 246.42, 246.42)[0] == "solo"


def test_a_given_reference_that_cannot_be_run_names_the_flag() -> None:
    race = load_race("breaking4_2025")
    with pytest.raises(ScenarioError) as info:
        analyze(race, scenario=None, reference=Reference(formation="ineos-v.toml"))
    assert info.value.field in {"reference_formation", "formation"}


def test_analysis_and_comparison_shapley_add_up_exactly() -> None:
    b4 = analyze(load_race("breaking4_2025"))
    assert sum(b4.shapley.values()) == pytest.approx(b4.total_vs_reference_s, abs=1e-9)
    assert sum(b4.time_lost.values()) == pytest.approx(b4.total_vs_reference_s, abs=1e-9)
    assert b4.to_dict()["reference"]["athlete_offset_m"] == 1.2  # the arrowhead's (data/formations)
    mo = analyze(load_race("monaco_2023"))
    c = compare(mo, b4)
    assert sum(c.shapley.values()) == pytest.approx(c.difference_s, abs=1e-9)
    assert sum(s["seconds"] for s in c.steps) == pytest.approx(c.difference_s, abs=1e-9)
