"""The athlete a model runs, from what the scenario knows of her: the one calibration rule.

Which effort calibrates her (:func:`calibration_effort`), from ``athlete.calibration``:

1. a race scenario (a bundled name or a ``.toml`` path with a ``[result]``) that *she* ran: the same athlete id
   (:func:`paceline.io.athletes.athlete_id`) and the same body. A race run by someone else (or by a different body)
   would lend her another athlete's W/kg: it is refused (``athlete.calibration``), unless the scenario has
   performances at two or more distances, which then calibrate her instead (and the output says so);
2. ``"self"``: the scenario's own ``[result]`` (a race that was run, replayed on its own power) - only when asked;
3. ``"performances"``, or nothing: her performances (two or more distances): the performance model's time over the
   scenario's distance (:mod:`paceline.fit.performance_model`, the predictor that wins the leave-one-out benchmark),
   run solo on the lane-1 line in still reference air (:func:`paceline.models.common.reference_course`).

A scenario never calibrates on its own ``[result]`` unless it says ``"self"``. The equal-power power is the
time-weighted mean of the split segments' constant powers on that effort's course
(:func:`paceline.models.equal_power.segment_powers`: the inverse of the one kernel). The critical-speed model reads
CS and D' from the fit of her performances; the optimal-control model its fitted Keller/Aftalion parameters.
The equal-power calibration is memoised on what it depends on only (:func:`calibration_key`), so a change of
race-day weather, formation or target re-uses it and only carries the power to the new air.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError, ScenarioError
from paceline.fit.calculators import RIEGEL_EXPONENT
from paceline.fit.effort import CALIBRATION_STEP_M, FORM_CV, CalibrationEffort, calibrated_power, race_effort
from paceline.io.athletes import pronouns
from paceline.io.cache import Memo
from paceline.models.athlete import AthleteParams, CriticalSpeedParams, EqualPowerParams, OptimalControlParams
from paceline.models.race import Assumption
from paceline.models.registry import model_spec
from paceline.physics.metabolic import DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.drafting import DraftParams

log = logging.getLogger(__name__)

#: Largest ratio between the calibration race's distance and the scenario's [-] over which her mean power carries
#: unchanged: the ratio at which Riegel's exponent (mean speed ~ distance^(1 - 1.06)) moves her mean speed by one
#: race-to-race CV (:data:`~paceline.fit.effort.FORM_CV`), about 1.14 (the mile and the 1500 m: 1.07). Further,
#: equal power is not her power: a mile's W/kg held over 5000 m is minutes too fast.
CALIBRATION_DISTANCE_RATIO = (1.0 - FORM_CV) ** (-1.0 / (RIEGEL_EXPONENT - 1.0))


def _performance_effort(scenario: Scenario) -> CalibrationEffort:
    from paceline.fit.paced import solo_equivalents
    from paceline.fit.performance_inputs import beyond_span
    from paceline.fit.performance_model import loo_errors_pct, outliers, predict_time
    from paceline.models.common import reference_course

    ath = scenario.athlete
    solo = solo_equivalents(ath)
    d = [p.distance_m for p in solo]
    t = [p.time_s for p in solo]
    pred = predict_time(d, t, scenario.distance_m, where="athlete.performances")
    for i, err in outliers(d, t):
        log.warning(
            "athlete.performances[%d] (%g m in %.2f s) disagrees with the athlete's other performances: they predict "
            "%.2f s (%.1f %% %s); a tactical race, a bad day or a typo?",
            i,
            d[i],
            t[i],
            t[i] * (1.0 + err / 100.0),
            abs(err),
            "slower" if err > 0 else "faster",
        )
    course = reference_course(scenario.distance_m, ath.height_m, ath.mass_kg, CALIBRATION_STEP_M, ath.drag_area_m2)
    return CalibrationEffort(
        kind="performances",
        source=(
            f"performance model of {len(d)} performances: solo {pred.time_s:.2f} s "
            f"(90 % {pred.low_s:.2f}-{pred.high_s:.2f} s)"
            + (f"; {far}" if (far := beyond_span(d, scenario.distance_m)) else "")
        ),
        course=course,
        segments=((0.0, scenario.distance_m),),
        durations_s=np.array([pred.time_s]),
        loo_error_pct=float(np.mean(np.abs(loo_errors_pct(d, t)))) if len(d) >= 2 else None,
        interval_s=(pred.low_s, pred.high_s),
    )


def _same_athlete(ref: Scenario, scenario: Scenario) -> str | None:
    """None when ``ref``'s athlete is the scenario's (same id, same body); else why not."""
    from paceline.io.athletes import athlete_id

    a, b = ref.athlete, scenario.athlete
    ida, idb = athlete_id(a.name, a.id), athlete_id(b.name, b.id)
    if ida != idb:
        return f"was run by {a.name} (id {ida!r}), not by {b.name} (id {idb!r})"
    if abs(a.height_m - b.height_m) > 1e-9 or abs(a.mass_kg - b.mass_kg) > 1e-9:
        return (
            f"was run by {a.name} at {a.height_m:g} m, {a.mass_kg:g} kg; this scenario's body is {b.height_m:g} m, "
            f"{b.mass_kg:g} kg (another body would carry another W/kg)"
        )
    return None


def _too_far(race_m: float, scenario_m: float, her: str = "her") -> str | None:
    """None when a race over ``race_m`` may calibrate one over ``scenario_m`` (:data:`CALIBRATION_DISTANCE_RATIO`);
    else why not, of ``her`` (or his) power."""
    if max(race_m / scenario_m, scenario_m / race_m) <= CALIBRATION_DISTANCE_RATIO:
        return None
    lo, hi = race_m / CALIBRATION_DISTANCE_RATIO, race_m * CALIBRATION_DISTANCE_RATIO
    return (
        f"is a {race_m:g} m race; {her} power over it carries only to {lo:.0f}-{hi:.0f} m races, not this "
        f"{scenario_m:g} m one"
    )


def calibration_effort(scenario: Scenario, draft_params: DraftParams | None = None) -> CalibrationEffort:
    """The effort that calibrates a scenario's athlete (see the module's rule).

    Raises
    ------
    ScenarioError
        Field ``athlete.calibration``: the named race cannot be loaded, has no result, was run by another athlete
        or over a distance too far from the scenario's (:data:`CALIBRATION_DISTANCE_RATIO`) and she has no
        performances; ``"self"`` without a ``[result]``; nothing to calibrate her on.
    """
    from paceline.io.scenario import load_scenario

    ath = scenario.athlete
    she = pronouns(ath.sex)
    cal = ath.calibration
    if cal == "self":
        if scenario.result is None:
            raise ScenarioError(
                "'self' needs the scenario's own [result]; this scenario has none", "athlete.calibration"
            )
        return race_effort(scenario, draft_params)
    if cal and cal != "performances":
        try:
            ref = load_scenario(cal)
        except ScenarioError as exc:
            raise ScenarioError(
                f"{cal!r} cannot be loaded ({exc}); use a race of {she.absolute} (bundled name or .toml path), "
                "'self' or 'performances'",
                "athlete.calibration",
            ) from None
        why = _same_athlete(ref, scenario) or _too_far(ref.distance_m, scenario.distance_m, she.possessive)
        if why is None:  # her drag area is part of her body: the calibration race is run with this scenario's
            her = ref.athlete.model_copy(update={"drag_area_m2": ath.drag_area_m2})
            return race_effort(ref.model_copy(update={"athlete": her}), draft_params)
        if ath.performances:
            log.warning("athlete.calibration: %r %s; calibrating on %s performances instead", cal, why, she.possessive)
            effort = _performance_effort(scenario)
            return replace(effort, source=f"{effort.source} (calibration race {cal!r} {why})")
        raise ScenarioError(
            f"{cal!r} {why}; name a race {she.subject} ran, 'self' with a [result], or give {she.possessive} "
            "performances",
            "athlete.calibration",
        )
    if ath.performances:
        return _performance_effort(scenario)
    raise ScenarioError(
        f"nothing calibrates {she.object}: name a race {she.subject} ran, 'self' with a [result], or give one or "
        "more performances",
        "athlete.calibration",
    )


def target_duration_s(scenario: Scenario, effort: CalibrationEffort) -> float:
    """Rough duration of the target race [s] for the environment model: the calibration effort's time carried to the
    scenario's distance with Riegel's exponent 1.06 (the heat model only needs to know minutes from hours)."""
    d_cal = effort.segments[-1][1]
    return float(effort.durations_s.sum() * (scenario.distance_m / d_cal) ** 1.06)


def environment_ratio(
    scenario: Scenario,
    effort: CalibrationEffort,
    temperature_c: Any = None,
    relative_humidity: Any = None,
    calibration_temperature_c: Any = None,
    calibration_relative_humidity: Any = None,
) -> Any:
    """Power available in the scenario over power available in the calibration effort [-], from altitude and heat
    (:func:`paceline.physics.environment.environment_power_factor`): the calibrated power is taken back to a cool day
    at sea level, then to the scenario's air. Temperatures and humidities may be arrays (Monte Carlo draws); default:
    the scenarios' own. Performances are taken as run at sea level on a cool day (heat cost 0)."""
    from paceline.physics.environment import environment_power_factor

    c = scenario.conditions
    t = c.temperature_c if temperature_c is None else temperature_c
    rh = c.relative_humidity if relative_humidity is None else relative_humidity
    target = environment_power_factor(c.altitude_m, t, rh, scenario.distance_m, target_duration_s(scenario, effort))
    if effort.kind == "race" and effort.scenario is not None:
        cc = effort.scenario.conditions
        tc = cc.temperature_c if calibration_temperature_c is None else calibration_temperature_c
        rc = cc.relative_humidity if calibration_relative_humidity is None else calibration_relative_humidity
        cal = environment_power_factor(cc.altitude_m, tc, rc, effort.segments[-1][1], float(effort.durations_s.sum()))
    else:
        cal = 1.0
    return np.asarray(target) / np.asarray(cal) if np.ndim(target) or np.ndim(cal) else float(target) / float(cal)


