"""Drafting: the shelter one runner gets from others, fitted to the published studies, with its spread.

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

The parameters ``r0, d0, lam, sigma, rb`` are fitted by weighted least squares (scipy) to
``data/reference/drafting_studies.csv``, each study's configuration built as slots (``STUDY_GEOMETRY``, where
every geometric assumption is written down). Weights: status "checked" 1.0, "unverified" 0.3; a configuration
whose distances the study does not give (assumed here) counts 0.6 of that. ``lam_b`` (2.0 m) and ``cap`` (0.95) are
fixed: no study varies the distance behind, and none measures more than 89 %. Each study gets its own
effect ``k`` in the fit (partial pooling), so the shape comes from the contrasts within studies.

Formations are held in track coordinates through the bends (:mod:`paceline.io.formations`), so their shape, and
hence the shelter, is the same on the bends (the curvature moves a pacer 1.3 m ahead sideways by
``dx^2 / 2R`` = 2 cm at most, negligible); a pacer outside the athlete runs further and faster
(:func:`pacer_lines`).

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

import csv
import functools
import io
import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.io.formations import Formation, Slot
from paceline.physics.track import STANDARD_TRACK, TrackGeometry, bend_angle_between

log = logging.getLogger(__name__)

__all__ = [
    "STUDY_GEOMETRY",
    "DraftParams",
    "FitResult",
    "PacerLine",
    "Study",
    "combined_shelter",
    "default_params",
    "fit",
    "formation_shelter",
    "formation_shelter_draws",
    "formation_shelter_range",
    "load_studies",
    "pacer_lines",
    "pair_shelter",
    "parameter_draws",
]

#: Weight of a study row by its status in drafting_studies.csv.
STATUS_WEIGHT: dict[str, float] = {"checked": 1.0, "unverified": 0.3}
#: Extra factor on the weight of a row whose distances the study does not give (geometry assumed here).
ASSUMED_GEOMETRY_WEIGHT = 0.6


@dataclass(frozen=True)
class DraftParams:
    """Parameters of the shelter surrogate (see the module docstring for the formula).

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


# --------------------------------------------------------------------------------------------------------------
# the surrogate


