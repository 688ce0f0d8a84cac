"""Equal-metabolic-power model (da Silva, Hoogkamer, Kipp & Kram 2025; Hoogkamer, Kram & Arellano 2017).

The athlete's average metabolic power is calibrated on a known effort (:mod:`paceline.fit.athlete`); the model runs
a course at that same metabolic power at every metre: where the pocket shelters her, the wind helps or the air is
thinner, the same power buys more speed.

The kernel (:class:`RaceKernel`)
    With a constant metabolic power the speed at a sample depends only on the drag coefficient of its formation
    (``1/2 rho CdA (1 - shelter)``) and on the tailwind there, ``W u(x)`` for a wind speed ``W`` and the course's
    unit-wind profile ``u(x)``. The time of a stretch of race is the trapezoidal sum ``sum_s c_s l_s / v_s``
    (weights ``c_s``, line scale ``l_s``). :func:`build_kernel` writes a course in that form, either exactly (every
    sample a node: what :class:`EqualPowerModel` and the calibration use) or reduced to a few Chebyshev nodes in ``u``
    per formation (exact for polynomials of degree ``n_nodes - 1`` in ``u``, about 1 ms on a mile: what the Monte
    Carlo uses for its thousands of draws). Both evaluate :meth:`RaceKernel.segment_times`, vectorised over draws.

The calibration (:func:`segment_powers`)
    The inverse of the kernel: the constant power of each split segment that runs it in its measured time, by
    secant iterations on all segments and draws at once (time falls smoothly and monotonically with power).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.models import common
from paceline.models.athlete import AthleteParams, EqualPowerParams
from paceline.models.race import Assumption, Race
from paceline.physics import track
from paceline.physics.metabolic import (
    IMPEDING_FORCE_SLOPE,
    CostCurve,
    get_curve,
    speed_at_power,
    treadmill_power_w_kg,
)

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.course import Course
    from paceline.physics.track import TrackGeometry

log = logging.getLogger(__name__)

MODEL_NAME = "equal-power"

CITATIONS = [
    "da Silva, E. S., Hoogkamer, W., Kipp, S. & Kram, R. (2025). Could Faith Kipyegon run a sub-4-minute mile? "
    "R. Soc. Open Sci. 12, 241564.",
    "da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding "
    "forces. J. Appl. Physiol. 133, 1032-1039.",
    "Kipp, S., Kram, R. & Hoogkamer, W. (2019). Extrapolating metabolic savings in running. Front. Physiol. 10, 79.",
    "Pugh, L. G. C. E. (1971). The influence of wind resistance in running and walking. J. Physiol. 213, 255-276.",
]

#: Quadrature nodes per formation of a reduced kernel (the Monte Carlo's).
QUAD_NODES = 8

#: Sample spacing of the courses the equal-power model runs [m]: its own and those its athlete is calibrated on.
STEP_M = 5.0


@dataclass(frozen=True)
class RaceKernel:
    """A course written as weighted nodes: the time of each segment at a constant metabolic power.

    Attributes
    ----------
    mass_kg : float
        Body mass [kg].
    curve : str
        Treadmill cost curve.
    groups : tuple of str
        Formation of each group (its drag coefficient is one column of ``k_drag``).
    nodes : ndarray, shape (n_segments, n_groups, n_nodes)
        Unit-wind values of the nodes [-].
    weights : ndarray, shape (n_segments, n_groups, n_nodes)
        Metres run at each node [m].
    """

    mass_kg: float
    curve: str
    groups: tuple[str, ...]
    nodes: NDArray[np.float64]
    weights: NDArray[np.float64]

    @property
    def group_share(self) -> NDArray[np.float64]:
        """Share of the metres run in each group [-]."""
        share = self.weights.sum(axis=(0, 2))
        return np.asarray(share / share.sum(), dtype=float)

    def segment_times(
        self,
        power_w_kg: ArrayLike,
        k_drag: ArrayLike,
        wind_m_s: ArrayLike,
        shoe_gain: ArrayLike,
    ) -> NDArray[np.float64]:
        """Time of each segment [s], shape (n, n_segments).

        Parameters
        ----------
        power_w_kg : array, shape (n,) or (n, n_segments)
            Metabolic power [W/kg].
        k_drag : array, shape (n, n_groups)
            ``1/2 rho CdA (1 - shelter)`` of each group [N s^2/m^2].
        wind_m_s : array, shape (n,)
            Wind speed [m/s].
        shoe_gain : array, shape (n,)
            Shoe economy gain [-].
        """
        p = np.asarray(power_w_kg, dtype=float)
        p = p[:, None, None, None] if p.ndim == 1 else p[:, :, None, None]
        n = p.shape[0]
        v = speed_at_power(
            p,
            np.asarray(k_drag, dtype=float)[:, None, :, None],
            self.mass_kg,
            np.asarray(wind_m_s, dtype=float)[:, None, None, None] * self.nodes[None],
            np.asarray(shoe_gain, dtype=float)[:, None, None, None],
            self.curve,
        )
        v = np.broadcast_to(v, (n, *self.nodes.shape))
        return np.asarray(np.sum(self.weights[None] / v, axis=(2, 3)), dtype=float)

    def finish_time(
        self, power_w_kg: ArrayLike, k_drag: ArrayLike, wind_m_s: ArrayLike, shoe_gain: ArrayLike
    ) -> NDArray[np.float64]:
        """Time of the whole kernel [s] for each draw (the sum over the segments)."""
        return np.asarray(self.segment_times(power_w_kg, k_drag, wind_m_s, shoe_gain).sum(axis=1), dtype=float)


def _lagrange_weights(
    nodes: NDArray[np.float64], x: NDArray[np.float64], w: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``sum_s w_s L_j(x_s)`` for the Lagrange basis ``L_j`` on ``nodes``."""
    out = np.empty(nodes.size)
    for j, xj in enumerate(nodes):
        others = np.delete(nodes, j)
        basis = np.prod((x[:, None] - others[None, :]) / (xj - others[None, :]), axis=1)
        out[j] = float(np.dot(w, basis))
    return out


