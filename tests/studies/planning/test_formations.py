"""Formations compared and designed (what ``paceline formations`` and ``formations design`` print), as studies."""

from __future__ import annotations

import json

import numpy as np
import pytest

from paceline.errors import ScenarioError
from paceline.io.fitted import drafting_draws, drafting_params
from paceline.io.formations import get_formation
from paceline.jsonable import to_jsonable
from paceline.physics import drafting
from paceline.studies.planning.formations import MILE_4_00_M_S, FormationDesign, design_and_compare, formation_summary


@pytest.fixture(scope="module")
def two() -> FormationDesign:
    return design_and_compare(2, min_spacing_m=0.9, lanes=2, quantile=0.10, seed=0)


def test_the_drag_kipyegon_meets_alone_at_4_00_mile_pace() -> None:
    row = formation_summary(get_formation("solo"), drafting_params(), drafting_draws())
    # model_anchors.md: Kipyegon at 4:00 mile pace in air of 1.20 kg/m^3 meets about 8.9 N alone
    assert row["drag_solo_n"] == pytest.approx(8.9, abs=0.3)
    assert row["shelter"] == 0.0 and row["drag_saved_n"] == 0.0


def test_a_summary_is_consistent_with_itself() -> None:
    row = formation_summary(get_formation("line-2"), drafting_params(), drafting_draws())
    assert row["shelter_low"] <= row["shelter"] <= row["shelter_high"]
    assert row["drag_saved_n"] == pytest.approx(row["shelter"] * row["drag_solo_n"], abs=2e-3)
    assert row["power_saved_w"] == pytest.approx(row["drag_saved_n"] * MILE_4_00_M_S, abs=0.02)


def test_the_design_and_the_named_formations_on_the_same_draws(two: FormationDesign) -> None:
    res, q = two.result, two.result.quantile
    assert two.formation.n_pacers == 2 and len(two.slots) == 2
    assert res.shelter_low <= res.shelter_pessimistic <= res.shelter_high  # its 10th percentile between the 5th/95th
    assert res.min_spacing_m >= 0.9 - 1e-9  # the spacing asked for holds
    pess = [r["shelter_pessimistic"] for r in two.compare]
    assert pess == sorted(pess, reverse=True)
    draws = drafting_draws()
    for r in two.compare:
        assert r["pacers"] > 0 and r["shelter_low"] <= r["shelter_pessimistic"] <= r["shelter_high"]
        shelters = drafting.formation_shelter_draws(get_formation(r["name"]), draws)
        assert r["shelter_pessimistic"] == pytest.approx(float(np.quantile(shelters, q)), abs=1e-4)
    # free to place two pacers anywhere the limits allow, it shelters her at least as well as either named pair
    pairs = [r for r in two.compare if r["name"] in ("line-2", "front-back")]
    assert len(pairs) == 2 and all(res.shelter_pessimistic >= r["shelter_pessimistic"] for r in pairs)


def test_the_json_is_what_the_command_prints(two: FormationDesign) -> None:
    data = json.loads(json.dumps(to_jsonable(two.to_dict()), allow_nan=False))
    assert data["name"] == "designed-2" and data["pacers"] == 2 and data["lanes"] == 2
    assert data["shelter_pessimistic"] == pytest.approx(two.result.shelter_pessimistic, abs=5e-5)
    assert [s["name"] for s in data["slots"]] == [s.name for s in two.formation.slots]
    assert {"name", "pacers", "shelter", "shelter_low", "shelter_high", "shelter_pessimistic"} == set(
        data["compare"][0]
    )


def test_bad_input_names_the_parameter() -> None:
    with pytest.raises(ScenarioError, match=r"^n_pacers: "):
        design_and_compare(0)
    with pytest.raises(ScenarioError, match=r"^lanes: "):
        design_and_compare(2, lanes=9)