def _smoothstep(t: NDArray[np.float64]) -> NDArray[np.float64]:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _pair_core(
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
    """Vectorised surrogate; every argument broadcasts (parameters may be arrays of draws)."""
    ahead_far = r0 * np.exp(-np.maximum(dx - d0, 0.0) / lam)
    ahead_near = rb + (r0 - rb) * _smoothstep(dx / d0)
    behind = rb * np.exp(np.minimum(dx, 0.0) / lam_b)
    f = np.where(dx >= d0, ahead_far, np.where(dx > 0.0, ahead_near, behind))
    g = np.exp(-0.5 * (dy / sigma) ** 2)
    r = 1.0 - (1.0 - f * g) ** k
    return np.asarray(np.minimum(r, cap), dtype=float)


def _args(p: DraftParams) -> tuple[float, ...]:
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


def pair_shelter(dx_m: ArrayLike, dy_m: ArrayLike, params: DraftParams | None = None) -> NDArray[np.float64] | float:
    """Shelter of a runner from one other runner at ``(dx, dy)``.

    Parameters
    ----------
    dx_m : float or array
        Longitudinal gap to the other runner, centre to centre [m]; positive: the other runner is ahead.
    dy_m : float or array
        Lateral offset of the other runner [m] (sign irrelevant).
    params : DraftParams, optional
        Surrogate parameters (default: :func:`default_params`, the best fit to the literature).

    Returns
    -------
    float or array
        Fraction of drag removed [-], in ``[0, cap]``.

    References
    ----------
    Pugh (1971); Polidori et al. (2020); Schickhofer & Hanson (2021); Li et al. (2025) (fitted, see module).
    """
    p = params or default_params()
    dx = np.asarray(dx_m, dtype=float)
    dy = np.asarray(dy_m, dtype=float)
    out = _pair_core(dx, dy, *_args(p))
    return float(out) if out.ndim == 0 else out


def combined_shelter(dx_m: ArrayLike, dy_m: ArrayLike, params: DraftParams | None = None) -> float:
    """Shelter of the athlete from several runners: ``1 - prod(1 - r_i)``, capped below 1.

    Parameters
    ----------
    dx_m, dy_m : array
        Positions of the other runners relative to the athlete [m] (dx positive ahead).
    params : DraftParams, optional
        Surrogate parameters (default: the best fit).

    Returns
    -------
    float
        Fraction of drag removed [-], 0 with no other runner, at most ``params.cap``.
    """
    p = params or default_params()
    dx = np.atleast_1d(np.asarray(dx_m, dtype=float))
    dy = np.atleast_1d(np.asarray(dy_m, dtype=float))
    if dx.shape != dy.shape:
        raise ScenarioError(f"dx_m has shape {dx.shape} but dy_m has {dy.shape}; give one dy per dx", "dy_m")
    if dx.size == 0:
        return 0.0
    r = _pair_core(dx, dy, *_args(p))
    return float(min(float(1.0 - np.prod(1.0 - r)), p.cap))


def _slot_arrays(formation: Formation) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    dx = np.array([s.dx_m for s in formation.slots], dtype=float)
    dy = np.array([s.dy_m for s in formation.slots], dtype=float)
    return dx, dy


def formation_shelter(formation: Formation, params: DraftParams | None = None) -> float:
    """The athlete's shelter in a formation (0 for ``solo``).

    Parameters
    ----------
    formation : Formation
        Pacer slots relative to the athlete.
    params : DraftParams, optional
        Surrogate parameters (default: the best fit).

    Returns
    -------
    float
        Fraction of the athlete's drag removed [-].
    """
    if not formation.slots:
        return 0.0
    dx, dy = _slot_arrays(formation)
    return combined_shelter(dx, dy, params)


def _stack(draws: Sequence[DraftParams]) -> tuple[NDArray[np.float64], ...]:
    """Parameters of many draws as column vectors, for broadcasting against slots."""
    a = np.array([_args(p) for p in draws], dtype=float)
    return tuple(a[:, i : i + 1] for i in range(a.shape[1]))


def shelter_of_positions_draws(
    dx_m: ArrayLike, dy_m: ArrayLike, draws: Sequence[DraftParams] | tuple[NDArray[np.float64], ...]
) -> NDArray[np.float64]:
    """Combined shelter of runners at ``(dx, dy)`` under every parameter draw (vectorised).

    Parameters
    ----------
    dx_m, dy_m : array, shape (n,)
        Positions of the other runners [m].
    draws : sequence of DraftParams, or their stacked columns
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
        cols = _stack([p for p in draws if isinstance(p, DraftParams)])
    dx = np.atleast_1d(np.asarray(dx_m, dtype=float))[None, :]
    dy = np.atleast_1d(np.asarray(dy_m, dtype=float))[None, :]
    n_draws = cols[0].shape[0]
    if dx.size == 0:
        return np.zeros(n_draws)
    r = _pair_core(dx, dy, *cols)
    return np.minimum(1.0 - np.prod(1.0 - r, axis=1), cols[7][:, 0])


def formation_shelter_draws(formation: Formation, draws: Sequence[DraftParams] | None = None) -> NDArray[np.float64]:
    """The athlete's shelter in a formation under each parameter draw [-] (default: :func:`parameter_draws`)."""
    d = parameter_draws() if draws is None else list(draws)
    dx, dy = _slot_arrays(formation)
    return shelter_of_positions_draws(dx, dy, d)


def formation_shelter_range(
    formation: Formation, draws: Sequence[DraftParams] | None = None, params: DraftParams | None = None
) -> tuple[float, float, float]:
    """Best-fit shelter and its 90 % range over the parameter draws.

    Parameters
    ----------
    formation : Formation
        Pacer slots.
    draws : sequence of DraftParams, optional
        Parameter draws (default: ``parameter_draws()``, 200 bootstrap draws with the study effect).
    params : DraftParams, optional
        The central parameters (default: the best fit).

    Returns
    -------
    best, p05, p95 : float
        Shelter [-] with the best fit, and the 5th and 95th percentiles over the draws.
    """
    best = formation_shelter(formation, params)
    s = formation_shelter_draws(formation, draws)
    return best, float(np.percentile(s, 5)), float(np.percentile(s, 95))


# --------------------------------------------------------------------------------------------------------------
# the published studies and the fit


@dataclass(frozen=True)
class Study:
    """One row of drafting_studies.csv with the configuration built as slots.

    Attributes
    ----------
    study, year, method, configuration, status, note : str
        As in the CSV.
    gap_m : float or None
        Gap to the nearest runner ahead given by the study [m].
    reduction : float
        Published drag reduction [-].
    slots : tuple of (dx_m, dy_m)
        Other runners relative to the sheltered runner [m].
    geometry : str
        Where the slots come from (every assumption).
    geometry_assumed : bool
        True when the study gives no distances and they are assumed here.
    weight : float
        Least-squares weight: status weight times ``ASSUMED_GEOMETRY_WEIGHT`` when the geometry is assumed.
    """

    study: str
    year: str
    method: str
    configuration: str
    gap_m: float | None
    reduction: float
    status: str
    note: str
    slots: tuple[tuple[float, float], ...]
    geometry: str
    geometry_assumed: bool
    weight: float

    @property
    def label(self) -> str:
        """Short label for plots and tables."""
        return f"{self.study} {self.year}: {self.configuration}".strip()


#: Lateral half-spacing of two runners abreast [m] (shoulder to shoulder, arms free: centres about 1.2 m apart).
ABREAST_HALF_M = 0.6
#: Spacing of runners in line when a study gives none [m] (about two strides at race pace, Polidori et al. 2020).
INLINE_GAP_M = 1.3


def _inline(n_ahead: int, gap: float = INLINE_GAP_M) -> tuple[tuple[float, float], ...]:
    return tuple((gap * (i + 1), 0.0) for i in range(n_ahead))


_INEOS = ((1.3, 0.0), (2.3, -0.8), (2.3, 0.8), (3.3, -1.6), (3.3, 1.6), (-1.0, -0.9), (-1.0, 0.9))
_INEOS_NOTE = (
    "INEOS 1:59 (2019): five pacers ahead in an inverted V whose point is 1.3 m ahead of the athlete, arms 1.0 m "
    "apart along the track and 0.8 m apart laterally per step; two pacers 1.0 m behind at +-0.9 m (assumed from "
    "photographs and press descriptions; the studies give no distances)"
)

#: Configuration of every study row as (dx, dy) slots, keyed by (study, configuration) as in the CSV,
#: with the geometric assumptions written out and whether the distances are assumed.
STUDY_GEOMETRY: dict[tuple[str, str], tuple[tuple[tuple[float, float], ...], str, bool]] = {
    ("Pugh", "one runner directly ahead"): (((1.0, 0.0),), "one runner 1.0 m ahead (gap from the study)", False),
    ("Polidori et al.", "one runner directly ahead"): (((1.3, 0.0),), "one runner 1.3 m ahead (study)", False),
    ("Polidori et al.", "two runners abreast ahead"): (
        ((1.3, -ABREAST_HALF_M), (1.3, ABREAST_HALF_M)),
        "behind the gap between two pacers abreast 1.3 m ahead (study); pacer centres 1.2 m apart (assumed)",
        False,
    ),
    ("Beaumont et al.", "two runners ahead"): (
        ((1.3, -ABREAST_HALF_M), (1.3, ABREAST_HALF_M)),
        "two pace makers abreast ahead, as in the same group's Polidori et al. (2020) set-up: 1.3 m ahead, "
        "centres 1.2 m apart (assumed; the on-track test gives no distances)",
        True,
    ),
    ("Schickhofer and Hanson", "best of four formations"): (
        ((1.0, 0.0), (2.0, 0.0)),
        "best formation taken as two pacers in line ahead, 1.0 m and 2.0 m (assumed: the abstract says more than "
        "70 % comes from fairly simple formations and runners on the sides hurt)",
        True,
    ),
    ("Schickhofer and Hanson", "one runner directly ahead"): (
        ((1.0, 0.0),),
        "one runner 1.0 m ahead (gap from the forum citation)",
        False,
    ),
    ("Schickhofer and Hanson", "one ahead and one behind"): (
        ((1.0, 0.0), (-1.0, 0.0)),
        "one runner 1.0 m ahead, one 1.0 m behind (gap from the forum citation; behind assumed equal)",
        False,
    ),
    ("Li et al.", "one runner directly ahead (2 runners)"): (
        ((1.0, 0.0),),
        "one pacer 1.0 m ahead (assumed: the abstract says the best value is at minimal longitudinal spacing)",
        True,
    ),
    ("Li et al.", "one ahead and one behind"): (
        ((1.0, 0.0), (-1.0, 0.0)),
        "pacers 1.0 m ahead and 1.0 m behind (assumed, minimal spacing as above)",
        True,
    ),
    ("Li et al.", "three ahead in a V (4 runners)"): (
        ((1.0, 0.0), (1.5, -0.6), (1.5, 0.6)),
        "V of three ahead, its point 1.0 m ahead of the athlete, two wings 0.5 m further ahead at +-0.6 m "
        "(assumed: 'directly behind the three pacemakers in a V-shaped formation with close longitudinal spacing')",
        True,
    ),
    ("Li et al.", "Kipchoge 2019 formation (5 V ahead + 2 behind)"): (_INEOS, _INEOS_NOTE, True),
    ("Marro et al.", "Kipchoge 2019 formation (5 V ahead + 2 behind)"): (_INEOS, _INEOS_NOTE, True),
    ("Marro et al.", "best of three new 6-7 pacer formations"): (
        ((1.3, 0.0), (2.6, -0.6), (2.6, 0.6), (3.9, 0.0), (5.2, 0.0), (-1.0, -0.9), (-1.0, 0.9)),
        "'swordfish' / lower-case t: five pacers ahead (one 1.3 m ahead, a pair abreast 1.3 m further at +-0.6 m, "
        "two in line ahead of the pair, 1.3 m apart) plus two behind as in the INEOS formation (assumed from the "
        "press description)",
        True,
    ),
    ("(in-line CFD)", "2 runners in line (last runner)"): (
        _inline(1),
        "runners in line 1.3 m apart (assumed)",
        True,
    ),
    ("(in-line CFD)", "3 runners in line (last runner)"): (
        _inline(2),
        "runners in line 1.3 m apart (assumed)",
        True,
    ),
    ("(in-line CFD)", "4 runners in line (last runner)"): (
        _inline(3),
        "runners in line 1.3 m apart (assumed)",
        True,
    ),
}


def _read_studies_csv() -> list[dict[str, str]]:
    text = (resources.files("paceline") / "data" / "reference" / "drafting_studies.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@functools.cache
def load_studies() -> tuple[Study, ...]:
    """The published drafting studies with their configurations as slots.

    Rows with a gap in the CSV put the nearest runner ahead at that gap (the runners ahead of the geometry table's
    configuration are moved along the track together).

    Returns
    -------
    tuple of Study
        One entry per row of ``data/reference/drafting_studies.csv``.
    """
    out = []
    for i, row in enumerate(_read_studies_csv()):
        key = (row["study"].strip(), row["configuration"].strip())
        if key not in STUDY_GEOMETRY:
            raise ScenarioError(f"no geometry for study row {key}; add it to STUDY_GEOMETRY", f"drafting_studies[{i}]")
        slots, note, assumed = STUDY_GEOMETRY[key]
        gap = float(row["gap_m"]) if row["gap_m"].strip() else None
        if gap is not None:
            # the CSV's gap wins: shift the runners ahead so the nearest one is at that gap
            shift = gap - min(dx for dx, _ in slots if dx > 0)
            if abs(shift) > 1e-12:
                slots = tuple((dx + shift if dx > 0 else dx, dy) for dx, dy in slots)
                note = f"{note}; runners ahead moved to the row's gap of {gap:g} m"
        status = row["status"].strip()
        weight = STATUS_WEIGHT.get(status, STATUS_WEIGHT["unverified"]) * (ASSUMED_GEOMETRY_WEIGHT if assumed else 1.0)
        out.append(
            Study(
                study=key[0],
                year=row["year"].strip(),
                method=row["method"].strip(),
                configuration=key[1],
                gap_m=gap,
                reduction=float(row["reduction"]),
                status=status,
                note=row.get("note", "") or "",
                slots=slots,
                geometry=note,
                geometry_assumed=assumed,
                weight=weight,
            )
        )
    return tuple(out)


#: Fitted shape parameters, their start values and bounds (the others stay at their DraftParams defaults).
_FIT_NAMES = ("peak_shelter", "peak_gap_m", "decay_length_m", "lateral_width_m", "behind_shelter")
_X0 = np.array([0.80, 0.6, 1.5, 0.45, 0.10])
_LO = np.array([0.30, 0.4, 0.3, 0.15, 0.0])
_HI = np.array([0.94, 1.0, 6.0, 1.2, 0.40])
#: Prior spread of the study effect, log k ~ N(0, STUDY_EFFECT_PRIOR^2) (partial pooling of the study levels).
STUDY_EFFECT_PRIOR = 0.35
#: Noise of a published value within a study [-] (scales the prior against the data residuals).
WITHIN_STUDY_NOISE = 0.03


def _study_matrices(studies: Sequence[Study]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n_max = max(len(s.slots) for s in studies)
    dx = np.zeros((len(studies), n_max))
    dy = np.full((len(studies), n_max), 100.0)  # padding: far to the side, shelter 0
    for i, s in enumerate(studies):
        for j, (a, b) in enumerate(s.slots):
            dx[i, j], dy[i, j] = a, b
    return dx, dy


def _predict_matrix(
    x: NDArray[np.float64], dx: NDArray[np.float64], dy: NDArray[np.float64], k: Any = 1.0
) -> NDArray[np.float64]:
    base = DraftParams()
    rb = min(x[4], x[0])
    r = _pair_core(dx, dy, x[0], x[1], x[2], x[3], rb, base.behind_decay_m, np.reshape(k, (-1, 1)), base.cap)
    return np.minimum(1.0 - np.prod(1.0 - r, axis=1), base.cap)


def _params_from_x(x: NDArray[np.float64], strength: float = 1.0) -> DraftParams:
    kw = {n: float(v) for n, v in zip(_FIT_NAMES, x, strict=True)}
    kw["behind_shelter"] = min(kw["behind_shelter"], kw["peak_shelter"])
    return DraftParams(**kw, strength=strength)


def _fit_x(
    studies: Sequence[Study],
    idx: NDArray[np.int_] | None = None,
    groups: NDArray[np.int_] | None = None,
    x0: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weighted least squares with one study effect ``log k`` per group (study), pooled by a Gaussian prior.

    Returns the shape parameters and the log study effect of every group (in group order).
    """
    from scipy.optimize import least_squares

    dx, dy = _study_matrices(studies)
    y = np.array([s.reduction for s in studies])
    w = np.sqrt(np.array([s.weight for s in studies]))
    names = [s.study for s in studies]
    if idx is None:
        idx = np.arange(len(studies))
    if groups is None:
        uniq = list(dict.fromkeys(names))
        groups = np.array([uniq.index(n) for n in names])
    dx, dy, y, w = dx[idx], dy[idx], y[idx], w[idx]
    n_g = int(groups.max()) + 1
    n_p = len(_X0)

    def resid(z: NDArray[np.float64]) -> NDArray[np.float64]:
        k = np.exp(z[n_p:])[groups]
        fit_r = w * (_predict_matrix(z[:n_p], dx, dy, k) - y)
        return np.concatenate([fit_r, WITHIN_STUDY_NOISE * z[n_p:] / STUDY_EFFECT_PRIOR])

    start = np.clip(_X0 if x0 is None else x0, _LO + 1e-9, _HI - 1e-9)
    z0 = np.concatenate([start, np.zeros(n_g)])
    lo = np.concatenate([_LO, np.full(n_g, -2.0)])
    hi = np.concatenate([_HI, np.full(n_g, 2.0)])
    sol = least_squares(resid, z0, bounds=(lo, hi), x_scale="jac", method="trf")
    return np.asarray(sol.x[:n_p], dtype=float), np.asarray(sol.x[n_p:], dtype=float)


@dataclass(frozen=True)
class FitResult:
    """The least-squares fit of the surrogate to the studies.

    Attributes
    ----------
    params : DraftParams
        Best-fit parameters (a typical study: study effect 1).
    studies : tuple of Study
        The rows fitted.
    predicted : ndarray
        Shelter predicted for each study's configuration with the best fit [-].
    study_effects : dict of str to float
        Fitted study effect ``k`` of each study (>1: the study finds more shelter than typical).
    study_effect_sd : float
        Spread of ``log k`` between studies [-] (RMS of the fitted values, at least 0.1).
    rms_error : float
        Weighted RMS of predicted - published with the best fit [-].
    """

    params: DraftParams
    studies: tuple[Study, ...]
    predicted: NDArray[np.float64]
    study_effects: dict[str, float]
    study_effect_sd: float
    rms_error: float

    def table(self) -> list[dict[str, Any]]:
        """One row per study: label, status, weight, published, predicted."""
        return [
            {
                "study": s.study,
                "year": s.year,
                "configuration": s.configuration,
                "status": s.status,
                "weight": round(s.weight, 3),
                "published": s.reduction,
                "predicted": round(float(p), 4),
                "study_effect": round(self.study_effects[s.study], 3),
                "geometry": s.geometry,
            }
            for s, p in zip(self.studies, self.predicted, strict=True)
        ]


@functools.cache
def fit() -> FitResult:
    """Fit the surrogate to ``drafting_studies.csv`` by weighted least squares with pooled study effects.

    Each study (Pugh, Polidori et al., Li et al., ...) gets its own effect ``k`` (an exponent on ``1 - r``), pooled
    towards 1 by a Gaussian prior on ``log k`` (sd ``STUDY_EFFECT_PRIOR``), so the shape of the wake is learnt from
    the contrasts within each study (one ahead vs one ahead and one behind, ...) and its level from all of them.

    Returns
    -------
    FitResult
        Best-fit parameters, the predicted value for each study and the weighted RMS error.
    """
    studies = load_studies()
    x, u = _fit_x(studies)
    params = _params_from_x(x)
    pred = np.array([combined_shelter([a for a, _ in s.slots], [b for _, b in s.slots], params) for s in studies])
    w = np.array([s.weight for s in studies])
    y = np.array([s.reduction for s in studies])
    rms = float(np.sqrt(np.sum(w * (pred - y) ** 2) / np.sum(w)))
    uniq = list(dict.fromkeys(s.study for s in studies))
    effects = {name: float(np.exp(u[i])) for i, name in enumerate(uniq)}
    sd = max(float(np.sqrt(np.mean(u**2))), 0.1)
    log.debug("drafting fit %s, weighted RMS %.3f, study effects %s", params, rms, effects)
    return FitResult(
        params=params, studies=studies, predicted=pred, study_effects=effects, study_effect_sd=sd, rms_error=rms
    )


def default_params() -> DraftParams:
    """Best fit of the surrogate to the published studies (see :func:`fit`).

    Returns
    -------
    DraftParams
        The fitted parameters (study effect 1: a typical study).
    """
    return fit().params


@functools.cache
def _draws(n: int, seed: int) -> tuple[DraftParams, ...]:
    if n < 1:
        raise ScenarioError(f"{n} draws is not allowed; n >= 1", "n")
    res = fit()
    studies = res.studies
    names = [s.study for s in studies]
    uniq = list(dict.fromkeys(names))
    rows_of = [np.array([i for i, nm in enumerate(names) if nm == g]) for g in uniq]
    x_best = np.array([getattr(res.params, name) for name in _FIT_NAMES])
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        pick = rng.choice(len(uniq), size=len(uniq), replace=True)
        idx = np.concatenate([rows_of[g] for g in pick])
        groups = np.concatenate([np.full(len(rows_of[g]), j) for j, g in enumerate(pick)])
        x, u = _fit_x(studies, idx=idx, groups=groups, x0=x_best)
        sd = max(float(np.sqrt(np.mean(u**2))), 0.1)
        k = float(np.exp(rng.normal(0.0, sd)))
        out.append(_params_from_x(x, strength=float(np.clip(k, 0.3, 3.0))))
    return tuple(out)


def parameter_draws(n: int = 200, seed: int = 0) -> list[DraftParams]:
    """Parameter draws that keep the spread of the studies (deterministic for a seed).

    Each draw refits the surrogate to a bootstrap resample of the studies (whole studies, all their rows), then
    draws the effect ``k`` of a new study from ``log k ~ N(0, s)``, ``s`` the spread of the refitted study
    effects. The first part is the uncertainty of the wake's shape, the second the disagreement between studies
    (a real formation on a real night is one more "study").

    Parameters
    ----------
    n : int
        Number of draws.
    seed : int
        Seed of the random generator.

    Returns
    -------
    list of DraftParams
    """
    return list(_draws(int(n), int(seed)))


# --------------------------------------------------------------------------------------------------------------
# formations through the bends


@dataclass(frozen=True)
class PacerLine:
    """The line a pacer runs to hold a slot through the bends.

    Attributes
    ----------
    slot : str
        Slot name.
    dx_m, dy_m : float
        Slot relative to the athlete [m].
    offset_m : float
        The pacer's lateral offset from the kerb [m].
    distance_m : float
        Distance the pacer runs between the two track coordinates [m].
    extra_m : float
        Extra distance against the athlete's own line over the same stretch [m].
    speed_ratio : float
        Mean speed needed relative to the athlete over the stretch [-].
    speed_ratio_bend : float
        Speed ratio needed on the bends [-] (1 on the straights).
    laps : tuple of (float, float, float, float)
        Per lap (or part lap): track coordinates from and to [m], extra distance [m], mean speed ratio [-].
    """

    slot: str
    dx_m: float
    dy_m: float
    offset_m: float
    distance_m: float
    extra_m: float
    speed_ratio: float
    speed_ratio_bend: float
    laps: tuple[tuple[float, float, float, float], ...]

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (for JSON)."""
        d = asdict(self)
        d["laps"] = [
            {"from_m": a, "to_m": b, "extra_m": round(e, 4), "speed_ratio": round(r, 5)} for a, b, e, r in self.laps
        ]
        return d


def check_slots(formation: Formation, track: TrackGeometry = STANDARD_TRACK, lanes: int | None = None) -> None:
    """Raise :class:`ScenarioError` naming the slot if a runner is inside the kerb or beyond the allowed lanes.

    Parameters
    ----------
    formation : Formation
        Slots and the athlete's offset from the kerb.
    track : TrackGeometry
        Track dimensions.
    lanes : int, optional
        Number of lanes the formation may use (default: every lane of the track).
    """
    n_lanes = track.lanes if lanes is None else lanes
    if not 1 <= n_lanes <= track.lanes:
        raise ScenarioError(f"{n_lanes} lanes is not allowed; 1 to {track.lanes}", "lanes")
    outer = n_lanes * track.lane_width_m
    a = formation.athlete_offset_m
    if not 0.0 <= a <= outer:
        raise ScenarioError(
            f"the athlete would run {a:.2f} m from the kerb; allowed 0 to {outer:.2f} m ({n_lanes} lanes)",
            f"{formation.name}.athlete_offset_m",
        )
    for i, s in enumerate(formation.slots):
        d = a + s.dy_m
        if d < 0.0:
            raise ScenarioError(
                f"slot {s.name!r} would run {d:.2f} m from the kerb, inside it; move it outward by {-d:.2f} m or "
                f"move the athlete out",
                f"{formation.name}.slots[{i}]",
            )
        if d > outer:
            raise ScenarioError(
                f"slot {s.name!r} would run {d:.2f} m from the kerb, beyond the {n_lanes} allowed lanes "
                f"({outer:.2f} m); move it inward by {d - outer:.2f} m",
                f"{formation.name}.slots[{i}]",
            )


def pacer_lines(
    formation: Formation,
    s_ref_start: float,
    s_ref_end: float,
    track: TrackGeometry = STANDARD_TRACK,
    lanes: int | None = None,
) -> list[PacerLine]:
    """Distance and speed each pacer needs to hold its slot between two track coordinates.

    Slots are held in track coordinates: a pacer at lateral offset ``d`` from the kerb beside an athlete at
    ``a`` runs ``(R + d) / (R + a)`` times her speed on the bends (``R`` the kerb radius) and her speed on the
    straights; over a stretch it runs ``(d - a) x (bend angle covered)`` metres more.

    Parameters
    ----------
    formation : Formation
        Slots and the athlete's offset.
    s_ref_start, s_ref_end : float
        Track coordinates of the athlete at the start and end of the stretch [m] (lane-1 line from the finish
        line; may exceed a lap). The pacer's stretch is shifted by its ``dx``.
    track : TrackGeometry
        Track dimensions.
    lanes : int, optional
        Lanes the formation may use (default: all); a slot beyond them or inside the kerb is an error.

    Returns
    -------
    list of PacerLine
        One per slot, in slot order.

    References
    ----------
    World Athletics Track and Field Facilities Manual (2019): running-line lengths.
    """
    if not s_ref_end >= s_ref_start:
        raise ScenarioError(f"end {s_ref_end} is before start {s_ref_start}; allowed end >= start", "s_ref_end")
    check_slots(formation, track, lanes)
    a = formation.athlete_offset_m
    lap = track.lap_m
    edges = [s_ref_start]
    k = math.floor(s_ref_start / lap) + 1
    while k * lap < s_ref_end - 1e-9:
        edges.append(k * lap)
        k += 1
    edges.append(s_ref_end)
    out = []
    for s in formation.slots:
        d = a + s.dy_m
        laps = []
        total_extra = 0.0
        total_ath = 0.0
        for s0, s1 in itertools.pairwise(edges):
            ang = float(bend_angle_between(s0 + s.dx_m, s1 + s.dx_m, track))
            ang_ath = float(bend_angle_between(s0, s1, track))
            ath = (s1 - s0) + (a - track.lane1_line_m) * ang_ath
            pac = (s1 - s0) + (d - track.lane1_line_m) * ang
            extra = pac - ath
            laps.append((s0, s1, extra, pac / ath if ath > 0 else 1.0))
            total_extra += extra
            total_ath += ath
        ratio_bend = (track.kerb_radius_m + d) / (track.kerb_radius_m + a)
        out.append(
            PacerLine(
                slot=s.name,
                dx_m=s.dx_m,
                dy_m=s.dy_m,
                offset_m=d,
                distance_m=total_ath + total_extra,
                extra_m=total_extra,
                speed_ratio=(total_ath + total_extra) / total_ath if total_ath > 0 else 1.0,
                speed_ratio_bend=ratio_bend,
                laps=tuple(laps),
            )
        )
    return out


def with_slots(formation: Formation, slots: Sequence[Slot]) -> Formation:
    """A copy of ``formation`` with other slots."""
    return replace(formation, slots=tuple(slots))


def param_names() -> list[str]:
    """Names of the DraftParams fields."""
    return [f.name for f in fields(DraftParams)]


# --------------------------------------------------------------------------------------------------------------
# designing a formation

#: Scenario whose energetics set the exchange rate between shelter and the athlete's offset in formation design.
OFFSET_EXCHANGE_SCENARIO = "kram2025"


@functools.cache
def default_offset_penalty_per_m(scenario: str = OFFSET_EXCHANGE_SCENARIO) -> float:
    """Shelter traded for one metre of the athlete's offset beyond the lane-1 line in formation design [1/m].

    Not a hand-set constant: the equal-power model's time per metre of offset (the bends add ``2 pi`` m per lap)
    over its time per unit of shelter, for ``scenario`` (Kipyegon's mile: about 0.24 per metre; see
    :func:`paceline.models.equal_power.offset_shelter_exchange_rate`).
    """
    from paceline.io.scenario import load_scenario
    from paceline.models.equal_power import offset_shelter_exchange_rate

    return offset_shelter_exchange_rate(load_scenario(scenario))


#: Closest a pacer's centre may come to the kerb [m].
PACER_KERB_CLEARANCE_M = 0.2
#: Closest the athlete's line may come to the kerb [m] (the lane-1 running line).
ATHLETE_MIN_OFFSET_M = 0.30


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
) -> DesignResult:
    """Place pacers to maximise the athlete's pessimistic shelter under practical constraints.

    Maximises the ``quantile`` (default 10th percentile) of the shelter over the parameter draws, less a penalty
    for moving the athlete off the lane-1 running line, subject to: every two runners (athlete included) at least
    ``min_spacing_m`` apart; pacers at least 0.2 m from the kerb and inside the outer edge of lane ``lanes`` less
    0.2 m; the athlete on the lane-1 line or as far out as the innermost pacer needs. Slots are held in track
    coordinates, so every pacer can run its line through the bends at ``(R + d_pacer) / (R + d_athlete)`` of
    her speed (at most +5.3 % within two lanes). Differential evolution (scipy, vectorised over the population)
    on a penalised objective, then a local polish; slots rounded to 1 cm.

    Parameters
    ----------
    n_pacers : int
        Number of pacers to place (1-12).
    min_spacing_m : float
        Minimum centre-to-centre distance between any two runners [m].
    lanes : int
        Lanes the formation may use (1-8).
    quantile : float
        Quantile of the shelter over the draws to maximise (0 < q < 1).
    draws : sequence of DraftParams, optional
        Parameter draws (default: ``parameter_draws()``).
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

    Returns
    -------
    DesignResult
    """
    if offset_penalty_per_m is None:
        offset_penalty_per_m = default_offset_penalty_per_m()
    from scipy.optimize import differential_evolution, minimize

    if not 1 <= n_pacers <= 12:
        raise ScenarioError(f"{n_pacers} pacers is not allowed; 1 to 12", "--pacers")
    if not 0.5 <= min_spacing_m <= 3.0:
        raise ScenarioError(f"{min_spacing_m} m is not allowed; a minimum spacing of 0.5 to 3.0 m", "--min-spacing-m")
    if not 1 <= lanes <= track.lanes:
        raise ScenarioError(f"{lanes} lanes is not allowed; 1 to {track.lanes}", "--lanes")
    if not 0.0 < quantile < 1.0:
        raise ScenarioError(f"{quantile} is not allowed; 0 < quantile < 1", "quantile")
    d = parameter_draws() if draws is None else list(draws)
    cols = _stack(d)
    cols3 = tuple(c[None, :, :] for c in cols)  # (1, n_draws, 1)
    outer = lanes * track.lane_width_m - PACER_KERB_CLEARANCE_M
    dy_lim = outer - PACER_KERB_CLEARANCE_M
    n = n_pacers
    bounds = [(-3.0, 6.0)] * n + [(-dy_lim, dy_lim)] * n
    margin = 0.01

    def athlete_offset(dy: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.maximum(ATHLETE_MIN_OFFSET_M, PACER_KERB_CLEARANCE_M - dy.min(axis=-1))

    def make_objective(k: int) -> Any:
        def objective(z: NDArray[np.float64]) -> NDArray[np.float64]:
            """z: (2k, S) -> (S,) to minimise."""
            z2 = np.atleast_2d(z.T)  # (S, 2k)
            dx, dy = z2[:, :k], z2[:, k:]
            r = _pair_core(dx[:, None, :], dy[:, None, :], *cols3)  # (S, draws, k)
            sh = np.minimum(1.0 - np.prod(1.0 - r, axis=2), cols3[7][:, :, 0])
            q = np.quantile(sh, quantile, axis=1)
            a = athlete_offset(dy)
            # constraints as penalties
            px = np.concatenate([np.zeros((len(dx), 1)), dx], axis=1)
            py = np.concatenate([np.zeros((len(dy), 1)), dy], axis=1)
            dist = np.hypot(px[:, :, None] - px[:, None, :], py[:, :, None] - py[:, None, :])
            iu = np.triu_indices(k + 1, 1)
            short = np.clip(min_spacing_m + margin - dist[:, iu[0], iu[1]], 0.0, None).sum(axis=1)
            wide = np.clip(a[:, None] + dy - outer, 0.0, None).sum(axis=1) + np.clip(a - outer, 0.0, None)
            return np.asarray(-(q - offset_penalty_per_m * (a - ATHLETE_MIN_OFFSET_M)) + 10.0 * (short + wide))

        return objective

    def polish(k: int, z: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
        f = make_objective(k)
        sol = minimize(lambda v: float(f(v[:, None])[0]), z, method="Nelder-Mead", options={"maxiter": 3000})
        f0 = float(f(z[:, None])[0])
        return (np.asarray(sol.x), float(sol.fun)) if sol.fun < f0 else (z, f0)

    # 1. greedy: add one pacer at a time at the best point of a grid, then polish all jointly; the objective never
    #    gets worse with one more pacer (it could always run far away)
    gx, gy = np.meshgrid(np.arange(-3.0, 6.0 + 1e-9, 0.1), np.arange(-dy_lim, dy_lim + 1e-9, 0.1))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    z_g = np.zeros(0)
    for k in range(1, n + 1):
        f = make_objective(k)
        cand = np.column_stack(
            [np.tile(z_g[: k - 1], (len(grid), 1)), grid[:, 0], np.tile(z_g[k - 1 :], (len(grid), 1)), grid[:, 1]]
        )
        vals = np.concatenate([f(c.T) for c in np.array_split(cand, max(1, len(cand) // 1000))])
        z_g, _ = polish(k, cand[int(np.argmin(vals))])
    objective = make_objective(n)
    f_g = float(objective(z_g[:, None])[0])
    # 2. global: differential evolution seeded with the greedy design, then a polish
    res = differential_evolution(
        objective,
        bounds,
        x0=np.clip(z_g, [b[0] for b in bounds], [b[1] for b in bounds]),
        seed=seed,
        maxiter=max_iter,
        popsize=10,
        tol=1e-7,
        polish=False,
        vectorized=True,
        updating="deferred",
        init="sobol",
    )
    z_de, f_de = polish(n, np.asarray(res.x))
    z = z_de if f_de < f_g else z_g
    dx = np.round(z[:n], 2) + 0.0
    dy = np.round(z[n:], 2) + 0.0
    dy[np.abs(dy) < 0.03] = 0.0  # on the athlete's line: say so
    order = np.argsort(-dx)
    dx, dy = dx[order], dy[order]
    a = float(np.round(athlete_offset(dy[None, :])[0], 2))
    spacing = _min_spacing(dx, dy)
    if spacing < min_spacing_m - 1e-9:
        log.warning("designed formation has a spacing of %.2f m, below %.2f m", spacing, min_spacing_m)
    fname = name or f"designed-{n}"
    slots = tuple(Slot(f"p{i + 1}", float(x), float(y)) for i, (x, y) in enumerate(zip(dx, dy, strict=True)))
    form = Formation(
        name=fname,
        slots=slots,
        description=f"{n} pacers placed by paceline to maximise the {quantile:.0%} quantile of the shelter",
        source=(
            f"paceline formations design --pacers {n} --min-spacing-m {min_spacing_m:g} --lanes {lanes} "
            f"(drafting surrogate fitted to drafting_studies.csv, {len(d)} parameter draws, seed {seed})"
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
    best, lo, hi = formation_shelter_range(form, d)
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


def formation_to_toml(formation: Formation) -> str:
    """A formation as TOML text, loadable by :func:`paceline.io.formations.formation_from_dict` / a scenario."""
    import json

    lines = [
        f"name = {json.dumps(formation.name)}",
        f"description = {json.dumps(formation.description)}",
        f"source = {json.dumps(formation.source)}",
        "assumptions = [",
        *[f"  {json.dumps(a)}," for a in formation.assumptions],
        "]",
        f"athlete_offset_m = {formation.athlete_offset_m:g}",
    ]
    for s in formation.slots:
        lines += ["[[slots]]", f"name = {json.dumps(s.name)}", f"dx_m = {s.dx_m:g}", f"dy_m = {s.dy_m:g}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------------------
# diagram


def plot_formation(
    formation: Formation,
    path: str | None = None,
    params: DraftParams | None = None,
    draws: Sequence[DraftParams] | None = None,
    speed_m_s: float = 1609.344 / 240.0,
    track: TrackGeometry = STANDARD_TRACK,
) -> Any:
    """Top-down diagram of a formation: slots, the athlete highlighted, the shelter map, the air flow.

    Parameters
    ----------
    formation : Formation
        The formation to draw.
    path : str, optional
        Save the figure there (``.svg``, ``.png``, ``.pdf``).
    params : DraftParams, optional
        Surrogate parameters for the shelter map and figure (default: the best fit).
    draws : sequence of DraftParams, optional
        Draws for the 90 % range written on the diagram (default: ``parameter_draws()``).
    speed_m_s : float
        Running speed for the air-flow label [m/s] (default 4:00 mile pace).
    track : TrackGeometry
        Track dimensions (lane lines).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    p = params or default_params()
    best, lo, hi = formation_shelter_range(formation, draws, p)
    a = formation.athlete_offset_m
    xs = [a] + [a + s.dy_m for s in formation.slots]
    ys = [0.0] + [s.dx_m for s in formation.slots]
    x_hi = max(max(xs) + 1.0, 2 * track.lane_width_m + 0.2)
    y_lo, y_hi = min(ys) - 1.5, max(ys) + 1.5
    fig = Figure(figsize=(5.2, 6.4), layout="constrained")
    ax = fig.add_subplot()
    # shelter map: what a runner standing at each point would get from the pacers
    gx, gy = np.meshgrid(np.linspace(-0.3, x_hi, 160), np.linspace(y_lo, y_hi, 200))
    if formation.slots:
        dxs = np.array([s.dx_m for s in formation.slots])[None, None, :] - gy[..., None]
        dys = (a + np.array([s.dy_m for s in formation.slots]))[None, None, :] - gx[..., None]
        r = _pair_core(dxs, dys, *_args(p))
        field = 1.0 - np.prod(1.0 - r, axis=2)
        im = ax.imshow(
            field,
            extent=(-0.3, x_hi, y_lo, y_hi),
            origin="lower",
            cmap="Greens",
            vmin=0.0,
            vmax=1.0,
            alpha=0.8,
            aspect="equal",
        )
        fig.colorbar(im, ax=ax, shrink=0.6, label="shelter a runner would get there [-]")
    ax.axvspan(-0.3, 0.0, color="0.75")
    ax.axvline(0.0, color="k", lw=2)
    for lane in range(1, track.lanes):
        if lane * track.lane_width_m < x_hi:
            ax.axvline(lane * track.lane_width_m, color="0.4", lw=0.8, ls="--")
    for s in formation.slots:
        ax.add_patch(Circle((a + s.dy_m, s.dx_m), 0.22, color="tab:blue", zorder=3))
        ax.annotate(s.name, (a + s.dy_m, s.dx_m), xytext=(0, 11), textcoords="offset points", ha="center", fontsize=7)
    ax.add_patch(Circle((a, 0.0), 0.25, color="tab:red", zorder=4))
    ax.annotate(
        "athlete", (a, 0.0), xytext=(0, -16), textcoords="offset points", ha="center", fontsize=8, color="tab:red"
    )
    ax.annotate(
        "",
        xy=(x_hi - 0.35, y_hi - 1.6),
        xytext=(x_hi - 0.35, y_hi - 0.2),
        arrowprops={"arrowstyle": "->", "lw": 2, "color": "tab:purple"},
    )
    ax.text(
        x_hi - 0.45, y_hi - 0.9, f"air\n{speed_m_s:.1f} m/s", ha="right", va="center", fontsize=7, color="tab:purple"
    )
    ax.set_xlim(-0.3, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("distance from the kerb [m]")
    ax.set_ylabel("along the track, ahead of the athlete [m]")
    ax.set_title(
        f"{formation.name}: drag reduction {best:.0%}\n(90 % range {lo:.0%}-{hi:.0%}, {formation.n_pacers} pacers)",
        fontsize=10,
    )
    if path:
        fig.savefig(path)
    return fig
