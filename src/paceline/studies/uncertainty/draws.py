"""The inputs of a Monte Carlo: what is uncertain and how it is distributed (the problem that turns them into
finishing times: :mod:`paceline.studies.uncertainty.montecarlo_problem`).

Monte Carlo (:func:`monte_carlo`)
    Every uncertain input is drawn up front from one :class:`numpy.random.Generator` (so the same seed gives the
    same numbers whatever the number of workers), the draws are cut into fixed batches, and each batch is solved
    with the equal-power model, vectorised over the draws. The inputs and their distributions:

    ========================  ===================================================================================
    drafting                  shelter-model parameters from :func:`paceline.io.fitted.drafting_draws` (bootstrap
                              over the studies plus a new "study effect": the 50-89 % disagreement), applied to
                              the target race *and* to the calibration race (the same wake physics in both).
    drag coefficient          Cd ~ U(0.8, 1.0) (Pugh 1971; :mod:`paceline.physics.aero`), the same body in both races;
                              a measured drag area (``athlete.drag_area_m2``) is drawn within its own standard
                              deviation ``athlete.drag_area_sd_m2`` instead (fixed when none is given).
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
    altitude and heat         her power is carried from the calibration effort's air to the scenario's by
                              :func:`paceline.fit.athlete.environment_ratio` with each draw's temperatures
    calibration               the calibration race was itself one day's form: the same 0.8 % once more; a
                              calibration from fitted performances uses the fit's leave-one-out error instead.
    slot holding              every pacer's ``dx_m`` and ``dy_m`` + N(0, 0.3 m) (assumed: nothing published measures
                              how well pacers hold a formation), per draw and formation, in the target race and the
                              calibration race; each formation's shelter recomputed with that draw's drafting
                              parameters (:func:`paceline.physics.drafting.shelter_of_position_rows`).
    calibration pacer gap     the calibration race's pacers ahead moved together by N(0, 1 m), the nearest never
                              under 1 m (assumed: Monaco 2023's gap comes from split differences, the reports differ
                              by up to 0.9 m; :func:`paceline.physics.drafting.shift_ahead`, as ``infer`` does).
    ========================  ===================================================================================

    The drafting parameters come from a pool (``pool`` draws, each a refit of the surrogate) and the calibration
    power is solved exactly for a pool of ``CALIBRATION_POOL`` (drafting member, Cd, calibration-race weather,
    slot jitter, pacer gap) combinations; each Monte Carlo draw picks one member of that pool. A draw's race is
    then solved at equal metabolic power by :func:`paceline.physics.metabolic.speed_at_power`, with the course
    reduced to a few quadrature nodes per formation in the unit-wind profile
    (:class:`~paceline.studies.uncertainty.montecarlo_problem.Problem`; exact to about 1 ms).

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

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.fit.effort import FORM_CV
from paceline.io.athletes import pronouns
from paceline.physics import aero
from paceline.physics.metabolic import treadmill_power_w_kg
from paceline.studies.uncertainty.montecarlo_problem import CURVE_NAMES, range_of

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.drafting import DraftParams
    from paceline.studies.uncertainty.montecarlo_problem import Problem

log = logging.getLogger(__name__)


#: Standard deviation of the kit's drag factor relative to the scenario's ``cda_factor`` [-] (assumed).
KIT_CDA_SD = 0.03


#: Standard deviation of the shoes' economy gain relative to the calibration race's shoes [-] (assumed, see module).
SHOE_GAIN_SD = 0.005


#: Number of drafting-parameter draws (refits of the surrogate) in the pool.
DRAFT_POOL = 200


#: Number of exactly calibrated (drafting member, Cd, calibration weather) combinations.
CALIBRATION_POOL = 1000


#: Standard deviation of a pacer's position in their slot, along and across the track [m] (assumed: no published
#: measurement of how well pacers hold a formation; a third of a stride).
SLOT_SD_M = 0.3


#: Standard deviation of the calibration race's pacers' distance ahead of her [m] (assumed: the reports' figures
#: for Monaco 2023 differ by up to 0.9 m (T&FN v WA split differences) and the splits' rounding alone is +-0.3 m).
CALIBRATION_GAP_SD_M = 1.0


#: Closest the calibration race's nearest pacer ahead can be drawn [m] (the lower end of ``infer``'s prior).
MIN_GAP_M = 1.0


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


def _log_shelter(s: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(-np.log1p(-np.clip(s, 0.0, 0.999)), dtype=float)


def _moved(base: NDArray[np.float64], raw: NDArray[np.float64], moved: NDArray[np.float64]) -> NDArray[np.float64]:
    """``base`` shelter changed as ``raw`` changed to ``moved`` (in ``-log(1 - s)``; ``moved`` itself when
    ``base`` is ``raw``)."""
    if base is raw:
        return moved
    ls = _log_shelter(base) + _log_shelter(moved) - _log_shelter(raw)
    return np.asarray(1.0 - np.exp(-np.maximum(ls, 0.0)), dtype=float)


def _formation_rows(
    formation: Any,
    cols: tuple[NDArray[np.float64], ...],
    offset_m: NDArray[np.float64] | None,
    jitter: NDArray[np.float64] | None,
) -> NDArray[np.float64]:
    """Shelter [-] of a formation for rows of drafting parameters ``cols`` (each (n, 1)), its pacers ahead moved
    ``offset_m`` (n, 1) further ahead and every slot moved by ``jitter`` (n, slots, 2) (dx, dy) [m]."""
    from paceline.physics import drafting

    dx, dy = drafting.slot_arrays(formation)
    dxr = np.broadcast_to(dx, (cols[0].shape[0], dx.size)).copy()
    dyr = np.broadcast_to(dy, dxr.shape).copy()
    if offset_m is not None:
        dxr = drafting.shift_ahead(dxr, offset_m)
    if jitter is not None:
        dxr = dxr + jitter[:, :, 0]
        dyr = dyr + jitter[:, :, 1]
    return drafting.shelter_of_position_rows(dxr, dyr, cols)


def _uniform(rng: np.random.Generator, trip: tuple[float, float, float], n: int) -> NDArray[np.float64]:
    _, lo, hi = trip
    return rng.uniform(lo, hi, n) if hi > lo else np.full(n, lo)


#: The inputs reported in the sensitivity ranking: key -> (label, unit).
INPUT_LABELS: dict[str, tuple[str, str]] = {
    "drafting": ("drafting (shelter model)", "mean shelter"),
    "cd_factor": aero.drag_factor_label(None),
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
    "slot_jitter": ("slot holding (pacers' jitter)", "mean shelter change"),
    "calibration_gap_m": ("calibration race pacer gap", "m"),
    "cost_curve": ("cost curve (treadmill study)", "W/kg at race pace"),
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
    labels : dict of str to (str, str)
        Label and unit of each input of ``report`` (:data:`INPUT_LABELS`, the drag factor named after its route).
    """

    inputs: dict[str, NDArray[np.float64]]
    report: dict[str, NDArray[np.float64]]
    oat: dict[str, tuple[dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]]
    nominal: dict[str, NDArray[np.float64]]
    distributions: list[dict[str, Any]]
    labels: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(INPUT_LABELS))


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
    slot_sd_m: float = SLOT_SD_M,
    gap_sd_m: float = CALIBRATION_GAP_SD_M,
    vary_curve: bool = True,
) -> Draws:
    """Draw every uncertain input of a scenario (deterministic for a seed).

    Parameters
    ----------
    problem : Problem
        From :func:`paceline.studies.uncertainty.montecarlo_problem.build_problem`.
    n : int
        Number of draws.
    seed : int
        Seed of the one random generator (the drafting pool uses it too).
    pool : int
        Number of drafting-parameter draws (each a refit of the surrogate to resampled studies).
    shelter_spread : float
        Factor on the spread of the shelter draws around the best fit (1: as fitted; 0: no drafting uncertainty).
    calibration_pool : int
        Number of exactly calibrated (drafting, Cd, calibration weather, pacer gap) combinations.
    slot_sd_m : float
        Standard deviation of each pacer's position in their slot, along and across [m] (0: the slots as given).
    gap_sd_m : float
        Standard deviation of the calibration race's pacers' distance ahead [m] (0: as in its scenario).
    vary_curve : bool
        Draw the cost curve among :data:`CURVE_NAMES`, equally likely, one per calibration-pool member (the same
        curve calibrates her power and runs the target race); False: the problem's own curve throughout.

    Returns
    -------
    Draws
    """
    from paceline.io.fitted import drafting_draws, drafting_params
    from paceline.physics.drafting import stack_draws

    if n < 1:
        raise ScenarioError(f"{n} draws is not allowed; n >= 1", "n")
    if pool < 2 or calibration_pool < 2:
        raise ScenarioError("the pools need at least 2 members", "pool")
    if shelter_spread < 0:
        raise ScenarioError(f"{shelter_spread} is negative; allowed >= 0", "shelter_spread")
    for value, name in ((slot_sd_m, "slot_sd_m"), (gap_sd_m, "gap_sd_m")):
        if not value >= 0:
            raise ScenarioError(f"{value} is not allowed; {name} >= 0", name)
    sc = problem.scenario
    cal = problem.calibration
    cal_groups = problem.calibration_kernel.groups
    rng = np.random.default_rng(seed)
    params = list(drafting_draws(pool, seed))
    tgt_raw = _shelter_table(sc, problem.kernel.groups, params)
    tgt_table = _scaled_shelter(tgt_raw, problem.target_shelter_best[None, :], shelter_spread)
    if cal.scenario is None:  # solo reference: no drafting, fixed air
        cal_raw = np.zeros((pool, len(cal_groups)))
        cal_table = cal_raw
    else:
        cal_raw = _shelter_table(cal.scenario, cal_groups, params)
        cal_table = _scaled_shelter(cal_raw, problem.calibration_shelter_best[None, :], shelter_spread)
    # the slots' jitter and the calibration race's pacer gap have a stream of their own, so that the other
    # inputs are the same numbers whatever their widths
    extra = np.random.default_rng([seed, 14])

    # the calibration pool
    m = calibration_pool
    member_draft = rng.integers(pool, size=m)
    member_cd = rng.uniform(*aero.drag_factor_range(sc.athlete.drag_area_m2, sc.athlete.drag_area_sd_m2), m)
    cc = problem.calibration_conditions
    zero3 = (0.0, 0.0, 0.0)
    member_t = _uniform(rng, cc["temperature_c"] if cc else (20.0, 20.0, 20.0), m)
    member_rh = _uniform(rng, cc["relative_humidity"] if cc else (0.5, 0.5, 0.5), m)
    member_w = _uniform(rng, cc["wind_speed_m_s"] if cc else zero3, m)
    member_gap = np.zeros(m)
    member_cal = cal_table[member_draft]
    cal_forms = [cal.scenario.formation(g) for g in cal_groups] if cal.scenario is not None else []
    leads = [min((s.dx_m for s in f.slots if s.dx_m > 0), default=0.0) for f in cal_forms]
    gapped = [j for j, lead in enumerate(leads) if lead > 0]
    nominal_gap = min((leads[j] for j in gapped), default=0.0)
    draft_cols = stack_draws(params)
    if gapped and (gap_sd_m > 0 or slot_sd_m > 0):
        if gap_sd_m > 0:
            member_gap = np.maximum(extra.normal(0.0, gap_sd_m, m), MIN_GAP_M - nominal_gap)
        cols = tuple(c[member_draft] for c in draft_cols)
        moved = member_cal.copy()
        for j, f in enumerate(cal_forms):
            jit = extra.normal(0.0, slot_sd_m, (m, len(f.slots), 2)) if slot_sd_m > 0 and f.slots else None
            off = member_gap[:, None] if j in gapped else None
            if jit is not None or off is not None:
                moved[:, j] = _formation_rows(f, cols, off, jit)
        member_cal = _moved(member_cal, cal_raw[member_draft], moved)
    curve_rng = np.random.default_rng([seed, 14, 1])
    member_curve = (
        curve_rng.integers(len(CURVE_NAMES), size=m).astype(float)
        if vary_curve
        else np.full(m, float(problem.curve_index))
    )
    member_power = problem.calibration_rows(member_cal, member_cd, member_t, member_rh, member_w, member_curve)

    # the draws
    c = sc.conditions
    trips = {name: range_of(c, name) for name in ("temperature_c", "relative_humidity", "wind_speed_m_s")}
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
    sd_cal = problem.calibration_cv / elasticity
    form = np.exp(sd_form * z_form)
    cal_form = np.exp(sd_cal * z_cal)

    share = problem.group_share
    draft_of_draw = member_draft[member]
    target_shelter = tgt_table[draft_of_draw]
    if slot_sd_m > 0:
        cols = tuple(c[draft_of_draw] for c in draft_cols)
        moved = tgt_raw[draft_of_draw].copy()
        for j, g in enumerate(problem.kernel.groups):
            f = sc.formation(g)
            if f.slots:
                moved[:, j] = _formation_rows(f, cols, None, extra.normal(0.0, slot_sd_m, (n, len(f.slots), 2)))
        target_shelter = _moved(target_shelter, tgt_raw[draft_of_draw], moved)
    jitter_shift = (target_shelter - tgt_table[draft_of_draw]) @ share
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
        "target_shelter": target_shelter,
        "curve": member_curve[member],
        **drawn,
    }
    pace_m_s = problem.scenario.distance_m / float(problem.time(nominal)[0])
    curve_power = np.array([float(treadmill_power_w_kg(pace_m_s, c)) for c in CURVE_NAMES])
    report = {
        "drafting": tgt_table[draft_of_draw] @ share,
        **drawn,
        "calibration_temperature_c": member_t[member],
        "calibration_relative_humidity": member_rh[member],
        "calibration_wind_speed_m_s": member_w[member],
        "slot_jitter": jitter_shift,
        "calibration_gap_m": nominal_gap + member_gap[member],
        "cost_curve": curve_power[member_curve[member].astype(int)],
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
            elif key == "slot_jitter":  # that draw's jitter in the target race, on the best fit
                j = int(np.argmin(np.abs(values - np.percentile(values, q))))
                shift = target_shelter[j] - tgt_table[draft_of_draw[j]]
                row["target_shelter"] = np.clip(row["target_shelter"] + shift, 0.0, 1.0)
            elif key == "cost_curve":  # the curve nearest that percentile, in both races
                ci = int(np.argmin(np.abs(curve_power - np.percentile(values, q))))
                row["curve"] = np.array([float(ci)])
            elif key == "calibration_gap_m":
                offset = np.array([[float(np.percentile(values, q)) - nominal_gap]])
                best = stack_draws([drafting_params()])
                raw0 = problem.calibration_shelter_best[None, :]
                moved_best = raw0.copy()
                for jj in gapped:
                    moved_best[:, jj] = _moved(
                        raw0[:, jj],
                        _formation_rows(cal_forms[jj], best, np.zeros((1, 1)), None),
                        _formation_rows(cal_forms[jj], best, offset, None),
                    )
                row["calibration_shelter"] = moved_best
            else:
                row[key] = np.array([float(np.percentile(values, q))])
            rows.append(row)
        oat[key] = (rows[0], rows[1])

    cd_drawn, cd_source = aero.drag_factor_text(sc.athlete.drag_area_m2, sc.athlete.drag_area_sd_m2)

    def rng_text(trip: tuple[float, float, float], unit: str) -> str:
        text = f"U({trip[1]:g}, {trip[2]:g})" if trip[2] > trip[1] else f"fixed {trip[0]:g}"
        return f"{text} {unit}" if unit else text

    distributions = [
        {
            "input": "drafting",
            "distribution": f"{pool} refits of the shelter surrogate (io.fitted.drafting_draws), spread x "
            f"{shelter_spread:g}, in the target and the calibration race",
            "source": "paceline.fit.drafting: bootstrap over the studies + a new study effect",
        },
        {"input": "cd_factor", "distribution": f"{cd_drawn}, both races", "source": cd_source},
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
            "distribution": f"log-normal power factor, time CV {problem.calibration_cv:.1%} (power SD {sd_cal:.2%})",
            "source": f"calibration: {cal.source}; one race is one day's form (Hopkins 2005)",
        },
    ]
    distributions.append(
        {
            "input": "slot_jitter",
            "distribution": f"each pacer's dx and dy + N(0, {slot_sd_m:g} m), per draw and formation, in the target "
            "and the calibration race; shelter recomputed with that draw's drafting parameters",
            "source": "assumed: no published measurement of how well pacers hold their slots",
        }
    )
    if gapped:
        distributions.append(
            {
                "input": "calibration_gap_m",
                "distribution": f"the calibration race's pacers ahead moved by N(0, {gap_sd_m:g} m) together (nearest "
                f"{nominal_gap:g} m ahead in the scenario, never under {MIN_GAP_M:g} m)",
                "source": f"assumed, for calibration race {cal.scenario.name if cal.scenario else '-'}: Monaco "
                "2023's gap comes from split differences and its reports differ by up to 0.9 m",
            }
        )
    if vary_curve:
        distributions.append(
            {
                "input": "cost_curve",
                "distribution": f"one of {', '.join(CURVE_NAMES)}, equally likely; "
                f"{pronouns(sc.athlete.sex).possessive} power calibrated and the race run under the same curve",
                "source": "the bundled treadmill studies (paceline.physics.metabolic.COST_CURVES); equal weights "
                "assumed",
            }
        )
    if cc:
        distributions.append(
            {
                "input": "calibration weather",
                "distribution": f"temperature {rng_text(cc['temperature_c'], 'degC')}, humidity "
                f"{rng_text(cc['relative_humidity'], '')}, wind {rng_text(cc['wind_speed_m_s'], 'm/s')}",
                "source": f"scenario {cal.scenario.name if cal.scenario else '-'}",
            }
        )
    labels = dict(INPUT_LABELS)
    if sc.athlete.drag_area_m2 is not None:
        labels["cd_factor"] = aero.drag_factor_label(sc.athlete.drag_area_m2)
    return Draws(inputs=inputs, report=report, oat=oat, nominal=nominal, distributions=distributions, labels=labels)
