"""Uncertainty and scale: Monte Carlo of a scenario's finishing time, parameter sweeps, local or Dask execution.

Monte Carlo (:func:`monte_carlo`)
    Every uncertain input is drawn up front from one :class:`numpy.random.Generator` (so the same seed gives the
    same numbers whatever the number of workers), the draws are cut into fixed batches, and each batch is solved
    with the equal-power model, vectorised over the draws. The inputs and their distributions:

    ========================  ===================================================================================
    drafting                  shelter-model parameters from :func:`paceline.physics.drafting.parameter_draws` (bootstrap
                              over the studies plus a new "study effect": the 50-89 % disagreement), applied to
                              the target race *and* to the calibration race (the same wake physics in both).
    drag coefficient          Cd ~ U(0.8, 1.0) (Pugh 1971; :mod:`paceline.physics.aero`), the same body in both races.
    kit drag factor           the scenario's ``cda_factor`` x N(1, 0.03): no published drag figure for a suit
                              relative to ordinary race kit; 3 % is an assumption (skin suits in cycling gain a few
                              per cent), symmetric so that the median assumes no benefit.
    shoe economy              the scenario's ``shoe_economy_gain`` + N(0, 0.005), relative to the calibration race's
                              spikes: advanced spikes beat traditional ones by about 2 % of speed (Bertschy et al.
                              2024); two generations of advanced spikes are taken to differ by a quarter of that.
    weather                   uniform within the scenario's ``conditions.*_range`` (temperature, humidity, wind
                              speed; the direction is the scenario's), and within the calibration race's own ranges.
    form on the day           log-normal factor on the metabolic power whose effect on time has a coefficient of
                              variation of 0.8 % (within-athlete race-to-race variability of the better half of
                              elite runners up to 1500 m, Hopkins 2005; 1.0 % for all; Hopkins & Hewson 2001 give
                              1.2-1.9 % for the fastest road runners).
    calibration               the calibration race was itself one day's form: the same 0.8 % once more; a
                              calibration from fitted performances uses the fit's leave-one-out error instead.
    ========================  ===================================================================================

    The drafting parameters come from a pool (``pool`` draws, each a refit of the surrogate) and the calibration
    power is solved exactly for a pool of ``CALIBRATION_POOL`` (drafting member, Cd, calibration-race weather)
    combinations; each Monte Carlo draw picks one member of that pool. A draw's race is then solved at equal
    metabolic power by :func:`paceline.physics.metabolic.speed_at_power`, with the course reduced to a few
    quadrature nodes per formation in the unit-wind profile (see :class:`RaceKernel`; exact to about 1 ms).

Sweeps (:func:`sweep`)
    A grid or Latin hypercube of scenario variations (``conditions.temperature_c=10:30:5``,
    ``pacing[0].formation=single,ineos-v``), validated up front, solved in batches, appended to Parquet as batches
    finish; each row is keyed by a hash of the varied values so that a re-run skips what is written.

Execution
    A local process pool by default (sized to the cores), or an existing Dask distributed cluster
    (``scheduler="tcp://host:port"``); Dask re-runs the tasks of a worker that dies. Ctrl-C stops cleanly and keeps
    what is done.

References
----------
Hopkins, W. G. (2005). Competitive performance of elite track-and-field athletes: variability and smallest
worthwhile enhancements. Sportscience 9, 17-20.
Hopkins, W. G. & Hewson, D. J. (2001). Variability of competitive performance of distance runners. Med. Sci.
Sports Exerc. 33, 1588-1592.
Malcata, R. M. & Hopkins, W. G. (2014). Variability of competitive performance of elite athletes: a systematic
review. Sports Med. 44, 1763-1774.
Bertschy, M., Wilkie, E., Rodrigo-Carranza, V. et al. (2024). Advanced footwear technology spikes improve
middle-distance running speed (about 2 %, 1.8-3.1 %). J. Sport Health Sci.
Healey, L., Bertschy, M., Kipp, S. & Hoogkamer, W. (2022). Can we quantify the benefits of "super spikes" in
track running? Sports Med. 52, 1211-1218.
Pugh, L. G. C. E. (1971). The influence of wind resistance in running and walking. J. Physiol. 213, 255-276.
McKay, M. D., Beckman, R. J. & Conover, W. J. (1979). A comparison of three methods for selecting values of input
variables in the analysis of output from a computer code. Technometrics 21, 239-245 (Latin hypercube).
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import logging
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError, ScenarioError
from paceline.physics import aero, air
from paceline.physics.metabolic import speed_at_power

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course
    from paceline.physics.drafting import DraftParams

log = logging.getLogger(__name__)

#: Coefficient of variation of an elite runner's race time from race to race [-] (Hopkins 2005: 0.8 % for the
#: better half of elite athletes in running events up to 1500 m; 1.0 % for all).
FORM_CV = 0.008
#: Coefficient of variation of the calibration race's time as a measure of her ability [-] (the same figure).
CALIBRATION_CV = 0.008
#: Range of the drag coefficient of a runner [-] (Pugh 1971; :data:`paceline.physics.aero.CD_RUNNER` is its middle).
CD_RANGE = (0.8, 1.0)
#: Standard deviation of the kit's drag factor relative to the scenario's ``cda_factor`` [-] (assumed).
KIT_CDA_SD = 0.03
#: Standard deviation of the shoes' economy gain relative to the calibration race's shoes [-] (assumed, see module).
SHOE_GAIN_SD = 0.005
#: Number of drafting-parameter draws (refits of the surrogate) in the pool.
DRAFT_POOL = 200
#: Number of exactly calibrated (drafting member, Cd, calibration weather) combinations.
CALIBRATION_POOL = 1000
#: Quadrature nodes per formation in the unit-wind profile.
QUAD_NODES = 8
#: Speed solves per batch (fixed, so that results do not depend on the number of workers). 8192 keeps each
#: temporary array at 64 kB, under glibc's mmap threshold: Dask workers set ``MALLOC_TRIM_THRESHOLD_``, which freezes
#: that threshold at 128 kB, and bigger temporaries then cost a page-faulting mmap each (4x slower there).
BATCH_SOLVES = 8192
#: With ``workers=None`` a Monte Carlo of fewer speed solves than this (about 1 s on one core) runs in-process.
LOCAL_POOL_MIN_SOLVES = 10_000_000
#: With ``workers=None`` a sweep of fewer points than this (cheap models) runs in-process.
LOCAL_POOL_MIN_POINTS = 200
#: Sample spacing of the courses [m] (as :class:`~paceline.models.equal_power.EqualPowerModel`).
STEP_M = 5.0


# ==============================================================================================================
# the vectorised equal-power race


@dataclass(frozen=True)
class RaceKernel:
    """A course reduced to quadrature nodes: time of each segment at a constant metabolic power.

    With a constant metabolic power the speed at a sample depends only on the drag coefficient of its formation and
    on the tailwind there, ``W w(x)`` for a wind speed ``W`` and the unit-wind profile ``w(x)`` of the oval. The
    time of a segment, ``sum_s c_s l_s / v(w_s)`` (trapezoidal weights ``c_s``, line scale ``l_s``, as
    :func:`paceline.models.common.cumulative_time_s`), is therefore an integral over ``w`` per formation; it is
    computed exactly for polynomials of degree ``QUAD_NODES - 1`` in ``w`` by interpolating on Chebyshev nodes.

    Attributes
    ----------
    mass_kg : float
        Body mass [kg].
    curve : str
        Treadmill cost curve.
    groups : tuple of str
        Formation of each group.
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

    def segment_times(
        self,
        power_w_kg: NDArray[np.float64],
        k_drag: NDArray[np.float64],
        wind_m_s: NDArray[np.float64],
        shoe_gain: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Time of each segment [s], shape (n, n_segments).

        Parameters
        ----------
        power_w_kg : ndarray, shape (n,) or (n, n_segments)
            Metabolic power [W/kg].
        k_drag : ndarray, shape (n, n_groups)
            ``1/2 rho CdA (1 - shelter)`` of each formation [N s^2/m^2].
        wind_m_s : ndarray, shape (n,)
            Wind speed [m/s].
        shoe_gain : ndarray, shape (n,)
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
        self,
        power_w_kg: NDArray[np.float64],
        k_drag: NDArray[np.float64],
        wind_m_s: NDArray[np.float64],
        shoe_gain: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Finishing time [s] of each draw (the sum over the segments)."""
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


def unit_wind_profile(scenario: Scenario, course: Course) -> NDArray[np.float64]:
    """Tailwind along the course for a 1 m/s wind from the scenario's direction [-] (zero on a road)."""
    if scenario.track.kind != "oval":
        return np.zeros_like(course.x_m)
    return np.asarray(
        air.wind_along_track(
            course.track_pos_m,
            1.0,
            scenario.conditions.wind_from_deg,
            scenario.track.bearing_deg,
            course.offset_m,
            scenario.track.geometry(),
        ),
        dtype=float,
    )


def build_kernel(
    scenario: Scenario,
    course: Course,
    segments: Sequence[tuple[float, float]] | None = None,
    curve: str | None = None,
    n_nodes: int = QUAD_NODES,
) -> RaceKernel:
    """Reduce a course to a :class:`RaceKernel`.

    Parameters
    ----------
    scenario : Scenario
        The scenario the course was built from (formations, wind direction).
    course : Course
        Its course; every segment end must be a sample.
    segments : sequence of (x0, x1), optional
        Race distances [m] of the segments (default: the whole race).
    curve : str, optional
        Cost curve (default: the equal-power model's).
    n_nodes : int
        Quadrature nodes per formation.
    """
    from paceline.physics.metabolic import DEFAULT_CURVE

    phases = scenario.phases()
    names = list(dict.fromkeys(ph.formation for ph in phases))
    group_of_phase = np.array([names.index(ph.formation) for ph in phases], dtype=np.int64)
    group = group_of_phase[course.phase_index]
    wind = unit_wind_profile(scenario, course)
    segs = list(segments) if segments else [(0.0, course.distance_m)]
    x = course.x_m
    nodes = np.zeros((len(segs), len(names), n_nodes))
    weights = np.zeros_like(nodes)
    for si, (x0, x1) in enumerate(segs):
        i0 = int(np.searchsorted(x, x0 - 1e-9))
        i1 = int(np.searchsorted(x, x1 - 1e-9))
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
            lo, hi = float(u_s[sel].min()), float(u_s[sel].max())
            if hi - lo < 1e-9:
                nodes[si, g, :] = 0.5 * (lo + hi)
                weights[si, g, 0] = float(w_s[sel].sum())
                continue
            k = np.arange(n_nodes)
            nd = 0.5 * (lo + hi) + 0.5 * (hi - lo) * np.cos((2 * k + 1) * np.pi / (2 * n_nodes))
            nodes[si, g] = nd
            weights[si, g] = _lagrange_weights(nd, u_s[sel], w_s[sel])
    return RaceKernel(
        mass_kg=float(course.mass_kg),
        curve=curve or DEFAULT_CURVE,
        groups=tuple(names),
        nodes=nodes,
        weights=weights,
    )


# ==============================================================================================================
# the calibration, vectorised


@dataclass(frozen=True)
class CalibrationSpec:
    """How the athlete's metabolic power is calibrated, as the equal-power model does it, ready for draws.

    Attributes
    ----------
    source : str
        What the calibration is (a race, or a fit of performances).
    kernel : RaceKernel
        The calibration race reduced to its split segments.
    durations_s : ndarray
        Time of each split segment [s].
    formations : tuple of str
        Formation of each kernel group.
    base_cda_m2 : float
        Drag area with Cd 0.9 and the calibration race's kit [m^2].
    conditions : dict
        Nominal weather and ranges: ``temperature_c``, ``relative_humidity``, ``wind_speed_m_s`` (each a
        (nominal, lo, hi) triple), ``altitude_m``, ``pressure_pa``; None for still reference air.
    reference_air_kg_m3 : float or None
        Fixed air density for a solo reference calibration [kg/m^3].
    shoe_gain : float
        Shoe economy gain in the calibration race [-].
    cv : float
        Coefficient of variation of its time as a measure of her ability [-].
    scenario : Scenario
        The calibration scenario (for formations).
    """

    source: str
    kernel: RaceKernel
    durations_s: NDArray[np.float64]
    formations: tuple[str, ...]
    base_cda_m2: float
    conditions: dict[str, Any] | None
    reference_air_kg_m3: float | None
    shoe_gain: float
    cv: float
    scenario: Scenario

    def power(
        self,
        shelter: NDArray[np.float64],
        cd_factor: NDArray[np.float64],
        rho: NDArray[np.float64],
        wind_m_s: NDArray[np.float64],
        tol_s: float = 1e-9,
    ) -> NDArray[np.float64]:
        """Calibrated metabolic power of each row [W/kg]: the time-weighted mean of the split segments' powers.

        Parameters
        ----------
        shelter : ndarray, shape (n, n_groups)
            Shelter of each formation of the calibration race [-].
        cd_factor : ndarray, shape (n,)
            Drag-coefficient factor relative to Cd 0.9 [-].
        rho : ndarray, shape (n,)
            Air density [kg/m^3].
        wind_m_s : ndarray, shape (n,)
            Wind speed [m/s].
        tol_s : float
            Tolerance on each segment's time [s].
        """
        n = shelter.shape[0]
        k = 0.5 * (rho * cd_factor * self.base_cda_m2)[:, None] * (1.0 - shelter)
        shoe = np.full(n, self.shoe_gain)
        target = self.durations_s[None, :]

        def f(p: NDArray[np.float64]) -> NDArray[np.float64]:
            return self.kernel.segment_times(p, k, wind_m_s, shoe) - target

        # secant iterations on each (row, segment): time falls smoothly and monotonically with power
        p0 = np.full((n, target.shape[1]), 30.0)
        p1 = np.full_like(p0, 34.0)
        f0, f1 = f(p0), f(p1)
        for _ in range(60):
            denom = f1 - f0
            step = np.where(np.abs(denom) > 0, f1 * (p1 - p0) / np.where(denom == 0, 1.0, denom), 0.0)
            p2 = np.clip(p1 - step, 5.0, 200.0)
            p0, f0 = p1, f1
            p1 = p2
            f1 = f(p1)
            if np.all(np.abs(f1) < tol_s):
                break
        else:  # pragma: no cover - the secant converges in a handful of steps
            log.warning("calibration secant did not converge: max residual %.2e s", float(np.max(np.abs(f1))))
        d = self.durations_s
        return np.asarray(p1 @ d / d.sum(), dtype=float)


def calibration_spec(scenario: Scenario, curve: str | None = None) -> CalibrationSpec:
    """The calibration of a scenario's athlete, in the order :meth:`EqualPowerModel.calibrate` uses.

    Her named calibration race, else the scenario's own result, else an even solo effort over the distance in
    reference air whose time comes from the critical-speed fit of her performances.
    """
    from paceline.io.scenario import load_scenario
    from paceline.models.course import build_course
    from paceline.models.critical_speed import REFERENCE_AIR_DENSITY, reference_course

    ath = scenario.athlete
    ref: Scenario | None = None
    if ath.calibration:
        ref = load_scenario(ath.calibration)
    elif scenario.result is not None:
        ref = scenario
    if ref is not None:
        if ref.result is None:
            raise ScenarioError(f"scenario {ref.name!r} has no [result] to calibrate on", "athlete.calibration")
        splits = list(ref.result.splits)
        if not splits or abs(splits[-1][0] - ref.distance_m) > 1e-6:
            splits.append((ref.distance_m, ref.result.time_s))
        course = build_course(ref, step_m=STEP_M, breaks_m=[d for d, _ in splits])
        edges = [0.0, *[d for d, _ in splits]]
        times = [0.0, *[t for _, t in splits]]
        kernel = build_kernel(ref, course, list(itertools.pairwise(edges)), curve)
        c = ref.conditions

        def trip(name: str) -> tuple[float, float, float]:
            nominal = float(getattr(c, name))
            rng = getattr(c, f"{name}_range")
            return (nominal, float(rng[0]), float(rng[1])) if rng is not None else (nominal, nominal, nominal)

        return CalibrationSpec(
            source=f"{ref.name} ({ref.result.time_s:.2f} s as raced)",
            kernel=kernel,
            durations_s=np.diff(times),
            formations=kernel.groups,
            base_cda_m2=float(course.cda_m2),
            conditions={
                "temperature_c": trip("temperature_c"),
                "relative_humidity": trip("relative_humidity"),
                "wind_speed_m_s": trip("wind_speed_m_s"),
                "altitude_m": c.altitude_m,
                "pressure_pa": c.pressure_pa,
            },
            reference_air_kg_m3=None,
            shoe_gain=ref.equipment.shoe_economy_gain,
            cv=CALIBRATION_CV,
            scenario=ref,
        )
    if len(ath.performances) >= 2:
        from paceline.fit.performances import fit_critical_speed
        from paceline.io.scenario import scenario_from_dict

        fit = fit_critical_speed(ath.performances)
        cs, dp = fit.params["cs_m_s"], fit.params["dprime_m"]
        t = (scenario.distance_m - dp) / cs
        course = reference_course(scenario)
        solo = scenario_from_dict(
            {
                "name": f"{scenario.name}-reference",
                "distance_m": scenario.distance_m,
                "athlete": {"name": ath.name, "height_m": ath.height_m, "mass_kg": ath.mass_kg},
                "track": {"kind": "road"},
            }
        )
        kernel = build_kernel(solo, course, None, curve)
        loo = fit.loo_mean_abs_error_pct
        cv = CALIBRATION_CV if loo is None else max(CALIBRATION_CV, 1.2533 * loo / 100.0)
        return CalibrationSpec(
            source=f"critical-speed fit of {len(ath.performances)} performances (solo {t:.2f} s)",
            kernel=kernel,
            durations_s=np.array([t]),
            formations=kernel.groups,
            base_cda_m2=float(aero.drag_area(ath.height_m, ath.mass_kg)),
            conditions=None,
            reference_air_kg_m3=REFERENCE_AIR_DENSITY,
            shoe_gain=0.0,
            cv=cv,
            scenario=solo,
        )
    raise ScenarioError(
        "the equal-power model needs a calibration race, a [result], or at least 2 performances",
        "athlete.calibration",
    )


# ==============================================================================================================
# drawing the inputs


def _scaled_shelter(s: NDArray[np.float64], best: NDArray[np.float64], spread: float) -> NDArray[np.float64]:
    """Widen (spread > 1) or narrow (< 1) shelter draws around the best fit, in ``-log(1 - s)``."""
    if spread == 1.0:
        return s
    ls = -np.log1p(-np.clip(s, 0.0, 0.999))
    lb = -np.log1p(-np.clip(best, 0.0, 0.999))
    return np.asarray(1.0 - np.exp(-np.maximum(lb + spread * (ls - lb), 0.0)), dtype=float)


def _shelter_table(scenario: Scenario, names: Sequence[str], pool: Sequence[DraftParams]) -> NDArray[np.float64]:
    """Shelter [-] of each formation (columns) under each drafting draw (rows)."""
    from paceline.physics import drafting

    cols = [drafting.formation_shelter_draws(scenario.formation(nm), pool) for nm in names]
    return np.stack(cols, axis=1) if cols else np.zeros((len(pool), 0))


def _best_shelter(scenario: Scenario, names: Sequence[str]) -> NDArray[np.float64]:
    from paceline.physics import drafting

    return np.array([drafting.formation_shelter(scenario.formation(nm)) for nm in names], dtype=float)


def _uniform(rng: np.random.Generator, trip: tuple[float, float, float], n: int) -> NDArray[np.float64]:
    _, lo, hi = trip
    return rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo)