def _segment_index(x_m: NDArray[np.float64], x0: float, x1: float) -> tuple[int, int]:
    i0 = int(np.searchsorted(x_m, x0 - 1e-9))
    i1 = int(np.searchsorted(x_m, x1 - 1e-9))
    if i1 >= x_m.size or abs(x_m[i0] - x0) > 1e-6 or abs(x_m[i1] - x1) > 1e-6:
        raise ScenarioError(f"the segment {x0:g}-{x1:g} m does not start and end on samples of the course", "segments")
    return i0, i1


def build_kernel(
    course: Course,
    curve: str,
    segments: Sequence[tuple[float, float]] | None = None,
    n_nodes: int | None = None,
) -> RaceKernel:
    """Write a course as a :class:`RaceKernel`.

    Parameters
    ----------
    course : Course
        The course; every segment end must be one of its samples.
    curve : str
        Treadmill cost curve.
    segments : sequence of (x0, x1), optional
        Race distances [m] of the segments (default: the whole race as one).
    n_nodes : int, optional
        Chebyshev nodes in the unit wind per formation and segment; None: every sample is a node (exact).
    """
    names = list(dict.fromkeys(course.formations))
    group_of_phase = np.array([names.index(f) for f in course.formations], dtype=np.int64)
    group = group_of_phase[course.phase_index]
    wind = course.unit_wind if course.unit_wind.size == course.x_m.size else np.zeros_like(course.x_m)
    segs = list(segments) if segments else [(0.0, course.distance_m)]
    x = course.x_m
    bounds = [_segment_index(x, x0, x1) for x0, x1 in segs]
    width = n_nodes if n_nodes is not None else max(i1 - i0 + 1 for i0, i1 in bounds)
    nodes = np.zeros((len(segs), len(names), width))
    weights = np.zeros_like(nodes)
    for si, (i0, i1) in enumerate(bounds):
        seg = np.diff(x[i0 : i1 + 1])
        c = np.zeros(i1 - i0 + 1)
        c[:-1] += 0.5 * seg
        c[1:] += 0.5 * seg
        w_s = c * course.line_scale[i0 : i1 + 1]
        g_s = group[i0 : i1 + 1]
        u_s = wind[i0 : i1 + 1]
        for g in range(len(names)):
            sel = g_s == g
            if not np.any(sel):
                continue
            if n_nodes is None:
                m = int(sel.sum())
                nodes[si, g, :m] = u_s[sel]
                weights[si, g, :m] = w_s[sel]
                continue
            lo, hi = float(u_s[sel].min()), float(u_s[sel].max())
            if hi - lo < 1e-9:
                nodes[si, g, :] = 0.5 * (lo + hi)
                weights[si, g, 0] = float(w_s[sel].sum())
                continue
            k = np.arange(n_nodes)
            nd = 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.cos((2 * k + 1) * np.pi / (2 * n_nodes))
            nodes[si, g] = nd
            weights[si, g] = _lagrange_weights(nd, u_s[sel], w_s[sel])
    return RaceKernel(mass_kg=float(course.mass_kg), curve=curve, groups=tuple(names), nodes=nodes, weights=weights)


