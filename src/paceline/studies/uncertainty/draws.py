"""The inputs of a Monte Carlo, drawn: one sampler that reads the table of uncertain inputs
(:data:`paceline.studies.uncertainty.inputs.INPUTS`: name, law, parameters, unit, source); the problem that turns
them into finishing times is :mod:`paceline.studies.uncertainty.montecarlo_problem`.

Every uncertain input is drawn up front from one :class:`numpy.random.Generator` (so the same seed gives the same
numbers whatever the number of workers), in the table's order; the pacers' jitter and the calibration race's pacer
gap have a stream of their own, and so has the cost curve, so that the other inputs are the same numbers whatever
their widths.

The drafting parameters come from a pool (``pool`` draws, each a refit of the surrogate) and the calibration power is
solved exactly for a pool of ``calibration_pool`` (drafting member, Cd, calibration-race weather, slot jitter, pacer
gap, cost curve) combinations (the table's ``calibration`` stage); each Monte Carlo draw picks one member of that
pool. A draw's race is then solved at equal metabolic power by :func:`paceline.physics.metabolic.speed_at_power`,
with the course reduced to a few quadrature nodes per formation in the unit-wind profile
(:class:`~paceline.studies.uncertainty.montecarlo_problem.Problem`; exact to about 1 ms).

The one-at-a-time sensitivity rows (each input at its 5th and 95th percentile, the rest nominal) and the list of
distributions the output gives come from the same table.

References
----------
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
from paceline.physics import aero
from paceline.physics.arrays import percentile
from paceline.physics.metabolic import treadmill_power_w_kg
from paceline.studies.uncertainty.inputs import (
    BY_KEY,
    CALIBRATION_GAP_SD_M,
    CALIBRATION_POOL,
    DRAFT_POOL,
    INPUT_LABELS,
    INPUTS,
    MIN_GAP_M,
    PARAMETRIC,
    SLOT_SD_M,
    Setting,
    UncertainInput,
    distributions,
)
from paceline.studies.uncertainty.montecarlo_problem import CURVE_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.drafting import DraftParams
    from paceline.studies.uncertainty.montecarlo_problem import Problem

log = logging.getLogger(__name__)

__all__ = ["CALIBRATION_POOL", "DRAFT_POOL", "INPUT_LABELS", "Draws", "draw_inputs"]

#: A row of inputs: key -> array (one value per draw, or one nominal value).
Row = dict[str, NDArray[np.float64]]


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


@dataclass
class Draws:
    """All the Monte Carlo inputs, drawn up front.

    Attributes
    ----------
    inputs : dict of str to ndarray
        Per-draw arrays the model reads (``calibration_power_w_kg``, ``target_shelter`` (n, groups), ...).
    report : dict of str to ndarray
        Per-draw values of every input of the table, for the sensitivity ranking.
    oat : dict of str to (dict, dict)
        Input rows with one input at its 5th and 95th percentile and the rest nominal.
    nominal : dict of str to ndarray
        The nominal row (the scenario's values, best-fit drafting).
    distributions : list of dict
        What each input's distribution is and why (:func:`paceline.studies.uncertainty.inputs.distributions`).
    labels : dict of str to (str, str)
        Label and unit of each input of ``report`` (:data:`INPUT_LABELS`, the drag factor named after its route).
    """

    inputs: dict[str, NDArray[np.float64]]
    report: dict[str, NDArray[np.float64]]
    oat: dict[str, tuple[Row, Row]]
    nominal: Row
    distributions: list[dict[str, Any]]
    labels: dict[str, tuple[str, str]] = field(default_factory=lambda: dict(INPUT_LABELS))


@dataclass
class _Shelters:
    """The shelter tables of a draw: each formation (columns) under each drafting-pool member (rows), raw and
    scaled by ``shelter_spread``, in the target and the calibration race; the calibration race's formations and
    which of them have pacers ahead."""

    params: list[DraftParams]
    cols: tuple[NDArray[np.float64], ...]
    target_raw: NDArray[np.float64]
    target: NDArray[np.float64]
    calibration_raw: NDArray[np.float64]
    calibration: NDArray[np.float64]
    calibration_forms: list[Any]
    gapped: list[int]
    nominal_gap_m: float


def _shelters(problem: Problem, pool: int, seed: int, spread: float) -> _Shelters:
    from paceline.io.fitted import drafting_draws
    from paceline.physics.drafting import stack_draws

    params = list(drafting_draws(pool, seed))
    tgt_raw = _shelter_table(problem.scenario, problem.kernel.groups, params)
    tgt = _scaled_shelter(tgt_raw, problem.target_shelter_best[None, :], spread)
    cal_sc = problem.calibration.scenario
    groups = problem.calibration_kernel.groups
    if cal_sc is None:  # solo reference: no drafting, fixed air
        cal_raw = cal = np.zeros((pool, len(groups)))
    else:
        cal_raw = _shelter_table(cal_sc, groups, params)
        cal = _scaled_shelter(cal_raw, problem.calibration_shelter_best[None, :], spread)
    forms = [cal_sc.formation(g) for g in groups] if cal_sc is not None else []
    leads = [min((sl.dx_m for sl in f.slots if sl.dx_m > 0), default=0.0) for f in forms]
    gapped = [j for j, lead in enumerate(leads) if lead > 0]
    gap = min((leads[j] for j in gapped), default=0.0)
    return _Shelters(params, stack_draws(params), tgt_raw, tgt, cal_raw, cal, forms, gapped, gap)


def _sample(inp: UncertainInput, s: Setting, rng: np.random.Generator, size: int) -> NDArray[np.float64]:
    """``size`` values of a parametric input (a ``range`` without width is fixed and draws no number)."""
    assert inp.params is not None, inp.key
    p = inp.params(s)
    if inp.law == "uniform":
        return rng.uniform(p[0], p[1], size)
    if inp.law == "range":
        return rng.uniform(p[1], p[2], size) if p[2] > p[1] else np.full(size, float(p[1]))
    if inp.law == "normal":
        return rng.normal(p[0], p[1], size)
    if inp.law == "lognormal":  # numpy's exp of the normal (its lognormal's exp rounds differently in the last bit)
        return np.exp(rng.normal(p[0], p[1], size))
    raise ValueError(f"{inp.key}: {inp.law} is not a parametric law")  # pragma: no cover - the table's own


def _parametric(s: Setting, stage: str, rng: np.random.Generator, size: int) -> dict[str, NDArray[np.float64]]:
    """The table's parametric inputs of one stage, drawn in the table's order (an input not drawn for this
    setting is its nominal value)."""
    return {
        inp.key: _sample(inp, s, rng, size) if inp.drawn(s) else np.full(size, inp.centre(s))
        for inp in INPUTS
        if inp.stage == stage and inp.law in PARAMETRIC
    }


def _nominal(problem: Problem, s: Setting) -> Row:
    """The nominal row: every parametric input at its centre, the drafting at its best fit."""
    row: Row = {
        "target_shelter": problem.target_shelter_best[None, :].copy(),
        "calibration_shelter": problem.calibration_shelter_best[None, :].copy(),
    }
    row.update({inp.key: np.array([inp.centre(s)]) for inp in INPUTS if inp.law in PARAMETRIC})
    return row


def _elasticity(problem: Problem, nominal: Row) -> tuple[float, float]:
    """``-d ln T / d ln P`` of the target race at the nominal inputs, and the nominal finishing time [s]."""
    up = dict(nominal)
    up["form"] = nominal["form"] * 1.001
    t0, t1 = (float(t) for t in problem.times([nominal, up]))
    return -(math.log(t1) - math.log(t0)) / math.log(1.001), t0


@dataclass
class _Pool:
    """The calibration pool: per member, its drafting draw, parametric inputs, pacer gap offset, cost curve, the
    calibration race's shelter and the power solved from it."""

    draft: NDArray[np.int64]
    values: dict[str, NDArray[np.float64]]
    gap_m: NDArray[np.float64]
    curve: NDArray[np.float64]
    power_w_kg: NDArray[np.float64]


def _calibration_pool(
    s: Setting, sh: _Shelters, rng: np.random.Generator, extra: np.random.Generator, seed: int, m: int
) -> _Pool:
    """Draw the calibration pool's members (drafting first, then the table's calibration-stage inputs from ``rng``;
    the pacer gap and the slots' jitter from ``extra``; the cost curve from a stream of its own) and solve each
    member's calibrated power."""
    problem = s.problem
    draft = rng.integers(s.pool, size=m)
    values = _parametric(s, "calibration", rng, m)
    gap = np.zeros(m)
    cal = sh.calibration[draft]
    if sh.gapped and (s.gap_sd_m > 0 or s.slot_sd_m > 0):
        if s.gap_sd_m > 0:
            gap = np.maximum(extra.normal(0.0, s.gap_sd_m, m), MIN_GAP_M - sh.nominal_gap_m)
        cols = tuple(c[draft] for c in sh.cols)
        moved = cal.copy()
        for j, f in enumerate(sh.calibration_forms):
            jit = extra.normal(0.0, s.slot_sd_m, (m, len(f.slots), 2)) if s.slot_sd_m > 0 and f.slots else None
            off = gap[:, None] if j in sh.gapped else None
            if jit is not None or off is not None:
                moved[:, j] = _formation_rows(f, cols, off, jit)
        cal = _moved(cal, sh.calibration_raw[draft], moved)
    curve_rng = np.random.default_rng([seed, 14, 1])
    curve = (
        curve_rng.integers(len(CURVE_NAMES), size=m).astype(float)
        if s.vary_curve
        else np.full(m, float(problem.curve_index))
    )
    power = problem.calibration_rows(
        cal,
        values["cd_factor"],
        values["calibration_temperature_c"],
        values["calibration_relative_humidity"],
        values["calibration_wind_speed_m_s"],
        curve,
    )
    return _Pool(draft, values, gap, curve, power)


def _target_shelter(
    s: Setting, sh: _Shelters, draft: NDArray[np.int64], extra: np.random.Generator
) -> NDArray[np.float64]:
    """Each draw's shelter in the target race: its drafting member's, each formation's slots jittered."""
    shelter = sh.target[draft]
    if s.slot_sd_m > 0:
        n = draft.size
        cols = tuple(c[draft] for c in sh.cols)
        moved = sh.target_raw[draft].copy()
        for j, g in enumerate(s.problem.kernel.groups):
            f = s.problem.scenario.formation(g)
            if f.slots:
                moved[:, j] = _formation_rows(f, cols, None, extra.normal(0.0, s.slot_sd_m, (n, len(f.slots), 2)))
        shelter = _moved(shelter, sh.target_raw[draft], moved)
    return shelter


@dataclass
class _OneAtATime:
    """The one-at-a-time rows: one input at a percentile of its draws, the rest nominal (by the input's law)."""

    s: Setting
    sh: _Shelters
    nominal: Row
    report: dict[str, NDArray[np.float64]]
    target_shelter: NDArray[np.float64]
    draft: NDArray[np.int64]
    curve_power: NDArray[np.float64]

    def row(self, key: str, q: float) -> Row:
        """The nominal row with input ``key`` at its ``q``-th percentile [%]."""
        row = {k: v.copy() for k, v in self.nominal.items()}
        values = self.report[key]
        law = BY_KEY[key].law
        if law == "pool":  # the pool member whose mean shelter is nearest that percentile, in both races
            mean_s = self.sh.target @ self.s.problem.group_share
            j = int(np.argmin(np.abs(mean_s - percentile(mean_s, q))))
            row["target_shelter"] = self.sh.target[j : j + 1]
            row["calibration_shelter"] = self.sh.calibration[j : j + 1]
        elif law == "jitter":  # that draw's jitter in the target race, on the best fit
            j = int(np.argmin(np.abs(values - percentile(values, q))))
            shift = self.target_shelter[j] - self.sh.target[self.draft[j]]
            row["target_shelter"] = np.clip(row["target_shelter"] + shift, 0.0, 1.0)
        elif law == "choice":  # the curve nearest that percentile, in both races
            ci = int(np.argmin(np.abs(self.curve_power - percentile(values, q))))
            row["curve"] = np.array([float(ci)])
        elif law == "shift":
            row["calibration_shelter"] = self._gap_shelter(percentile(values, q))
        else:
            row[key] = np.array([percentile(values, q)])
        return row

    def _gap_shelter(self, gap_m: float) -> NDArray[np.float64]:
        """The calibration race's best-fit shelter with its pacers ahead moved to ``gap_m`` [m]."""
        from paceline.io.fitted import drafting_params
        from paceline.physics.drafting import stack_draws

        offset = np.array([[gap_m - self.sh.nominal_gap_m]])
        best = stack_draws([drafting_params()])
        raw0 = self.s.problem.calibration_shelter_best[None, :]
        moved = raw0.copy()
        for j in self.sh.gapped:
            form = self.sh.calibration_forms[j]
            moved[:, j] = _moved(
                raw0[:, j],
                _formation_rows(form, best, np.zeros((1, 1)), None),
                _formation_rows(form, best, offset, None),
            )
        return moved


def _check_options(n: int, pool: int, calibration_pool: int, spread: float, slot_sd_m: float, gap_sd_m: float) -> None:
    if n < 1:
        raise ScenarioError(f"{n} draws is not allowed; n >= 1", "n")
    if pool < 2 or calibration_pool < 2:
        raise ScenarioError("the pools need at least 2 members", "pool")
    if spread < 0:
        raise ScenarioError(f"{spread} is negative; allowed >= 0", "shelter_spread")
    for value, name in ((slot_sd_m, "slot_sd_m"), (gap_sd_m, "gap_sd_m")):
        if not value >= 0:
            raise ScenarioError(f"{value} is not allowed; {name} >= 0", name)


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
    """Draw every uncertain input of a scenario (deterministic for a seed), as the table
    :data:`~paceline.studies.uncertainty.inputs.INPUTS` says.

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
    _check_options(n, pool, calibration_pool, shelter_spread, slot_sd_m, gap_sd_m)
    sh = _shelters(problem, pool, seed, shelter_spread)
    s = Setting(problem, pool, shelter_spread, slot_sd_m, gap_sd_m, vary_curve)
    s.gapped, s.nominal_gap_m = bool(sh.gapped), sh.nominal_gap_m
    nominal = _nominal(problem, s)
    elasticity, nominal_s = _elasticity(problem, nominal)
    s.sd_form, s.sd_calibration = FORM_CV / elasticity, problem.calibration_cv / elasticity
    rng = np.random.default_rng(seed)
    extra = np.random.default_rng([seed, 14])  # the slots' jitter and the calibration race's pacer gap
    members = _calibration_pool(s, sh, rng, extra, seed, calibration_pool)
    member = rng.integers(calibration_pool, size=n)
    drawn = _parametric(s, "draw", rng, n)
    draft = members.draft[member]
    target_shelter = _target_shelter(s, sh, draft, extra)
    pace_m_s = problem.scenario.distance_m / nominal_s
    curve_power = np.array([float(treadmill_power_w_kg(pace_m_s, c)) for c in CURVE_NAMES])
    share = problem.group_share
    report = {
        "drafting": sh.target[draft] @ share,
        **{k: v[member] for k, v in members.values.items()},
        **drawn,
        "slot_jitter": (target_shelter - sh.target[draft]) @ share,
        "calibration_gap_m": sh.nominal_gap_m + members.gap_m[member],
        "cost_curve": curve_power[members.curve[member].astype(int)],
    }
    report = {inp.key: report[inp.key] for inp in INPUTS}  # the table's order
    inputs = {
        "calibration_power_w_kg": members.power_w_kg[member],
        "target_shelter": target_shelter,
        "curve": members.curve[member],
        **{inp.key: report[inp.key] for inp in INPUTS if inp.target},
    }
    one = _OneAtATime(s, sh, nominal, report, target_shelter, draft, curve_power)
    oat = {key: (one.row(key, 5.0), one.row(key, 95.0)) for key in report if float(np.ptp(report[key])) != 0.0}
    labels = dict(INPUT_LABELS)
    if problem.scenario.athlete.drag_area_m2 is not None:
        labels["cd_factor"] = aero.drag_factor_label(problem.scenario.athlete.drag_area_m2)
    return Draws(inputs=inputs, report=report, oat=oat, nominal=nominal, distributions=distributions(s), labels=labels)
