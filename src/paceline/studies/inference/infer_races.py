"""One race in the likelihood of ``paceline infer`` (:mod:`paceline.studies.inference.infer_model`): its kernel, its
priors
and its timing errors.

A race is the one equal-power kernel (:func:`paceline.models.equal_power.build_kernel`) cut at its splits, one kernel
group per pacing phase, reduced to ``INFER_NODES`` nodes (:func:`kernel_of`); the races of one athlete are one block
kernel (:func:`joint_kernel`). :func:`race_term` turns a race's splits into its :class:`RaceTerm`: the measured
segment times less the standing start's lag on the first (Keller 1973), the timing error of each split
(:func:`timing_sd_s`) and their covariance, the shelter of each pacing phase (a parameter whose prior comes from the
drafting draws, :func:`shelter_prior`, or, in the calibration race, tabulated against its pacers' gap,
:func:`shifted_shelter_table`) and the prior of her form on the day (log-normal, time CV 0.8 %, Hopkins 2005).
:func:`cd_prior` is the prior of her drag area (Pugh 1971).

References
----------
Hopkins (2005), Keller (1973) and Pugh (1971), in full in :mod:`paceline.studies.inference.infer_model`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.models.equal_power import RaceKernel, build_kernel
from paceline.physics import aero
from paceline.physics.metabolic import COST_CURVES, DEFAULT_CURVE
from paceline.studies.inference.infer_priors import Prior, logit

if TYPE_CHECKING:  # pragma: no cover
    from paceline.fit.athlete import CalibrationEffort
    from paceline.io.races import RaceSplits
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course

#: Quadrature nodes per phase and segment in the unit wind (4 are within 2e-6 s of the Monte Carlo's 8 on
#: Breaking4's splits, and halve the work of every evaluation).
INFER_NODES = 4

#: Timing error of a track race's finish (photo-finish) [s].
FINISH_SD_S = 0.01

#: Timing error of an intermediate split of a track race (video or hand, as reported) [s].
TRACK_SPLIT_SD_S = 0.1

#: Timing error of a road split (timing mats, reported to the second) [s].
ROAD_SPLIT_SD_S = 1.0

#: Pacer gaps [m] at which the calibration race's shelter is tabulated.
GAP_GRID_M = np.linspace(0.5, 8.0, 151)


@dataclass
class RaceTerm:
    """One race in the likelihood.

    Attributes
    ----------
    race_id : str
        The race.
    scenario : Scenario
        Its scenario (formation by phase, conditions, athlete).
    kernel : RaceKernel
        The race cut at its splits, one group per pacing phase (``curve`` replaced per cost curve).
    phases : list of (float, float)
        Race distances of the phases [m] (one per kernel group).
    air_density_kg_m3 : float
        The race's air [kg/m^3].
    drag_area_m2 : float
        Her drag area at Cd 0.9 with the race's kit [m^2] (:meth:`drag_k` puts the drag factor and shelter on it).
    shelter_fixed : ndarray
        Shelter of each phase when no parameter sets it [-].
    shelter_params : dict of int to int
        Phase -> index of its shelter parameter.
    gap_phases : dict of int to ndarray
        Phase -> its shelter tabulated on ``GAP_GRID_M`` (the calibration race's pacer phases).
    form_index : int or None
        Index of its form parameter (None: the calibration race).
    env_ratio : float
        Altitude and heat: power available here over power in the calibration effort [-].
    wind_m_s, shoe_gain : float
        Wind speed [m/s] and shoe economy gain [-].
    observed_s : ndarray
        Measured segment times less the standing start's lag on the first [s].
    durations_s : ndarray
        Measured segment times [s].
    timing_cov : ndarray
        Covariance of the segment residuals from the timing errors alone [s^2].
    split_sd_s : ndarray
        Timing error of each split [s].
    """

    race_id: str
    scenario: Scenario
    kernel: RaceKernel
    phases: list[tuple[float, float]]
    air_density_kg_m3: float
    drag_area_m2: float
    shelter_fixed: NDArray[np.float64]
    shelter_params: dict[int, int]
    gap_phases: dict[int, NDArray[np.float64]]
    form_index: int | None
    env_ratio: float
    wind_m_s: float
    shoe_gain: float
    observed_s: NDArray[np.float64]
    durations_s: NDArray[np.float64]
    timing_cov: NDArray[np.float64]
    split_sd_s: NDArray[np.float64]

    def drag_k(self, cd_factor: NDArray[np.float64], shelter: NDArray[np.float64]) -> NDArray[np.float64]:
        """``k = 1/2 rho CdA (1 - shelter)`` [N s^2/m^2] of rows of drag factors ``cd_factor`` (n, 1) and shelters
        (n, phases) or (phases,) (:func:`paceline.physics.aero.drag_coefficient_n_s2_m2`)."""
        return np.asarray(aero.drag_coefficient_n_s2_m2(self.air_density_kg_m3, self.drag_area_m2 * cd_factor, shelter))


@dataclass
class AthleteGroup:
    """The races of one athlete, inferred together.

    Attributes
    ----------
    athlete : str
        Her id.
    calibration : CalibrationEffort
        What calibrates her (the group's first race's rule, :func:`paceline.fit.athlete.calibration_effort`).
    nominal_power : dict of str to float
        Calibrated power [W/kg] of that effort under each cost curve, at the best-fit shelter and Cd 0.9.
    power_index, cd_index : int
        Indices of ``power_factor`` and ``cd_factor``.
    gap_index : int or None
        Index of the calibration race's pacer gap.
    races : list of RaceTerm
    joint : RaceKernel
        All its races as one block kernel (:func:`joint_kernel`).
    """

    athlete: str
    calibration: CalibrationEffort
    nominal_power: dict[str, float]
    power_index: int
    cd_index: int
    gap_index: int | None
    races: list[RaceTerm] = field(default_factory=list)
    joint: RaceKernel | None = None


def joint_kernel(races: list[RaceTerm]) -> RaceKernel:
    """The races of one athlete as one kernel: their segments and phases side by side (block diagonal), each
    race's wind speed folded into its unit-wind nodes (so the kernel runs at wind 1 m/s); each race's shoe gain is
    folded into its power by the caller (``P (1 - g)`` is all the cost law sees)."""
    segs = sum(r.kernel.nodes.shape[0] for r in races)
    groups = sum(r.kernel.nodes.shape[1] for r in races)
    width = max(r.kernel.nodes.shape[2] for r in races)
    nodes = np.zeros((segs, groups, width))
    weights = np.zeros_like(nodes)
    i = j = 0
    for r in races:
        a, b, c = r.kernel.nodes.shape
        nodes[i : i + a, j : j + b, :c] = r.kernel.nodes * r.wind_m_s
        weights[i : i + a, j : j + b, :c] = r.kernel.weights
        i, j = i + a, j + b
    masses = {r.kernel.mass_kg for r in races}
    if len(masses) != 1:
        raise ScenarioError(f"the races of one athlete give {len(masses)} body masses; give one", "races")
    names = tuple(f"{r.race_id}:{g}" for r in races for g in r.kernel.groups)
    return RaceKernel(mass_kg=masses.pop(), curve=races[0].kernel.curve, groups=names, nodes=nodes, weights=weights)


def timing_sd_s(event_m: float, split_m: float) -> float:
    """Timing error of a reported split [s] by how it was taken (see :mod:`paceline.studies.inference.infer_model`)."""
    if event_m > 10_000:
        return ROAD_SPLIT_SD_S
    return FINISH_SD_S if abs(split_m - event_m) < 1e-6 else TRACK_SPLIT_SD_S


def timing_covariance(split_sd_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Covariance of segment times from independent errors of the cumulative splits [s^2]: ``B diag(sd^2) B^T``."""
    n = split_sd_s.size
    b = np.eye(n) - np.eye(n, k=-1)  # segment j = t_j - t_(j-1)
    return np.asarray(b @ np.diag(split_sd_s**2) @ b.T, dtype=float)


def phase_course(course: Course) -> Course:
    """The course with one kernel group per pacing phase (a formation used twice gives two groups)."""
    return course.with_changes(formations=tuple(f"{i}:{f}" for i, f in enumerate(course.formations)))


def shifted_shelter_table(scenario: Scenario, formation: str) -> NDArray[np.float64]:
    """Shelter [-] of a formation moved so its nearest pacer is ``g`` ahead, for ``g`` on ``GAP_GRID_M``."""
    from paceline.io.fitted import drafting_params
    from paceline.physics.drafting import combined_shelter, shift_ahead, slot_arrays

    dx, dy = slot_arrays(scenario.formation(formation))
    ahead = dx > 0
    lead = float(dx[ahead].min()) if np.any(ahead) else 0.0
    p = drafting_params()
    return np.array([combined_shelter(shift_ahead(dx, g - lead), dy, p) for g in GAP_GRID_M])


def shelter_prior(scenario: Scenario, formation: str, name: str, pool: int = 200) -> Prior | None:
    """Logit-normal prior of a formation's shelter from the drafting draws; None when it has no spread (solo)."""
    from paceline.io.fitted import drafting_draws
    from paceline.physics.drafting import formation_shelter_draws

    s = formation_shelter_draws(scenario.formation(formation), drafting_draws(pool, 0))
    if float(np.ptp(s)) < 1e-6:
        return None
    z = logit(s)
    return Prior(name, "logitnormal", float(z.mean()), float(z.std()), "-", f"drafting draws of {formation!r}")


def time_elasticity(
    kernel: RaceKernel, power_w_kg: float, k_drag: NDArray[np.float64], wind: float, shoe: float
) -> float:
    """``-d ln T / d ln P`` of a kernel at a power (how a power factor shows in time)."""
    t0 = kernel.finish_time([power_w_kg], k_drag, [wind], [shoe])[0]
    t1 = kernel.finish_time([power_w_kg * 1.001], k_drag, [wind], [shoe])[0]
    return float(-(math.log(t1) - math.log(t0)) / math.log(1.001))


def slug(name: str) -> str:
    """A name as it appears in a parameter's name: letters and digits, the rest ``_``."""
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")


def kernel_of(scenario: Scenario, breaks_m: list[float]) -> tuple[Course, RaceKernel, list[tuple[float, float]]]:
    """A scenario's course (equal-power samples) with a sample at every split, and its per-phase kernel."""
    from paceline.models.course import build_course
    from paceline.models.equal_power import STEP_M

    course = build_course(scenario, step_m=STEP_M, breaks_m=breaks_m)
    segs = list(zip([0.0, *breaks_m[:-1]], breaks_m, strict=True))
    kernel = build_kernel(phase_course(course), DEFAULT_CURVE, segs, INFER_NODES)
    phases = [(float(p.from_m), float(p.to_m)) for p in scenario.phases()]
    return course, kernel, phases


def phase_shelter(course: Course, n_phases: int) -> NDArray[np.float64]:
    """Shelter of each phase on a course (its first sample's) [-]."""
    return np.array([course.shelter[int(np.argmax(course.phase_index == i))] for i in range(n_phases)], dtype=float)


def race_kernel_inputs(course: Course) -> tuple[float, float, float, float]:
    """Air density [kg/m^3], drag area [m^2], wind speed [m/s] and shoe gain [-] of a course."""
    return (
        float(course.air_density_kg_m3),
        float(course.drag_area_m2),
        float(course.wind_speed_m_s),
        float(course.shoe_economy_gain),
    )


def cd_prior(suffix: str, drag_area_m2: float | None = None, drag_area_sd_m2: float | None = None) -> Prior:
    """The factor on her nominal drag area: Cd / 0.9 ~ U(0.8, 1.0) / 0.9 (Pugh 1971), or her measured drag area
    within its standard deviation (:func:`paceline.physics.aero.drag_factor_range`; fixed when none is given)."""
    lo, hi = aero.drag_factor_range(drag_area_m2, drag_area_sd_m2)
    text, source = aero.drag_factor_text(drag_area_m2, drag_area_sd_m2)
    return Prior(f"cd_factor{suffix}", "uniform", lo, hi, aero.drag_factor_label(drag_area_m2)[1], f"{text}; {source}")


def nominal_powers(effort: CalibrationEffort) -> dict[str, float]:
    """Calibrated power [W/kg] of an effort under every bundled cost curve."""
    from paceline.fit.athlete import calibrated_power

    return {c: calibrated_power(effort, c)[0] for c in COST_CURVES}


def check_splits(splits: RaceSplits) -> None:
    """At least two splits (a finish and one more), else a ScenarioError naming ``races``."""
    if splits.n_segments < 2:
        raise ScenarioError(
            f"race {splits.race_id!r} has {splits.n_segments} split; infer needs at least 2 (an intermediate time "
            "and the finish) to tell shelter from power",
            "races",
        )


def race_term(
    splits: RaceSplits, scenario: Scenario, effort: CalibrationEffort, is_calibration: bool, priors: list[Prior]
) -> tuple[RaceTerm, bool]:
    """A race's likelihood term; appends its shelter and form priors. Returns the term and whether it needs a gap."""
    from paceline.fit.athlete import environment_ratio
    from paceline.fit.effort import FORM_CV
    from paceline.studies.analysis.reconstruction import standing_start_lag_s

    breaks = [float(x) for x in splits.split_m]
    course, kernel, phases = kernel_of(scenario, breaks)
    if len(phases) != len(course.formations):
        raise ScenarioError(f"scenario {scenario.name!r}: phases and course disagree", "pacing")
    rho, cda, wind, shoe = race_kernel_inputs(course)
    fixed = phase_shelter(course, len(phases))
    shelter_params: dict[int, int] = {}
    gap_phases: dict[int, NDArray[np.float64]] = {}
    rid = slug(splits.race_id)
    for i, ph in enumerate(scenario.phases()):
        if not scenario.formation(ph.formation).slots:
            continue
        if is_calibration:
            gap_phases[i] = shifted_shelter_table(scenario, ph.formation)
            continue
        prior = shelter_prior(scenario, ph.formation, f"shelter_{rid}_{ph.from_m:.0f}-{ph.to_m:.0f}m")
        if prior is not None:
            shelter_params[i] = len(priors)
            priors.append(prior)
    form_index = None
    if not is_calibration:
        from paceline.fit.athlete import calibrated_power

        k = np.asarray(aero.drag_coefficient_n_s2_m2(rho, cda, fixed))[None, :]
        el = time_elasticity(kernel, calibrated_power(effort)[0], k, wind, shoe)
        form_index = len(priors)
        priors.append(Prior(f"form_{rid}", "lognormal", 0.0, FORM_CV / el, "x power", "time CV 0.8 %, Hopkins (2005)"))
    durations = np.diff(np.concatenate([[0.0], splits.time_s]))
    observed = durations.copy()
    observed[0] -= float(standing_start_lag_s(breaks[0], breaks[0] / durations[0]))
    sd = np.array([timing_sd_s(splits.event_m, m) for m in breaks])
    term = RaceTerm(
        race_id=splits.race_id,
        scenario=scenario,
        kernel=kernel,
        phases=phases,
        air_density_kg_m3=rho,
        drag_area_m2=cda,
        shelter_fixed=fixed,
        shelter_params=shelter_params,
        gap_phases=gap_phases,
        form_index=form_index,
        env_ratio=float(environment_ratio(scenario, effort)),
        wind_m_s=wind,
        shoe_gain=shoe,
        observed_s=observed,
        durations_s=durations,
        timing_cov=timing_covariance(sd),
        split_sd_s=sd,
    )
    return term, bool(gap_phases)
