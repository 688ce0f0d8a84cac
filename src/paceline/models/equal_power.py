"""Equal-metabolic-power model (da Silva, Hoogkamer, Kipp & Kram 2025; Hoogkamer, Kram & Arellano 2017).

Calibrate the average metabolic power the athlete produced in a known race (its splits, its conditions, the shelter
she had), then run the new scenario at that same metabolic power at every metre: where the pocket shelters her,
the wind helps or the air is thinner, the same power buys more speed.

Stages: course (environment along the race) -> calibration power -> speed at every sample -> Race.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from paceline.errors import ScenarioError
from paceline.models import common
from paceline.models.course import Course, build_course
from paceline.models.race import Assumption, Race
from paceline.physics.metabolic import (
    DEFAULT_CURVE,
    IMPEDING_FORCE_SLOPE,
    CostCurve,
    get_curve,
    metabolic_power_w_kg,
    treadmill_power_w_kg,
)

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.drafting import DraftParams

log = logging.getLogger(__name__)

CITATIONS = [
    "da Silva, E. S., Hoogkamer, W., Kipp, S. & Kram, R. (2025). Could Faith Kipyegon run a sub-4-minute mile? "
    "R. Soc. Open Sci. 12, 241564.",
    "da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding "
    "forces. J. Appl. Physiol. 133, 1032-1039.",
    "Kipp, S., Kram, R. & Hoogkamer, W. (2019). Extrapolating metabolic savings in running. Front. Physiol. 10, 79.",
    "Pugh, L. G. C. E. (1971). The influence of wind resistance in running and walking. J. Physiol. 213, 255-276.",
]


@dataclass(frozen=True)
class Calibration:
    """The metabolic power an athlete sustained in a reference effort.

    Attributes
    ----------
    power_w_kg : float
        Time-weighted average metabolic power [W/kg].
    source : str
        The race or performance it comes from.
    segment_powers_w_kg : tuple of float
        Metabolic power of each split segment [W/kg].
    mean_shelter : float
        Average shelter she had in it.
    time_s : float
        Its finishing time [s].
    """

    power_w_kg: float
    source: str
    segment_powers_w_kg: tuple[float, ...]
    mean_shelter: float
    time_s: float


def _power_for_segment(course: Course, curve: CostCurve, x0: float, x1: float, dt_s: float) -> float:
    """Constant metabolic power [W/kg] that runs ``x0 -> x1`` of ``course`` in ``dt_s`` seconds."""
    from scipy.optimize import brentq

    def f(p: float) -> float:
        return float(common.time_between(course, p, curve, x0, x1)) - dt_s

    lo = float(treadmill_power_w_kg(2.0, curve))  # a jog, always below a race effort
    hi = float(treadmill_power_w_kg(12.0, curve))  # a sprint, always above a middle-distance effort
    if f(lo) < 0 or f(hi) > 0:
        raise ScenarioError(
            f"the split {x0:g}-{x1:g} m in {dt_s:.2f} s is not a running speed this model covers (1-15 m/s)",
            "result.splits",
        )
    return float(brentq(f, lo, hi, xtol=1e-10))


def calibrate_on_race(
    scenario: Scenario,
    curve: str | CostCurve = DEFAULT_CURVE,
    draft_params: DraftParams | None = None,
    step_m: float = 5.0,
) -> Calibration:
    """Average metabolic power of a race that was run (the scenario's ``result``).

    Each split segment is given the constant power that reproduces its time on that race's course (its shelter,
    wind, air, the metres run wide); the calibration is their time-weighted mean (total energy / total time).
    The first segment's acceleration from rest is not charged separately. Results are cached per input.
    """
    key = (scenario.model_dump_json(), get_curve(curve), draft_params, step_m)
    if key not in _CALIBRATIONS:
        _CALIBRATIONS[key] = _calibrate_on_race(scenario, curve, draft_params, step_m)
    return _CALIBRATIONS[key]


_CALIBRATIONS: dict[tuple[object, ...], Calibration] = {}


def _calibrate_on_race(
    scenario: Scenario, curve: str | CostCurve, draft_params: DraftParams | None, step_m: float
) -> Calibration:
    if scenario.result is None:
        raise ScenarioError(f"scenario {scenario.name!r} has no [result] to calibrate on", "athlete.calibration")
    c = get_curve(curve)
    splits = list(scenario.result.splits)
    if not splits or abs(splits[-1][0] - scenario.distance_m) > 1e-6:
        splits.append((scenario.distance_m, scenario.result.time_s))
    course = build_course(scenario, step_m=step_m, draft_params=draft_params, breaks_m=[d for d, _ in splits])
    powers, durations = [], []
    x_prev, t_prev = 0.0, 0.0
    for d, t in splits:
        powers.append(_power_for_segment(course, c, x_prev, d, t - t_prev))
        durations.append(t - t_prev)
        x_prev, t_prev = d, t
    p = float(np.dot(powers, durations) / np.sum(durations))
    return Calibration(
        power_w_kg=p,
        source=f"{scenario.name} ({scenario.result.time_s:.2f} s as raced)",
        segment_powers_w_kg=tuple(powers),
        mean_shelter=float(np.mean(course.shelter)),
        time_s=scenario.result.time_s,
    )


def calibrate_on_solo_time(
    scenario: Scenario, time_s: float, curve: str | CostCurve = DEFAULT_CURVE, source: str = "performance"
) -> Calibration:
    """Metabolic power of an even-paced solo effort over the scenario's distance in reference conditions."""
    from paceline.models.critical_speed import reference_course

    course = reference_course(scenario)
    c = get_curve(curve)
    power = _power_for_segment(course, c, 0.0, scenario.distance_m, time_s)
    return Calibration(power, source, (power,), 0.0, time_s)