def _environment_assumptions(scenario: Scenario, effort: CalibrationEffort, ratio: float) -> tuple[Assumption, ...]:
    from paceline.physics.environment import altitude_power_factor, heat_note

    c = scenario.conditions
    dur = target_duration_s(scenario, effort)
    rows = [
        Assumption(
            "altitude_aerobic_factor",
            round(float(altitude_power_factor(c.altitude_m, scenario.distance_m)), 4),
            "",
            f"aerobic power at {c.altitude_m:g} m (Buskirk et al. 1967, linear: Wehrlin & Hallen 2006) x aerobic "
            "share of the distance (Duffield & Dawson)",
        ),
        Assumption("heat", heat_note(c.temperature_c, c.relative_humidity, dur), "", "scenario conditions"),
    ]
    if effort.kind == "race" and effort.scenario is not None:
        cc = effort.scenario.conditions
        rows.append(
            Assumption(
                "calibration_heat",
                heat_note(cc.temperature_c, cc.relative_humidity, float(effort.durations_s.sum())),
                "",
                f"{effort.scenario.name} conditions (removed before {pronouns(scenario.athlete.sex).possessive} power "
                "is carried here)",
            )
        )
    rows.append(Assumption("environment_ratio", round(ratio, 4), "", "power here / power in the calibration effort"))
    return tuple(rows)