def _range_of(c: Any, name: str) -> tuple[float, float, float]:
    nominal = float(getattr(c, name))
    rng = getattr(c, f"{name}_range")
    return (nominal, float(rng[0]), float(rng[1])) if rng is not None else (nominal, nominal, nominal)


@dataclass
class Problem:
    """Everything needed to turn input values into finishing times (picklable; built once, shipped to workers).

    Attributes
    ----------
    scenario : Scenario
        The target scenario.
    kernel : RaceKernel
        The target race reduced to nodes.
    calibration : CalibrationSpec
        How her power is calibrated.
    cda_m2 : float
        Her drag area at Cd 0.9 with the scenario's kit [m^2].
    target_shelter_best, calibration_shelter_best : ndarray
        Shelter of each formation with the best-fit drafting parameters [-].
    group_share : ndarray
        Share of the race distance run in each target formation [-].
    """

    scenario: Scenario
    kernel: RaceKernel
    calibration: CalibrationSpec
    cda_m2: float
    target_shelter_best: NDArray[np.float64]
    calibration_shelter_best: NDArray[np.float64]
    group_share: NDArray[np.float64]

    def time(self, inputs: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Finishing time [s] of each row of inputs (see :func:`draw_inputs` for the keys)."""
        return self.kernel.finish_time(**self.solver_inputs(inputs))

    def solver_inputs(self, inputs: dict[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
        """What the kernel reads: ``power_w_kg``, ``k_drag`` (n, groups), ``wind_m_s`` and ``shoe_gain``."""
        power = self.calibration_power(inputs) * inputs["form"] * inputs["calibration_form"]
        c = self.scenario.conditions
        rho = np.asarray(
            air.air_density(inputs["temperature_c"], inputs["relative_humidity"], c.altitude_m, c.pressure_pa),
            dtype=float,
        )
        k = 0.5 * (rho * self.cda_m2 * inputs["cd_factor"] * inputs["kit_factor"])[:, None]
        k = k * (1.0 - inputs["target_shelter"])
        return {
            "power_w_kg": power,
            "k_drag": k,
            "wind_m_s": np.asarray(inputs["wind_speed_m_s"], dtype=float),
            "shoe_gain": np.asarray(inputs["shoe_gain"], dtype=float),
        }

    def calibration_power(self, inputs: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Calibrated power [W/kg] of each row (unless given as ``calibration_power_w_kg``)."""
        if "calibration_power_w_kg" in inputs:
            return inputs["calibration_power_w_kg"]
        return self.calibration_rows(
            inputs["calibration_shelter"],
            inputs["cd_factor"],
            inputs["calibration_temperature_c"],
            inputs["calibration_relative_humidity"],
            inputs["calibration_wind_speed_m_s"],
        )

    def calibration_rows(
        self,
        shelter: NDArray[np.float64],
        cd_factor: NDArray[np.float64],
        temperature_c: NDArray[np.float64],
        relative_humidity: NDArray[np.float64],
        wind_m_s: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Calibrated power [W/kg] for rows of calibration-race inputs."""
        cal = self.calibration
        if cal.conditions is None:
            rho = np.full(cd_factor.shape, float(cal.reference_air_kg_m3 or 1.2))
        else:
            rho = np.asarray(
                air.air_density(
                    temperature_c, relative_humidity, cal.conditions["altitude_m"], cal.conditions["pressure_pa"]
                ),
                dtype=float,
            )
        return cal.power(shelter, cd_factor, rho, wind_m_s)


def build_problem(scenario: Scenario, curve: str | None = None) -> Problem:
    """The target kernel and the calibration of a scenario (equal-power model, 5 m samples)."""
    from paceline.models.course import build_course

    course = build_course(scenario, step_m=STEP_M)
    kernel = build_kernel(scenario, course, None, curve)
    cal = calibration_spec(scenario, curve)
    share = kernel.weights.sum(axis=(0, 2))
    return Problem(
        scenario=scenario,
        kernel=kernel,
        calibration=cal,
        cda_m2=float(course.cda_m2),
        target_shelter_best=_best_shelter(scenario, kernel.groups),
        calibration_shelter_best=_best_shelter(cal.scenario, cal.formations),
        group_share=share / share.sum(),
    )


#: The inputs reported in the sensitivity ranking: key -> (label, unit).
INPUT_LABELS: dict[str, tuple[str, str]] = {
    "drafting": ("drafting (shelter model)", "mean shelter"),
    "cd_factor": ("drag coefficient Cd", "x 0.9"),
    "kit_factor": ("kit drag factor", "x cda_factor"),
    "temperature_c": ("temperature", "degC"),
    "relative_humidity": ("relative humidity", "-"),
    "wind_speed_m_s": ("wind speed", "m/s"),
    "shoe_gain": ("shoe economy", "fraction"),
    "form": ("form on the day", "power factor"),
    "calibration_form": ("calibration race form", "power factor"),
    "calibration_temperature_c": ("calibration race temperature", "degC"),
    "calibration_relative_humidity": ("calibration race humidity", "-"),
    "calibration_wind_speed_m_s": ("calibration race wind", "m/s"),
}


@dataclass
class Draws:
    """All the Monte Carlo inputs, drawn up front.

    Attributes
    ----------
    inputs : dict of str to ndarray
        Per-draw arrays the model reads (``calibration_power_w_kg``, ``target_shelter`` (n, groups), ...).
    report : dict of str to ndarray
        Per-draw values of the inputs in :data:`INPUT_LABELS`, for the sensitivity ranking.
    oat : dict of str to (dict, dict)
        Input rows with one input at its 5th and 95th percentile and the rest nominal.
    nominal : dict of str to ndarray
        The nominal row (the scenario's values, best-fit drafting).
    distributions : list of dict
        What each input's distribution is and why.
    """

    inputs: dict[str, NDArray[np.float64]]
    report: dict[str, NDArray[np.float64]]
    oat: dict[str, tuple[dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]]
    nominal: dict[str, NDArray[np.float64]]
    distributions: list[dict[str, Any]]


def _elasticity(problem: Problem, nominal: dict[str, NDArray[np.float64]]) -> float:
    """``-d ln T / d ln P`` of the target race at the nominal inputs."""
    up = dict(nominal)
    up["form"] = nominal["form"] * 1.001
    t0 = problem.time(nominal)[0]
    t1 = problem.time(up)[0]
    return float(-(math.log(t1) - math.log(t0)) / math.log(1.001))


def draw_inputs(
    problem: Problem,
    n: int,
    seed: int,
    pool: int = DRAFT_POOL,
    shelter_spread: float = 1.0,
    calibration_pool: int = CALIBRATION_POOL,
) -> Draws:
    """Draw every uncertain input of a scenario (deterministic for a seed).

    Parameters
    ----------
    problem : Problem
        From :func:`build_problem`.
    n : int
        Number of draws.
    seed : int
        Seed of the one random generator (the drafting pool uses it too).
    pool : int
        Number of drafting-parameter draws (each a refit of the surrogate to resampled studies).
    shelter_spread : float
        Factor on the spread of the shelter draws around the best fit (1: as fitted; 0: no drafting uncertainty).
    calibration_pool : int
        Number of exactly calibrated (drafting, Cd, calibration weather) combinations.

    Returns
    -------
    Draws
    """
    from paceline.physics import drafting

    if n < 1:
        raise ScenarioError(f"{n} draws is not allowed; n >= 1", "n")
    if pool < 2 or calibration_pool < 2:
        raise ScenarioError("the pools need at least 2 members", "pool")
    if shelter_spread < 0:
        raise ScenarioError(f"{shelter_spread} is negative; allowed >= 0", "shelter_spread")
    sc = problem.scenario
    cal = problem.calibration
    rng = np.random.default_rng(seed)
    params = drafting.parameter_draws(pool, seed)
    tgt_table = _scaled_shelter(
        _shelter_table(sc, problem.kernel.groups, params), problem.target_shelter_best[None, :], shelter_spread
    )
    cal_table = _scaled_shelter(
        _shelter_table(cal.scenario, cal.formations, params), problem.calibration_shelter_best[None, :], shelter_spread
    )
    if cal.conditions is None:  # solo reference: no drafting, fixed air
        cal_table = np.zeros((pool, max(1, len(cal.formations))))[:, : len(cal.formations)]

    # the calibration pool
    m = calibration_pool
    member_draft = rng.integers(pool, size=m)
    member_cd = rng.uniform(CD_RANGE[0], CD_RANGE[1], m) / aero.CD_RUNNER
    cc = cal.conditions
    zero3 = (0.0, 0.0, 0.0)
    member_t = _uniform(rng, cc["temperature_c"] if cc else (20.0, 20.0, 20.0), m)
    member_rh = _uniform(rng, cc["relative_humidity"] if cc else (0.5, 0.5, 0.5), m)
    member_w = _uniform(rng, cc["wind_speed_m_s"] if cc else zero3, m)
    member_power = problem.calibration_rows(cal_table[member_draft], member_cd, member_t, member_rh, member_w)

    # the draws
    c = sc.conditions
    trips = {name: _range_of(c, name) for name in ("temperature_c", "relative_humidity", "wind_speed_m_s")}
    member = rng.integers(m, size=n)
    temperature = _uniform(rng, trips["temperature_c"], n)
    humidity = _uniform(rng, trips["relative_humidity"], n)
    wind = _uniform(rng, trips["wind_speed_m_s"], n)
    kit = rng.normal(1.0, KIT_CDA_SD, n)
    shoe = sc.equipment.shoe_economy_gain + rng.normal(0.0, SHOE_GAIN_SD, n)
    z_form = rng.standard_normal(n)
    z_cal = rng.standard_normal(n)

    nominal: dict[str, NDArray[np.float64]] = {
        "target_shelter": problem.target_shelter_best[None, :].copy(),
        "calibration_shelter": problem.calibration_shelter_best[None, :].copy(),
        "cd_factor": np.array([1.0]),
        "kit_factor": np.array([1.0]),
        "temperature_c": np.array([c.temperature_c]),
        "relative_humidity": np.array([c.relative_humidity]),
        "wind_speed_m_s": np.array([c.wind_speed_m_s]),
        "shoe_gain": np.array([sc.equipment.shoe_economy_gain]),
        "form": np.array([1.0]),
        "calibration_form": np.array([1.0]),
        "calibration_temperature_c": np.array([cc["temperature_c"][0] if cc else 20.0]),
        "calibration_relative_humidity": np.array([cc["relative_humidity"][0] if cc else 0.5]),
        "calibration_wind_speed_m_s": np.array([cc["wind_speed_m_s"][0] if cc else 0.0]),
    }
    elasticity = _elasticity(problem, nominal)
    sd_form = FORM_CV / elasticity
    sd_cal = cal.cv / elasticity
    form = np.exp(sd_form * z_form)
    cal_form = np.exp(sd_cal * z_cal)

    share = problem.group_share
    draft_of_draw = member_draft[member]
    drawn = {
        "cd_factor": member_cd[member],
        "kit_factor": kit,
        "temperature_c": temperature,
        "relative_humidity": humidity,
        "wind_speed_m_s": wind,
        "shoe_gain": shoe,
        "form": form,
        "calibration_form": cal_form,
    }
    inputs = {
        "calibration_power_w_kg": member_power[member],
        "target_shelter": tgt_table[draft_of_draw],
        **drawn,
    }
    report = {
        "drafting": tgt_table[draft_of_draw] @ share,
        **drawn,
        "calibration_temperature_c": member_t[member],
        "calibration_relative_humidity": member_rh[member],
        "calibration_wind_speed_m_s": member_w[member],
    }

    # one-at-a-time rows: the input at its 5th and 95th percentile, the rest nominal
    oat: dict[str, tuple[dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]] = {}
    for key, values in report.items():
        if float(np.ptp(values)) == 0.0:
            continue
        rows = []
        for q in (5.0, 95.0):
            row = {k: v.copy() for k, v in nominal.items()}
            if key == "drafting":
                mean_s = tgt_table @ share
                j = int(np.argmin(np.abs(mean_s - np.percentile(mean_s, q))))
                row["target_shelter"] = tgt_table[j : j + 1]
                row["calibration_shelter"] = cal_table[j : j + 1]
            else:
                row[key] = np.array([float(np.percentile(values, q))])
            rows.append(row)
        oat[key] = (rows[0], rows[1])

    def rng_text(trip: tuple[float, float, float], unit: str) -> str:
        return f"U({trip[1]:g}, {trip[2]:g}) {unit}" if trip[2] > trip[1] else f"fixed {trip[0]:g} {unit}"

    distributions = [
        {
            "input": "drafting",
            "distribution": f"{pool} refits of the shelter surrogate (drafting.parameter_draws), spread x "
            f"{shelter_spread:g}, in the target and the calibration race",
            "source": "paceline.physics.drafting: bootstrap over the studies + a new study effect",
        },
        {"input": "cd_factor", "distribution": "Cd ~ U(0.8, 1.0), both races", "source": "Pugh (1971)"},
        {
            "input": "kit_factor",
            "distribution": f"cda_factor {sc.equipment.cda_factor:g} x N(1, {KIT_CDA_SD:g})",
            "source": "assumed: no published drag figure for race kit",
        },
        {"input": "temperature_c", "distribution": rng_text(trips["temperature_c"], "degC"), "source": "scenario"},
        {"input": "relative_humidity", "distribution": rng_text(trips["relative_humidity"], ""), "source": "scenario"},
        {"input": "wind_speed_m_s", "distribution": rng_text(trips["wind_speed_m_s"], "m/s"), "source": "scenario"},
        {
            "input": "shoe_gain",
            "distribution": f"{sc.equipment.shoe_economy_gain:g} + N(0, {SHOE_GAIN_SD:g})",
            "source": "assumed, relative to the calibration race's spikes (Bertschy et al. 2024: about 2 % "
            "between advanced and traditional spikes)",
        },
        {
            "input": "form",
            "distribution": f"log-normal power factor, time CV {FORM_CV:.1%} (power SD {sd_form:.2%})",
            "source": "Hopkins (2005) Sportscience 9:17; Hopkins & Hewson (2001) MSSE 33:1588",
        },
        {
            "input": "calibration_form",
            "distribution": f"log-normal power factor, time CV {cal.cv:.1%} (power SD {sd_cal:.2%})",
            "source": f"calibration: {cal.source}; one race is one day's form (Hopkins 2005)",
        },
    ]
    if cc:
        distributions.append(
            {
                "input": "calibration weather",
                "distribution": f"temperature {rng_text(cc['temperature_c'], 'degC')}, humidity "
                f"{rng_text(cc['relative_humidity'], '')}, wind {rng_text(cc['wind_speed_m_s'], 'm/s')}",
                "source": f"scenario {cal.scenario.name}",
            }
        )
    return Draws(inputs=inputs, report=report, oat=oat, nominal=nominal, distributions=distributions)


# ==============================================================================================================
# execution: inline, local process pool, or a Dask cluster


def _ignore_sigint() -> None:  # pragma: no cover - runs in pool workers
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    """Worker processes of the local pool: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(
    func: Callable[[Any, Any], Any],
    shared: Any,
    payloads: Sequence[Any],
    on_result: Callable[[int, Any], None],
    workers: int | None = None,
    scheduler: str | None = None,
) -> bool:
    """Run ``func(shared, payload)`` for every payload, calling ``on_result(index, result)`` as each finishes.

    Parameters
    ----------
    func : callable
        A module-level function (pickled by reference).
    shared : object
        The argument every task shares (sent once per worker with Dask).
    payloads : sequence
        One per task.
    on_result : callable
        Called in this process, in completion order.
    workers : int, optional
        Local worker processes (default: the cores); 1 runs in this process.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://127.0.0.1:8786``); the cluster's workers do the work.

    Returns
    -------
    bool
        True if interrupted (Ctrl-C): the results delivered so far are kept, the rest are cancelled.
    """
    if not payloads:
        return False
    if scheduler:
        return _run_dask(func, shared, payloads, on_result, scheduler)
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ScenarioError(f"{n_workers} workers is not allowed; workers >= 1", "workers")
    if n_workers == 1 or len(payloads) == 1:
        try:
            for i, p in enumerate(payloads):
                on_result(i, func(shared, p))
        except KeyboardInterrupt:
            return True
        return False
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    methods = multiprocessing.get_all_start_methods()
    ctx: Any
    if "forkserver" in methods:  # safe with threads (unlike fork); workers fork from a server that imported us
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["paceline.studies.uncertainty", "paceline.models.equal_power"])
    else:  # pragma: no cover - Windows, macOS without forkserver
        ctx = multiprocessing.get_context("spawn")
    ex = ProcessPoolExecutor(max_workers=min(n_workers, len(payloads)), mp_context=ctx, initializer=_ignore_sigint)
    interrupted = False
    try:
        pending = {ex.submit(func, shared, p): i for i, p in enumerate(payloads)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                on_result(pending.pop(fut), fut.result())
    except KeyboardInterrupt:
        interrupted = True
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
    return interrupted


def _run_dask(
    func: Callable[[Any, Any], Any],
    shared: Any,
    payloads: Sequence[Any],
    on_result: Callable[[int, Any], None],
    scheduler: str,
) -> bool:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - the dist extra is missing
        raise PacelineError("--scheduler needs dask[distributed]: pip install 'paceline[dist]'") from exc
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise ScenarioError(f"cannot reach a Dask scheduler at {scheduler!r} ({exc})", "--scheduler") from None
    interrupted = False
    try:
        [shared_f] = client.scatter([shared], broadcast=True, hash=False)
        futures = [client.submit(func, shared_f, p, pure=False, retries=2) for p in payloads]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut, result in as_completed(futures, with_results=True):
                on_result(index[fut.key], result)
                fut.release()
        except KeyboardInterrupt:
            interrupted = True
            client.cancel(futures)
    finally:
        client.close()
    return interrupted


# ==============================================================================================================
# Monte Carlo


def _mc_task(kernel: RaceKernel, batches: list[dict[str, NDArray[np.float64]]]) -> list[NDArray[np.float64]]:
    """Finishing times of consecutive batches of draws (runs on a worker; each batch solved on its own)."""
    return [kernel.finish_time(**batch) for batch in batches]


@dataclass
class MonteCarloResult:
    """A Monte Carlo of a scenario's finishing time.

    Attributes
    ----------
    scenario : str
        Scenario name.
    n : int
        Draws asked for.
    n_done : int
        Draws solved (less than ``n`` after Ctrl-C).
    seed : int
        Seed.
    times_s : ndarray
        Finishing time of each solved draw [s] (NaN where not solved).
    target_s, best_s : float or None
        The target and the athlete's best at this distance [s].
    best_source : str
        Where the best comes from.
    nominal_s : float
        Time with every input at its nominal value [s].
    sensitivity : list of dict
        ``{input, label, seconds, low_s, high_s, low_value, high_value, rank_correlation}``, largest swing first
        (rank correlations over the first ``RANK_DRAWS`` draws).
    distributions : list of dict
        Each input's distribution and source.
    interrupted : bool
        Stopped by Ctrl-C.
    """

    scenario: str
    n: int
    n_done: int
    seed: int
    times_s: NDArray[np.float64]
    target_s: float | None
    best_s: float | None
    best_source: str
    nominal_s: float
    sensitivity: list[dict[str, Any]]
    distributions: list[dict[str, Any]]
    calibration: str
    interrupted: bool = False
    workers: str = "local"
    extra: dict[str, Any] = field(default_factory=dict)

    def _done(self) -> NDArray[np.float64]:
        t = self.times_s
        return t[np.isfinite(t)]

    @property
    def median_s(self) -> float:
        """Median finishing time [s]."""
        return float(np.median(self._done()))

    def percentile(self, q: float) -> float:
        """A percentile of the finishing time [s]."""
        return float(np.percentile(self._done(), q))

    def probability_under(self, time_s: float | None) -> float | None:
        """Share of the draws at or under a time [-]."""
        if time_s is None:
            return None
        return float(np.mean(self._done() <= time_s))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (times in seconds; ``*_time`` as m:ss.xx)."""
        from paceline.timefmt import format_time

        d = self._done()
        out: dict[str, Any] = {
            "scenario": self.scenario,
            "model": "equal-power",
            "n": self.n,
            "n_done": self.n_done,
            "seed": self.seed,
            "median_s": round(self.median_s, 3),
            "p05_s": round(self.percentile(5), 3),
            "p95_s": round(self.percentile(95), 3),
            "mean_s": round(float(np.mean(d)), 3),
            "sd_s": round(float(np.std(d)), 3),
            "nominal_s": round(self.nominal_s, 3),
            "median": format_time(self.median_s),
            "p05": format_time(self.percentile(5)),
            "p95": format_time(self.percentile(95)),
            "target_s": self.target_s,
            "p_target": self.probability_under(self.target_s),
            "best_s": self.best_s,
            "best_source": self.best_source,
            "p_best": self.probability_under(self.best_s),
            "calibration": self.calibration,
            "sensitivity": self.sensitivity,
            "distributions": self.distributions,
            "interrupted": self.interrupted,
            "workers": self.workers,
        }
        out.update(self.extra)
        return out


def athlete_best(scenario: Scenario) -> tuple[float | None, str]:
    """Her best time at the scenario's distance [s]: her performances there, the scenario's own result and the
    result of her calibration race when it is over the same distance."""
    from paceline.io.scenario import load_scenario

    best: float | None = None
    source = ""
    for p in scenario.athlete.performances:
        if abs(p.distance_m - scenario.distance_m) < 0.5 and (best is None or p.time_s < best):
            best, source = p.time_s, f"performance {p.note or p.date or ''}".strip()
    races = [scenario]
    if scenario.athlete.calibration:
        races.append(load_scenario(scenario.athlete.calibration))
    for race in races:
        if race.result is None or abs(race.distance_m - scenario.distance_m) >= 0.5:
            continue
        if best is None or race.result.time_s < best:
            best, source = race.result.time_s, f"{race.name} as raced"
    return best, source


#: Draws used for the rank correlations (the first ones solved; ranking is the slow part of a big run).
RANK_DRAWS = 20_000


def _spearman(x: NDArray[np.float64], ry: NDArray[np.float64]) -> float:
    """Spearman's rank correlation of ``x`` with data whose ranks are ``ry``."""
    from scipy.stats import rankdata

    rx = rankdata(x)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return 0.0
    return float(np.corrcoef(rx, ry)[0, 1])


def monte_carlo(
    scenario: Scenario,
    n: int = 10_000,
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    pool: int = DRAFT_POOL,
    shelter_spread: float = 1.0,
    batch_draws: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloResult:
    """Monte Carlo of a scenario's finishing time with the equal-power model.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    n : int
        Number of draws.
    seed : int
        Seed; the same seed gives the same numbers whatever ``workers`` or ``scheduler``.
    workers : int, optional
        Local worker processes (None: the cores, or this process for under ``LOCAL_POOL_MIN_SOLVES`` speed solves;
        1: this process).
    scheduler : str, optional
        Dask scheduler address; overrides ``workers``.
    pool : int
        Drafting-parameter draws in the pool (each a refit; about 7 ms each, cached per process).
    shelter_spread : float
        Factor on the spread of the shelter draws (1: as fitted).
    batch_draws : int, optional
        Draws per batch (default: ``BATCH_SOLVES`` speed solves; it never depends on the workers). Batches are
        solved one by one; a task carries several consecutive batches.
    progress : callable, optional
        ``progress(done, total)`` after each batch.

    Returns
    -------
    MonteCarloResult

    References
    ----------
    See the module docstring for the distributions and their sources.
    """
    problem = build_problem(scenario)
    draws = draw_inputs(problem, n, seed, pool=pool, shelter_spread=shelter_spread)
    times = np.full(n, np.nan)
    per_batch = int(batch_draws) if batch_draws else max(1, BATCH_SOLVES // problem.kernel.nodes.size)
    if per_batch < 1:
        raise ScenarioError(f"{batch_draws} is not allowed; batch_draws >= 1", "batch_draws")
    bounds = [(i, min(i + per_batch, n)) for i in range(0, n, per_batch)]
    solver = problem.solver_inputs(draws.inputs)
    batches = [{k: v[a:b] for k, v in solver.items()} for a, b in bounds]
    # tasks of several consecutive batches (about 4 per worker): fewer round trips, same numbers
    par = 8 if scheduler else (default_workers() if workers is None else max(1, int(workers)))
    per_task = max(1, math.ceil(len(batches) / (4 * par)))
    tasks = [list(range(i, min(i + per_task, len(batches)))) for i in range(0, len(batches), per_task)]
    payloads = [[batches[j] for j in task] for task in tasks]
    done = [0]

    def on_result(i: int, ts: list[NDArray[np.float64]]) -> None:
        for j, t in zip(tasks[i], ts, strict=True):
            a, b = bounds[j]
            times[a:b] = t
            done[0] += b - a
        if progress is not None:
            progress(done[0], n)

    if workers is None and n * problem.kernel.nodes.size < LOCAL_POOL_MIN_SOLVES:
        workers = 1  # under a second of work: a process pool would cost more to start than it saves
    interrupted = run_tasks(_mc_task, problem.kernel, payloads, on_result, workers=workers, scheduler=scheduler)
    if done[0] == 0:
        raise KeyboardInterrupt

    nominal_s = float(problem.time(draws.nominal)[0])
    ok = np.isfinite(times)
    sub = np.flatnonzero(ok)[:RANK_DRAWS]
    from scipy.stats import rankdata

    ranks_t = rankdata(times[sub])
    sens: list[dict[str, Any]] = []
    for key, (lo, hi) in draws.oat.items():
        t_lo = float(problem.time(lo)[0])
        t_hi = float(problem.time(hi)[0])
        label, unit = INPUT_LABELS[key]
        vals = draws.report[key]
        sens.append(
            {
                "input": key,
                "label": label,
                "unit": unit,
                "seconds": round(abs(t_hi - t_lo), 3),
                "low_value": round(float(np.percentile(vals, 5)), 5),
                "high_value": round(float(np.percentile(vals, 95)), 5),
                "low_s": round(t_lo, 3),
                "high_s": round(t_hi, 3),
                "rank_correlation": round(_spearman(vals[sub], ranks_t), 3),
            }
        )
    sens.sort(key=lambda d: -float(d["seconds"]))
    best, best_source = athlete_best(scenario)
    return MonteCarloResult(
        scenario=scenario.name,
        n=n,
        n_done=int(ok.sum()),
        seed=seed,
        times_s=times,
        target_s=scenario.target_s,
        best_s=best,
        best_source=best_source,
        nominal_s=nominal_s,
        sensitivity=sens,
        distributions=draws.distributions,
        calibration=problem.calibration.source,
        interrupted=interrupted,
        workers=f"dask {scheduler}" if scheduler else f"local x{workers or default_workers()}",
    )


def tornado_plot(result: MonteCarloResult, path: str | Path, top: int = 10) -> Path:
    """Save a tornado chart of the one-at-a-time swings (5th to 95th percentile of each input) [PNG/SVG/PDF].

    Parameters
    ----------
    result : MonteCarloResult
        With its sensitivity ranking.
    path : str or Path
        Output file; the format follows its suffix.
    top : int
        Number of inputs shown.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from paceline.timefmt import format_time

    rows = [r for r in result.sensitivity if r["seconds"] > 0][:top][::-1]
    nominal = result.nominal_s
    fig, ax = plt.subplots(figsize=(8.0, 0.45 * len(rows) + 1.8))
    for i, r in enumerate(rows):
        for t, colour in ((r["low_s"], "tab:blue"), (r["high_s"], "tab:orange")):
            ax.barh(i, t - nominal, left=nominal, color=colour, height=0.6)
    ax.set_yticks(range(len(rows)), [r["label"] for r in rows])
    ax.axvline(nominal, color="k", lw=0.8)
    if result.target_s:
        ax.axvline(result.target_s, color="tab:red", ls="--", lw=1.0, label=f"target {format_time(result.target_s)}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("finishing time [s] (blue: input at its 5th percentile, orange: 95th)")
    ax.set_title(
        f"{result.scenario}: median {format_time(result.median_s)}, 90 % {format_time(result.percentile(5))}"
        f"-{format_time(result.percentile(95))}, n = {result.n_done}",
        fontsize=10,
    )
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


# ==============================================================================================================
# sweeps


_TOKEN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[(?:\d+|\*)\])*)$")


@dataclass(frozen=True)
class Variation:
    """One varied input of a sweep.

    Attributes
    ----------
    path : str
        Dotted path into the scenario (``conditions.temperature_c``, ``pacing[0].formation``, ``pacing[*].formation``).
    values : tuple
        Grid values (numbers or strings).
    low, high : float or None
        Bounds for a Latin hypercube of a numeric range.
    """

    path: str
    values: tuple[Any, ...]
    low: float | None = None
    high: float | None = None

    @property
    def numeric(self) -> bool:
        """True for a numeric range (continuous in a Latin hypercube)."""
        return self.low is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_vary(spec: str) -> Variation:
    """Parse ``PATH=START:STOP:STEP`` (inclusive) or ``PATH=A,B,C``.

    Raises
    ------
    ScenarioError
        Naming ``--vary`` and what is allowed.
    """
    if "=" not in spec:
        raise ScenarioError(f"{spec!r} has no '='; allowed PATH=START:STOP:STEP or PATH=A,B,C", "--vary")
    path, _, rhs = spec.partition("=")
    path = path.strip()
    rhs = rhs.strip()
    for tok in path.split("."):
        if not _TOKEN.match(tok):
            raise ScenarioError(
                f"{path!r} is not a field path; e.g. conditions.temperature_c, pacing[0].formation", "--vary"
            )
    if not rhs:
        raise ScenarioError(f"{path}: no values given; allowed START:STOP:STEP or A,B,C", "--vary")
    parts = rhs.split(":")
    if len(parts) in (2, 3) and all(_number(p) is not None for p in parts):
        lo, hi = float(parts[0]), float(parts[1])
        step = float(parts[2]) if len(parts) == 3 else (hi - lo) / 4 if hi != lo else 1.0
        if hi < lo or step <= 0:
            raise ScenarioError(f"{rhs!r} needs START <= STOP and STEP > 0", f"--vary {path}")
        k = math.floor((hi - lo) / step + 1e-9)
        vals = tuple(round(lo + i * step, 10) for i in range(k + 1))
        return Variation(path, vals, lo, hi)
    items = [s.strip() for s in rhs.split(",") if s.strip()]
    if not items:
        raise ScenarioError(f"{path}: no values given", "--vary")
    nums = [_number(s) for s in items]
    values: tuple[Any, ...] = tuple(nums) if all(v is not None for v in nums) else tuple(items)
    return Variation(path, values)


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path (``pacing[*]`` sets every phase); errors name the path."""
    tokens = path.split(".")

    def walk(node: Any, i: int, where: str) -> None:
        m = _TOKEN.match(tokens[i])
        if m is None:
            raise ScenarioError("not a field name", where or path)
        name, idx_text = m.group(1), m.group(2)
        here = f"{where}.{name}" if where else name
        if not isinstance(node, dict):
            raise ScenarioError(f"{where or 'scenario'} is not a table; cannot set {name}", path)
        indices = re.findall(r"\[(\d+|\*)\]", idx_text)
        last = i == len(tokens) - 1
        if not indices:
            if last:
                node[name] = value
                node.pop(f"{name}_range", None)  # a swept value is known: its uncertainty range no longer applies
                if name == "formation" and "pacers" in node:
                    node.pop("pacers")  # named pacers belong to the old formation's slots
                return
            if name not in node or node[name] is None:
                node[name] = {}
            walk(node[name], i + 1, here)
            return
        if name not in node or not isinstance(node[name], list | tuple):
            raise ScenarioError(f"{name} is not a list; remove the index", here)
        seq = list(node[name])
        node[name] = seq
        targets = range(len(seq)) if indices[0] == "*" else [int(indices[0])]
        for j in targets:
            if not 0 <= j < len(seq):
                raise ScenarioError(f"index {j} is out of range; the scenario has {len(seq)} {name}", path)
            if last:
                seq[j] = value
            else:
                if isinstance(seq[j], tuple):
                    seq[j] = list(seq[j])
                walk(seq[j], i + 1, f"{here}[{j}]")

    walk(data, 0, "")


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """A scenario as the plain dict :func:`paceline.io.scenario.scenario_from_dict` reads back."""
    return json.loads(scenario.model_dump_json(exclude_none=True))


def apply_variations(base: dict[str, Any], values: dict[str, Any]) -> Scenario:
    """A validated scenario with the varied values set.

    Raises
    ------
    ScenarioError
        Naming the path of a value that does not fit.
    """
    from paceline.io.scenario import scenario_from_dict

    data = copy.deepcopy(base)
    for path, value in values.items():
        _set_path(data, path, value)
    label = ", ".join(f"{p}={v}" for p, v in values.items())
    data["name"] = f"{base.get('name', 'scenario')} [{label}]"
    try:
        return scenario_from_dict(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{exc} (with {label})") from None


def point_key(base: dict[str, Any], model: str, values: dict[str, Any]) -> str:
    """Row key of a sweep point: a hash of the base scenario's content, the model and the varied values (so an
    edited scenario file is never answered from rows of its old version)."""
    blob = json.dumps({"scenario": base, "model": model, "values": values}, sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def sweep_points(variations: Sequence[Variation], samples: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """The points of a sweep: the full grid, or a Latin hypercube of ``samples`` points.

    In a Latin hypercube a numeric range is sampled continuously between its bounds and a list by stratified index.
    """
    if not variations:
        raise ScenarioError("give at least one --vary PATH=VALUES", "--vary")
    paths = [v.path for v in variations]
    if len(set(paths)) != len(paths):
        raise ScenarioError("each path may be varied once", "--vary")
    if samples is None:
        return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*(v.values for v in variations))]
    if samples < 1:
        raise ScenarioError(f"{samples} is not allowed; --samples >= 1", "--samples")
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(variations), seed=np.random.default_rng(seed)).random(samples)
    points = []
    for row in u:
        pt: dict[str, Any] = {}
        for v, x in zip(variations, row, strict=True):
            if v.numeric:
                assert v.low is not None and v.high is not None
                pt[v.path] = round(v.low + float(x) * (v.high - v.low), 6)
            else:
                pt[v.path] = v.values[min(int(x * len(v.values)), len(v.values) - 1)]
        points.append(pt)
    return points


def _sweep_batch(shared: dict[str, Any], batch: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Solve a batch of sweep points (runs on a worker)."""
    from paceline.models import solve

    rows = []
    for key, values in batch:
        row: dict[str, Any] = {"key": key, **values}
        try:
            sc = apply_variations(shared["base"], values)
            race = solve(sc, shared["model"])
            row.update(
                time_s=float(race.finish_s),
                mean_shelter=float(np.mean(race.series["shelter"])) if "shelter" in race.series else math.nan,
                target_s=sc.target_s if sc.target_s is not None else math.nan,
                beats_target=bool(sc.target_s is not None and race.finish_s <= sc.target_s),
                error="",
            )
        except PacelineError as exc:
            row.update(time_s=math.nan, mean_shelter=math.nan, target_s=math.nan, beats_target=False, error=str(exc))
        rows.append(row)
    return rows


def read_results(path: str | Path) -> Any:
    """The rows of a sweep's Parquet file as a pandas DataFrame (empty if it does not exist)."""
    import pandas as pd

    p = Path(path)
    if not p.exists():
        return pd.DataFrame()
    return pd.read_parquet(p)


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> int:
    """Append rows to a Parquet file atomically (write a temporary file, then rename); returns the row count."""
    import pandas as pd

    new = pd.DataFrame(rows)
    old = read_results(path)
    df = pd.concat([old, new], ignore_index=True) if len(old) else new
    tmp = path.with_name(path.name + ".tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return len(df)


@dataclass
class SweepResult:
    """What a sweep did.

    Attributes
    ----------
    out : Path
        The Parquet file.
    n_points : int
        Points in the sweep.
    n_skipped : int
        Points already in the file (resumed).
    n_new : int
        Points solved in this run.
    n_rows : int
        Rows in the file now.
    interrupted : bool
        Stopped by Ctrl-C (what was written is kept).
    paths : list of str
        The varied paths.
    """

    out: Path
    n_points: int
    n_skipped: int
    n_new: int
    n_rows: int
    interrupted: bool
    paths: list[str]
    model: str
    scenario: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary, with the fastest point."""
        df = read_results(self.out)
        best = None
        if len(df) and "time_s" in df and df["time_s"].notna().any():
            r = df.loc[df["time_s"].idxmin()]
            best = {**{p: r[p] for p in self.paths if p in r}, "time_s": round(float(r["time_s"]), 3)}
        return {
            "scenario": self.scenario,
            "model": self.model,
            "out": str(self.out),
            "varied": self.paths,
            "n_points": self.n_points,
            "n_skipped": self.n_skipped,
            "n_new": self.n_new,
            "n_rows": self.n_rows,
            "interrupted": self.interrupted,
            "fastest": best,
        }


def sweep(
    scenario: Scenario,
    variations: Sequence[Variation],
    out: str | Path,
    samples: int | None = None,
    seed: int = 0,
    model: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Solve a grid (or Latin hypercube) of scenario variations and append the results to Parquet.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    variations : sequence of Variation
        From :func:`parse_vary`.
    out : str or Path
        Parquet file; points already in it (same key) are skipped, so a killed run resumes.
    samples : int, optional
        Latin hypercube of this many points instead of the grid.
    seed : int
        Seed of the Latin hypercube.
    model : str, optional
        Energetics model (default: the scenario's); optimal-control runs one point per task.
    workers : int, optional
        Local worker processes (None: the cores, or this process for fewer than ``LOCAL_POOL_MIN_POINTS`` points of
        a cheap model).
    scheduler : str, optional
        Dask scheduler address.
    batch_size : int, optional
        Points per task (default: about 4 tasks per worker, at most 50; 1 for optimal-control).
    progress : callable, optional
        ``progress(done, total)`` after each batch.

    Returns
    -------
    SweepResult

    Raises
    ------
    ScenarioError
        A bad path or value (before anything is solved or written).
    """
    from paceline.models import MODELS

    model_name = model or scenario.model
    if model_name not in MODELS:
        raise ScenarioError(f"{model_name!r} is not a model; allowed {', '.join(MODELS)}", "--model")
    base = scenario_data(scenario)
    points = sweep_points(variations, samples, seed)
    # validate before any work (nothing half-written): each varied value alone, and the first point whole;
    # a combination that fails later is kept as a row with its error
    for v in variations:
        for value in dict.fromkeys(pt[v.path] for pt in points):
            apply_variations(base, {v.path: value})
    apply_variations(base, points[0])
    out_path = Path(out)
    if out_path.suffix != ".parquet":
        raise ScenarioError(f"{str(out_path)!r} must end in .parquet", "--out")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    stale = out_path.with_name(out_path.name + ".tmp")
    if stale.exists():
        stale.unlink()
    existing = read_results(out_path)
    done_keys = set(existing["key"]) if len(existing) and "key" in existing else set()
    keyed = [(point_key(base, model_name, pt), pt) for pt in points]
    todo = [(k, pt) for k, pt in keyed if k not in done_keys]
    todo = list(dict(todo).items())  # a duplicated point is solved once
    if workers is None and model_name != "optimal-control" and len(todo) < LOCAL_POOL_MIN_POINTS:
        workers = 1  # a few hundred cheap points: a process pool would cost more to start than it saves
    n_workers = 1 if scheduler is None and workers == 1 else (workers or default_workers())
    if batch_size is None:
        batch_size = 1 if model_name == "optimal-control" else max(1, min(50, math.ceil(len(todo) / (4 * n_workers))))
    batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    n_rows = [len(existing)]
    solved = [0]

    def on_result(i: int, rows: list[dict[str, Any]]) -> None:
        n_rows[0] = _write_rows(out_path, rows)
        solved[0] += len(rows)
        if progress is not None:
            progress(solved[0], len(todo))

    interrupted = run_tasks(
        _sweep_batch, {"base": base, "model": model_name}, batches, on_result, workers=workers, scheduler=scheduler
    )
    log.info("sweep: %d points, %d skipped, %d solved", len(points), len(points) - len(todo), solved[0])
    return SweepResult(
        out=out_path,
        n_points=len(points),
        n_skipped=len(points) - len(todo),
        n_new=solved[0],
        n_rows=n_rows[0],
        interrupted=interrupted,
        paths=[v.path for v in variations],
        model=model_name,
        scenario=scenario.name,
    )


def sweep_plot(path: str | Path, paths: Sequence[str], plot: str | Path, value: str = "time_s") -> Path:
    """Heat map of a sweep's time over two varied inputs (mean over the others); a line for one input.

    Parameters
    ----------
    path : str or Path
        The sweep's Parquet file.
    paths : sequence of str
        The varied paths; the first two are the axes.
    plot : str or Path
        Output image.
    value : str
        Column shown.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = read_results(path)
    if not len(df):
        raise ScenarioError(f"{str(path)!r} has no rows to plot", "--plot")
    cols = [p for p in paths if p in df.columns]
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    if len(cols) >= 2:
        x, y = cols[0], cols[1]
        numeric = df[x].dtype.kind in "fi" and df[y].dtype.kind in "fi"
        if numeric and df[x].nunique() * df[y].nunique() > 2 * len(df):  # scattered (Latin hypercube)
            sc_ = ax.scatter(df[x], df[y], c=df[value], cmap="viridis_r", s=30)
            fig.colorbar(sc_, ax=ax, label=f"{value} [s]")
        else:
            table = df.pivot_table(index=y, columns=x, values=value, aggfunc="mean")
            im = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis_r")
            ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=45, ha="right")
            ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
            grid = table.to_numpy(dtype=float)
            mid = 0.5 * (np.nanmin(grid) + np.nanmax(grid))
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v):  # dark text on the light (fast) end of viridis_r
                    ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7, color="k" if v < mid else "w")
            fig.colorbar(im, ax=ax, label=f"{value} [s]")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    else:
        x = cols[0]
        g = df.groupby(x)[value].mean()
        ax.plot([str(i) for i in g.index], g.to_numpy(), "o-")
        ax.set_xlabel(x)
        ax.set_ylabel(f"{value} [s]")
    ax.set_title(f"sweep: {value} (mean over other inputs), {len(df)} rows", fontsize=10)
    fig.tight_layout()
    out = Path(plot)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


# ==============================================================================================================
# benchmarks


def bench_evaluations(scenario: Scenario, n: int = 50_000, repeat: int = 3) -> float:
    """Equal-power scenario evaluations per second in this process: the vectorised kernel on drawn inputs, in the
    Monte Carlo's batches (drawing the inputs not counted)."""
    import time

    problem = build_problem(scenario)
    draws = draw_inputs(problem, n, 0, pool=50, calibration_pool=200)
    solver = problem.solver_inputs(draws.inputs)
    per = max(1, BATCH_SOLVES // problem.kernel.nodes.size)
    batches = [{k: v[a : a + per] for k, v in solver.items()} for a in range(0, n, per)]
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        _mc_task(problem.kernel, batches)
        best = min(best, time.perf_counter() - t0)
    return n / best
