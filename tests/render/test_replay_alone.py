"""The replay of a race without its scenario: the athlete alone on a standard track, with the one default body."""

from __future__ import annotations

import pytest

from paceline.chain import solve
from paceline.io.scenario import load_scenario
from paceline.render.replay import replay_payload


def test_a_race_without_its_scenario_replays_alone_with_the_same_finish() -> None:
    race = solve(load_scenario("breaking4"))
    alone = replay_payload(race)
    full = replay_payload(race, load_scenario("breaking4"))
    # the runner's own positions and finish do not depend on the placeholder's body (io.athletes.body_for's
    # generic body, not a second copy of one): the race is the race that was solved
    assert alone["finish_s"] == full["finish_s"] == pytest.approx(race.finish_s, abs=1e-3)
    assert alone["athlete"] == "athlete" and alone["roles"] == [] and len(full["roles"]) > 0  # no pacers alone
    assert alone["splits"] == full["splits"]


def test_the_track_drawing_is_made_once_per_track_and_each_caller_has_its_own() -> None:
    # an edit of the weather or the pacers does not redraw the track; a caller's change to its drawing is not kept
    import numpy as np

    from paceline.io.scenario import load_scenario
    from paceline.render import replay

    sc = load_scenario("breaking4")
    replay._track_drawing.cache_clear()
    first = replay.track_drawing(sc)
    first["lanes"][0]["x_m"][0] = 999.0
    first["kind"] = "road"
    again = replay.track_drawing(sc.model_copy(update={"target_s": 250.0}))
    assert replay._track_drawing.cache_info().hits == 1 and again["kind"] == "oval"
    replay._track_drawing.cache_clear()
    fresh = replay.track_drawing(sc)  # oracle: drawn afresh
    assert np.array_equal(again["lanes"][0]["x_m"], fresh["lanes"][0]["x_m"]) and again["lanes"][0]["x_m"][0] != 999.0
    assert np.array_equal(again["start"]["x_m"], fresh["start"]["x_m"])