def group_drag_k(course: Course, kernel: RaceKernel) -> NDArray[np.float64]:
    """``1/2 rho CdA (1 - shelter)`` of each kernel group of a course [N s^2/m^2], shape (1, n_groups)."""
    k = common.drag_coefficient_n_s2_m2(course)
    phase_of_group = [course.formations.index(g) for g in kernel.groups]
    first = [int(np.argmax(course.phase_index == p)) for p in phase_of_group]
    return np.asarray(k[first], dtype=float)[None, :]


def segment_powers(
    kernel: RaceKernel,
    durations_s: ArrayLike,
    k_drag: ArrayLike,
    wind_m_s: ArrayLike,
    shoe_gain: ArrayLike,
    tol_s: float = 1e-9,
) -> NDArray[np.float64]:
    """Constant metabolic power of each segment that runs it in its time [W/kg], shape (n, n_segments).

    Parameters
    ----------
    kernel : RaceKernel
        The race cut into its split segments.
    durations_s : array, shape (n_segments,)
        Measured time of each segment [s].
    k_drag, wind_m_s, shoe_gain : arrays
        As :meth:`RaceKernel.segment_times`, one row per draw.
    tol_s : float
        Tolerance on each segment's time [s].

    Raises
    ------
    ScenarioError
        If a segment's time is not a running speed the cost curves cover.
    """
    target = np.asarray(durations_s, dtype=float)[None, :]
    k = np.asarray(k_drag, dtype=float)
    n = k.shape[0]
    wind = np.broadcast_to(np.asarray(wind_m_s, dtype=float), (n,))
    shoe = np.broadcast_to(np.asarray(shoe_gain, dtype=float), (n,))

    def f(p: NDArray[np.float64]) -> NDArray[np.float64]:
        return kernel.segment_times(p, k, wind, shoe) - target

    lo = float(treadmill_power_w_kg(2.0, kernel.curve))  # a jog, always below a race effort
    hi = float(treadmill_power_w_kg(12.0, kernel.curve))  # a sprint, always above a middle-distance effort
    metres = kernel.weights.sum(axis=(1, 2))[None, :]
    mean_speed = metres / target
    if np.any(~np.isfinite(mean_speed)) or np.any(mean_speed < 2.0) or np.any(mean_speed > 12.0):
        raise ScenarioError("a split time is not a running speed this model covers (2-12 m/s)", "result.splits")
    # start at the treadmill power of the segment's mean speed (no air), then secant steps on every segment and
    # draw at once: time falls smoothly and monotonically with power, so this converges in a few steps
    p0 = np.broadcast_to(np.asarray(treadmill_power_w_kg(mean_speed, kernel.curve), dtype=float), (n, target.shape[1]))
    p1 = p0 * 1.05
    f0, f1 = f(p0), f(p1)
    for _ in range(60):
        denom = f1 - f0
        step = np.where(np.abs(denom) > 0, f1 * (p1 - p0) / np.where(denom == 0, 1.0, denom), 0.0)
        p0, f0 = p1, f1
        p1 = np.clip(p1 - step, lo, hi)
        f1 = f(p1)
        if np.all(np.abs(f1) < tol_s):
            break
    if not np.all(np.abs(f1) < 1e3 * tol_s):
        raise ScenarioError(
            "no constant power between a jog and a sprint runs a split in its time on this course; check the splits",
            "result.splits",
        )
    return p1


