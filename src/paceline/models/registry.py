"""The one table of race models: each model's name, its class, its parameter type and its calibration.

Every place that turns a model's name into something (the chain, the command line, the web app, sweeps, the fits
of performances) looks it up here (:func:`model_spec`), so a model is added in one row. The classes and the
calibration are named by dotted path and imported only when used: ``paceline --help`` and a table of names import
none of them, and the calibration (in :mod:`paceline.fit.athlete`, a layer above the models) is resolved by the
chain, never called by a model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paceline.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.athlete import AthleteParams


def _resolve(path: str) -> Any:
    """The object a ``"package.module:name"`` path names (imported now)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class ModelSpec:
    """A race model's row of the table.

    Attributes
    ----------
    name : str
        The model's name (``model = "..."`` in a scenario, ``--model`` on the command line).
    summary : str
        One line on what it does.
    model_class : str
        Its class, ``"module:Class"``; ``model_class(**options)`` is the model (``solve(course, athlete)``); the
        class owns its ``name`` (this row's) and ``params_type`` (a subclass of
        :class:`~paceline.models.athlete.AthleteParams`).
    calibration : str
        Its calibration, ``"module:function"``, called as ``function(scenario, curve=..., draft_params=...,
        aero_cost=...)`` and returning an instance of the class's ``params_type``.
    fit : str
        The fit of performances behind it (``paceline fit --model``), ``"module:function"`` taking
        ``(performances, height_m, mass_kg)`` and returning a :class:`~paceline.fit.result.FitResult`.
    monte_carlo : bool
        Whether the Monte Carlo runs it (:mod:`paceline.studies.uncertainty.montecarlo`).
    measured_drag_area : bool
        Whether it uses an athlete's measured ``drag_area_m2`` (the others derive drag from height and mass).
    """

    name: str
    summary: str
    model_class: str
    calibration: str
    fit: str
    monte_carlo: bool = False
    measured_drag_area: bool = False

    def model(self, **options: Any) -> Any:
        """A new instance of the model, with its options (e.g. ``n_intervals``, ``step_m``)."""
        return _resolve(self.model_class)(**options)

    def params_type(self) -> type[AthleteParams]:
        """Its athlete parameters' type (the model class's ``params_type``)."""
        cls: type[AthleteParams] = _resolve(self.model_class).params_type
        return cls

    def calibrate(self) -> Any:
        """Its calibration function (see ``calibration``)."""
        return _resolve(self.calibration)

    def fit_function(self) -> Any:
        """Its fit of performances (see ``fit``)."""
        return _resolve(self.fit)


#: The race models, by name; the first is the default.
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="equal-power",
            summary="even metabolic power, calibrated on a race she ran or her performances (fast)",
            model_class="paceline.models.equal_power:EqualPowerModel",
            calibration="paceline.fit.athlete:equal_power_params",
            fit="paceline.fit.performances:fit_critical_power",
            monte_carlo=True,
            measured_drag_area=True,
        ),
        ModelSpec(
            name="critical-speed",
            summary="the even effort that uses D' by the finish, CS and D' fitted to her performances",
            model_class="paceline.models.critical_speed:CriticalSpeedModel",
            calibration="paceline.fit.athlete:critical_speed_params",
            fit="paceline.fit.performances:fit_critical_speed",
        ),
        ModelSpec(
            name="optimal-control",
            summary="the fastest pacing (Keller / Aftalion, direct collocation), fitted to her performances",
            model_class="paceline.models.optimal_control:OptimalControlModel",
            calibration="paceline.fit.athlete:optimal_control_params",
            fit="paceline.fit.optimal_control:fit_optimal_control",
            monte_carlo=True,
        ),
    )
}

#: The default model's name.
DEFAULT_MODEL = next(iter(MODELS))


def model_names() -> tuple[str, ...]:
    """The models' names, in the table's order."""
    return tuple(MODELS)


def model_spec(name: str | None, field: str = "model") -> ModelSpec:
    """The row of a model by name (None: the default), else a :class:`ScenarioError` naming ``field``."""
    spec = MODELS.get(name or DEFAULT_MODEL)
    if spec is None:
        raise ScenarioError(f"{name!r} is not a model; allowed {', '.join(MODELS)}", field)
    return spec
