"""What the splits say about what nobody measured: a Bayesian posterior with emcee (``paceline infer``).

The model (parameters, priors, likelihood) is :mod:`paceline.studies.inference.infer_model`. This module samples it and
reports what the data taught:

1. **Sampling.** emcee's affine-invariant ensemble (Foreman-Mackey et al. 2013) in vectorised mode: every
   evaluation runs the one equal-power kernel on half the ensemble at once. The kernel solves speed by root
   finding, so a gradient-free sampler fits; differential-evolution moves (ter Braak 2006; ter Braak & Vrugt 2008)
   mix the correlated shelter/power/Cd directions faster than the default stretch move (measured: tau about half).
   The walkers move in unconstrained coordinates (logit of a bounded parameter or a shelter, log of a factor; the
   Jacobian is in the density), where the skewed shelter posteriors near 0 are round. They start at the best of a
   batch of prior draws; the first ``BURN_FRACTION`` of every chain is discarded.
2. **Convergence.** Per parameter: split-chain R-hat over the walkers (Gelman et al. 2013), emcee's integrated
   autocorrelation time ``tau`` and the effective sample size ``walkers x kept / tau``. Converged means
   (R-hat <= 1.01 or tau < kept/50) and ESS >= 400 for every parameter; otherwise :class:`SamplerNotConverged`.
3. **Posterior.** Median and 90 % interval of every parameter next to its prior's 5-95 %, the distance-weighted
   mean shelter of each race, and the probability of each cost curve (prior: equal).
4. **Predictive.** The finishing time of ``kram2025`` (the da Silva formation) and ``breaking4-optimal`` with her
   power and Cd from the posterior, her form of the inferred night, a cost curve drawn from its posterior, and the
   target formation's shelter from the drafting draws (that formation was never run, so its shelter stays the
   prior's).

References
----------
Foreman-Mackey, D., Hogg, D. W., Lang, D. & Goodman, J. (2013). emcee: the MCMC hammer. PASP 125, 306-312.
Goodman, J. & Weare, J. (2010). Ensemble samplers with affine invariance. Comm. App. Math. Comp. Sci. 5, 65-80.
ter Braak, C. J. F. (2006). A Markov chain Monte Carlo version of the genetic algorithm differential evolution.
Stat. Comput. 16, 239-249.
Gelman, A., Carlin, J. B., Stern, H. S. et al. (2013). Bayesian Data Analysis, 3rd ed., ch. 11 (split R-hat).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError, ScenarioError
from paceline.io.limits import check_seed
from paceline.studies.inference.infer_model import InferenceModel, build_model
from paceline.studies.inference.infer_races import AthleteGroup

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario

log = logging.getLogger(__name__)

#: Steps per walker by default.
DEFAULT_DRAWS = 3500

#: Share of every chain discarded as burn-in [-].
BURN_FRACTION = 0.25

#: Convergence thresholds: split R-hat, chain length over autocorrelation time, effective sample size.
RHAT_MAX = 1.01
TAU_RATIO_MIN = 50.0
ESS_MIN = 400.0

#: Scenarios whose finishing time is predicted from the posterior.
PREDICTIVE_SCENARIOS = ("kram2025", "breaking4-optimal")

#: Posterior rows used for derived quantities and the predictive (a thinned subset).
DERIVED_ROWS = 2000

#: Prior draws used for the prior's 5-95 %.
PRIOR_ROWS = 20000


class SamplerNotConverged(PacelineError):
    """The chains did not meet the convergence thresholds; the message says what to change."""


@dataclass
class Inference:
    """The result of :func:`infer`.

    Attributes
    ----------
    races : list of str
        The races inferred (ids).
    draws : int
        Steps per walker.
    walkers : int
        Number of walkers.
    names : list of str
        Parameter names.
    samples : ndarray, shape (n, n_params)
        Posterior samples after burn-in (all walkers).
    prior_samples : ndarray, shape (m, n_params)
        Draws from the prior.
    posterior : list of dict
        ``{name, prior_p05, prior_p95, median, p05, p95}`` for every parameter and derived quantity.
    diagnostics : dict
        Convergence per parameter and overall, acceptance, the likelihood's error model.
    predictive : list of dict
        ``{scenario, median_s, p05_s, p95_s, p_target}``.
    """

    races: list[str]
    draws: int
    walkers: int
    names: list[str]
    samples: NDArray[np.float64]
    prior_samples: NDArray[np.float64]
    posterior: list[dict[str, Any]] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    predictive: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``races``, ``draws``, ``posterior``, ``diagnostics``, ``predictive``."""
        return {
            "races": list(self.races),
            "draws": self.draws,
            "posterior": self.posterior,
            "diagnostics": self.diagnostics,
            "predictive": self.predictive,
        }


