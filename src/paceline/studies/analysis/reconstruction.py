"""A real race's speed profile rebuilt from its splits, with a start from rest.

Stages
------
1. **Standing start** (:func:`standing_start_time_s`): from rest, speed rises as ``V (1 - exp(-t / tau))`` (Keller
   1973, ``tau`` = 0.892 s), which costs ``tau`` seconds against a flying start (:func:`standing_start_lag_s`).
2. **Cruise pace** (:func:`reconstruct`): the split times less that lag. The *cruise* pace ``p(x)`` [s/m] is piecewise
   linear on a grid of about 10 m (at least 8 and at most 60 intervals per split segment) and is the smoothest such
   pace (least squared second differences) that

   * reproduces every split segment's time exactly (equality constraints, projected to machine precision),
   * stays monotone within a segment whose mean pace lies between its neighbours' (no invented oscillation),
   * stays within the segment mean +- the largest difference to a neighbouring segment mean (no overshoot).

   It is solved as a small quadratic programme (HiGHS through CasADi); ``method="pchip"`` instead takes the monotone
   cubic (PCHIP, Fritsch & Carlson 1980) interpolant of cumulative time against distance.
3. **The race** (:class:`Reconstruction`): cruise time plus the start lag, so the profile passes through every split.
   Splits are taken where the file says (a mile's splits at the 400 m marks, or at the finish-line crossings 9.344,
   409.344, ... m: both are just race distances from the start).

References
----------
Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.
Fritsch, F. N. & Carlson, R. E. (1980). Monotone piecewise cubic interpolation. SIAM J. Numer. Anal. 17, 238-246.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError, SolverError
from paceline.io.races import RaceSplits
from paceline.models.keller import KELLER_1973
from paceline.models.race import Assumption, Race
from paceline.physics.arrays import scalar_or_array

#: Time constant of the acceleration from rest [s] (Keller 1973, fit to the men's sprint records: the one value,
#: :data:`paceline.models.keller.KELLER_1973`).
KELLER_TAU_S = KELLER_1973.tau_s

#: Target spacing of the pace grid [m].
GRID_STEP_M = 10.0

#: Fewest and most grid intervals per split segment.
MIN_INTERVALS, MAX_INTERVALS = 8, 60

#: Reconstruction methods.
METHODS = ("smooth", "pchip")

CITATIONS = [
    "Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.",
    "Fritsch, F. N. & Carlson, R. E. (1980). Monotone piecewise cubic interpolation. SIAM J. Numer. Anal. 17, 238-246.",
]


# ---------------------------------------------------------------------------------------------------------------
# standing start
# ---------------------------------------------------------------------------------------------------------------
def standing_start_time_s(x_m: NDArray[np.float64] | float, speed_m_s: float, tau_s: float = KELLER_TAU_S) -> Any:
    """Time to cover ``x`` metres from rest when speed rises as ``V (1 - exp(-t/tau))``.

    Parameters
    ----------
    x_m : float or array
        Distance from the start [m], >= 0.
    speed_m_s : float
        Speed ``V`` approached [m/s].
    tau_s : float
        Time constant [s].

    Returns
    -------
    float or ndarray
        Time [s] solving ``x = V (t - tau (1 - exp(-t/tau)))``; for ``x >> V tau`` it is ``x / V + tau``.

    References
    ----------
    Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.
    """
    x = np.asarray(x_m, dtype=float)
    v, tau = float(speed_m_s), float(tau_s)
    if tau <= 0:
        out = x / v
        return scalar_or_array(out)
    # initial guess: the larger of the short-distance (x = V t^2 / 2 tau) and long-distance asymptotes
    t = np.maximum(np.sqrt(2.0 * tau * np.maximum(x, 0.0) / v), x / v + tau * 0.0)
    t = np.maximum(t, x / v)
    # Newton on a convex, increasing function from above the root; halving guards the first steps from below
    for _ in range(60):
        e = np.exp(-t / tau)
        f = v * (t - tau * (1.0 - e)) - x
        df = v * (1.0 - e)
        step = np.where(df > 0, f / np.where(df > 0, df, 1.0), 0.0)
        t_new = np.maximum(t - step, 0.5 * t)
        if np.all(np.abs(t_new - t) < 1e-13 * np.maximum(1.0, t)):
            t = t_new
            break
        t = t_new
    t = np.where(x <= 0, 0.0, t)
    return scalar_or_array(t)


def standing_start_lag_s(x_m: NDArray[np.float64] | float, speed_m_s: float, tau_s: float = KELLER_TAU_S) -> Any:
    """Time lost to the start from rest after ``x`` metres, against running them at ``V`` throughout [s].

    Parameters
    ----------
    x_m : float or array
        Distance from the start [m].
    speed_m_s : float
        Speed ``V`` approached [m/s].
    tau_s : float
        Time constant [s].

    Returns
    -------
    float or ndarray
        ``t(x) - x / V`` [s]; it tends to ``tau`` once the athlete is up to speed (Keller 1973).
    """
    t = standing_start_time_s(x_m, speed_m_s, tau_s)
    return t - np.asarray(x_m, dtype=float) / speed_m_s


# ---------------------------------------------------------------------------------------------------------------
# the reconstructed race
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reconstruction:
    """A race's speed profile rebuilt from its splits.

    Attributes
    ----------
    splits : RaceSplits
        The data.
    method : str
        ``smooth`` (shape-constrained quadratic programme) or ``pchip``.
    node_x_m : ndarray
        Grid of the cruise pace [m] (``smooth``) or split distances (``pchip``).
    node_pace_s_m : ndarray
        Cruise pace at the nodes [s/m].
    tau_s : float
        Standing-start time constant [s] (0: flying start).
    start_speed_m_s : float
        Speed the start from rest approaches [m/s].
    """

    splits: RaceSplits
    method: str
    node_x_m: NDArray[np.float64]
    node_pace_s_m: NDArray[np.float64]
    tau_s: float
    start_speed_m_s: float
    _pchip: Any = field(default=None, repr=False, compare=False)

    # ---- cruise profile -------------------------------------------------------------------------------------
    def cruise_pace(self, x_m: Any) -> NDArray[np.float64]:
        """Cruise pace [s/m] (without the standing start) at race distances [m]."""
        x = np.asarray(x_m, dtype=float)
        if self._pchip is not None:
            return np.asarray(self._pchip.derivative()(x), dtype=float)
        return np.interp(x, self.node_x_m, self.node_pace_s_m)

    def cruise_time(self, x_m: Any) -> NDArray[np.float64]:
        """Cumulative cruise time [s] at race distances [m] (exact integral of the cruise pace)."""
        x = np.asarray(x_m, dtype=float)
        if self._pchip is not None:
            return np.asarray(self._pchip(x), dtype=float)
        nx, npace = self.node_x_m, self.node_pace_s_m
        cum = np.concatenate([[0.0], np.cumsum(0.5 * (npace[1:] + npace[:-1]) * np.diff(nx))])
        i = np.clip(np.searchsorted(nx, x, side="right") - 1, 0, nx.size - 2)
        h = x - nx[i]
        slope = (npace[i + 1] - npace[i]) / (nx[i + 1] - nx[i])
        return cum[i] + npace[i] * h + 0.5 * slope * h * h

    @property
    def lag_s(self) -> float:
        """Time lost to the standing start [s] (``tau`` once the athlete is up to speed)."""
        if self.tau_s <= 0:
            return 0.0
        return float(standing_start_lag_s(self.splits.event_m, self.start_speed_m_s, self.tau_s))

    # ---- full profile ---------------------------------------------------------------------------------------
    def time_at(self, x_m: Any) -> NDArray[np.float64]:
        """Time from the gun [s] at race distances [m]."""
        x = np.asarray(x_m, dtype=float)
        t = self.cruise_time(x)
        if self.tau_s > 0:
            t = t + standing_start_lag_s(x, self.start_speed_m_s, self.tau_s)
        return t

    def speed_at(self, x_m: Any) -> NDArray[np.float64]:
        """Speed [m/s] along the race distance (0 at the gun with a standing start)."""
        x = np.asarray(x_m, dtype=float)
        p = self.cruise_pace(x)
        if self.tau_s <= 0:
            return 1.0 / p
        v0 = self.start_speed_m_s
        ts = standing_start_time_s(x, v0, self.tau_s)
        vs = v0 * (1.0 - np.exp(-np.asarray(ts) / self.tau_s))
        return vs / (1.0 + vs * (p - 1.0 / v0))

    def split_errors_s(self) -> NDArray[np.float64]:
        """Reconstructed minus reported time at every split [s]."""
        return self.time_at(self.splits.split_m) - self.splits.time_s

    def max_split_error_s(self) -> float:
        """Largest absolute split error [s]."""
        return float(np.max(np.abs(self.split_errors_s())))

    def sample_points(self, step_m: float | None = None) -> NDArray[np.float64]:
        """Race distances to sample the profile at [m]: a regular grid plus every split and grid node."""
        d = self.splits.event_m
        step = step_m if step_m is not None else max(1.0, d / 4000.0)
        n = max(2, int(np.ceil(d / step)) + 1)
        x = np.concatenate([np.linspace(0.0, d, n), self.splits.split_m, self.node_x_m])
        # the first metres from rest, finely
        if self.tau_s > 0:
            x = np.concatenate([x, np.linspace(0.0, min(30.0, d), 61)])
        x = np.unique(np.clip(x, 0.0, d))
        keep = np.concatenate([[True], np.diff(x) > 1e-6])
        return x[keep]

    def to_race(self, step_m: float | None = None) -> Race:
        """The profile as a :class:`~paceline.models.race.Race` (model ``reconstruction``)."""
        x = self.sample_points(step_m)
        sp = self.splits
        return Race(
            scenario=sp.race_id,
            model="reconstruction",
            distance_m=sp.event_m,
            x_m=x,
            t_s=self.time_at(x),
            v_m_s=self.speed_at(x),
            series={"cruise_pace_s_m": self.cruise_pace(x)},
            assumptions=self.assumptions(),
            citations=list(CITATIONS),
            meta={
                "race_id": sp.race_id,
                "athlete": sp.athlete,
                "date": sp.date,
                "venue": sp.venue,
                "method": self.method,
                "max_split_error_s": self.max_split_error_s(),
                "standing_start_lag_s": self.lag_s,
                "sources": list(sp.sources),
            },
        )

    def assumptions(self) -> list[Assumption]:
        """The choices behind the profile."""
        return [
            Assumption(
                "reconstruction",
                self.method,
                "",
                "smoothest pace through every split, monotone and bounded per segment"
                if self.method == "smooth"
                else "monotone cubic (PCHIP) of cumulative time vs distance",
            ),
            Assumption("standing_start_tau", self.tau_s, "s", "Keller (1973) acceleration from rest; lag = tau"),
            Assumption("split_positions", "as in the file", "m", "race distance from the start of each split"),
        ]


# ---------------------------------------------------------------------------------------------------------------
# the smooth cruise pace: a quadratic programme
# ---------------------------------------------------------------------------------------------------------------
def segment_bounds(means: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], list[int]]:
    """Bounds and trend of the pace in each split segment, from the segment means.

    Parameters
    ----------
    means : ndarray
        Mean pace of each segment [s/m].

    Returns
    -------
    lo, hi : ndarray
        Lower and upper pace bound of each segment [s/m]: its mean -+ the largest difference to a neighbour's mean.
    trend : list of int
        +1 where the mean lies between its neighbours' and rises, -1 where it falls, 0 at a turn (free shape).
    """
    n = means.size
    lo = np.empty(n)
    hi = np.empty(n)
    trend: list[int] = []
    tol = 1e-12 * float(np.max(means))
    for k in range(n):
        nb = [means[j] for j in (k - 1, k + 1) if 0 <= j < n]
        spread = max((abs(means[k] - m) for m in nb), default=0.0)
        lo[k], hi[k] = means[k] - spread, means[k] + spread
        left = means[k - 1] if k > 0 else None
        right = means[k + 1] if k < n - 1 else None
        rising = (left is None or left <= means[k] + tol) and (right is None or means[k] <= right + tol)
        falling = (left is None or left >= means[k] - tol) and (right is None or means[k] >= right - tol)
        trend.append(1 if rising and not falling else -1 if falling and not rising else 0)
    return lo, hi, trend


def pace_grid(seg_x: NDArray[np.float64]) -> tuple[NDArray[np.float64], list[int]]:
    """Nodes of the piecewise-linear pace [m] and the split segment of each interval between them.

    Every split is a node; each segment gets ``ceil(length / GRID_STEP_M)`` equal intervals, clipped to
    [``MIN_INTERVALS``, ``MAX_INTERVALS``].
    """
    lengths = np.diff(seg_x)
    counts = np.clip(np.ceil(lengths / GRID_STEP_M).astype(int), MIN_INTERVALS, MAX_INTERVALS)
    nodes = [np.array([seg_x[0]])]
    seg_of_interval: list[int] = []
    for k in range(lengths.size):
        nodes.append(np.linspace(seg_x[k], seg_x[k + 1], counts[k] + 1)[1:])
        seg_of_interval += [k] * int(counts[k])
    return np.concatenate(nodes), seg_of_interval


def segment_time_rows(x: NDArray[np.float64], seg_of_interval: list[int], n_segments: int) -> NDArray[np.float64]:
    """Matrix ``A`` with ``A @ p`` = the exact time of each segment for node paces ``p`` (trapezoids) [m]."""
    h = np.diff(x)
    a_eq = np.zeros((n_segments, x.size))
    for j, k in enumerate(seg_of_interval):
        a_eq[k, j] += 0.5 * h[j]
        a_eq[k, j + 1] += 0.5 * h[j]
    return a_eq


def roughness_hessian(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Hessian of the sum of squared, length-weighted second differences (about the integral of ``p''^2``),
    scaled to a largest entry of 1."""
    n = x.size
    h = np.diff(x)
    rows = []
    for j in range(1, n - 1):
        r = np.zeros(n)
        w = 0.5 * (h[j - 1] + h[j])
        r[j - 1] = 1.0 / h[j - 1] / w
        r[j] = (-1.0 / h[j - 1] - 1.0 / h[j]) / w
        r[j + 1] = 1.0 / h[j] / w
        rows.append(r * math.sqrt(w))
    d2 = np.array(rows) if rows else np.zeros((1, n))
    hess = d2.T @ d2
    hess /= max(float(np.max(np.abs(hess))), 1e-300)
    return hess


