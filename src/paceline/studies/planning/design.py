"""Formation design: place pacers to maximise the athlete's pessimistic shelter under practical constraints.

The objective is the ``quantile`` (default the 10th percentile) of the athlete's shelter over the drafting parameter
draws (:func:`paceline.io.fitted.drafting_draws`), less what moving the athlete off the lane-1 running line costs,
at the equal-power model's exchange rate between shelter and distance (:func:`default_offset_penalty_per_m`).
Constraints: every two runners (athlete included) at least ``min_spacing_m`` apart; pacers at least 0.2 m from the
kerb and inside the outer edge of the allowed lanes less 0.2 m; the athlete on the lane-1 line or as far out as the
innermost pacer needs. Slots are held in track coordinates, so every pacer can run its line through the bends at
``(R + d_pacer) / (R + d_athlete)`` of her speed (at most +5.3 % within two lanes).

Method: a greedy start (one pacer at a time at the best point of a 10 cm grid, then a joint Nelder-Mead polish),
then differential evolution (scipy, vectorised over the population) seeded with it and polished; the better of the
two, slots rounded to 1 cm.

References
----------
Storn, R. & Price, K. (1997). Differential evolution. J. Global Optim. 11, 341-359.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.io.fitted import drafting_draws, drafting_params
from paceline.io.limits import check_seed
from paceline.physics.drafting import (
    DraftParams,
    combine_shelters,
    formation_shelter_draws,
    formation_shelter_range,
    shelter_kernel,
    stack_draws,
)
from paceline.physics.formation import Formation, Slot
from paceline.physics.lines import check_slots
from paceline.physics.track import STANDARD_TRACK, TrackGeometry

log = logging.getLogger(__name__)

__all__ = [
    "ATHLETE_MIN_OFFSET_M",
    "OFFSET_EXCHANGE_SCENARIO",
    "PACER_KERB_CLEARANCE_M",
    "DesignResult",
    "default_offset_penalty_per_m",
    "design_formation",
]

#: Scenario whose energetics set the exchange rate between shelter and the athlete's offset in formation design.
OFFSET_EXCHANGE_SCENARIO = "kram2025"
#: Most pacers a formation is designed for.
MAX_DESIGN_PACERS = 12
#: Closest a pacer's centre may come to the kerb [m].
PACER_KERB_CLEARANCE_M = 0.2
#: Closest the athlete's line may come to the kerb [m] (the lane-1 running line).
ATHLETE_MIN_OFFSET_M = 0.30
#: Margin added to the minimum spacing inside the optimiser [m], so that rounding to 1 cm keeps it.
_SPACING_MARGIN_M = 0.01

_Objective = Callable[[NDArray[np.float64]], NDArray[np.float64]]


@functools.cache
def default_offset_penalty_per_m(scenario: str = OFFSET_EXCHANGE_SCENARIO) -> float:
    """Shelter traded for one metre of the athlete's offset beyond the lane-1 line in formation design [1/m].

    Not a hand-set constant: the equal-power model's time per metre of offset (the bends add ``2 pi`` m per lap)
    over its time per unit of shelter, for ``scenario`` (Kipyegon's mile: about 0.24 per metre; see
    :func:`paceline.models.equal_power.offset_shelter_exchange_rate`).
    """
    from paceline.chain import athlete_for, course_for, get_model
    from paceline.io.scenario import load_scenario
    from paceline.models.athlete import EqualPowerParams
    from paceline.models.equal_power import offset_shelter_exchange_rate

    sc = load_scenario(scenario)
    model = get_model("equal-power")
    athlete = EqualPowerParams.of(athlete_for(sc, model), model.name)
    power = float(athlete.power_w_kg)
    return offset_shelter_exchange_rate(course_for(sc, model), power, athlete.curve, sc.track.geometry())


@dataclass(frozen=True)
class DesignResult:
    """A formation designed by :func:`design_formation`.

    Attributes
    ----------
    formation : Formation
        The designed slots and the athlete's offset.
    shelter, shelter_low, shelter_high : float
        Best-fit shelter and the 5th / 95th percentiles over the draws [-].
    shelter_pessimistic : float
        The objective: the ``quantile`` of the shelter over the draws [-].
    quantile : float
        Quantile maximised (0.10: the shelter that 90 % of the draws still give).
    min_spacing_m : float
        Closest distance between any two runners in the design [m].
    objective : float
        ``shelter_pessimistic - offset_penalty_per_m x (athlete offset - 0.30)``.
    """

    formation: Formation
    shelter: float
    shelter_low: float
    shelter_high: float
    shelter_pessimistic: float
    quantile: float
    min_spacing_m: float
    objective: float


def _min_spacing(dx: NDArray[np.float64], dy: NDArray[np.float64]) -> float:
    px = np.concatenate([[0.0], dx])
    py = np.concatenate([[0.0], dy])
    d = np.hypot(px[:, None] - px[None, :], py[:, None] - py[None, :])
    d[np.diag_indices_from(d)] = np.inf
    return float(d.min())


def _check_inputs(
    n_pacers: int, min_spacing_m: float, lanes: int, quantile: float, track: TrackGeometry, seed: int = 0
) -> None:
    """Errors that name the parameter (the CLI turns them into its flags)."""
    if not 1 <= n_pacers <= MAX_DESIGN_PACERS:
        raise ScenarioError(f"{n_pacers} pacers is not allowed; 1 to {MAX_DESIGN_PACERS}", "n_pacers")
    if not 0.5 <= min_spacing_m <= 3.0:
        raise ScenarioError(f"{min_spacing_m} m is not allowed; a minimum spacing of 0.5 to 3.0 m", "min_spacing_m")
    if not 1 <= lanes <= track.lanes:
        raise ScenarioError(f"{lanes} lanes is not allowed; 1 to {track.lanes}", "lanes")
    if not 0.0 < quantile < 1.0:
        raise ScenarioError(f"{quantile} is not allowed; 0 < quantile < 1", "quantile")
    check_seed(seed, "seed", bits=32)  # scipy's differential evolution takes a 32-bit seed


def _athlete_offset(dy: NDArray[np.float64]) -> NDArray[np.float64]:
    """The athlete's offset from the kerb [m]: the lane-1 line, or as far out as the innermost pacer needs."""
    return np.maximum(ATHLETE_MIN_OFFSET_M, PACER_KERB_CLEARANCE_M - dy.min(axis=-1))