class EqualPowerModel:
    """Equal-metabolic-power race model (``model.solve(scenario) -> Race``).

    Parameters
    ----------
    curve : str
        Treadmill cost curve (see :data:`paceline.physics.metabolic.COST_CURVES`).
    step_m : float
        Sample spacing along the race [m].
    draft_params : DraftParams, optional
        Shelter-model parameters (default: best fit).
    """

    name = "equal-power"

    def __init__(
        self, curve: str = DEFAULT_CURVE, step_m: float = 5.0, draft_params: DraftParams | None = None
    ) -> None:
        self.curve = get_curve(curve)
        self.step_m = step_m
        self.draft_params = draft_params

    def calibrate(self, scenario: Scenario) -> Calibration:
        """Calibration for an athlete: her named calibration race, else the scenario's own result, else her
        performances through the critical-speed fit (a solo race over this distance in reference conditions)."""
        from paceline.io.scenario import load_scenario

        ath = scenario.athlete
        if ath.calibration and ath.calibration != "performances":
            try:
                ref = load_scenario(ath.calibration)
            except ScenarioError as exc:
                raise ScenarioError(
                    f"{ath.calibration!r} cannot be loaded ({exc}); use a bundled race scenario, a .toml path or "
                    "'performances'",
                    "athlete.calibration",
                ) from None
            return calibrate_on_race(ref, self.curve, self.draft_params, self.step_m)
        if scenario.result is not None and ath.calibration != "performances":
            return calibrate_on_race(scenario, self.curve, self.draft_params, self.step_m)
        if len(ath.performances) >= 2:
            from paceline.fit.performances import fit_critical_speed

            fit = fit_critical_speed(ath.performances)
            cs, dp = fit.params["cs_m_s"], fit.params["dprime_m"]
            t = (scenario.distance_m - dp) / cs
            return calibrate_on_solo_time(
                scenario, t, self.curve, f"critical-speed fit of {len(ath.performances)} performances (solo {t:.2f} s)"
            )
        raise ScenarioError(
            "the equal-power model needs a calibration race, a [result], or at least 2 performances",
            "athlete.calibration",
        )

    def solve(self, scenario: Scenario, calibration: Calibration | None = None) -> Race:
        """Solve a scenario at the calibrated metabolic power."""
        cal = calibration or self.calibrate(scenario)
        course = build_course(scenario, step_m=self.step_m, draft_params=self.draft_params)
        return race_at_power(
            scenario.name, course, cal.power_w_kg, self.curve, self.name, extra=_assumptions(cal, self)
        )


