"""The athlete as the models read her: a body and the parameters of each model, with where they come from.

A model never calibrates or fits itself: :mod:`paceline.fit.athlete` turns a scenario's athlete (a calibration
race, her performances) into an :class:`AthleteParams`, and ``model.solve(course, athlete)`` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from paceline.errors import ScenarioError
from paceline.physics.metabolic import DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.race import Assumption


@dataclass(frozen=True)
class AthleteParams:
    """A calibrated athlete.

    Attributes
    ----------
    name : str
        The athlete's name.
    height_m : float
        Body height [m].
    mass_kg : float
        Body mass [kg].
    power_w_kg : float or None
        Metabolic power she sustains over the race distance [W/kg] (equal-power model).
    cs_m_s : float or None
        Critical speed [m/s] (critical-speed model).
    dprime_m : float or None
        Distance capacity D' [m] (critical-speed model).
    oc : OCParams or None
        Keller / Aftalion parameters (optimal-control model; :class:`paceline.models.optimal_control.OCParams`).
    curve : str
        Treadmill cost curve that maps speed to metabolic power (:data:`paceline.physics.metabolic.COST_CURVES`).
    source : str
        Where the parameters come from (a race, a fit of performances, given).
    assumptions : tuple of Assumption
        The inputs behind the parameters, for the Race's table of inputs.
    meta : dict
        Anything else the calibration reports (segment powers, fit errors).
    """

    name: str
    height_m: float
    mass_kg: float
    power_w_kg: float | None = None
    cs_m_s: float | None = None
    dprime_m: float | None = None
    oc: Any = None
    curve: str = DEFAULT_CURVE
    source: str = ""
    assumptions: tuple[Assumption, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def require(self, name: str, model: str) -> Any:
        """The parameter ``name``, or a :class:`ScenarioError` saying that ``model`` needs it."""
        value = getattr(self, name)
        if value is None:
            raise ScenarioError(f"the {model} model needs the athlete's {name}; it was not calibrated", "athlete")
        return value

    def with_changes(self, **changes: Any) -> AthleteParams:
        """A copy with some fields replaced."""
        return replace(self, **changes)