def _objective_factory(
    draws: Sequence[DraftParams], quantile: float, min_spacing_m: float, outer_m: float, penalty_per_m: float
) -> Callable[[int], _Objective]:
    """``make(k)``: the penalised objective of ``k`` pacers, ``z (2k, S) -> (S,)`` to minimise (vectorised)."""
    cols3 = tuple(c[None, :, :] for c in stack_draws(draws))  # (1, n_draws, 1)

    def make(k: int) -> _Objective:
        def objective(z: NDArray[np.float64]) -> NDArray[np.float64]:
            z2 = np.atleast_2d(z.T)  # (S, 2k)
            dx, dy = z2[:, :k], z2[:, k:]
            r = shelter_kernel(dx[:, None, :], dy[:, None, :], *cols3)  # (S, draws, k)
            sh = combine_shelters(r, cols3[7][:, :, 0], axis=2)
            q = np.quantile(sh, quantile, axis=1)
            a = _athlete_offset(dy)
            # constraints as penalties
            px = np.concatenate([np.zeros((len(dx), 1)), dx], axis=1)
            py = np.concatenate([np.zeros((len(dy), 1)), dy], axis=1)
            dist = np.hypot(px[:, :, None] - px[:, None, :], py[:, :, None] - py[:, None, :])
            iu = np.triu_indices(k + 1, 1)
            short = np.clip(min_spacing_m + _SPACING_MARGIN_M - dist[:, iu[0], iu[1]], 0.0, None).sum(axis=1)
            wide = np.clip(a[:, None] + dy - outer_m, 0.0, None).sum(axis=1) + np.clip(a - outer_m, 0.0, None)
            return np.asarray(-(q - penalty_per_m * (a - ATHLETE_MIN_OFFSET_M)) + 10.0 * (short + wide))

        return objective

    return make


