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
    one kernel group per pacing phase (:mod:`paceline.studies.inference.infer_races`). Its segment times at constant
    power, plus
    the standing start's lag on the first segment (Keller 1973, :func:`paceline.studies.analysis.reconstruction.
    standing_start_lag_s`), are compared with the measured segment times under a Gaussian error with two parts:

    * timing: each cumulative split time has its own error, by how it was taken
      (:func:`paceline.studies.inference.infer_races.timing_sd_s`): a track finish by photo-finish (0.01 s, read to
      0.001 s
      and rounded up to 0.01 s, World Athletics TR 19), an intermediate track split read from video or by hand in
      the reports (0.1 s: the reports of Monaco 2023 give 3:06.6 and 3:06.66 at 1200 m), a road split on timing
      mats reported to the second (1.0 s: 1 s resolution, and the two Breaking2 reports differ by 4 s at 40 km).
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
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.physics.metabolic import COST_CURVES, DEFAULT_CURVE
from paceline.studies.inference.infer_priors import Prior
from paceline.studies.inference.infer_races import (
    GAP_GRID_M,
    AthleteGroup,
    RaceTerm,
    cd_prior,
    check_splits,
    joint_kernel,
    nominal_powers,
    race_term,
    slug,
    time_elasticity,
)

if TYPE_CHECKING:  # pragma: no cover
    from paceline.fit.athlete import CalibrationEffort
    from paceline.io.races import RaceSplits
    from paceline.io.scenario import Scenario
    from paceline.models.equal_power import RaceKernel

log = logging.getLogger(__name__)

#: Prior range of ``pace_cv``, the segment-time error the even-power model does not describe [-] (log-uniform).
PACE_CV_RANGE = (0.001, 0.05)

#: Prior range of ``power_factor`` when the calibration race is among the inferred races [-].
POWER_FACTOR_RANGE = (0.85, 1.15)

#: Prior range of the calibration race's pacer gap [m] (nearest pacer ahead; 2.6 m from Monaco's split differences).
GAP_RANGE_M = (1.0, 6.0)


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
            s[:, i] = np.interp(theta[:, group.gap_index], GAP_GRID_M, table)
        return s

    def race_times(
        self, race: RaceTerm, group: AthleteGroup, theta: NDArray[np.float64], curve: str
    ) -> NDArray[np.float64]:
        """Model segment times [s] of a race for each row under a cost curve, shape (n, n_segments)."""
        n = theta.shape[0]
        power = group.nominal_power[curve] * theta[:, group.power_index] * race.env_ratio
        if race.form_index is not None:
            power = power * theta[:, race.form_index]
        k = race.drag_k(theta[:, group.cd_index][:, None], self.shelters(race, group, theta))
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
            ks.append(race.drag_k(theta[:, group.cd_index][:, None], self.shelters(race, group, theta)))
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
    from paceline.studies.analysis.race_scenario import scenario_for_race
    from paceline.studies.uncertainty.montecarlo_problem import calibration_cv

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
        suffix = "" if len(by_athlete) == 1 else f"_{slug(aid)}"
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
            term, needs_gap = race_term(splits, sc, effort, sc.name == cal_name, priors)
            if needs_gap:
                group.gap_index = len(priors)
                priors.append(
                    Prior(
                        f"pacer_gap_{slug(splits.race_id)}_m",
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
    k = r.drag_k(np.ones((1, 1)), r.shelter_fixed)
    return time_elasticity(r.kernel, group.nominal_power[DEFAULT_CURVE], k, r.wind_m_s, r.shoe_gain)