#: Equal-power calibrations by what they depend on (:func:`calibration_key`, the cost curve, the shelter model).
CALIBRATIONS = Memo(maxsize=128)


def calibration_key(scenario: Scenario) -> tuple[Any, ...]:
    """What the calibration of a scenario's athlete depends on, and nothing else.

    Her athlete table (body, drag area, performances, calibration; :attr:`~paceline.io.scenario.Athlete.digest`),
    the scenario's distance (the performance model predicts her time over it; a calibration race must be near it),
    and the calibration race: a named race by its content, or, with ``"self"``, the scenario itself (its own
    result, pacing and weather). The race-day weather, formations and target of a scenario that does not calibrate
    on itself are not in it: editing them never recalibrates (the power is carried to the race's air by
    :func:`environment_ratio`, outside the memo).
    """
    from paceline.io.scenario import load_scenario

    ath = scenario.athlete
    race: str | None = None
    if ath.calibration == "self":
        race = scenario.digest
    elif ath.calibration and ath.calibration != "performances":
        try:
            race = load_scenario(ath.calibration).digest
        except PacelineError:  # calibration_effort says why, every time (an error is not memoised)
            race = ath.calibration
    return (ath.digest, float(scenario.distance_m), race)


@dataclass(frozen=True)
class EqualPowerCalibration:
    """An equal-power calibration: the effort, her metabolic power on it [W/kg] and its segments' [W/kg]."""

    effort: CalibrationEffort
    power_w_kg: float
    segment_powers_w_kg: NDArray[np.float64]


