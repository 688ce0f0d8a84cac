"""The athlete as the models read her: a body, and each model's own typed parameters, with where they come from.

A model never calibrates or fits itself: its calibration (named in :mod:`paceline.models.registry`, in
:mod:`paceline.fit.athlete`) turns a scenario's athlete (a calibration race, her performances) into the model's own
parameters, and ``model.solve(course, athlete)`` runs them:

- :class:`EqualPowerParams`: the metabolic power she sustains and the cost curve (equal-power model);
- :class:`CriticalSpeedParams`: critical speed and D' (critical-speed model);
- :class:`OptimalControlParams`: the Keller / Aftalion parameters (optimal-control model).

All share :class:`AthleteParams`: her name and body, where the parameters come from, and the assumptions behind them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Self

from paceline.errors import ScenarioError
from paceline.physics.metabolic import DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.keller import OCParams
    from paceline.models.race import Assumption


@dataclass(frozen=True)
class AthleteParams:
    """A calibrated athlete: what every model's parameters share.

    Attributes
    ----------
    name : str
        The athlete's name.
    height_m : float
        Body height [m].
    mass_kg : float
        Body mass [kg].
    source : str
        Where the parameters come from (a race, a fit of performances, given).
    assumptions : tuple of Assumption
        The inputs behind the parameters, for the Race's table of inputs.
    meta : dict
        Anything else the calibration reports (segment powers, fit errors).
    """

    #: The model these parameters are for (its name in :data:`paceline.models.registry.MODELS`).
    model: ClassVar[str] = ""

    name: str
    height_m: float
    mass_kg: float
    source: str = ""
    assumptions: tuple[Assumption, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, athlete: AthleteParams, model: str | None = None) -> Self:
        """``athlete`` if it holds this model's parameters, else a :class:`ScenarioError` (field ``athlete``)."""
        if not isinstance(athlete, cls):
            raise ScenarioError(
                f"the {model or cls.model} model needs {cls.__name__}; the athlete was calibrated for the "
                f"{athlete.model or 'no'} model ({type(athlete).__name__})",
                "athlete",
            )
        return athlete

    def with_changes(self, **changes: Any) -> Self:
        """A copy with some fields replaced."""
        return replace(self, **changes)


@dataclass(frozen=True, kw_only=True)
class EqualPowerParams(AthleteParams):
    """The equal-power model's athlete.

    Attributes
    ----------
    power_w_kg : float
        Metabolic power she sustains over the race distance [W/kg].
    curve : str
        Treadmill cost curve that maps speed to metabolic power (:data:`paceline.physics.metabolic.COST_CURVES`).
    """

    model: ClassVar[str] = "equal-power"

    power_w_kg: float
    curve: str = DEFAULT_CURVE


@dataclass(frozen=True, kw_only=True)
class CriticalSpeedParams(AthleteParams):
    """The critical-speed model's athlete.

    Attributes
    ----------
    cs_m_s : float
        Critical speed [m/s].
    dprime_m : float
        Distance capacity D' [m].
    curve : str
        Treadmill cost curve that carries her solo speed to the course (:data:`paceline.physics.metabolic.COST_CURVES`).
    """

    model: ClassVar[str] = "critical-speed"

    cs_m_s: float
    dprime_m: float
    curve: str = DEFAULT_CURVE


@dataclass(frozen=True, kw_only=True)
class OptimalControlParams(AthleteParams):
    """The optimal-control model's athlete.

    Attributes
    ----------
    oc : OCParams
        Keller / Aftalion parameters (:class:`paceline.models.keller.OCParams`).
    """

    model: ClassVar[str] = "optimal-control"

    oc: OCParams
