"""The one pipeline validates a scenario once: solving a validated scenario never dumps and re-validates it."""

from __future__ import annotations

from typing import Any

import pytest

from paceline.chain import solve
from paceline.fit import athlete as fa
from paceline.io.scenario import Scenario, load_scenario, scenario_from_dict


class _CountingValidator:
    """Stands in for ``Scenario.__pydantic_validator__`` (which every ``Scenario(...)``, ``model_validate`` and
    ``model_validate_json`` goes through) and counts its validations."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.count = 0

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if not name.startswith("validate_"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return attr(*args, **kwargs)

        return counted


@pytest.mark.parametrize("model", ["equal-power", "critical-speed"])
def test_one_solve_validates_the_scenario_once(model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    load_scenario("monaco2023")  # the bundled race she calibrates on is validated once per process, not per solve
    data = load_scenario("breaking4").model_dump(mode="json", exclude_none=True)
    data["athlete"]["performances"][0]["time_s"] -= 0.37  # a new athlete: calibrated (and fitted) in this solve
    data["conditions"]["temperature_c"] = 21.3
    fa.CALIBRATIONS.clear()
    counter = _CountingValidator(Scenario.__pydantic_validator__)
    monkeypatch.setattr(Scenario, "__pydantic_validator__", counter)
    race = solve(scenario_from_dict(data), model)
    assert counter.count == 1 and race.finish_s > 0