def _assumptions(cal: Calibration, model: EqualPowerModel) -> list[Assumption]:
    return [
        Assumption("cost_curve", model.curve.name, "", model.curve.citation),
        Assumption("impeding_force_slope", IMPEDING_FORCE_SLOPE, "per body weight", "da Silva, Kram & Hoogkamer 2022"),
        Assumption("calibration", cal.source, "", "athlete.calibration / result / performances"),
        Assumption("calibrated_power", round(cal.power_w_kg, 3), "W/kg", "time-weighted over the calibration splits"),
        Assumption("calibration_mean_shelter", round(cal.mean_shelter, 4), "", "drafting model on that race's pacing"),
        Assumption("pacing", "even metabolic power", "", "equal-power model (no separate cost of acceleration)"),
    ]


def race_at_power(
    scenario_name: str,
    course: Course,
    power_w_kg: float,
    curve: CostCurve,
    model_name: str,
    extra: list[Assumption] | None = None,
) -> Race:
    """Build the Race of running ``course`` at a constant metabolic power."""
    v = common.speeds_at_power(course, power_w_kg, curve)
    t = common.cumulative_time_s(course, v)
    k = common.drag_coefficient_n_s2_m2(course)
    u = v - course.wind_along_m_s
    drag = k * u * np.abs(u)
    power = metabolic_power_w_kg(v, drag, course.mass_kg, course.shoe_economy_gain, curve)
    series = {
        "shelter": course.shelter,
        "drag_n": drag,
        "drag_power_w": drag * v,
        "wind_along_m_s": course.wind_along_m_s,
        "metabolic_power_w_kg": power,
        "line_scale": course.line_scale,
        "offset_m": course.offset_m,
        "track_pos_m": course.track_pos_m,
        "curvature_1_m": course.curvature_1_m,
    }
    return Race(
        scenario=scenario_name,
        model=model_name,
        distance_m=course.distance_m,
        x_m=course.x_m,
        t_s=t,
        v_m_s=v,
        series=series,
        assumptions=[*course.assumptions, *(extra or [])],
        citations=list(CITATIONS),
        meta={"power_w_kg": power_w_kg},
    )


def offset_shelter_exchange_rate(scenario: Scenario, shelter: float = 0.6, curve: str = DEFAULT_CURVE) -> float:
    """How much shelter one metre of lateral offset from the lane-1 line is worth, in time [1/m].

    The scenario's course is run at its calibrated power twice: with a uniform ``shelter`` +/- 0.05 on the lane-1
    line (seconds per unit of shelter), and with that shelter 1 m further out (seconds per metre: the bends add
    ``2 pi`` m per lap). The ratio is the shelter that buys back one metre of offset. For Kipyegon's mile
    (``kram2025``) it is about 0.24 per metre at 60 % shelter.

    Parameters
    ----------
    scenario : Scenario
        A scenario on an oval track with a calibration.
    shelter : float
        Shelter around which the rates are taken [-].
    curve : str
        Treadmill cost curve.

    Returns
    -------
    float
        ``(dT / d offset) / (-dT / d shelter)`` [1/m].
    """
    from paceline.physics import track

    if scenario.track.kind != "oval":
        raise ScenarioError("the offset from the kerb only matters on an oval track", "track.kind")
    model = EqualPowerModel(curve=curve)
    power = model.calibrate(scenario).power_w_kg
    course = build_course(scenario, step_m=model.step_m)
    geom = scenario.track.geometry()

    def time_s(s: float, offset_m: float) -> float:
        c = course.with_changes(
            shelter=np.full_like(course.shelter, s),
            line_scale=track.line_scale(course.track_pos_m, offset_m, geom),
        )
        return float(common.finish_time_at_power(c, power, model.curve))

    line = geom.lane1_line_m
    per_shelter = (time_s(shelter - 0.05, line) - time_s(shelter + 0.05, line)) / 0.1
    per_metre = time_s(shelter, line + 1.0) - time_s(shelter, line)
    return per_metre / per_shelter
