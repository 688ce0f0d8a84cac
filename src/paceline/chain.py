"""The one pipeline: scenario -> course -> athlete -> model -> Race.

Every command, study and the web app solves a scenario through :func:`solve`, so a number is computed the same way
wherever it is shown. The stages are also available on their own (:func:`get_model`, :func:`course_for`,
:func:`athlete_for`) for studies that re-run one stage many times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from paceline.models.registry import model_spec

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.athlete import AthleteParams
    from paceline.models.course import Course
    from paceline.models.race import Race
    from paceline.physics.drafting import DraftParams


class Model(Protocol):
    """What every model offers: its name, the type of athlete parameters it runs, the course spacing it wants."""

    name: str
    step_m: float

    @property
    def params_type(self) -> type[AthleteParams]:  # pragma: no cover - a protocol
        """The type of athlete parameters it runs (a class attribute of each model)."""
        ...

    def solve(self, course: Course, athlete: AthleteParams) -> Race:  # pragma: no cover - a protocol
        """Run the course with the athlete."""
        ...


def get_model(model: str | Model | None = None, **options: Any) -> Model:
    """A model by name (:data:`paceline.models.registry.MODELS`; None: the default), or the model itself.

    Raises
    ------
    ScenarioError
        For an unknown model name (field ``model``).
    """
    if model is not None and not isinstance(model, str):
        return model
    instance: Model = model_spec(model).model(**options)
    return instance


def course_for(scenario: Scenario, model: Model, draft_params: DraftParams | None = None) -> Course:
    """The scenario's course sampled as the model wants it."""
    from paceline.models.course import build_course

    return build_course(scenario, step_m=model.step_m, draft_params=draft_params)


def athlete_for(scenario: Scenario, model: Model, draft_params: DraftParams | None = None) -> AthleteParams:
    """The scenario's athlete calibrated for the model, as its own parameter type (the model's calibration in
    :data:`paceline.models.registry.MODELS`, through :func:`paceline.fit.athlete.athlete_params`)."""
    from paceline.fit.athlete import athlete_params

    return athlete_params(scenario, model.name, draft_params=draft_params, aero_cost=getattr(model, "aero_cost", None))


def solve(
    scenario: Scenario,
    model: str | Model | None = None,
    *,
    athlete: AthleteParams | None = None,
    draft_params: DraftParams | None = None,
) -> Race:
    """Solve a scenario: build its course, calibrate its athlete, run the model.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    model : str or model, optional
        A model name or instance (default: the scenario's ``model``).
    athlete : AthleteParams, optional
        A calibrated athlete to use instead of calibrating the scenario's.
    draft_params : DraftParams, optional
        Shelter-model parameters (default: the shipped best fit), for the course and the calibration race alike.

    Returns
    -------
    Race
        The race, with ``meta["target_s"]`` and ``meta["target_gap_s"]`` when the scenario has a target.
    """
    m = get_model(model or scenario.model)
    course = course_for(scenario, m, draft_params)
    ath = athlete if athlete is not None else athlete_for(scenario, m, draft_params)
    race = m.solve(course, ath)
    if scenario.target_s is not None:
        race.meta["target_s"] = scenario.target_s
        race.meta["target_gap_s"] = race.finish_s - scenario.target_s
    return race