def race_at_power(
    course: Course,
    power_w_kg: float,
    curve: str | CostCurve,
    model_name: str = MODEL_NAME,
    extra: list[Assumption] | None = None,
) -> Race:
    """The Race of running ``course`` at a constant metabolic power [W/kg]."""
    c = get_curve(curve)
    v = common.speeds_at_power(course, power_w_kg, c)
    t = common.cumulative_time_s(course, v)
    series = common.series_at_speed(course, v, c)
    return Race(
        scenario=course.name,
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


class EqualPowerModel:
    """Equal-metabolic-power race model: ``model.solve(course, athlete) -> Race``.

    Parameters
    ----------
    step_m : float
        Sample spacing of the course it wants [m] (the chain builds the course with it).
    """

    name = MODEL_NAME
    params_type = EqualPowerParams

    def __init__(self, step_m: float = STEP_M) -> None:
        self.step_m = float(step_m)

    def solve(self, course: Course, athlete: AthleteParams) -> Race:
        """Run the course at the athlete's calibrated metabolic power (:class:`EqualPowerParams`)."""
        athlete = EqualPowerParams.of(athlete, self.name)
        power = float(athlete.power_w_kg)
        extra = [
            Assumption("cost_curve", get_curve(athlete.curve).name, "", get_curve(athlete.curve).citation),
            Assumption(
                "impeding_force_slope", IMPEDING_FORCE_SLOPE, "per body weight", "da Silva, Kram & Hoogkamer 2022"
            ),
            *athlete.assumptions,
            Assumption("pacing", "even metabolic power", "", "equal-power model (no separate cost of acceleration)"),
        ]
        return race_at_power(course, power, athlete.curve, self.name, extra=extra)


def offset_shelter_exchange_rate(
    course: Course, power_w_kg: float, curve: str, geometry: TrackGeometry, shelter: float = 0.6
) -> float:
    """How much shelter one metre of lateral offset from the lane-1 line is worth, in time [1/m].

    The course is run at ``power_w_kg`` twice: with a uniform ``shelter`` +/- 0.05 on the lane-1 line (seconds per
    unit of shelter), and with that shelter 1 m further out (seconds per metre: the bends add ``2 pi`` m per lap).
    The ratio is the shelter that buys back one metre of offset. For Kipyegon's mile (``kram2025``) it is about
    0.24 per metre at 60 % shelter.

    Parameters
    ----------
    course : Course
        A course on an oval.
    power_w_kg : float
        Metabolic power [W/kg].
    curve : str
        Treadmill cost curve.
    geometry : TrackGeometry
        The oval's dimensions.
    shelter : float
        Shelter around which the rates are taken [-].

    Returns
    -------
    float
        ``(dT / d offset) / (-dT / d shelter)`` [1/m].
    """

    def time_s(s: float, offset_m: float) -> float:
        c = course.with_changes(
            shelter=np.full_like(course.shelter, s),
            line_scale=np.asarray(track.line_scale(course.track_pos_m, offset_m, geometry), dtype=float),
        )
        return float(common.finish_time_at_power(c, power_w_kg, curve))

    line = geometry.lane1_line_m
    per_shelter = (time_s(shelter - 0.05, line) - time_s(shelter + 0.05, line)) / 0.1
    per_metre = time_s(shelter, line + 1.0) - time_s(shelter, line)
    return per_metre / per_shelter