def calibrate_equal_power(
    scenario: Scenario, curve: str = DEFAULT_CURVE, draft_params: DraftParams | None = None
) -> EqualPowerCalibration:
    """The calibration effort of the scenario's athlete and her power on it, memoised on :func:`calibration_key`."""

    def compute() -> EqualPowerCalibration:
        effort = calibration_effort(scenario, draft_params)
        power, segs = calibrated_power(effort, curve)
        return EqualPowerCalibration(effort, power, segs)

    return CALIBRATIONS.get((calibration_key(scenario), curve, draft_params), compute)


def equal_power_params(
    scenario: Scenario,
    *,
    curve: str = DEFAULT_CURVE,
    draft_params: DraftParams | None = None,
    aero_cost: str | None = None,
) -> EqualPowerParams:
    """The equal-power model's athlete: her calibrated power (:func:`calibrate_equal_power`, memoised) carried to
    the scenario's air (:func:`environment_ratio`). ``aero_cost`` is the optimal-control model's option (unused)."""
    cal = calibrate_equal_power(scenario, curve, draft_params)
    effort, power = cal.effort, cal.power_w_kg
    ratio = float(environment_ratio(scenario, effort))
    ath = scenario.athlete
    mean_shelter = float(np.mean(effort.course.shelter))
    return EqualPowerParams(
        name=ath.name,
        height_m=ath.height_m,
        mass_kg=ath.mass_kg,
        power_w_kg=power * ratio,
        curve=curve,
        source=effort.source,
        assumptions=(
            Assumption("calibration", effort.source, "", "athlete.calibration / performances ('self': own result)"),
            Assumption("calibrated_power", round(power, 3), "W/kg", "time-weighted over the calibration splits"),
            Assumption("calibration_mean_shelter", round(mean_shelter, 4), "", "drafting model on that race's pacing"),
            *_environment_assumptions(scenario, effort, ratio),
            Assumption("power_here", round(power * ratio, 3), "W/kg", "calibrated power x environment_ratio"),
        ),
        meta={
            "segment_powers_w_kg": [float(x) for x in cal.segment_powers_w_kg],
            "calibration_mean_shelter": mean_shelter,
            "environment_ratio": ratio,
        },
    )