def split_rhat(chain: NDArray[np.float64]) -> NDArray[np.float64]:
    """Split-chain R-hat of each parameter (Gelman et al. 2013) [-].

    Parameters
    ----------
    chain : ndarray, shape (n_steps, n_chains, n_params)
    """
    half = chain.shape[0] // 2
    c = np.concatenate([chain[:half], chain[half : 2 * half]], axis=1)
    w = c.var(axis=0, ddof=1).mean(axis=0)
    b = half * c.mean(axis=0).var(axis=0, ddof=1)
    var_hat = (half - 1) / half * w + b / half
    return np.asarray(np.sqrt(var_hat / np.where(w > 0, w, np.inf)), dtype=float)


def convergence(chain: NDArray[np.float64], names: Sequence[str]) -> dict[str, Any]:
    """R-hat, autocorrelation time and ESS of every parameter, and whether each and all converged."""
    import emcee

    n_steps, n_walkers, ndim = chain.shape
    moving = np.ptp(chain.reshape(-1, ndim), axis=0) > 0  # a fixed parameter (a known value) is not diagnosed
    tau, rhat = np.ones(ndim), np.ones(ndim)
    if moving.any():
        tau[moving] = np.asarray(emcee.autocorr.integrated_time(chain[..., moving], tol=0), dtype=float)
        rhat[moving] = split_rhat(chain[..., moving])
    ess = n_steps * n_walkers / tau
    per = []
    for j, name in enumerate(names):
        mixed = bool(rhat[j] <= RHAT_MAX or tau[j] < n_steps / TAU_RATIO_MIN)
        per.append(
            {
                "name": name,
                "rhat": float(rhat[j]),
                "tau_steps": float(tau[j]),
                "ess": float(ess[j]),
                "converged": bool(mixed and ess[j] >= ESS_MIN),
            }
        )
    return {
        "parameters": per,
        "converged": all(p["converged"] for p in per),
        "kept_steps": int(n_steps),
        "walkers": int(n_walkers),
        "thresholds": {"rhat_max": RHAT_MAX, "tau_max": f"kept_steps/{TAU_RATIO_MIN:g}", "ess_min": ESS_MIN},
    }


def _row(name: str, prior: NDArray[np.float64], post: NDArray[np.float64]) -> dict[str, Any]:
    pp = np.percentile(prior, [5, 95])
    q = np.percentile(post, [5, 50, 95])
    return {
        "name": name,
        "prior_p05": float(pp[0]),
        "prior_p95": float(pp[1]),
        "median": float(q[1]),
        "p05": float(q[0]),
        "p95": float(q[2]),
    }


def _curve_rows(model: InferenceModel, group: AthleteGroup, theta: NDArray[np.float64], suffix: str) -> list[dict]:
    prob = model.curve_posterior(group, theta)
    p0 = 1.0 / len(model.curves)
    out = []
    for ci, c in enumerate(model.curves):
        q = np.percentile(prob[:, ci], [5, 95])
        out.append(
            {
                "name": f"p_curve_{c}{suffix}",
                "prior_p05": p0,
                "prior_p95": p0,
                "median": float(prob[:, ci].mean()),
                "p05": float(q[0]),
                "p95": float(q[1]),
            }
        )
    return out


def posterior_table(
    model: InferenceModel, samples: NDArray[np.float64], prior: NDArray[np.float64], rows: NDArray[np.float64]
) -> list[dict[str, Any]]:
    """Every parameter, each race's mean shelter and each cost curve's probability (``median`` is its mean)."""
    out = [_row(n, prior[:, j], samples[:, j]) for j, n in enumerate(model.names)]
    for g in model.groups:
        for r in g.races:
            if r.shelter_params or r.gap_phases:
                name = f"mean_shelter_{r.race_id}"
                out.append(_row(name, model.mean_shelter(r, g, prior), model.mean_shelter(r, g, rows)))
    for g in model.groups:
        suffix = "" if len(model.groups) == 1 else f"_{g.athlete}"
        out += _curve_rows(model, g, rows, suffix)
    return out


