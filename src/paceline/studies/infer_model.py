"""The statistical model behind ``paceline infer``: parameters, priors and the likelihood of split times.

What is inferred (one set per athlete; races are grouped by athlete id)
    ==========================  ===============================================================================
    ``power_factor``            her metabolic power in the calibration effort over the project's nominal
                                calibration of it (:func:`paceline.fit.athlete.calibrated_power`, per cost curve).
                                U(0.85, 1.15) when the calibration race is among the inferred races (its splits
                                then set it); log-normal with the calibration's own CV otherwise (0.8 % of time,
                                Hopkins 2005, or the performance fit's leave-one-out error, as the Monte Carlo).
    ``form_<race>``             power on the day over power in the calibration effort (every race but the
                                calibration race): log-normal, time CV 0.8 % (Hopkins 2005).
    ``cd_factor``               drag coefficient / 0.9: U(0.8, 1.0) / 0.9 (Pugh 1971, as ``studies.draws``); a
                                measured drag area within its own SD (``athlete.drag_area_sd_m2``; fixed if none).
    ``shelter_<race>_<a>-<b>m`` effective shelter of each pacing phase with pacers (not of the calibration race):
                                logit-normal fitted to that formation's shelter under the shipped drafting draws
                                (:func:`paceline.io.fitted.drafting_draws`: the 50-89 % spread of the studies).
    ``pacer_gap_<race>_m``      the calibration race's pacers' distance ahead of her (nearest pacer, the others
                                keep their spacing): U(1, 6) m; its phases' shelter is the drafting surrogate's
                                best fit at that gap.
    cost curve                  a discrete choice among the bundled curves (:data:`paceline.physics.metabolic.
                                COST_CURVES`), equally likely a priori, summed out of the likelihood exactly
                                (a mixture), so the sampler moves only continuous parameters.
    ==========================  ===============================================================================

The likelihood
    Each race is the one equal-power kernel (:func:`paceline.models.equal_power.build_kernel`), cut at its splits,
    one kernel group per pacing phase, reduced to ``INFER_NODES`` nodes. Its segment times at constant power, plus
    the standing start's lag on the first segment (Keller 1973, :func:`paceline.studies.reconstruction.
    standing_start_lag_s`), are compared with the measured segment times under a Gaussian error with two parts:

    * timing: each cumulative split time has its own error, by how it was taken (:func:`timing_sd_s`): a track
      finish by photo-finish (0.01 s, read to 0.001 s and rounded up to 0.01 s, World Athletics TR 19), an
      intermediate track split read from video or by hand in the reports (0.1 s: the reports of Monaco 2023 give
      3:06.6 and 3:06.66 at 1200 m), a road split on timing mats reported to the second (1.0 s: 1 s resolution, and
      the two Breaking2 reports differ by 4 s at 40 km).
    * pacing: the equal-power model runs every metre at one power; real laps are not that even (Monaco 2023: two
      62.0 s laps, then a kick at 59.6 s per 400 m). Each segment's time has an independent error of ``pace_cv``
      times its duration; ``pace_cv`` is inferred with the rest (log-uniform prior, 0.1-5 %), so the splits say how
      far the even-power model is from the race.

    A split's timing error is shared by the two segments it bounds, so the segment residuals have the covariance
    ``diag((pace_cv d)^2) + B diag(sd^2) B^T`` (``B`` the differences of cumulative times).

References
----------
Hopkins, W. G. (2005). Competitive performance of elite track-and-field athletes: variability and smallest
worthwhile enhancements. Sportscience 9, 17-20.
Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.
Pugh, L. G. C. E. (1971). The influence of wind resistance in running and walking. J. Physiol. 213, 255-276.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.models.equal_power import RaceKernel, build_kernel
from paceline.physics import aero
from paceline.physics.metabolic import COST_CURVES, DEFAULT_CURVE
from paceline.studies.infer_priors import Prior, logit

if TYPE_CHECKING:  # pragma: no cover
    from paceline.fit.athlete import CalibrationEffort
    from paceline.io.races import RaceSplits
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course

log = logging.getLogger(__name__)

#: Quadrature nodes per phase and segment in the unit wind (4 are within 2e-6 s of the Monte Carlo's 8 on
#: Breaking4's splits, and halve the work of every evaluation).
INFER_NODES = 4

#: Prior range of ``pace_cv``, the segment-time error the even-power model does not describe [-] (log-uniform).
PACE_CV_RANGE = (0.001, 0.05)

#: Timing error of a track race's finish (photo-finish) [s].
FINISH_SD_S = 0.01

#: Timing error of an intermediate split of a track race (video or hand, as reported) [s].
TRACK_SPLIT_SD_S = 0.1

#: Timing error of a road split (timing mats, reported to the second) [s].
ROAD_SPLIT_SD_S = 1.0

#: Prior range of ``power_factor`` when the calibration race is among the inferred races [-].
POWER_FACTOR_RANGE = (0.85, 1.15)

#: Prior range of the calibration race's pacer gap [m] (nearest pacer ahead; 2.6 m from Monaco's split differences).
GAP_RANGE_M = (1.0, 6.0)

#: Pacer gaps [m] at which the calibration race's shelter is tabulated.
_GAP_GRID_M = np.linspace(0.5, 8.0, 151)


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
    half_rho_cda : float
        ``1/2 rho CdA`` at Cd 0.9 with the race's kit [N s^2/m^2].
    shelter_fixed : ndarray
        Shelter of each phase when no parameter sets it [-].
    shelter_params : dict of int to int
        Phase -> index of its shelter parameter.
    gap_phases : dict of int to ndarray
        Phase -> its shelter tabulated on ``_GAP_GRID_M`` (the calibration race's pacer phases).
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
    half_rho_cda: float
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
    """Timing error of a reported split [s] by how it was taken (see the module)."""
    if event_m > 10_000:
        return ROAD_SPLIT_SD_S
    return FINISH_SD_S if abs(split_m - event_m) < 1e-6 else TRACK_SPLIT_SD_S


def timing_covariance(split_sd_s: NDArray[np.float64]) -> NDArray[np.float64]:
    """Covariance of segment times from independent errors of the cumulative splits [s^2]: ``B diag(sd^2) B^T``."""
    n = split_sd_s.size
    b = np.eye(n) - np.eye(n, k=-1)  # segment j = t_j - t_(j-1)
    return np.asarray(b @ np.diag(split_sd_s**2) @ b.T, dtype=float)


def gaussian_loglik(
    residual_s: NDArray[np.float64],
    durations_s: NDArray[np.float64],
    timing_cov: NDArray[np.float64],
    pace_cv: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Log density of segment residuals [s] (n, K) under ``diag((pace_cv d)^2) + timing_cov``, per row (n,)."""
    cov = timing_cov[None] + (pace_cv[:, None, None] ** 2) * np.diag(durations_s**2)[None]
    _, logdet = np.linalg.slogdet(cov)
    sol = np.linalg.solve(cov, residual_s[..., None])[..., 0]
    k = residual_s.shape[1]
    return np.asarray(-0.5 * (np.sum(residual_s * sol, axis=1) + logdet + k * math.log(2 * math.pi)), dtype=float)