def critical_speed_params(
    scenario: Scenario,
    *,
    curve: str = DEFAULT_CURVE,
    draft_params: DraftParams | None = None,
    aero_cost: str | None = None,
) -> CriticalSpeedParams:
    """The critical-speed model's athlete: CS and D' fitted to her performances' solo equivalents
    (:mod:`paceline.fit.paced`). ``draft_params`` and ``aero_cost`` are other models' options (unused).

    Raises
    ------
    ScenarioError
        Field ``athlete.performances``: fewer than 2.
    """
    from paceline.fit.paced import solo_equivalents
    from paceline.fit.performances import fit_critical_speed

    ath = scenario.athlete
    if len(ath.performances) < 2:
        raise ScenarioError("the critical-speed model needs at least 2 performances", "athlete.performances")
    fit = fit_critical_speed(solo_equivalents(ath))
    cs, dp = fit.params["cs_m_s"], fit.params["dprime_m"]
    origin = f"fit to {len(ath.performances)} performances"
    return CriticalSpeedParams(
        name=ath.name,
        height_m=ath.height_m,
        mass_kg=ath.mass_kg,
        cs_m_s=cs,
        dprime_m=dp,
        curve=curve,
        source=origin,
        assumptions=(
            Assumption("cs", round(cs, 4), "m/s", f"critical speed, {origin} (their solo, still-air equivalents)"),
            Assumption("dprime", round(dp, 2), "m", f"distance capacity D', {origin}"),
        ),
    )


def optimal_control_params(
    scenario: Scenario,
    *,
    curve: str = DEFAULT_CURVE,
    draft_params: DraftParams | None = None,
    aero_cost: str | None = None,
) -> OptimalControlParams:
    """The optimal-control model's athlete: Keller / Aftalion parameters fitted to her performances' solo
    equivalents with the model's ``aero_cost`` (:func:`paceline.fit.optimal_control.oc_params_for`, cached by
    content). ``curve`` and ``draft_params`` are the other models' options (unused)."""
    from paceline.fit.optimal_control import oc_params_for
    from paceline.fit.paced import solo_equivalents
    from paceline.models.optimal_control import DEFAULT_AERO_COST

    ath = scenario.athlete
    perfs = tuple(solo_equivalents(ath))
    params = oc_params_for(perfs, ath.height_m, ath.mass_kg, aero_cost or DEFAULT_AERO_COST)
    return OptimalControlParams(
        name=ath.name, height_m=ath.height_m, mass_kg=ath.mass_kg, oc=params, source=str(params.source)
    )


def athlete_params(
    scenario: Scenario,
    model: str,
    *,
    curve: str = DEFAULT_CURVE,
    draft_params: DraftParams | None = None,
    aero_cost: str | None = None,
) -> AthleteParams:
    """The scenario's athlete, calibrated for a model: the model's own calibration
    (:attr:`paceline.models.registry.ModelSpec.calibration`), which returns its own parameter type.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its athlete, calibration race or performances).
    model : str
        A model's name (:data:`paceline.models.registry.MODELS`).
    curve : str
        Treadmill cost curve of the equal-power and critical-speed models.
    draft_params : DraftParams, optional
        Shelter-model parameters for the calibration race's course (default: the shipped best fit).
    aero_cost : str, optional
        How the optimal-control model charges the air (its fit uses the same).

    Raises
    ------
    ScenarioError
        Field ``model``: not a model; ``athlete.drag_area_m2``: a measured drag area for a model that derives drag
        from height and mass.
    """
    spec = model_spec(model)
    if scenario.athlete.drag_area_m2 is not None and not spec.measured_drag_area:
        raise ScenarioError(
            f"a measured drag area is used by the equal-power model only; the {spec.name} fit derives "
            f"{pronouns(scenario.athlete.sex).possessive} drag from "
            "height and mass (remove it or use model = 'equal-power')",
            "athlete.drag_area_m2",
        )
    params: AthleteParams = spec.calibrate()(scenario, curve=curve, draft_params=draft_params, aero_cost=aero_cost)
    return params
