"""A race prediction: a scenario solved by a model, or an athlete known only by her performances carried to a race.

:func:`predict` solves a scenario (optionally with one formation held the whole race); :func:`predict_from_performances`
builds the solo scenario of an athlete known by her performances (:func:`paceline.io.scenario.solo_scenario`), solves
it, and states her ability's 90 % interval: the performance model's interval for the solo, still-air, sea-level
equivalent (:func:`paceline.fit.performance_model.predict_time`), carried to the race by the ratio of the race's
predicted time to that solo time. Both return a :class:`RacePrediction`, which turns itself into the JSON object and
the table rows ``paceline predict`` prints (and the web app can serve).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paceline.errors import ScenarioError
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.fit.performance_model import Prediction
    from paceline.io.athletes import Body
    from paceline.io.scenario import Performance, Scenario
    from paceline.models.race import Race

log = logging.getLogger(__name__)

__all__ = [
    "Ability",
    "RacePrediction",
    "performance_requirements",
    "predict",
    "predict_from_performances",
    "uses_performance_model",
    "with_formation",
]

#: Splits of a road race in the prediction's table [m] (every 5 km, as road races report them).
ROAD_SPLIT_M = 5000.0


@dataclass(frozen=True)
class Ability:
    """Her ability from the performance model, and how it is carried to the race.

    Attributes
    ----------
    solo : paceline.fit.performance_model.Prediction
        The performance model's median and 90 % interval [s] for the solo, still-air, sea-level race.
    race_s : float
        The model's predicted time of the race itself [s].
    nearest_distance_m : float or None
        Her performance nearest the race distance (in log distance) [m], when it is not the race distance.
    exponent_from_nearest : float or None
        Riegel's exponent that carries her nearest time to the solo prediction.
    extrapolated : str or None
        Says so when the race distance lies beyond her performances (the interval is widened).
    """

    solo: Prediction
    race_s: float
    nearest_distance_m: float | None = None
    exponent_from_nearest: float | None = None
    extrapolated: str | None = None

    @property
    def ratio(self) -> float:
        """Race time over solo time [-]: what carries the solo interval to the race."""
        return self.race_s / self.solo.time_s

    @property
    def interval_s(self) -> tuple[float, float]:
        """Her 90 % interval for the race [s]: the solo interval times :attr:`ratio` (it holds ``race_s``)."""
        return self.solo.low_s * self.ratio, self.solo.high_s * self.ratio

    def rows(self, whose: str = "her") -> list[tuple[str, str]]:
        """``(quantity, value)`` rows: the race's interval, the solo prediction, the extrapolation, the exponents
        (``whose``: the possessive that names her, ``her``, ``his`` or ``the athlete's``)."""
        lo, hi = self.interval_s
        solo = self.solo
        rows = [
            (f"90 % interval ({whose} ability)", f"{format_time(lo)} to {format_time(hi)}"),
            (
                "solo, still air, sea level, cool day",
                f"{format_time(solo.time_s)} (performance model; 90 % {format_time(solo.low_s)} to "
                f"{format_time(solo.high_s)})",
            ),
        ]
        if self.extrapolated is not None:
            rows.append(
                ("beyond the performances", f"{self.extrapolated} (interval widened by the extrapolation factor)")
            )
        if self.nearest_distance_m is not None and self.exponent_from_nearest is not None:
            rows.append(
                (f"Riegel exponent from {whose} {self.nearest_distance_m:g} m", f"{self.exponent_from_nearest:.3f}")
            )
        rows.append(("exponent b at 1500 m, before the bend", f"{solo.exponent:.3f} ± {solo.exponent_sd:.3f}"))
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The ``performance_model`` object of ``paceline predict --json``."""
        return {
            "solo_time_s": self.solo.time_s,
            "solo_interval_90_s": [self.solo.low_s, self.solo.high_s],
            "interval_90_s": list(self.interval_s),
            "exponent": self.solo.exponent,
            "exponent_sd": self.solo.exponent_sd,
            "nearest_distance_m": self.nearest_distance_m,
            "exponent_from_nearest": self.exponent_from_nearest,
            "extrapolated": self.extrapolated,
        }


@dataclass(frozen=True)
class RacePrediction:
    """A predicted race and what it rests on.

    Attributes
    ----------
    scenario : Scenario
        The scenario solved (for a prediction from performances: her solo scenario).
    race : Race
        The predicted race.
    body : Body or None
        The body used for a prediction from performances (None: the scenario's athlete).
    sex : str or None
        Her sex when known (``F`` or ``M``); performances alone do not say.
    ability : Ability or None
        Her ability's interval from the performance model (predictions from performances with the equal-power model).
    """

    scenario: Scenario
    race: Race
    body: Body | None = None
    sex: str | None = None
    ability: Ability | None = None

    @property
    def interval_s(self) -> tuple[float, float] | None:
        """Her ability's 90 % interval for the race [s], when the performance model gave one."""
        return None if self.ability is None else self.ability.interval_s

    @property
    def title(self) -> str:
        """``Prediction: <scenario description>``."""
        return f"Prediction: {self.scenario.description or self.scenario.name}"

    def to_dict(self) -> dict[str, Any]:
        """The prediction as the JSON object of ``paceline predict --json``."""
        sc, race = self.scenario, self.race
        out = race.summary()
        out["athlete"] = {
            "name": sc.athlete.name,
            "height_m": sc.athlete.height_m,
            "mass_kg": sc.athlete.mass_kg,
            "body_source": self.body.source if self.body is not None else f"scenario {sc.name}",
            "drag_area_m2": sc.athlete.drag_area_m2,
        }
        out["target_s"] = sc.target_s
        if sc.result is not None:
            out["actual_s"] = sc.result.time_s
        if self.ability is not None:
            out["performance_model"] = self.ability.to_dict()
        return out

    def split_rows(self) -> list[dict[str, Any]]:
        """The race's splits as printed: at the lap lines on a track, every 5 km on the road
        (:meth:`paceline.models.race.Race.split_rows`)."""
        return self.race.split_rows(ROAD_SPLIT_M if self.scenario.track.kind == "road" else None)

    def rows(self) -> list[tuple[str, str]]:
        """The prediction as ``(quantity, value)`` rows, as ``paceline predict`` prints them."""
        from paceline.io.athletes import pronouns

        sc, race, ab = self.scenario, self.race, self.ability
        whose = pronouns(self.sex).possessive if self.sex else "the athlete's"
        body = (
            self.body.label
            if self.body is not None
            else f"{sc.athlete.height_m:g} m, {sc.athlete.mass_kg:g} kg (scenario)"
        )
        rows = [("scenario", sc.name), ("model", race.model), ("body", body), ("predicted", race.finish)]
        if ab is not None:
            rows += ab.rows(whose)
        if sc.target_s:
            rows.append(("target", format_time(sc.target_s)))
        if sc.result is not None:
            rows.append(("as raced", format_time(sc.result.time_s)))
        # to the millimetre, as the plan prints them (1209.344 m, not 1209.34 m)
        rows += [(f"split {s['distance_m']:.3f}".rstrip("0").rstrip(".") + " m", s["time"]) for s in self.split_rows()]
        return rows

    def input_rows(self) -> list[list[str]]:
        """The inputs and their sources: ``[input, value with unit, source]`` rows."""
        return [[a.name, f"{a.value} {a.unit}".strip(), a.source] for a in self.race.assumptions]


def with_formation(scenario: Scenario, formation: str) -> Scenario:
    """The scenario with one formation held the whole race (named ``<name>+<formation>``).

    Raises
    ------
    ScenarioError
        A formation the scenario does not know (field ``pacing[0].formation``).
    """
    from paceline.io.scenario import scenario_from_dict

    data = scenario.model_dump(exclude_none=True, exclude={"target_s"})
    data["target_s"] = scenario.target_s
    data["pacing"] = [{"from_m": 0.0, "to_m": scenario.distance_m, "formation": formation}]
    data["name"] = f"{scenario.name}+{formation}"
    return scenario_from_dict({k: v for k, v in data.items() if v is not None})


def predict(scenario: Scenario, model: str | None = None, formation: str | None = None) -> RacePrediction:
    """Predict a scenario's race.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    model : str, optional
        Model name (default: the scenario's).
    formation : str, optional
        Hold this formation the whole race instead of the scenario's pacing (:func:`with_formation`).
    """
    from paceline.chain import solve

    sc = scenario if formation is None else with_formation(scenario, formation)
    return RacePrediction(sc, solve(sc, model), sex=sc.athlete.sex)


def uses_performance_model(model: str | None) -> bool:
    """Whether a prediction from performances with ``model`` states her ability's interval: the equal-power model
    (the default) is calibrated on the performance model's solo prediction; the others fit their own parameters."""
    return model in (None, "equal-power")


def performance_requirements(model: str | None) -> tuple[tuple[float, float] | None, int]:
    """What the performances must hold for ``model``: the distances the model supports [m] (None: any) and the fewest
    distances (1 for the performance model, 2 for a fit of critical-speed or optimal-control); the arguments of
    :func:`paceline.fit.performances.read_performances_csv`."""
    from paceline.fit.performance_inputs import DISTANCE_RANGE_M

    return (DISTANCE_RANGE_M, 1) if uses_performance_model(model) else (None, 2)


def predict_from_performances(
    performances: Sequence[Performance],
    distance_m: float,
    *,
    model: str | None = None,
    formation: str | None = None,
    athlete: str | None = None,
    height_m: float | None = None,
    mass_kg: float | None = None,
    sex: str | None = None,
    drag_area_m2: float | None = None,
    name: str | None = None,
) -> RacePrediction:
    """Predict the race of an athlete known by her performances, on the solo scenario of ``distance_m``.

    Parameters
    ----------
    performances : sequence of Performance
        Her results (see :func:`performance_requirements` for what each model needs).
    distance_m : float
        Race distance [m].
    model : str, optional
        Model name (default: equal-power, which also states her ability's 90 % interval).
    formation : str, optional
        Bundled formation held the whole race (default ``solo``).
    athlete : str, optional
        Her name: the body listed for it (:func:`paceline.io.athletes.body_for`) and her sex, when listed.
    height_m, mass_kg : float, optional
        Her height [m] and mass [kg], over the listed or default body.
    sex : str, optional
        ``F`` or ``M``: the default body of her sex when no body is listed or given.
    drag_area_m2 : float, optional
        Her measured drag area CdA [m^2] (default: from height and mass).
    name : str, optional
        The athlete's name in the scenario when ``athlete`` is not given (default ``athlete``).

    Raises
    ------
    ScenarioError
        A distance that is not positive (field ``distance_m``), a body, formation or drag area out of range (naming
        the field), performances the model cannot use.
    """
    from paceline.chain import solve
    from paceline.io.athletes import body_for, reference_sex
    from paceline.io.scenario import solo_scenario

    if not distance_m > 0:
        raise ScenarioError(f"{distance_m:g} is not allowed; a distance must be positive", "distance_m")
    body = body_for(athlete, height_m, mass_kg, sex)
    known_sex = sex or reference_sex(athlete)  # performances alone do not say
    sc = solo_scenario(
        list(performances),
        distance_m,
        body.height_m,
        body.mass_kg,
        formation or "solo",
        name=athlete or name or "athlete",
        sex=known_sex or "F",  # the scenario needs one; the body says what it used
        drag_area_m2=drag_area_m2,
    )
    solo = _solo_prediction(sc) if uses_performance_model(model) else None  # before the solve: its errors are simpler
    race = solve(sc, model)
    ability = None if solo is None else Ability(solo[0], race.finish_s, *solo[1:])
    return RacePrediction(sc, race, body=body, sex=known_sex, ability=ability)


def _solo_prediction(sc: Scenario) -> tuple[Prediction, float | None, float | None, str | None]:
    """Her solo prediction from the solo, still-air, sea-level equivalents of her performances (the times the
    calibration uses), her nearest performance's distance [m] and the exponent from it, and the extrapolation note."""
    from paceline.fit import calculators as calc
    from paceline.fit.paced import solo_equivalents
    from paceline.fit.performance_inputs import beyond_span
    from paceline.fit.performance_model import predict_time

    d = sc.distance_m
    solo = solo_equivalents(sc.athlete)
    solo_d = [p.distance_m for p in solo]
    pred = predict_time(solo_d, [p.time_s for p in solo], d, where="athlete.performances")
    near = solo[calc.nearest_index(solo_d, d)]
    nearest, exponent = None, None
    if near.distance_m != d:  # Riegel's exponent that carries her nearest time to the prediction
        nearest, exponent = near.distance_m, calc.riegel_fit([near.distance_m, d], [near.time_s, pred.time_s])[1]
    return pred, nearest, exponent, beyond_span(solo_d, d)