def phase_course(course: Course) -> Course:
    """The course with one kernel group per pacing phase (a formation used twice gives two groups)."""
    return course.with_changes(formations=tuple(f"{i}:{f}" for i, f in enumerate(course.formations)))


def shifted_shelter_table(scenario: Scenario, formation: str) -> NDArray[np.float64]:
    """Shelter [-] of a formation moved so its nearest pacer is ``g`` ahead, for ``g`` on ``_GAP_GRID_M``."""
    from paceline.io.fitted import drafting_params
    from paceline.physics.drafting import combined_shelter, shift_ahead, slot_arrays

    dx, dy = slot_arrays(scenario.formation(formation))
    ahead = dx > 0
    lead = float(dx[ahead].min()) if np.any(ahead) else 0.0
    p = drafting_params()
    return np.array([combined_shelter(shift_ahead(dx, g - lead), dy, p) for g in _GAP_GRID_M])


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


def _slug(name: str) -> str:
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


def race_kernel_inputs(course: Course) -> tuple[float, float, float]:
    """``1/2 rho CdA``, wind speed and shoe gain of a course."""
    return (
        0.5 * float(course.air_density_kg_m3) * float(course.cda_m2),
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


def curve_kernels(kernel: RaceKernel) -> dict[str, RaceKernel]:
    """The same kernel under every bundled cost curve."""
    return {c: replace(kernel, curve=c) for c in COST_CURVES}


def check_splits(splits: RaceSplits) -> None:
    """At least two splits (a finish and one more), else a ScenarioError naming ``races``."""
    if splits.n_segments < 2:
        raise ScenarioError(
            f"race {splits.race_id!r} has {splits.n_segments} split; infer needs at least 2 (an intermediate time "
            "and the finish) to tell shelter from power",
            "races",
        )


def _times_or_nan(
    kernel: RaceKernel,
    power: NDArray[np.float64],
    k: NDArray[np.float64],
    ones: NDArray[np.float64],
    zeros: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``kernel.segment_times`` of every row, NaN for a row whose power no speed between 1 and 15 m/s costs.

    The sampler proposes such rows (a differential-evolution move can jump far out in the free coordinates); they are
    impossible races, of zero posterior density, not an error of the user's input.
    """
    try:
        return np.asarray(kernel.segment_times(power, k, ones, zeros), dtype=float)
    except ScenarioError:
        out = np.full(power.shape, np.nan)
        for i in range(power.shape[0]):
            try:
                out[i] = kernel.segment_times(power[i : i + 1], k[i : i + 1], ones[:1], zeros[:1])[0]
            except ScenarioError:
                continue
        return out


@dataclass
class InferenceModel:
    """Parameters, priors and likelihood of a set of races (see the module).

    Attributes
    ----------
    priors : list of Prior
        One per parameter, in the order of the parameter vector.
    groups : list of AthleteGroup
        The races, by athlete.
    curves : tuple of str
        The cost curves summed over.
    """

    priors: list[Prior]
    groups: list[AthleteGroup]
    pace_index: int
    curves: tuple[str, ...] = tuple(COST_CURVES)

    @property
    def names(self) -> list[str]:
        """Parameter names."""
        return [p.name for p in self.priors]

    @property
    def ndim(self) -> int:
        """Number of parameters."""
        return len(self.priors)

    def log_prior(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log prior density of each row, shape (n,)."""
        return np.sum([p.logpdf(theta[:, j]) for j, p in enumerate(self.priors)], axis=0)

    def shelters(self, race: RaceTerm, group: AthleteGroup, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Shelter of each phase of a race for each row [-], shape (n, n_phases)."""
        s = np.tile(race.shelter_fixed, (theta.shape[0], 1))
        for i, j in race.shelter_params.items():
            s[:, i] = theta[:, j]
        for i, table in race.gap_phases.items():
            assert group.gap_index is not None
            s[:, i] = np.interp(theta[:, group.gap_index], _GAP_GRID_M, table)
        return s

    def race_times(
        self, race: RaceTerm, group: AthleteGroup, theta: NDArray[np.float64], curve: str
    ) -> NDArray[np.float64]:
        """Model segment times [s] of a race for each row under a cost curve, shape (n, n_segments)."""
        n = theta.shape[0]
        power = group.nominal_power[curve] * theta[:, group.power_index] * race.env_ratio
        if race.form_index is not None:
            power = power * theta[:, race.form_index]
        k = race.half_rho_cda * theta[:, group.cd_index][:, None] * (1.0 - self.shelters(race, group, theta))
        kernel = replace(race.kernel, curve=curve)
        return kernel.segment_times(power, k, np.full(n, race.wind_m_s), np.full(n, race.shoe_gain))

    def curve_loglik(self, group: AthleteGroup, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log likelihood of a group's splits under each cost curve, shape (n, n_curves).

        All the group's races are one block kernel (:func:`joint_kernel`): one kernel evaluation per curve.
        """
        n = theta.shape[0]
        out = np.zeros((n, len(self.curves)))
        cv = theta[:, self.pace_index]
        powers, ks = [], []
        for race in group.races:
            p = theta[:, group.power_index] * race.env_ratio / (1.0 - race.shoe_gain)
            if race.form_index is not None:
                p = p * theta[:, race.form_index]
            powers.append(np.repeat(p[:, None], race.durations_s.size, axis=1))
            ks.append(race.half_rho_cda * theta[:, group.cd_index][:, None] * (1.0 - self.shelters(race, group, theta)))
        power = np.concatenate(powers, axis=1)
        k = np.concatenate(ks, axis=1)
        ones, zeros = np.ones(n), np.zeros(n)
        joint = group.joint if group.joint is not None else joint_kernel(group.races)
        for ci, c in enumerate(self.curves):
            t = _times_or_nan(replace(joint, curve=c), group.nominal_power[c] * power, k, ones, zeros)
            start = 0
            for race in group.races:
                m = race.durations_s.size
                r = t[:, start : start + m] - race.observed_s[None, :]
                out[:, ci] += gaussian_loglik(r, race.durations_s, race.timing_cov, cv)
                start += m
        return np.where(np.isfinite(out), out, -np.inf)

    def curve_posterior(self, group: AthleteGroup, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of each cost curve given each row's other parameters, shape (n, n_curves)."""
        ll = self.curve_loglik(group, theta)
        ll = ll - ll.max(axis=1, keepdims=True)
        w = np.exp(ll)
        return np.asarray(w / w.sum(axis=1, keepdims=True), dtype=float)

    def log_prob(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log posterior density (up to a constant) of each row; the cost curve summed out (emcee, vectorised)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        lp = self.log_prior(theta)
        ok = np.isfinite(lp)
        if not np.any(ok):
            return lp
        th = theta[ok]
        total = lp[ok]
        log_w = -math.log(len(self.curves))
        for g in self.groups:
            ll = self.curve_loglik(g, th) + log_w
            top = ll.max(axis=1)
            finite = np.isfinite(top)
            mix = np.full(top.shape, -np.inf)
            mix[finite] = top[finite] + np.log(np.exp(ll[finite] - top[finite, None]).sum(axis=1))
            total = total + mix
        out = np.full(theta.shape[0], -np.inf)
        out[ok] = total
        return out

    def from_free(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Parameters from unconstrained values, and the log Jacobian of each row."""
        cols = [p.from_free(x[:, j]) for j, p in enumerate(self.priors)]
        return np.column_stack([c[0] for c in cols]), np.sum([c[1] for c in cols], axis=0)

    def to_free(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Unconstrained values of parameters (the inverse of :meth:`from_free`)."""
        return np.column_stack([p.to_free(theta[:, j]) for j, p in enumerate(self.priors)])

    def log_prob_free(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log posterior density in the unconstrained coordinates (what the sampler moves in)."""
        x = np.atleast_2d(np.asarray(x, dtype=float))
        theta, log_j = self.from_free(x)
        return self.log_prob(theta) + log_j

    def sample_prior(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """``n`` rows from the prior, shape (n, ndim)."""
        return np.column_stack([p.sample(rng, n) for p in self.priors])

    def mean_shelter(self, race: RaceTerm, group: AthleteGroup, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Distance-weighted mean shelter of a race for each row [-]."""
        return self.shelters(race, group, theta) @ race.kernel.group_share


def _race_term(
    splits: RaceSplits, scenario: Scenario, effort: CalibrationEffort, is_calibration: bool, priors: list[Prior]
) -> tuple[RaceTerm, bool]:
    """A race's likelihood term; appends its shelter and form priors. Returns the term and whether it needs a gap."""
    from paceline.fit.athlete import environment_ratio
    from paceline.fit.effort import FORM_CV
    from paceline.studies.reconstruction import standing_start_lag_s

    breaks = [float(x) for x in splits.split_m]
    course, kernel, phases = kernel_of(scenario, breaks)
    if len(phases) != len(course.formations):
        raise ScenarioError(f"scenario {scenario.name!r}: phases and course disagree", "pacing")
    half_rho_cda, wind, shoe = race_kernel_inputs(course)
    fixed = phase_shelter(course, len(phases))
    shelter_params: dict[int, int] = {}
    gap_phases: dict[int, NDArray[np.float64]] = {}
    rid = _slug(splits.race_id)
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

        k = half_rho_cda * (1.0 - fixed)[None, :]
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
        half_rho_cda=half_rho_cda,
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


def build_model(race_ids: list[str]) -> InferenceModel:
    """The inference model of bundled races (ids as ``analyze`` takes them), grouped by athlete.

    Raises
    ------
    ScenarioError
        Field ``races``: an unknown race, a race with fewer than 2 splits, no race.
    """
    from paceline.fit.athlete import calibration_effort
    from paceline.io.athletes import athlete_id
    from paceline.io.races import load_race
    from paceline.studies.montecarlo_problem import calibration_cv
    from paceline.studies.race_scenario import scenario_for_race

    if not race_ids:
        raise ScenarioError("name at least one race (breaking4_2025, monaco_2023, ...)", "races")
    by_athlete: dict[str, list[tuple[RaceSplits, Scenario]]] = {}
    for rid in dict.fromkeys(race_ids):
        try:
            splits = load_race(rid)
        except ScenarioError as exc:
            raise ScenarioError(str(exc), "races") from None
        check_splits(splits)
        sc, _ = scenario_for_race(splits)
        by_athlete.setdefault(athlete_id(sc.athlete.name, sc.athlete.id), []).append((splits, sc))
    priors: list[Prior] = [
        Prior("pace_cv", "loguniform", *PACE_CV_RANGE, "-", "segment-time error of the even-power model (inferred)")
    ]
    groups: list[AthleteGroup] = []
    for aid, items in by_athlete.items():
        suffix = "" if len(by_athlete) == 1 else f"_{_slug(aid)}"
        effort = _group_calibration([calibration_effort(sc) for _, sc in items], {sc.name for _, sc in items})
        cal_name = effort.scenario.name if effort.kind == "race" and effort.scenario is not None else None
        in_data = any(sc.name == cal_name for _, sc in items)
        power_index = len(priors)
        if in_data:
            priors.append(
                Prior(
                    f"power_factor{suffix}",
                    "uniform",
                    *POWER_FACTOR_RANGE,
                    "x calibrated power",
                    f"wide: set by the splits of the calibration race {cal_name}",
                )
            )
        else:
            priors.append(Prior(f"power_factor{suffix}", "lognormal", 0.0, 1.0, "x calibrated power", effort.source))
        cd_index = len(priors)
        body = items[0][1].athlete
        priors.append(cd_prior(suffix, body.drag_area_m2, body.drag_area_sd_m2))
        group = AthleteGroup(aid, effort, nominal_powers(effort), power_index, cd_index, None)
        for splits, sc in items:
            term, needs_gap = _race_term(splits, sc, effort, sc.name == cal_name, priors)
            if needs_gap:
                group.gap_index = len(priors)
                priors.append(
                    Prior(
                        f"pacer_gap_{_slug(splits.race_id)}_m",
                        "uniform",
                        *GAP_RANGE_M,
                        "m",
                        "nearest pacer ahead; 2.6 m from the split differences (scenario), widened",
                    )
                )
            group.races.append(term)
        group.joint = joint_kernel(group.races)
        if not in_data:  # the calibration's own spread, in power (elasticity of her first race)
            el = _first_elasticity(group)
            priors[power_index] = replace(priors[power_index], b=calibration_cv(effort) / el)
        groups.append(group)
    return InferenceModel(priors=priors, groups=groups, pace_index=0)


def _group_calibration(efforts: list[CalibrationEffort], names: set[str]) -> CalibrationEffort:
    """The effort that calibrates a group: a race of the group that calibrates another of its races (whatever the
    order the races were named in), else the first race's own calibration."""
    for e in efforts:
        if e.kind == "race" and e.scenario is not None and e.scenario.name in names:
            return e
    return efforts[0]


def _first_elasticity(group: AthleteGroup) -> float:
    r = group.races[0]
    k = r.half_rho_cda * (1.0 - r.shelter_fixed)[None, :]
    return time_elasticity(r.kernel, group.nominal_power[DEFAULT_CURVE], k, r.wind_m_s, r.shoe_gain)
