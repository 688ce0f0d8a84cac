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
