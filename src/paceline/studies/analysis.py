"""Race analysis: reconstruct a real race from its splits, and show where the time went.

Stages
------
1. **Reconstruction** (:func:`reconstruct`): a smooth speed profile that passes exactly through every split.
   The *cruise* pace ``p(x)`` [s/m] is piecewise linear on a grid of about 10 m (at least 8 and at most 60
   intervals per split segment) and is the smoothest such pace (least squared second differences) that

   * reproduces every split segment's time exactly (equality constraints, projected to machine precision),
   * stays monotone within a segment whose mean pace lies between its neighbours' (no invented oscillation),
   * stays within the segment mean +- the largest difference to a neighbouring segment mean (no overshoot).

   It is solved as a small quadratic programme (HiGHS through CasADi); ``method="pchip"`` instead takes the monotone
   cubic (PCHIP, Fritsch & Carlson 1980) interpolant of cumulative time against distance. A **standing start** is
   added on top: from rest, speed rises as ``V (1 - exp(-t / tau))`` (Keller 1973, ``tau`` = 0.892 s), which costs
   ``tau`` seconds against a flying start; the cruise profile absorbs the split times minus that lag, so the total
   still passes through every split. Splits are taken where the file says (a mile's splits at the 400 m marks, or
   at the finish-line crossings 9.344, 409.344, ... m: both are just race distances from the start).

2. **Physics along the race** (:func:`analyze`): with a scenario (formation by phase, conditions, athlete, kit),
   :func:`paceline.models.course.build_course` gives the shelter, tailwind, air density, drag area and the metres run
   wide at every metre; from the cruise speed follow the drag ``F = 1/2 rho CdA (1 - shelter) (v - w)|v - w|``,
   drag power ``F v``, metabolic power (equal-power cost: treadmill curve raised 6.13 % per 1 % body weight of
   drag, da Silva et al. 2022/2025) and the critical-speed D' balance on the equivalent solo speed. The energetics
   use the cruise profile: the equal-power cost has no term for accelerating from rest.

3. **Time-lost attribution** by sequential substitution against a reference. The reference (default) is the same
   athlete at the same *average* metabolic power (time-weighted over the race), with the best named formation's
   shelter, even metabolic power, still air, reference air density (20 degC, 50 % RH, sea level) and the lane-1
   running line. Starting from the race as run, one factor at a time is changed to the reference, in this order:

   ``pacing`` (uneven -> even metabolic power) -> ``shelter`` -> ``wind`` -> ``air density`` ->
   ``distance outside the running line``,

   and each step's change of finishing time is that cause's share. The shares add up to the total difference
   exactly, by construction. **They depend on the order**: the factors interact (wind matters more without shelter,
   for example), so another order would share the same total differently. The standing start is common to the race
   and to every reference state and so appears in no share.

:func:`compare` applies the same substitution to the difference between two races over the same distance.

References
----------
Keller, J. B. (1973). A theory of competitive running. Physics Today 26(9), 42-47.
Fritsch, F. N. & Carlson, R. E. (1980). Monotone piecewise cubic interpolation. SIAM J. Numer. Anal. 17, 238-246.
da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding forces.
J. Appl. Physiol. 133, 1032-1039.
da Silva, E. S., Hoogkamer, W., Kipp, S. & Kram, R. (2025). Could Faith Kipyegon run a sub-4-minute mile?
R. Soc. Open Sci. 12, 241564.
Skiba, P. F. et al. (2015). Intramuscular determinants of the ability to recover work capacity above critical
power. Eur. J. Appl. Physiol. 115, 703-713.
"""

from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError, SolverError
from paceline.io.races import RaceSplits
from paceline.models.race import Assumption, Race
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from paceline.io.scenario import Scenario
    from paceline.models.course import Course

log = logging.getLogger(__name__)

#: Time constant of the acceleration from rest [s] (Keller 1973, fit to the men's sprint records).
KELLER_TAU_S = 0.892

#: Target spacing of the pace grid [m].
GRID_STEP_M = 10.0

#: The causes of the attribution, in the order of substitution.
CAUSES = ("pacing", "shelter", "wind", "air density", "outside the running line")

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
        return float(out) if out.ndim == 0 else out
    # initial guess: the larger of the short-distance (x = V t^2 / 2 tau) and long-distance asymptotes
    t = np.maximum(np.sqrt(2.0 * tau * np.maximum(x, 0.0) / v), x / v + tau * 0.0)
    t = np.maximum(t, x / v)
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
    return float(t) if t.ndim == 0 else t


def standing_start_lag_s(x_m: NDArray[np.float64] | float, speed_m_s: float, tau_s: float = KELLER_TAU_S) -> Any:
    """Time lost to the start from rest after ``x`` metres, against running them at ``V`` throughout [s] (-> tau)."""
    t = standing_start_time_s(x_m, speed_m_s, tau_s)
    return t - np.asarray(x_m, dtype=float) / speed_m_s


