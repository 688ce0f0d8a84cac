"""Energetics models: each turns a scenario's forces into a :class:`~paceline.models.race.Race`.

``solve(scenario, model=None)`` dispatches on the model name (the scenario's own by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paceline.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race

MODELS = ("equal-power", "critical-speed", "optimal-control")


def solve(scenario: Scenario, model: str | None = None) -> Race:
    """Solve a scenario with a model (default: the scenario's ``model``).

    Raises
    ------
    ScenarioError
        For an unknown model name.
    """
    name = model or scenario.model
    if name not in MODELS:
        raise ScenarioError(f"{name!r} is not a model; allowed {', '.join(MODELS)}", "model")
    if name == "equal-power":
        from paceline.models.equal_power import EqualPowerModel

        return EqualPowerModel().solve(scenario)
    if name == "critical-speed":
        from paceline.models.critical_speed import CriticalSpeedModel

        return CriticalSpeedModel().solve(scenario)
    from paceline.models.optimal_control import OptimalControlModel

    return OptimalControlModel().solve(scenario)