def _target_group(model: InferenceModel, scenario: Scenario) -> AthleteGroup | None:
    from paceline.io.athletes import athlete_id

    aid = athlete_id(scenario.athlete.name, scenario.athlete.id)
    return next((g for g in model.groups if g.athlete == aid), None)


def predict_scenario(
    model: InferenceModel, name: str, rows: NDArray[np.float64], rng: np.random.Generator
) -> dict[str, Any] | None:
    """Posterior predictive finishing time of a bundled scenario; None when none of the races is its athlete's."""
    from paceline.chain import course_for, get_model
    from paceline.fit.athlete import calibrated_power, calibration_effort, environment_ratio
    from paceline.io.fitted import drafting_draws
    from paceline.io.scenario import load_scenario
    from paceline.models.equal_power import QUAD_NODES, build_kernel
    from paceline.physics import aero
    from paceline.physics.drafting import formation_shelter_draws

    sc = load_scenario(name)
    group = _target_group(model, sc)
    if group is None:
        return None
    effort = calibration_effort(sc)
    course = course_for(sc, get_model("equal-power"))
    kernel = build_kernel(course, model.curves[0], None, QUAD_NODES)
    pool = drafting_draws(200, 0)
    table = np.stack([formation_shelter_draws(sc.formation(f), pool) for f in kernel.groups], axis=1)
    n = rows.shape[0]
    shelter = table[rng.integers(len(pool), size=n)]
    form_idx = [r.form_index for r in group.races if r.form_index is not None]
    form = rows[:, form_idx[-1]] if form_idx else np.ones(n)
    env = float(environment_ratio(sc, effort))
    prob = model.curve_posterior(group, rows)
    pick = np.array([rng.choice(len(model.curves), p=p) for p in prob])
    cda = float(course.drag_area_m2) * rows[:, group.cd_index][:, None]
    k = np.asarray(aero.drag_coefficient_n_s2_m2(float(course.air_density_kg_m3), cda, shelter))
    times = np.empty(n)
    for ci, c in enumerate(model.curves):
        sel = pick == ci
        if not np.any(sel):
            continue
        p = calibrated_power(effort, c)[0] * rows[sel, group.power_index] * form[sel] * env
        times[sel] = replace(kernel, curve=c).finish_time(
            p, k[sel], np.full(int(sel.sum()), course.wind_speed_m_s), np.full(int(sel.sum()), course.shoe_economy_gain)
        )
    q = np.percentile(times, [5, 50, 95])
    target = sc.target_s
    return {
        "scenario": name,
        "median_s": float(q[1]),
        "p05_s": float(q[0]),
        "p95_s": float(q[2]),
        "p_target": None if target is None else float(np.mean(times < target)),
    }