def shape_constraints(
    n_nodes: int, seg_of_interval: list[int], means: NDArray[np.float64], scale: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Node bounds (the intersection over the segments a node touches) and monotonicity rows ``G p >= 0``.

    Returns
    -------
    lo, hi : ndarray
        Bounds of each node's pace divided by ``scale``.
    g : ndarray
        One row per interval of a trending segment: ``trend (p[j+1] - p[j])``.
    """
    lo_seg, hi_seg, trend = segment_bounds(means)
    lo = np.full(n_nodes, -np.inf)
    hi = np.full(n_nodes, np.inf)
    g_rows = []
    for j, k in enumerate(seg_of_interval):
        for i in (j, j + 1):
            lo[i] = max(lo[i], lo_seg[k] / scale)
            hi[i] = min(hi[i], hi_seg[k] / scale)
        if trend[k]:
            r = np.zeros(n_nodes)
            r[j + 1], r[j] = trend[k], -trend[k]
            g_rows.append(r)
    g = np.array(g_rows) if g_rows else np.zeros((0, n_nodes))
    return lo, hi, g


def _solve_qp(
    hess: NDArray[np.float64],
    a_eq: NDArray[np.float64],
    b_eq: NDArray[np.float64],
    g: NDArray[np.float64],
    bounds: tuple[NDArray[np.float64], NDArray[np.float64]],
    x0: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``min q' H q`` s.t. ``A q = b``, ``G q >= 0``, ``lo <= q <= hi`` (HiGHS through CasADi's conic interface:
    exact, quiet, fast for 1000 nodes), then projected onto ``A q = b`` (a change of order 1e-12).

    Raises
    ------
    SolverError
        If HiGHS fails or the answer violates a constraint by more than 1e-7.
    """
    import casadi as ca

    lo, hi = bounds
    n = hess.shape[0]
    a_all = np.vstack([a_eq, g]) if g.shape[0] else a_eq
    lba = np.concatenate([b_eq, np.zeros(g.shape[0])])
    uba = np.concatenate([b_eq, np.full(g.shape[0], np.inf)])
    solver = ca.conic(
        "pace_fit",
        "highs",
        {"h": ca.DM(hess).sparsity(), "a": ca.DM(a_all).sparsity()},
        {"highs": {"output_flag": False}, "error_on_fail": False},
    )
    sol = solver(h=ca.DM(hess), g=ca.DM.zeros(n), a=ca.DM(a_all), lba=lba, uba=uba, lbx=lo, ubx=hi, x0=x0)
    ok = bool(solver.stats().get("success", False))
    q = np.asarray(sol["x"], dtype=float).ravel()
    q = q - a_eq.T @ np.linalg.solve(a_eq @ a_eq.T, a_eq @ q - b_eq)
    viol = max(
        float(np.max(np.abs(a_eq @ q - b_eq))),
        float(np.max(np.maximum(lo - q, 0.0))),
        float(np.max(np.maximum(q - hi, 0.0))),
        float(np.max(-(g @ q))) if g.shape[0] else 0.0,
    )
    if not ok or viol > 1e-7 or np.any(q <= 0):
        status = solver.stats().get("return_status", "")
        raise SolverError(f"shape-constrained pace fit failed ({status}; constraint violation {viol:.2e})")
    return q


def smooth_pace(
    seg_x: NDArray[np.float64], seg_t: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The smoothest bounded, shape-preserving piecewise-linear pace with exact segment times.

    Parameters
    ----------
    seg_x : ndarray
        Segment boundaries [m], from 0 to the finish.
    seg_t : ndarray
        Time of each segment [s].

    Returns
    -------
    x, pace : ndarray
        Nodes [m] and the pace there [s/m].
    """
    means = seg_t / np.diff(seg_x)
    x, seg_of_interval = pace_grid(seg_x)
    scale = float(np.mean(means))  # paces are solved for in units of the mean pace
    a_eq = segment_time_rows(x, seg_of_interval, means.size)
    lo, hi, g = shape_constraints(x.size, seg_of_interval, means, scale)
    x0 = np.clip(np.interp(x, 0.5 * (seg_x[1:] + seg_x[:-1]), means / scale), lo, hi)
    q = _solve_qp(roughness_hessian(x), a_eq, seg_t / scale, g, (lo, hi), x0)
    return x, q * scale


# ---------------------------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------------------------
def start_speed_m_s(splits: RaceSplits, tau_s: float) -> float:
    """Speed the start from rest approaches [m/s]: the first segment's mean speed once the lag is taken off.

    Raises
    ------
    ScenarioError
        If the first split is too short (under ``3 V tau``) for a start from rest (field ``split_m``).
    """
    first_m, first_s = float(splits.split_m[0]), float(splits.time_s[0])
    v0 = first_m / (first_s - tau_s) if first_s > tau_s else 0.0
    if v0 <= 0 or first_m < 3.0 * v0 * tau_s:
        raise ScenarioError(
            f"the first split ({first_m:g} m in {first_s:g} s) is too short for a start from rest; use a flying "
            "start (standing_start=False)",
            "split_m",
        )
    return v0


def reconstruct(
    splits: RaceSplits,
    method: str = "smooth",
    standing_start: bool = True,
    tau_s: float = KELLER_TAU_S,
) -> Reconstruction:
    """Rebuild a race's speed profile from its splits (see the module docstring).

    Parameters
    ----------
    splits : RaceSplits
        The race's cumulative splits.
    method : {"smooth", "pchip"}
        ``smooth``: the smoothest bounded, shape-preserving piecewise-linear pace (quadratic programme);
        ``pchip``: monotone cubic interpolation of cumulative time against distance.
    standing_start : bool
        Start from rest (Keller acceleration with time constant ``tau_s``); False: a flying start.
    tau_s : float
        Time constant of the acceleration from rest [s].

    Returns
    -------
    Reconstruction
        The profile; its time at every split equals the reported one to about 1e-9 s.

    Raises
    ------
    ScenarioError
        For an unknown method, or splits too fast for the standing start to fit in the first segment.
    SolverError
        If the shape-constrained fit fails (then try ``method="pchip"``).
    """
    if method not in METHODS:
        raise ScenarioError(f"{method!r} is not a reconstruction method; allowed {', '.join(METHODS)}", "method")
    tau = float(tau_s) if standing_start else 0.0
    seg_x = np.concatenate([[0.0], splits.split_m])
    cum_t = np.concatenate([[0.0], splits.time_s]).astype(float)
    v0 = 0.0
    if tau > 0:
        v0 = start_speed_m_s(splits, tau)
        cum_t = cum_t - np.asarray(standing_start_lag_s(seg_x, v0, tau), dtype=float)
    seg_t = np.diff(cum_t)
    if np.any(seg_t <= 0):
        raise ScenarioError("a split segment has no time left after the standing start", "time_s")
    if method == "pchip":
        from scipy.interpolate import PchipInterpolator

        pch = PchipInterpolator(seg_x, cum_t)
        return Reconstruction(
            splits, "pchip", seg_x, np.asarray(pch.derivative()(seg_x), dtype=float), tau, v0, _pchip=pch
        )
    x, p = smooth_pace(seg_x, seg_t)
    return Reconstruction(splits, "smooth", x, p, tau, v0)
