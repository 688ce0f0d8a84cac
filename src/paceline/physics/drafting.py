"""Drafting: the shelter one runner gets from others (the surrogate; pure functions of explicit parameters).

The shelter ``r`` is the fraction of a runner's aerodynamic drag removed by the other runners:
``F = 1/2 rho CdA v^2 (1 - r)`` (see :func:`paceline.physics.aero.drag_force`).

Surrogate for one other runner at a longitudinal gap ``dx`` (centre to centre, positive: the other runner is
ahead) and a lateral offset ``dy`` [m] (positive: further from the kerb)::

    r(dx, dy) = 1 - (1 - f(dx) g(dy)) ** k            capped at ``cap``
    g(dy)     = exp(-dy^2 / (2 sigma^2))                 Gaussian in lateral offset
    f(dx)     = r0 exp(-(dx - d0) / lam)                 dx >= d0: the wake decays with the gap
              = rb + (r0 - rb) S(dx / d0)                0 < dx < d0: a smooth rise to the peak (S = smoothstep)
              = rb exp(dx / lam_b)                       dx <= 0: a small push from a runner close behind

and several runners combine as ``1 - prod(1 - r_i)``, capped below 1 (``cap``, default 0.95). The exponent ``k``
("study effect", 1 for the best fit) scales every runner's ``-log(1 - r)`` alike; the parameter draws use it to
carry the disagreement between the studies (50-89 % for similar formations), which a fit to their mean would hide.
The surrogate is monotone non-increasing in ``|dy|`` everywhere and in ``dx`` beyond the peak ``d0``.

Every function here takes its parameters explicitly. The parameters ``r0, d0, lam, sigma, rb`` are fitted by
weighted least squares to ``data/reference/drafting_studies.csv`` (:mod:`paceline.fit.drafting`, which also makes
the bootstrap draws); the fit ships as data (``data/fitted/drafting.json``) and
:func:`paceline.io.fitted.drafting_params` / :func:`paceline.io.fitted.drafting_draws` load it. ``lam_b`` (2.0 m)
and ``cap`` (0.95) are fixed: no study varies the distance behind, and none measures more than 89 %.

Formations are held in track coordinates through the bends (:mod:`paceline.physics.lines`), so their shape, and
hence the shelter, is the same on the bends (the curvature moves a pacer 1.3 m ahead sideways by
``dx^2 / 2R`` = 2 cm at most, negligible); a pacer outside the athlete runs further and faster.

References
----------
Pugh, L. G. C. E. (1971). J. Physiol. 213, 255-276.
Beaumont, F. et al. (2019). How does aerodynamics influence physiological responses in middle-distance running
drafting? Math. Model. Eng. Probl. 6(1), 129-135.
Polidori, G. et al. (2020). Numerical simulation of drafting in the 2019 Berlin marathon (Bekele, three pacers
abreast, 1.3 m back). J. Biomech.
Schickhofer, L. & Hanson, H. (2021). Aerodynamic effects and performance improvements of running in drafting
formations. J. Biomech. 122, 110457.
Marro, M. et al. (2023). On the aerodynamics of running in formation. Proc. R. Soc. A 479, 20220836.
Li, B., Zhang, Y., Feng, J. & Hong, P. (2025). Physics of Fluids 37(3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.physics.arrays import percentile, scalar_or_array
from paceline.physics.formation import Formation

__all__ = [
    "DraftParams",
    "combine_shelters",
    "combined_shelter",
    "formation_shelter",
    "formation_shelter_draws",
    "formation_shelter_range",
    "kernel_args",
    "pair_shelter",
    "shelter_kernel",
    "shelter_of_positions_draws",
    "stack_draws",
]


@dataclass(frozen=True)
class DraftParams:
    """Parameters of the shelter surrogate (see the module docstring for the formula).

    The defaults are the fit's start values and fixed parameters, not the fit: the fitted parameters come from
    :func:`paceline.io.fitted.drafting_params`.

    Attributes
    ----------
    peak_shelter : float
        ``r0`` [-]: shelter from one runner directly ahead at the peak gap.
    peak_gap_m : float
        ``d0`` [m]: gap (centre to centre) of strongest shelter.
    decay_length_m : float
        ``lam`` [m]: e-folding length of the wake behind a runner beyond the peak gap.
    lateral_width_m : float
        ``sigma`` [m]: standard deviation of the Gaussian fall-off with lateral offset.
    behind_shelter : float
        ``rb`` [-]: shelter from a runner level with or just behind the athlete (pressure recovery), at dy = 0.
    behind_decay_m : float
        ``lam_b`` [m]: e-folding length of the benefit of a runner behind.
    strength : float
        ``k`` [-]: study effect, an exponent on every runner's ``1 - r`` (1 for the best fit).
    cap : float
        Upper limit of any shelter [-], below 1.
    """

    peak_shelter: float = 0.80
    peak_gap_m: float = 0.6
    decay_length_m: float = 1.5
    lateral_width_m: float = 0.45
    behind_shelter: float = 0.12
    behind_decay_m: float = 2.0
    strength: float = 1.0
    cap: float = 0.95

    def __post_init__(self) -> None:
        checks = {
            "peak_shelter": 0.0 <= self.peak_shelter < 1.0,
            "peak_gap_m": 0.0 < self.peak_gap_m <= 5.0,
            "decay_length_m": self.decay_length_m > 0.0,
            "lateral_width_m": self.lateral_width_m > 0.0,
            "behind_shelter": 0.0 <= self.behind_shelter <= self.peak_shelter,
            "behind_decay_m": self.behind_decay_m > 0.0,
            "strength": self.strength > 0.0,
            "cap": 0.0 < self.cap < 1.0,
        }
        for name, ok in checks.items():
            if not ok:
                raise ScenarioError(f"{getattr(self, name)} is out of range", f"DraftParams.{name}")

    def to_dict(self) -> dict[str, float]:
        """The parameters as a plain dict (units in the keys)."""
        return asdict(self)

    @staticmethod
    def names() -> list[str]:
        """Names of the parameters, in the order of :func:`kernel_args`."""
        return [f.name for f in fields(DraftParams)]


# --------------------------------------------------------------------------------------------------------------
# the kernel: raw parameters, broadcasting


def _smoothstep(t: NDArray[np.float64]) -> NDArray[np.float64]:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def shelter_kernel(
    dx: NDArray[np.float64],
    dy: NDArray[np.float64],
    r0: Any,
    d0: Any,
    lam: Any,
    sigma: Any,
    rb: Any,
    lam_b: Any,
    k: Any,
    cap: Any,
) -> NDArray[np.float64]:
    """The surrogate on raw parameters; every argument broadcasts (parameters may be columns of draws).

    Parameters
    ----------
    dx, dy : array
        Gap [m] (positive: the other runner ahead) and lateral offset [m] of the other runner.
    r0, d0, lam, sigma, rb, lam_b, k, cap : float or array
        The fields of :class:`DraftParams` in order (see :func:`kernel_args`), in their units.

    Returns
    -------
    ndarray
        Shelter from each runner alone [-], in ``[0, cap]``.
    """
    ahead_far = r0 * np.exp(-np.maximum(dx - d0, 0.0) / lam)
    ahead_near = rb + (r0 - rb) * _smoothstep(dx / d0)
    behind = rb * np.exp(np.minimum(dx, 0.0) / lam_b)
    f = np.where(dx >= d0, ahead_far, np.where(dx > 0.0, ahead_near, behind))
    g = np.exp(-0.5 * (dy / sigma) ** 2)
    r = 1.0 - (1.0 - f * g) ** k
    return np.asarray(np.minimum(r, cap), dtype=float)


def combine_shelters(r: NDArray[np.float64], cap: Any, axis: int = -1) -> NDArray[np.float64]:
    """Several runners' shelters combined: ``min(1 - prod(1 - r_i), cap)`` along ``axis``.

    Parameters
    ----------
    r : array
        Shelter from each runner alone [-].
    cap : float or array
        Upper limit [-] (broadcasts against the result).
    axis : int
        Axis of the runners.

    Returns
    -------
    ndarray
        Combined shelter [-].
    """
    return np.asarray(np.minimum(1.0 - np.prod(1.0 - r, axis=axis), cap), dtype=float)


def kernel_args(p: DraftParams) -> tuple[float, ...]:
    """The parameters in the order :func:`shelter_kernel` takes them."""
    return (
        p.peak_shelter,
        p.peak_gap_m,
        p.decay_length_m,
        p.lateral_width_m,
        p.behind_shelter,
        p.behind_decay_m,
        p.strength,
        p.cap,
    )


def stack_draws(draws: Sequence[DraftParams]) -> tuple[NDArray[np.float64], ...]:
    """Parameters of many draws as column vectors ``(n_draws, 1)``, for broadcasting against slots."""
    a = np.array([kernel_args(p) for p in draws], dtype=float)
    return tuple(a[:, i : i + 1] for i in range(a.shape[1]))


# --------------------------------------------------------------------------------------------------------------
# shelter of runners and formations


def pair_shelter(dx_m: ArrayLike, dy_m: ArrayLike, params: DraftParams) -> NDArray[np.float64] | float:
    """Shelter of a runner from one other runner at ``(dx, dy)``.

    Parameters
    ----------
    dx_m : float or array
        Longitudinal gap to the other runner, centre to centre [m]; positive: the other runner is ahead.
    dy_m : float or array
        Lateral offset of the other runner [m] (sign irrelevant).
    params : DraftParams
        Surrogate parameters (the best fit: :func:`paceline.io.fitted.drafting_params`).

    Returns
    -------
    float or array
        Fraction of drag removed [-], in ``[0, cap]``.

    References
    ----------
    Pugh (1971); Polidori et al. (2020); Schickhofer & Hanson (2021); Li et al. (2025) (fitted, see module).
    """
    dx = np.asarray(dx_m, dtype=float)
    dy = np.asarray(dy_m, dtype=float)
    out = shelter_kernel(dx, dy, *kernel_args(params))
    return scalar_or_array(out)


def combined_shelter(dx_m: ArrayLike, dy_m: ArrayLike, params: DraftParams) -> float:
    """Shelter of the athlete from several runners: ``1 - prod(1 - r_i)``, capped below 1.

    Parameters
    ----------
    dx_m, dy_m : array
        Positions of the other runners relative to the athlete [m] (dx positive ahead).
    params : DraftParams
        Surrogate parameters.

    Returns
    -------
    float
        Fraction of drag removed [-], 0 with no other runner, at most ``params.cap``.
    """
    dx = np.atleast_1d(np.asarray(dx_m, dtype=float))
    dy = np.atleast_1d(np.asarray(dy_m, dtype=float))
    if dx.shape != dy.shape:
        raise ScenarioError(f"dx_m has shape {dx.shape} but dy_m has {dy.shape}; give one dy per dx", "dy_m")
    if dx.size == 0:
        return 0.0
    r = shelter_kernel(dx, dy, *kernel_args(params))
    return float(min(float(1.0 - np.prod(1.0 - r)), params.cap))


def slot_arrays(formation: Formation) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    dx = np.array([s.dx_m for s in formation.slots], dtype=float)
    dy = np.array([s.dy_m for s in formation.slots], dtype=float)
    return dx, dy


def formation_shelter(formation: Formation, params: DraftParams) -> float:
    """The athlete's shelter in a formation (0 for ``solo``).

    Parameters
    ----------
    formation : Formation
        Pacer slots relative to the athlete.
    params : DraftParams
        Surrogate parameters.

    Returns
    -------
    float
        Fraction of the athlete's drag removed [-].
    """
    if not formation.slots:
        return 0.0
    dx, dy = slot_arrays(formation)
    return combined_shelter(dx, dy, params)


def shelter_of_positions_draws(
    dx_m: ArrayLike, dy_m: ArrayLike, draws: Sequence[DraftParams] | tuple[NDArray[np.float64], ...]
) -> NDArray[np.float64]:
    """Combined shelter of runners at ``(dx, dy)`` under every parameter draw (vectorised).

    Parameters
    ----------
    dx_m, dy_m : array, shape (n,)
        Positions of the other runners [m].
    draws : sequence of DraftParams, or their stacked columns (:func:`stack_draws`)
        Parameter draws.

    Returns
    -------
    ndarray, shape (n_draws,)
        Shelter [-] under each draw.
    """
    cols: tuple[NDArray[np.float64], ...]
    if len(draws) and isinstance(draws[0], np.ndarray):
        cols = tuple(np.asarray(c, dtype=float) for c in draws)
    else:
        cols = stack_draws([p for p in draws if isinstance(p, DraftParams)])
    dx = np.atleast_1d(np.asarray(dx_m, dtype=float))[None, :]
    dy = np.atleast_1d(np.asarray(dy_m, dtype=float))[None, :]
    return shelter_of_position_rows(dx, dy, cols)


def shelter_of_position_rows(
    dx_m: ArrayLike, dy_m: ArrayLike, cols: tuple[NDArray[np.float64], ...]
) -> NDArray[np.float64]:
    """Combined shelter for rows of positions, each row under its own parameter draw (vectorised).

    Parameters
    ----------
    dx_m, dy_m : array, shape (n, k) or (1, k)
        Positions of the other runners [m], one row per draw (a single row broadcasts).
    cols : tuple of ndarray, each shape (n, 1)
        Stacked parameter columns (:func:`stack_draws`), row ``i`` the draw of positions ``i``.

    Returns
    -------
    ndarray, shape (n,)
        Shelter [-] of each row.
    """
    dx = np.atleast_2d(np.asarray(dx_m, dtype=float))
    dy = np.atleast_2d(np.asarray(dy_m, dtype=float))
    n_draws = cols[0].shape[0]
    if dx.shape[-1] == 0:
        return np.zeros(n_draws)
    r = shelter_kernel(dx, dy, *cols)
    return combine_shelters(r, cols[7][:, 0], axis=1)


def shift_ahead(dx_m: ArrayLike, offset_m: ArrayLike) -> NDArray[np.float64]:
    """Positions with every runner ahead of the athlete (``dx > 0``) moved ``offset_m`` further ahead [m].

    Parameters
    ----------
    dx_m : array, shape (k,)
        Longitudinal positions of the other runners [m] (positive ahead).
    offset_m : float or array, shape (n, 1)
        Extra distance ahead [m] (negative: closer); a column gives one row of positions per offset.

    Returns
    -------
    ndarray, shape (k,) or (n, k)
        The runners behind or level are left where they are.
    """
    dx = np.asarray(dx_m, dtype=float)
    return np.asarray(np.where(dx > 0, dx + np.asarray(offset_m, dtype=float), dx), dtype=float)


def formation_shelter_draws(formation: Formation, draws: Sequence[DraftParams]) -> NDArray[np.float64]:
    """The athlete's shelter in a formation under each parameter draw [-].

    Parameters
    ----------
    formation : Formation
        Pacer slots.
    draws : sequence of DraftParams
        Parameter draws (the shipped bootstrap: :func:`paceline.io.fitted.drafting_draws`).

    Returns
    -------
    ndarray, shape (n_draws,)
        Shelter [-] under each draw (zeros for ``solo``).
    """
    dx, dy = slot_arrays(formation)
    return shelter_of_positions_draws(dx, dy, list(draws))


def formation_shelter_range(
    formation: Formation, params: DraftParams, draws: Sequence[DraftParams]
) -> tuple[float, float, float]:
    """Best-fit shelter and its 90 % range over the parameter draws.

    Parameters
    ----------
    formation : Formation
        Pacer slots.
    params : DraftParams
        The central parameters (the best fit).
    draws : sequence of DraftParams
        Parameter draws (e.g. the 200 shipped bootstrap draws with the study effect).

    Returns
    -------
    best, p05, p95 : float
        Shelter [-] with ``params``, and the 5th and 95th percentiles over the draws.
    """
    best = formation_shelter(formation, params)
    s = formation_shelter_draws(formation, draws)
    return best, percentile(s, 5.0), percentile(s, 95.0)  # (np.percentile's result, without importing numpy.ma)