def _start(model: InferenceModel, walkers: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """Walkers at the most probable of ``20 x walkers`` prior draws (distinct rows)."""
    cand = model.sample_prior(rng, 20 * walkers)
    lp = model.log_prob(cand)
    best = np.argsort(-np.where(np.isfinite(lp), lp, -np.inf))[:walkers]
    if not np.all(np.isfinite(lp[best])):
        raise ScenarioError("no prior draw runs these races: check their splits", "races")
    return cand[best]


def n_walkers(ndim: int) -> int:
    """Walkers of the ensemble: at least 32 and 4 per parameter, even (the work of a step grows with them; the
    autocorrelation time in steps hardly falls)."""
    n = max(32, 4 * ndim)
    return n + n % 2


def infer(
    race_ids: Sequence[str],
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    predictive: Sequence[str] = PREDICTIVE_SCENARIOS,
    require_convergence: bool = True,
) -> Inference:
    """Posterior of the unknowns of bundled races from their splits.

    Parameters
    ----------
    race_ids : sequence of str
        Races by id (``breaking4_2025``, ``monaco_2023``, ...); races of one athlete are inferred jointly.
    draws : int
        Steps per walker (the first quarter is burn-in).
    seed : int
        Seed of the prior draws, the sampler and the predictive.
    predictive : sequence of str
        Bundled scenarios whose finishing time is predicted (those of the races' athletes).
    require_convergence : bool
        Raise :class:`SamplerNotConverged` when the thresholds are not met.

    Raises
    ------
    ScenarioError
        Field ``races``: unknown race, fewer than 2 splits; field ``draws`` or ``seed``: out of range.
    SamplerNotConverged
        The chains did not converge (the message names the parameters and a ``--draws`` that should do).
    """
    if not 100 <= draws <= 200_000:
        raise ScenarioError(f"{draws} is not allowed; 100 <= draws <= 200000", "draws")
    check_seed(seed, "seed", bits=32)  # emcee's walkers draw from a legacy NumPy RandomState (32-bit seeds)
    return posterior_of(build_model(list(race_ids)), draws, seed, predictive, require_convergence)


def posterior_of(
    model: InferenceModel,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    predictive: Sequence[str] = PREDICTIVE_SCENARIOS,
    require_convergence: bool = True,
) -> Inference:
    """Sample a built model (:func:`paceline.studies.inference.infer_model.build_model`); see :func:`infer`."""
    import emcee

    rng = np.random.default_rng(seed)
    walkers = n_walkers(model.ndim)
    p0 = model.to_free(_start(model, walkers, rng))
    for j, one in enumerate(model.priors):
        if one.fixed:  # its x carries no information; spread the walkers by its own (logistic) density
            p0[:, j] = rng.logistic(size=walkers)
    moves = [(emcee.moves.DEMove(), 0.8), (emcee.moves.DESnookerMove(), 0.2)]
    sampler = emcee.EnsembleSampler(walkers, model.ndim, model.log_prob_free, vectorize=True, moves=moves)
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(p0, draws, progress=False)
    burn = int(BURN_FRACTION * draws)
    free = sampler.get_chain(discard=burn)
    chain = model.from_free(free.reshape(-1, model.ndim))[0].reshape(free.shape)
    diag = convergence(chain, model.names)
    diag["acceptance"] = float(np.mean(sampler.acceptance_fraction))
    diag["likelihood"] = _error_model(model)
    samples = chain.reshape(-1, model.ndim)
    prior = model.sample_prior(np.random.default_rng(seed + 1), PRIOR_ROWS)
    rows = samples[rng.choice(samples.shape[0], size=min(DERIVED_ROWS, samples.shape[0]), replace=False)]
    races = [r.race_id for g in model.groups for r in g.races]
    out = Inference(races, draws, walkers, model.names, samples, prior, diagnostics=diag)
    if require_convergence and not diag["converged"]:
        raise SamplerNotConverged(_not_converged_message(diag, draws))
    out.posterior = posterior_table(model, samples, prior, rows)
    for name in predictive:
        row = predict_scenario(model, name, rows, rng)
        if row is not None:
            out.predictive.append(row)
    return out


def _error_model(model: InferenceModel) -> dict[str, Any]:
    return {
        r.race_id: {"split_sd_s": [float(x) for x in r.split_sd_s], "segment_s": [float(x) for x in r.durations_s]}
        for g in model.groups
        for r in g.races
    }


def _not_converged_message(diag: dict[str, Any], draws: int) -> str:
    bad = [p for p in diag["parameters"] if not p["converged"]]
    worst_tau = max(p["tau_steps"] for p in diag["parameters"])
    kept_needed = max(TAU_RATIO_MIN * worst_tau, ESS_MIN * worst_tau / diag["walkers"])
    suggest = int(np.ceil(kept_needed / (1 - BURN_FRACTION) / 100.0) * 100)
    names = ", ".join(f"{p['name']} (R-hat {p['rhat']:.3f}, ESS {p['ess']:.0f})" for p in bad[:4])
    return (
        f"the sampler did not converge in {draws} steps per walker: {names}; thresholds R-hat <= {RHAT_MAX} or "
        f"tau < kept/{TAU_RATIO_MIN:g}, ESS >= {ESS_MIN:g}; run with --draws {max(suggest, 2 * draws)}"
    )