def _polish(f: _Objective, z: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
    """Nelder-Mead from ``z``; keeps ``z`` unless the polish improves on it."""
    from scipy.optimize import minimize

    sol = minimize(lambda v: float(f(v[:, None])[0]), z, method="Nelder-Mead", options={"maxiter": 3000})
    f0 = float(f(z[:, None])[0])
    return (np.asarray(sol.x), float(sol.fun)) if sol.fun < f0 else (z, f0)


def _greedy(make: Callable[[int], _Objective], n: int, dy_lim: float) -> NDArray[np.float64]:
    """Add one pacer at a time at the best point of a 10 cm grid, then polish all jointly.

    The objective never gets worse with one more pacer (it could always run far away).
    """
    gx, gy = np.meshgrid(np.arange(-3.0, 6.0 + 1e-9, 0.1), np.arange(-dy_lim, dy_lim + 1e-9, 0.1))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    z_g = np.zeros(0)
    for k in range(1, n + 1):
        f = make(k)
        cand = np.column_stack(
            [np.tile(z_g[: k - 1], (len(grid), 1)), grid[:, 0], np.tile(z_g[k - 1 :], (len(grid), 1)), grid[:, 1]]
        )
        vals = np.concatenate([f(c.T) for c in np.array_split(cand, max(1, len(cand) // 1000))])
        z_g, _ = _polish(f, cand[int(np.argmin(vals))])
    return z_g


def _global(
    objective: _Objective, z_start: NDArray[np.float64], bounds: list[tuple[float, float]], seed: int, max_iter: int
) -> NDArray[np.float64]:
    """Differential evolution seeded with ``z_start``, then a polish; the better of that and the start."""
    from scipy.optimize import differential_evolution

    f_start = float(objective(z_start[:, None])[0])
    res = differential_evolution(
        objective,
        bounds,
        x0=np.clip(z_start, [b[0] for b in bounds], [b[1] for b in bounds]),
        seed=seed,
        maxiter=max_iter,
        popsize=10,
        tol=1e-7,
        polish=False,
        vectorized=True,
        updating="deferred",
        init="sobol",
    )
    z_de, f_de = _polish(objective, np.asarray(res.x))
    return z_de if f_de < f_start else z_start


def _rounded_slots(z: NDArray[np.float64], n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Slots rounded to 1 cm, a lateral offset under 3 cm put on the athlete's line, furthest ahead first."""
    dx = np.round(z[:n], 2) + 0.0
    dy = np.round(z[n:], 2) + 0.0
    dy[np.abs(dy) < 0.03] = 0.0  # on the athlete's line: say so
    order = np.argsort(-dx)
    return dx[order], dy[order]


def design_formation(
    n_pacers: int,
    min_spacing_m: float = 0.9,
    lanes: int = 2,
    quantile: float = 0.10,
    draws: Sequence[DraftParams] | None = None,
    track: TrackGeometry = STANDARD_TRACK,
    offset_penalty_per_m: float | None = None,
    seed: int = 0,
    name: str | None = None,
    max_iter: int = 150,
    params: DraftParams | None = None,
) -> DesignResult:
    """Place pacers to maximise the athlete's pessimistic shelter under practical constraints (see the module).

    Parameters
    ----------
    n_pacers : int
        Number of pacers to place (1-12).
    min_spacing_m : float
        Minimum centre-to-centre distance between any two runners [m] (0.5-3.0).
    lanes : int
        Lanes the formation may use (1 to the track's lanes).
    quantile : float
        Quantile of the shelter over the draws to maximise (0 < q < 1).
    draws : sequence of DraftParams, optional
        Parameter draws (default: the 200 shipped, :func:`paceline.io.fitted.drafting_draws`).
    track : TrackGeometry
        Track dimensions.
    offset_penalty_per_m : float, optional
        Shelter traded per metre of the athlete's offset beyond the lane-1 line [1/m] (default:
        :func:`default_offset_penalty_per_m`, from the equal-power model).
    seed : int
        Seed of the optimiser (results are deterministic for a seed).
    name : str, optional
        Name of the designed formation (default ``designed-N``).
    max_iter : int
        Generations of differential evolution.
    params : DraftParams, optional
        Central parameters for the reported best-fit shelter (default: the shipped best fit).

    Returns
    -------
    DesignResult

    Raises
    ------
    ScenarioError
        An input out of range, naming the parameter (``n_pacers``, ``min_spacing_m``, ``lanes``, ``quantile``).
    """
    _check_inputs(n_pacers, min_spacing_m, lanes, quantile, track, seed)
    if offset_penalty_per_m is None:
        offset_penalty_per_m = default_offset_penalty_per_m()
    d = list(drafting_draws() if draws is None else draws)
    outer = lanes * track.lane_width_m - PACER_KERB_CLEARANCE_M
    dy_lim = outer - PACER_KERB_CLEARANCE_M
    n = n_pacers
    make = _objective_factory(d, quantile, min_spacing_m, outer, offset_penalty_per_m)
    z_g = _greedy(make, n, dy_lim)
    z = _global(make(n), z_g, [(-3.0, 6.0)] * n + [(-dy_lim, dy_lim)] * n, seed, max_iter)
    dx, dy = _rounded_slots(z, n)
    a = float(np.round(_athlete_offset(dy[None, :])[0], 2))
    spacing = _min_spacing(dx, dy)
    if spacing < min_spacing_m - 1e-9:
        log.warning("designed formation has a spacing of %.2f m, below %.2f m", spacing, min_spacing_m)
    form = Formation(
        name=name or f"designed-{n}",
        slots=tuple(Slot(f"p{i + 1}", float(x), float(y)) for i, (x, y) in enumerate(zip(dx, dy, strict=True))),
        description=f"{n} pacers placed by paceline to maximise the {quantile:.0%} quantile of the shelter",
        source=(
            f"paceline design_formation(n_pacers={n}, min_spacing_m={min_spacing_m:g}, lanes={lanes}, "
            f"quantile={quantile:g}, seed={seed}) (drafting surrogate fitted to drafting_studies.csv, {len(d)} "
            f"parameter draws)"
        ),
        athlete_offset_m=a,
        assumptions=(
            f"every two runners at least {min_spacing_m:g} m apart, centre to centre",
            f"pacers at least {PACER_KERB_CLEARANCE_M} m from the kerb and within {lanes} lanes",
            f"the athlete's offset beyond the lane-1 line costs {offset_penalty_per_m:g} of shelter per metre",
            "slots held in track coordinates through the bends",
        ),
    )
    check_slots(form, track, lanes)
    best, lo, hi = formation_shelter_range(form, drafting_params() if params is None else params, d)
    pess = float(np.quantile(formation_shelter_draws(form, d), quantile))
    return DesignResult(
        formation=form,
        shelter=best,
        shelter_low=lo,
        shelter_high=hi,
        shelter_pessimistic=pess,
        quantile=quantile,
        min_spacing_m=spacing,
        objective=pess - offset_penalty_per_m * (a - ATHLETE_MIN_OFFSET_M),
    )