# ---------------------------------------------------------------------------------------------------------------
# reconstruction
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
        t = self.time_at(x)
        v = self.speed_at(x)
        sp = self.splits
        return Race(
            scenario=sp.race_id,
            model="reconstruction",
            distance_m=sp.event_m,
            x_m=x,
            t_s=t,
            v_m_s=v,
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


def _segment_bounds(means: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], list[int]]:
    """Per segment: lower and upper pace bound and trend (+1 rising, -1 falling, 0 free) from the segment means."""
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


def _smooth_pace(
    seg_x: NDArray[np.float64], seg_t: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Nodes and pace of the smoothest bounded, shape-preserving piecewise-linear pace with exact segment times."""
    lengths = np.diff(seg_x)
    means = seg_t / lengths
    nseg = lengths.size
    counts = np.clip(np.ceil(lengths / GRID_STEP_M).astype(int), 8, 60)
    nodes = [np.array([seg_x[0]])]
    seg_of_interval: list[int] = []
    for k in range(nseg):
        nodes.append(np.linspace(seg_x[k], seg_x[k + 1], counts[k] + 1)[1:])
        seg_of_interval += [k] * int(counts[k])
    x = np.concatenate(nodes)
    n = x.size
    h = np.diff(x)
    scale = float(np.mean(means))

    # equality: exact integral of the piecewise-linear pace over each segment
    a_eq = np.zeros((nseg, n))
    for j, k in enumerate(seg_of_interval):
        a_eq[k, j] += 0.5 * h[j]
        a_eq[k, j + 1] += 0.5 * h[j]
    b_eq = seg_t / scale

    # objective: squared second differences, weighted to approximate the integral of p''^2
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

    # shape: monotone within trending segments; bounds per node (intersection over the segments it touches)
    lo_seg, hi_seg, trend = _segment_bounds(means)
    lo = np.full(n, -np.inf)
    hi = np.full(n, np.inf)
    g_rows = []
    for j, k in enumerate(seg_of_interval):
        for i in (j, j + 1):
            lo[i] = max(lo[i], lo_seg[k] / scale)
            hi[i] = min(hi[i], hi_seg[k] / scale)
        if trend[k]:
            r = np.zeros(n)
            r[j + 1], r[j] = trend[k], -trend[k]
            g_rows.append(r)
    g = np.array(g_rows) if g_rows else np.zeros((0, n))

    # solve the quadratic programme (HiGHS through CasADi's conic interface): exact, quiet, fast for 1000 nodes
    import casadi as ca

    a_all = np.vstack([a_eq, g]) if g.shape[0] else a_eq
    lba = np.concatenate([b_eq, np.zeros(g.shape[0])])
    uba = np.concatenate([b_eq, np.full(g.shape[0], np.inf)])
    solver = ca.conic(
        "pace_fit",
        "highs",
        {"h": ca.DM(hess).sparsity(), "a": ca.DM(a_all).sparsity()},
        {"highs": {"output_flag": False}, "error_on_fail": False},
    )
    sol = solver(
        h=ca.DM(hess),
        g=ca.DM.zeros(n),
        a=ca.DM(a_all),
        lba=lba,
        uba=uba,
        lbx=lo,
        ubx=hi,
        x0=np.clip(np.interp(x, 0.5 * (seg_x[1:] + seg_x[:-1]), means / scale), lo, hi),
    )
    ok = bool(solver.stats().get("success", False))
    q = np.asarray(sol["x"], dtype=float).ravel()
    # exact split times: project onto the equality constraints (a change of order 1e-12)
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
    return x, q * scale


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
    if method not in ("smooth", "pchip"):
        raise ScenarioError(f"{method!r} is not a reconstruction method; allowed smooth, pchip", "method")
    tau = float(tau_s) if standing_start else 0.0
    seg_x = np.concatenate([[0.0], splits.split_m])
    cum_t = np.concatenate([[0.0], splits.time_s]).astype(float)
    v0 = 0.0
    if tau > 0:
        v0 = float(splits.split_m[0] / (splits.time_s[0] - tau)) if splits.time_s[0] > tau else 0.0
        if v0 <= 0 or splits.split_m[0] < 3.0 * v0 * tau:
            raise ScenarioError(
                f"the first split ({splits.split_m[0]:g} m in {splits.time_s[0]:g} s) is too short for a start "
                "from rest; use a flying start (standing_start=False)",
                "split_m",
            )
        lags = np.asarray(standing_start_lag_s(seg_x, v0, tau), dtype=float)
        cum_t = cum_t - lags
    seg_t = np.diff(cum_t)
    if np.any(seg_t <= 0):
        raise ScenarioError("a split segment has no time left after the standing start", "time_s")
    if method == "pchip":
        from scipy.interpolate import PchipInterpolator

        pch = PchipInterpolator(seg_x, cum_t)
        return Reconstruction(
            splits,
            "pchip",
            seg_x,
            np.asarray(pch.derivative()(seg_x), dtype=float),
            tau,
            v0,
            _pchip=pch,
        )
    x, p = _smooth_pace(seg_x, seg_t)
    return Reconstruction(splits, "smooth", x, p, tau, v0)


# ---------------------------------------------------------------------------------------------------------------
# scenario for a race
# ---------------------------------------------------------------------------------------------------------------
def _reference_athletes() -> dict[str, dict[str, Any]]:
    """Athletes in ``data/reference/athletes.csv``: height, mass, sex and performances by name."""
    text = (resources.files("paceline") / "data" / "reference" / "athletes.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        a = out.setdefault(
            row["athlete"],
            {
                "name": row["athlete"],
                "height_m": float(row["height_m"]),
                "mass_kg": float(row["mass_kg"]),
                "sex": row["sex"],
                "performances": [],
            },
        )
        perf: dict[str, Any] = {"distance_m": float(row["event_m"]), "time_s": float(row["time_s"])}
        if row.get("date"):
            perf["date"] = row["date"]
        a["performances"].append(perf)
    return out


#: Athlete assumed when a race comes without a scenario and the athlete is not in the reference data.
GENERIC_ATHLETE = {"height_m": 1.70, "mass_kg": 55.0}


def scenario_for_race(splits: RaceSplits, scenario: str | Path | None = None) -> tuple[Scenario, list[Assumption]]:
    """The scenario describing a race: given, named in the race file, or a minimal one built from the data.

    A minimal scenario runs the race solo in still air at 20 degC on a standard track (a road course above
    10 000 m) with the athlete from ``reference/athletes.csv`` or, failing that, a generic 1.70 m, 55 kg athlete;
    every such choice is returned as an assumption.

    Raises
    ------
    ScenarioError
        If the scenario's distance differs from the race's.
    """
    from paceline.io.scenario import load_scenario, scenario_from_dict

    notes: list[Assumption] = []
    name = scenario if scenario is not None else splits.scenario
    if name is not None:
        sc = load_scenario(name)
        if abs(sc.distance_m - splits.event_m) > 1e-6:
            raise ScenarioError(
                f"scenario {sc.name!r} is {sc.distance_m:g} m but race {splits.race_id!r} is {splits.event_m:g} m",
                "--scenario",
            )
        notes.append(Assumption("scenario", sc.name, "", "race file" if scenario is None else "given"))
        return sc, notes
    known = _reference_athletes().get(splits.athlete)
    if known is not None:
        athlete = dict(known)
        notes.append(Assumption("athlete", splits.athlete, "", "reference/athletes.csv"))
    else:
        athlete = {"name": splits.athlete or "athlete", **GENERIC_ATHLETE}
        notes.append(
            Assumption(
                "athlete_size",
                f"{GENERIC_ATHLETE['height_m']} m, {GENERIC_ATHLETE['mass_kg']} kg",
                "",
                "assumed (no scenario given and the athlete is not in the reference data)",
            )
        )
    road = splits.event_m > 10_000
    data: dict[str, Any] = {
        "name": splits.race_id,
        "description": f"{splits.athlete}, {splits.venue}, {splits.date} (minimal scenario: solo, still air)",
        "distance_m": splits.event_m,
        "athlete": athlete,
        "track": {"kind": "road" if road else "oval"},
    }
    notes += [
        Assumption("pacing", "solo", "", "assumed: no scenario with the formation was given"),
        Assumption("conditions", "20 degC, 50 % RH, sea level, still air", "", "assumed: no scenario given"),
        Assumption("track", "road, no bends" if road else "standard 400 m oval", "", "assumed from the distance"),
    ]
    return scenario_from_dict(data, source=splits.race_id), notes


# ---------------------------------------------------------------------------------------------------------------
# physics along the race and the attribution
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    """What a race is compared with (see the module docstring).

    Attributes
    ----------
    formation : str or None
        Formation giving the reference shelter; None: the best-sheltering named formation (bundled and the
        scenario's own).
    wind_speed_m_s : float
        Reference wind [m/s] (0: still air).
    air_density_kg_m3 : float or None
        Reference air density [kg/m^3]; None: 20 degC, 50 % RH, sea level.
    running_line : bool
        True: the reference runs the lane-1 running line (no metres run wide); False: the race's own line.
    """

    formation: str | None = None
    wind_speed_m_s: float = 0.0
    air_density_kg_m3: float | None = None
    running_line: bool = True


@dataclass
class Analysis:
    """Everything :func:`analyze` finds about one race.

    Attributes
    ----------
    splits : RaceSplits
        The data.
    reconstruction : Reconstruction
        The speed profile.
    race : Race
        The profile with its physics series (``shelter``, ``drag_n``, ``drag_power_w``, ``metabolic_power_w_kg``,
        ``dprime_balance_m`` ...); ``v_m_s`` is the speed on her own line (race-distance speed x metres per metre).
    scenario : Scenario
        Formation, conditions and athlete used.
    course : Course
        The race environment sampled along the distance.
    power_w_kg : float
        Time-weighted average metabolic power [W/kg] (cruise profile).
    steps : list of dict
        The substitution steps: ``{cause, from_s, to_s, seconds}``.
    reference_s : float
        Finishing time of the reference [s].
    reference : dict
        What the reference is.
    laps, phases : list of dict
        Per split segment and per pacing phase tables.
    assumptions : list of Assumption
        Every input, with its source.
    """

    splits: RaceSplits
    reconstruction: Reconstruction
    race: Race
    scenario: Scenario
    course: Course
    power_w_kg: float
    steps: list[dict[str, Any]]
    reference_s: float
    reference: dict[str, Any]
    laps: list[dict[str, Any]]
    phases: list[dict[str, Any]]
    assumptions: list[Assumption]
    citations: list[str]
    energy: dict[str, Any]

    @property
    def finish_s(self) -> float:
        """Reported finishing time [s]."""
        return self.splits.finish_s

    @property
    def time_lost(self) -> dict[str, float]:
        """Seconds lost to each cause against the reference (negative: the race gained)."""
        return {s["cause"]: s["seconds"] for s in self.steps}

    @property
    def total_vs_reference_s(self) -> float:
        """Race time minus reference time [s] (the sum of :attr:`time_lost`)."""
        return self.finish_s - self.reference_s

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (see ``paceline analyze --json``)."""
        return {
            "race_id": self.splits.race_id,
            "athlete": self.splits.athlete,
            "date": self.splits.date,
            "venue": self.splits.venue,
            "distance_m": self.splits.event_m,
            "finish_s": round(self.finish_s, 3),
            "finish": format_time(self.finish_s),
            "scenario": self.scenario.name,
            "reconstruction": self.reconstruction.method,
            "profile_max_split_error_s": self.reconstruction.max_split_error_s(),
            "standing_start_lag_s": round(self.reconstruction.lag_s, 4),
            "average_metabolic_power_w_kg": round(self.power_w_kg, 4),
            "laps": self.laps,
            "phases": self.phases,
            "energy": self.energy,
            "reference": self.reference,
            "reference_s": round(self.reference_s, 3),
            "reference_time": format_time(self.reference_s),
            "total_vs_reference_s": round(self.total_vs_reference_s, 4),
            "time_lost": {k: round(v, 4) for k, v in self.time_lost.items()},
            "attribution": [{"cause": s["cause"], "seconds": round(s["seconds"], 4)} for s in self.steps],
            "attribution_order": list(CAUSES),
            "attribution_note": "sequential substitution in the order given; another order shares the same total "
            "differently",
            "splits": [
                {"distance_m": float(d), "time_s": float(t)}
                for d, t in zip(self.splits.split_m, self.splits.time_s, strict=True)
            ],
            "inputs": [a.to_dict() for a in self.assumptions],
            "sources": list(self.splits.sources),
            "citations": self.citations,
        }


def _course_step_m(distance_m: float) -> float:
    return max(1.0, distance_m / 2000.0)


def best_formation(scenario: Scenario) -> tuple[str, float]:
    """The named formation (bundled or the scenario's own) that shelters the athlete most, and its shelter."""
    from paceline.io.fitted import drafting_params
    from paceline.io.formations import bundled_formations
    from paceline.physics import drafting

    forms = {**bundled_formations(), **scenario.own_formations()}
    p = drafting_params()
    scored = sorted(((float(drafting.formation_shelter(f, p)), name) for name, f in forms.items()), reverse=True)
    shelter, name = scored[0]
    return name, shelter


def _time_at_power(course: Course, power_w_kg: float, curve: Any) -> float:
    from paceline.models import common

    return float(common.finish_time_at_power(course, power_w_kg, curve))


def _time_weighted_mean(values: NDArray[np.float64], t_s: NDArray[np.float64]) -> float:
    dt = np.diff(t_s)
    mid = 0.5 * (values[1:] + values[:-1])
    return float(np.sum(mid * dt) / np.sum(dt))


def _window_means(
    x: NDArray[np.float64], t: NDArray[np.float64], series: dict[str, NDArray[np.float64]], x0: float, x1: float
) -> dict[str, float]:
    """Time-weighted means of series between race distances x0 and x1 (both samples)."""
    i0 = int(np.searchsorted(x, x0 - 1e-9))
    i1 = int(np.searchsorted(x, x1 - 1e-9))
    sl = slice(i0, i1 + 1)
    return {k: _time_weighted_mean(v[sl], t[sl]) for k, v in series.items()}


def _balance_note(minimum_m: float, dprime_m: float) -> str:
    """Plain-language reading of the lowest D' balance of a race."""
    if abs(minimum_m) <= 0.05 * dprime_m:
        return "D' used up by the finish (within 5 %): an all-out race by the fitted CS/D'"
    if minimum_m > 0:
        return "D' left over: by the fitted CS/D' the athlete had more to give"
    return "D' went well below zero: the race beat what the fitted CS/D' allow (fit or physics off)"


def _critical_speed(scenario: Scenario) -> tuple[float, float, str] | None:
    """(CS [m/s], D' [m], origin) from the athlete's performances, or None with fewer than two."""
    perfs = scenario.athlete.performances
    if len(perfs) < 2:
        return None
    from paceline.fit.performances import fit_critical_speed

    fit = fit_critical_speed(perfs)
    return float(fit.params["cs_m_s"]), float(fit.params["dprime_m"]), f"fit to {len(perfs)} performances"


def analyze(
    splits: RaceSplits,
    scenario: str | Path | None = None,
    reference: Reference | None = None,
    curve: str | None = None,
    method: str = "smooth",
    standing_start: bool = True,
) -> Analysis:
    """Reconstruct a race, put the physics along it, and attribute its time against a reference.

    Parameters
    ----------
    splits : RaceSplits
        The race.
    scenario : str or Path, optional
        Bundled scenario name or TOML path (default: the one the race file names, else a minimal solo scenario).
    reference : Reference, optional
        What to compare with (default: :class:`Reference()`).
    curve : str, optional
        Treadmill cost curve (default: :data:`paceline.physics.metabolic.DEFAULT_CURVE`).
    method : str
        Reconstruction method (see :func:`reconstruct`).
    standing_start : bool
        Start from rest.

    Returns
    -------
    Analysis
        Laps, phases, energy balance and the attribution (its parts add up to the total exactly).
    """
    from paceline.models import common
    from paceline.models.course import build_course
    from paceline.models.critical_speed import (
        REFERENCE_AIR_DENSITY,
        dprime_balance_m,
        equivalent_solo_speed,
    )
    from paceline.models.equal_power import CITATIONS as EP_CITATIONS
    from paceline.physics.metabolic import DEFAULT_CURVE, get_curve, metabolic_power_w_kg

    ref = reference or Reference()
    cost = get_curve(curve or DEFAULT_CURVE)
    rec = reconstruct(splits, method=method, standing_start=standing_start)
    sc, notes = scenario_for_race(splits, scenario)
    course = build_course(sc, step_m=_course_step_m(sc.distance_m), breaks_m=[float(d) for d in splits.split_m])
    x = course.x_m

    # physics on the cruise profile
    pace = rec.cruise_pace(x)  # s per metre of race distance
    v = course.line_scale / pace  # speed on her own line
    t_cruise = rec.cruise_time(x)
    k = common.drag_coefficient_n_s2_m2(course)
    u = v - course.wind_along_m_s
    drag = k * u * np.abs(u)
    power = np.asarray(metabolic_power_w_kg(v, drag, course.mass_kg, course.shoe_economy_gain, cost), dtype=float)
    p_mean = _time_weighted_mean(power, t_cruise)
    lag = rec.lag_s

    series: dict[str, NDArray[np.float64]] = {
        "race_speed_m_s": np.asarray(rec.speed_at(x), dtype=float),
        "cruise_speed_m_s": v,
        "shelter": course.shelter,
        "wind_along_m_s": course.wind_along_m_s,
        "drag_n": drag,
        "drag_power_w": drag * v,
        "metabolic_power_w_kg": power,
        "line_scale": course.line_scale,
        "offset_m": course.offset_m,
        "track_pos_m": course.track_pos_m,
    }
    energy: dict[str, Any] = {"model": "critical-speed D' balance on the equivalent solo speed"}
    cs = _critical_speed(sc)
    if cs is not None:
        ath = sc.athlete
        u_solo = np.asarray(equivalent_solo_speed(power, ath.height_m, ath.mass_kg, cost), dtype=float)
        bal = dprime_balance_m(t_cruise, u_solo, cs[0], cs[1])
        series["equivalent_solo_speed_m_s"] = u_solo
        series["dprime_balance_m"] = bal
        energy.update(
            cs_m_s=round(cs[0], 4),
            dprime_m=round(cs[1], 2),
            origin=cs[2],
            dprime_min_m=round(float(np.min(bal)), 2),
            dprime_at_finish_m=round(float(bal[-1]), 2),
            note=_balance_note(float(np.min(bal)), cs[1]),
        )
    else:
        energy["note"] = "fewer than 2 performances: no CS/D' fit, no balance"

    # the race time on the analysis grid: the reconstruction's own, so the steps start from the reported time
    t_race = np.asarray(rec.time_at(x), dtype=float)
    race = Race(
        scenario=splits.race_id,
        model="reconstruction",
        distance_m=splits.event_m,
        x_m=x,
        t_s=t_race,
        v_m_s=np.where(x > 0, series["race_speed_m_s"] * course.line_scale, 0.0),
        series=series,
        assumptions=[],
        citations=[],
        meta={
            "race_id": splits.race_id,
            "method": rec.method,
            "max_split_error_s": rec.max_split_error_s(),
            "power_w_kg": p_mean,
        },
    )

    # ---- attribution by sequential substitution -----------------------------------------------------------
    ref_name, ref_shelter = (
        (ref.formation, float(_formation_shelter(sc, ref.formation))) if ref.formation else best_formation(sc)
    )
    rho_ref = float(ref.air_density_kg_m3) if ref.air_density_kg_m3 is not None else float(REFERENCE_AIR_DENSITY)
    wind_ref = _reference_wind(sc, course, ref.wind_speed_m_s)
    states: list[tuple[str, Course]] = []
    c = course
    c = c.with_changes(shelter=np.full_like(x, ref_shelter))
    states.append(("shelter", c))
    c = c.with_changes(wind_along_m_s=wind_ref)
    states.append(("wind", c))
    c = c.with_changes(air_density_kg_m3=rho_ref)
    states.append(("air density", c))
    if ref.running_line:
        c = c.with_changes(line_scale=np.ones_like(x), offset_m=np.full_like(x, 0.30))
    states.append(("outside the running line", c))

    steps = []
    prev = splits.finish_s
    t_even = _time_at_power(course, p_mean, cost) + lag
    steps.append({"cause": "pacing", "from_s": prev, "to_s": t_even, "seconds": prev - t_even})
    prev = t_even
    for cause, cst in states:
        t_now = _time_at_power(cst, p_mean, cost) + lag
        steps.append({"cause": cause, "from_s": prev, "to_s": t_now, "seconds": prev - t_now})
        prev = t_now
    reference_s = prev

    ref_desc = {
        "description": "same athlete at the same average metabolic power, even metabolic power, best shelter, "
        "still air, reference air, running line"
        if ref == Reference()
        else "user reference",
        "power_w_kg": round(p_mean, 4),
        "formation": ref_name,
        "shelter": round(ref_shelter, 4),
        "wind_speed_m_s": ref.wind_speed_m_s,
        "air_density_kg_m3": round(rho_ref, 4),
        "running_line": ref.running_line,
        "cost_curve": cost.name,
    }

    # ---- tables -------------------------------------------------------------------------------------------
    phys = {
        "shelter": course.shelter,
        "drag_power_w": drag * v,
        "metabolic_power_w_kg": power,
        "wind_along_m_s": course.wind_along_m_s,
    }
    laps = []
    for i, (x0, x1, secs) in enumerate(splits.segments(), start=1):
        m = _window_means(x, t_cruise, phys, x0, x1)
        row: dict[str, Any] = {
            "lap": i,
            "from_m": round(x0, 3),
            "to_m": round(x1, 3),
            "time_s": round(secs, 3),
            "speed_m_s": round((x1 - x0) / secs, 4),
            "pace_s_per_400m": round(400.0 * secs / (x1 - x0), 3),
            "shelter": round(m["shelter"], 4),
            "drag_power_w": round(m["drag_power_w"], 2),
            "metabolic_power_w_kg": round(m["metabolic_power_w_kg"], 3),
        }
        if "dprime_balance_m" in series:
            row["dprime_balance_m"] = round(float(np.interp(x1, x, series["dprime_balance_m"])), 2)
        laps.append(row)
    phases = []
    for i, ph in enumerate(sc.phases()):
        x0, x1 = float(ph.from_m), float(ph.to_m)
        t0, t1 = (float(tt) for tt in rec.time_at(np.array([x0, x1])))
        m = _window_means(x, t_cruise, phys, x0, x1)
        prow: dict[str, Any] = {
            "phase": i + 1,
            "from_m": round(x0, 3),
            "to_m": round(x1, 3),
            "formation": ph.formation,
            "time_s": round(t1 - t0, 3),
            "speed_m_s": round((x1 - x0) / (t1 - t0), 4),
            "shelter": round(m["shelter"], 4),
            "drag_power_w": round(m["drag_power_w"], 2),
            "metabolic_power_w_kg": round(m["metabolic_power_w_kg"], 3),
        }
        if "dprime_balance_m" in series:
            prow["dprime_balance_m"] = round(float(np.interp(x1, x, series["dprime_balance_m"])), 2)
        phases.append(prow)

    assumptions = [
        *rec.assumptions(),
        *notes,
        *course.assumptions,
        Assumption("cost_curve", cost.name, "", cost.citation),
        Assumption("impeding_force_slope", 6.13, "per body weight", "da Silva, Kram & Hoogkamer 2022"),
        Assumption("average_metabolic_power", round(p_mean, 3), "W/kg", "time-weighted over the cruise profile"),
        Assumption(
            "reference_formation", ref_name, "", "best-sheltering named formation" if not ref.formation else "given"
        ),
        Assumption("attribution_order", " -> ".join(CAUSES), "", "sequential substitution; the order matters"),
    ]
    if cs is not None:
        assumptions.append(Assumption("cs_dprime", f"{cs[0]:.3f} m/s, {cs[1]:.1f} m", "", cs[2]))
    citations = [*CITATIONS, *EP_CITATIONS]
    race.assumptions = assumptions
    race.citations = citations
    return Analysis(
        splits=splits,
        reconstruction=rec,
        race=race,
        scenario=sc,
        course=course,
        power_w_kg=p_mean,
        steps=steps,
        reference_s=reference_s,
        reference=ref_desc,
        laps=laps,
        phases=phases,
        assumptions=assumptions,
        citations=citations,
        energy=energy,
    )


def _formation_shelter(scenario: Scenario, name: str) -> float:
    from paceline.physics import drafting

    return float(drafting.formation_shelter(scenario.formation(name)))


def _reference_wind(scenario: Scenario, course: Course, wind_speed_m_s: float) -> NDArray[np.float64]:
    """Tailwind along the race for a reference wind speed from the scenario's direction [m/s]."""
    if wind_speed_m_s == 0 or scenario.track.kind != "oval":
        return np.zeros_like(course.x_m)
    from paceline.physics import air

    geom = scenario.track.geometry()
    return np.asarray(
        air.wind_along_track(
            course.track_pos_m,
            wind_speed_m_s,
            scenario.conditions.wind_from_deg,
            scenario.track.bearing_deg,
            course.offset_m,
            geom,
        ),
        dtype=float,
    )


# ---------------------------------------------------------------------------------------------------------------
# comparison of two races
# ---------------------------------------------------------------------------------------------------------------
#: Causes of a comparison, in the order of substitution (from race A to race B).
COMPARE_CAUSES = (
    "pacing",
    "metabolic power",
    "athlete and kit",
    "shelter",
    "wind",
    "air density",
    "outside the running line",
)


@dataclass
class Comparison:
    """Where the time difference between two races over the same distance came from.

    Attributes
    ----------
    a, b : Analysis
        The two analyses.
    steps : list of dict
        ``{cause, seconds}``: seconds race A took longer than race B due to each cause; they add up to
        ``difference_s`` exactly.
    """

    a: Analysis
    b: Analysis
    steps: list[dict[str, Any]]

    @property
    def difference_s(self) -> float:
        """Finishing time of A minus B [s]."""
        return self.a.finish_s - self.b.finish_s

    @property
    def attribution(self) -> dict[str, float]:
        """Seconds of the difference due to each cause (A slower than B: positive)."""
        return {s["cause"]: s["seconds"] for s in self.steps}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result (see ``paceline compare --json``)."""
        return {
            "race_a": self.a.splits.race_id,
            "race_b": self.b.splits.race_id,
            "finish_a_s": round(self.a.finish_s, 3),
            "finish_b_s": round(self.b.finish_s, 3),
            "difference_s": round(self.difference_s, 4),
            "attribution": {s["cause"]: round(s["seconds"], 4) for s in self.steps},
            "attribution_steps": [{"cause": s["cause"], "seconds": round(s["seconds"], 4)} for s in self.steps],
            "attribution_order": list(COMPARE_CAUSES),
            "attribution_note": "A minus B; pacing is A's unevenness minus B's, the rest substitutes A's factors by "
            "B's one at a time at constant metabolic power, in the order given (another order shares the total "
            "differently)",
            "average_metabolic_power_w_kg": {
                self.a.splits.race_id: round(self.a.power_w_kg, 4),
                self.b.splits.race_id: round(self.b.power_w_kg, 4),
            },
            "mean_shelter": {
                self.a.splits.race_id: round(_mean_over_time(self.a), 4),
                self.b.splits.race_id: round(_mean_over_time(self.b), 4),
            },
            "optimal_shelter_gain_s": {
                self.a.splits.race_id: round(self.a.time_lost["shelter"], 4),
                self.b.splits.race_id: round(self.b.time_lost["shelter"], 4),
            },
            "reference_formation": self.a.reference["formation"],
            "vs_reference_s": {
                self.a.splits.race_id: round(self.a.total_vs_reference_s, 4),
                self.b.splits.race_id: round(self.b.total_vs_reference_s, 4),
            },
        }


def _mean_over_time(an: Analysis) -> float:
    return _time_weighted_mean(an.course.shelter, an.reconstruction.cruise_time(an.course.x_m))


def compare(a: Analysis, b: Analysis) -> Comparison:
    """Attribute the difference between two analysed races over the same distance.

    Sequential substitution from A to B: first each race's own pacing unevenness (its time minus its even-power
    time on its own course), then, at constant metabolic power on A's grid, A's average power, athlete and kit,
    shelter, wind, air density and line are replaced by B's one at a time. The steps add up to ``T_A - T_B``.

    Raises
    ------
    ScenarioError
        If the races are over different distances.
    """
    from paceline.physics.metabolic import DEFAULT_CURVE, get_curve

    if abs(a.splits.event_m - b.splits.event_m) > 1e-6:
        raise ScenarioError(
            f"{a.splits.race_id} is {a.splits.event_m:g} m and {b.splits.race_id} is {b.splits.event_m:g} m; "
            "compare races over the same distance",
            "compare",
        )
    cost = get_curve(a.reference.get("cost_curve", DEFAULT_CURVE))
    ca, cb = a.course, b.course
    x = ca.x_m

    def on_a(arr: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.interp(x, cb.x_m, arr)

    lag_a, lag_b = a.reconstruction.lag_s, b.reconstruction.lag_s
    states: list[tuple[str, Course, float]] = []
    c = ca
    states.append(("metabolic power", c, b.power_w_kg))
    c = c.with_changes(cda_m2=cb.cda_m2, mass_kg=cb.mass_kg, shoe_economy_gain=cb.shoe_economy_gain)
    states.append(("athlete and kit", c, b.power_w_kg))
    c = c.with_changes(shelter=on_a(cb.shelter))
    states.append(("shelter", c, b.power_w_kg))
    c = c.with_changes(wind_along_m_s=on_a(cb.wind_along_m_s))
    states.append(("wind", c, b.power_w_kg))
    c = c.with_changes(air_density_kg_m3=cb.air_density_kg_m3)
    states.append(("air density", c, b.power_w_kg))
    c = c.with_changes(line_scale=on_a(cb.line_scale), offset_m=on_a(cb.offset_m))
    states.append(("outside the running line", c, b.power_w_kg))

    even_a = _time_at_power(ca, a.power_w_kg, cost) + lag_a
    times = [even_a]
    for _, cst, p in states:
        times.append(_time_at_power(cst, p, cost))
    # the last state is B's course (on A's grid) at B's power: B's even-power time, with B's own start lag
    even_b = times[-1] + lag_b
    times = [even_a] + [t + lag_a for t in times[1:-1]] + [even_b]
    pacing = (a.finish_s - even_a) - (b.finish_s - even_b)
    steps = [{"cause": "pacing", "seconds": pacing}]
    for i, (cause, _, _) in enumerate(states):
        steps.append({"cause": cause, "seconds": times[i] - times[i + 1]})
    return Comparison(a=a, b=b, steps=steps)


# ---------------------------------------------------------------------------------------------------------------
# figure
# ---------------------------------------------------------------------------------------------------------------
def plot_analysis(an: Analysis, path: str | Path) -> None:
    """Save the analysis figure: speed vs distance with the splits, shelter, and the attribution as a waterfall.

    Parameters
    ----------
    an : Analysis
        The analysed race.
    path : str or Path
        Output file; the format follows the suffix (``.png`` or ``.svg``).

    Raises
    ------
    ScenarioError
        For another suffix.
    """
    from pathlib import Path as _Path

    out = _Path(path)
    if out.suffix.lower() not in (".png", ".svg"):
        raise ScenarioError(f"{str(out)!r}: the figure must be .png or .svg", "--plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sp = an.splits
    race = an.race
    x = race.x_m
    fig, axes = plt.subplots(3, 1, figsize=(9, 10), gridspec_kw={"height_ratios": [3, 1.4, 2.4]})
    ax = axes[0]
    ax.plot(x, race.series["race_speed_m_s"], color="C0", lw=1.8, label="reconstructed speed")
    for i, (x0, x1, secs) in enumerate(sp.segments()):
        ax.hlines((x1 - x0) / secs, x0, x1, colors="k", lw=1.2, label="split average" if i == 0 else None)
    for d, t in zip(sp.split_m, sp.time_s, strict=True):
        ax.axvline(d, color="0.8", lw=0.8, zorder=0)
        ax.annotate(
            format_time(float(t)),
            (d, 1.0),
            xycoords=("data", "axes fraction"),
            ha="right",
            va="top",
            fontsize=8,
            rotation=90,
            color="0.35",
        )
    vmin = float(np.min([(x1 - x0) / s for x0, x1, s in sp.segments()]))
    vmax = float(np.max(race.series["race_speed_m_s"]))
    ax.set_ylim(vmin - 0.25 * (vmax - vmin) - 0.05, vmax + 0.2 * (vmax - vmin) + 0.05)
    ax.set_ylabel("speed [m/s]")
    ax.set_title(f"{sp.athlete}, {sp.venue}, {sp.date}: {format_time(sp.finish_s)}")
    ax.legend(loc="lower left", fontsize=8)

    ax = axes[1]
    ax.fill_between(x, 100 * race.series["shelter"], step="post", color="C2", alpha=0.4)
    ax.plot(x, 100 * race.series["shelter"], color="C2", lw=1.2)
    ax.axhline(
        100 * an.reference["shelter"], color="C2", ls="--", lw=1, label=f"reference: {an.reference['formation']}"
    )
    ax.set_ylabel("shelter [%]")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("race distance [m]")
    for a in axes[:2]:
        a.set_xlim(0, sp.event_m)

    ax = axes[2]
    labels = ["race", *[s["cause"] for s in an.steps], "reference"]
    level = an.finish_s
    bottoms, heights, colors = [0.0], [level], ["0.5"]
    for s in an.steps:
        new = level - s["seconds"]
        bottoms.append(min(level, new))
        heights.append(abs(s["seconds"]))
        colors.append("C3" if s["seconds"] > 0 else "C2")
        level = new
    bottoms.append(0.0)
    heights.append(level)
    colors.append("0.5")
    lo = min(an.finish_s, an.reference_s, *[s["to_s"] for s in an.steps])
    hi = max(an.finish_s, an.reference_s, *[s["from_s"] for s in an.steps])
    pad = 0.15 * (hi - lo) + 0.2
    ax.bar(range(len(labels)), heights, bottom=bottoms, color=colors)
    for i, s in enumerate(an.steps, start=1):
        ax.annotate(f"{s['seconds']:+.2f} s", (i, bottoms[i] + heights[i]), ha="center", va="bottom", fontsize=8)
    ax.annotate(format_time(an.finish_s), (0, an.finish_s), ha="center", va="bottom", fontsize=8)
    ax.annotate(format_time(an.reference_s), (len(labels) - 1, an.reference_s), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xticks(range(len(labels)), [lab.replace(" ", "\n", 1) for lab in labels], fontsize=8)
    ax.set_ylabel("finishing time [s]")
    ax.set_title("time lost against the reference (sequential substitution, order left to right)", fontsize=10)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    log.info("wrote %s", out)
