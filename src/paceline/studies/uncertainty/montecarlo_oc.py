"""The optimal-control model in the Monte Carlo: each draw a warm Ipopt re-solve of the one collocation problem.

The draws are those of :func:`paceline.studies.uncertainty.draws.draw_inputs` (the same seed gives the same numbers as
with the
equal-power model). Each draw's inputs are put onto the scenario's optimal-control course and athlete
(:func:`draw_course`, :func:`draw_params`):

==================  =============================================================================================
drafting            the drawn shelter of each formation: the course's drag factor ``1 - shelter`` on the samples
                    of that formation scaled by ``(1 - drawn) / (1 - best fit)`` (the drawn shelter itself where the
                    course's shelter is the formation's best fit, as it is on every bundled course)
Cd, kit             the course's drag area ``CdA`` x ``cd_factor`` x ``kit_factor``
weather             the course's air density x ``rho(T, RH) / rho(nominal T, RH)`` at the scenario's altitude and
                    pressure (:func:`paceline.physics.air.air_density`); the wind speed by
                    :meth:`paceline.models.course.Course.with_wind` (same direction)
shoe economy        the course's ``shoe_economy_gain`` = the drawn gain
form on the day     her aerobic power ``sigma`` and anaerobic capacity ``E0`` x the drawn power factor (her whole
                    energy budget scaled, as the equal-power model scales her metabolic power)
==================  =============================================================================================

Her Keller / Aftalion parameters are the fitted ones the single prediction uses (:func:`paceline.chain.athlete_for`);
the fit's own uncertainty and the calibration race's inputs are not drawn (the optimal-control athlete is fitted to
her performances, not calibrated on one race; nor does the single prediction scale her power for heat or altitude).

Execution: the draws are cut into chunks of :data:`CHUNK_DRAWS` consecutive draws (fixed, so that the numbers do not
depend on the workers); a chunk starts from the nominal solution (solved once, here) and each draw warm-starts from
the one before it, on the worker's own cached problem (:func:`paceline.models.collocation.get_problem`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError
from paceline.physics import air

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course
    from paceline.models.keller import OCParams
    from paceline.studies.uncertainty.draws import Draws
    from paceline.studies.uncertainty.executors import RunStatus
    from paceline.studies.uncertainty.montecarlo_problem import Problem

log = logging.getLogger(__name__)

#: Default number of draws with the optimal-control model (each a warm solve of about 20 ms on one core: 50 draws/s
#: in benchmarks/bench_scaling.py).
DEFAULT_DRAWS = 200

#: Draws per task (fixed: the numbers never depend on the workers). The draws are random, so the nominal solution a
#: task starts from is as good a start as the draw before (200 breaking4 draws took 3.80 s in one chunk, 3.66 s in
#: chunks of 16, 3.75 s of 8, 3.79 s of 1, in one process at load 1.6); 8 draws (about 0.2 s) keep the last tasks
#: short, so two workers finish together, while the task's pickled course (about 200 kB) stays a small cost.
CHUNK_DRAWS = 8

#: The draws' inputs the optimal-control model reads (the rest concern the equal-power calibration race).
OC_INPUTS = (
    "drafting",
    "cd_factor",
    "kit_factor",
    "temperature_c",
    "relative_humidity",
    "wind_speed_m_s",
    "shoe_gain",
    "form",
)

#: Modules the local pool's forkserver imports once (CasADi and the model), so that workers fork with them loaded.
PRELOAD = ("casadi", "paceline.chain", "paceline.models.optimal_control", "paceline.studies.uncertainty.montecarlo_oc")


@dataclass
class OCProblem:
    """The scenario's optimal-control course and athlete, and how the draws map onto them (picklable).

    Attributes
    ----------
    course : Course
        The nominal course (:func:`paceline.chain.course_for` with the optimal-control model).
    params : OCParams
        Her fitted Keller / Aftalion parameters (:func:`paceline.chain.athlete_for`).
    n_intervals : int
        Collocation intervals (the model's).
    sample_group : ndarray of int
        Column of the draws' ``target_shelter`` for each course sample (its formation).
    shelter_best : ndarray
        The best-fit shelter of each column [-].
    rho_nominal_kg_m3 : float
        Air density at the scenario's nominal temperature and humidity by :func:`paceline.physics.air.air_density`.
    altitude_m, pressure_pa : float or None
        The scenario's altitude and pressure (for the drawn air density).
    init : dict or None
        The nominal solution every chunk starts from (set by :func:`solve_nominal`).
    """

    course: Course
    params: OCParams
    n_intervals: int
    sample_group: NDArray[np.int64]
    shelter_best: NDArray[np.float64]
    rho_nominal_kg_m3: float
    altitude_m: Any
    pressure_pa: Any
    init: dict[str, Any] | None = None


def build_oc_problem(scenario: Scenario, problem: Problem) -> OCProblem:
    """The optimal-control course and athlete of a scenario, mapped onto the Monte Carlo's inputs."""
    from paceline.chain import athlete_for, course_for, get_model

    model = get_model("optimal-control")
    course = course_for(scenario, model)
    params = model.params_for(athlete_for(scenario, model))  # type: ignore[attr-defined]
    groups = list(problem.kernel.groups)
    sample_group = np.array([groups.index(course.formations[int(ph)]) for ph in course.phase_index], dtype=np.int64)
    c = scenario.conditions
    rho = float(air.air_density(c.temperature_c, c.relative_humidity, c.altitude_m, c.pressure_pa))
    return OCProblem(
        course=course,
        params=params,
        n_intervals=int(model.n_intervals),  # type: ignore[attr-defined]
        sample_group=sample_group,
        shelter_best=np.asarray(problem.target_shelter_best, dtype=float),
        rho_nominal_kg_m3=rho,
        altitude_m=c.altitude_m,
        pressure_pa=c.pressure_pa,
    )


def draw_course(oc: OCProblem, row: dict[str, Any]) -> Course:
    """The course of one draw (``row``: the draw's inputs, scalars, ``target_shelter`` a vector per formation)."""
    c = oc.course
    s = np.asarray(row["target_shelter"], dtype=float)
    g = oc.sample_group
    factor = (1.0 - s[g]) / (1.0 - oc.shelter_best[g])
    rho = float(air.air_density(row["temperature_c"], row["relative_humidity"], oc.altitude_m, oc.pressure_pa))
    return c.with_changes(
        shelter=1.0 - (1.0 - c.shelter) * factor,
        air_density_kg_m3=c.air_density_kg_m3 * rho / oc.rho_nominal_kg_m3,
        drag_area_m2=c.drag_area_m2 * float(row["cd_factor"]) * float(row["kit_factor"]),
        shoe_economy_gain=float(row["shoe_gain"]),
    ).with_wind(float(row["wind_speed_m_s"]))


def draw_params(oc: OCProblem, row: dict[str, Any]) -> OCParams:
    """Her parameters on the day of one draw: ``sigma`` and ``E0`` x the drawn power factor ``form``."""
    form = float(row["form"])
    return oc.params.with_changes(sigma_w_kg=oc.params.sigma_w_kg * form, e0_j_kg=oc.params.e0_j_kg * form)


def _solve_row(oc: OCProblem, row: dict[str, Any], init: dict[str, Any] | None) -> float:
    """Finishing time [s] of one draw: warm from ``init`` (or the problem's last solution), cold if that fails."""
    from paceline.models.collocation import course_on_grid, get_problem

    gc = course_on_grid(draw_course(oc, row), oc.n_intervals)
    p = draw_params(oc, row)
    prob = get_problem(oc.n_intervals)
    try:
        sol = prob.solve(gc, p, init=init, warm=True)
    except PacelineError:
        sol = prob.solve(gc, p, warm=False)
    return float(sol["t"][-1])


def _rows(chunk: dict[str, NDArray[np.float64]]) -> list[dict[str, Any]]:
    n = len(next(iter(chunk.values())))
    return [{k: v[i] for k, v in chunk.items()} for i in range(n)]


def oc_task(oc: OCProblem, chunk: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """Finishing times [s] of a chunk of draws (runs on a worker): the first from the nominal solution, each next
    one warm from the one before; a draw no start solves is NaN (logged)."""
    out = []
    init = oc.init
    for row in _rows(chunk):
        try:
            out.append(_solve_row(oc, row, init))
        except PacelineError as exc:
            log.warning("optimal-control draw not solved: %s", exc)
            out.append(math.nan)
        init = None  # the next draw starts from this one (the problem's last solution)
    return np.asarray(out, dtype=float)


def solve_nominal(oc: OCProblem, nominal: dict[str, NDArray[np.float64]]) -> float:
    """Solve the nominal row from a cold start, keep its solution as every chunk's start; its time [s]."""
    from paceline.models.collocation import course_on_grid, get_problem

    row = _rows(nominal)[0]
    gc = course_on_grid(draw_course(oc, row), oc.n_intervals)
    sol = get_problem(oc.n_intervals).solve(gc, draw_params(oc, row), warm=False)
    oc.init = {k: sol[k] for k in ("v", "e", "f", "dt", "lam_g", "lam_x")}
    return float(sol["t"][-1])


def _row_inputs(draws: Draws) -> dict[str, NDArray[np.float64]]:
    return {k: draws.inputs[k] for k in ("target_shelter", *OC_INPUTS[1:])}


def run_oc(
    scenario: Scenario,
    problem: Problem,
    draws: Draws,
    workers: int | None,
    scheduler: str | None,
    progress: Callable[[int, int], None] | None,
) -> tuple[NDArray[np.float64], float, dict[str, tuple[float, float]], RunStatus, str]:
    """Solve every draw, and the one-at-a-time rows, with the optimal-control model.

    Returns
    -------
    times_s : ndarray
        Finishing time of each draw [s] (NaN where not solved).
    nominal_s : float
        The nominal row's time [s].
    oat_s : dict
        Input -> (time at its 5th, at its 95th percentile) [s], for the inputs in :data:`OC_INPUTS`.
    status : RunStatus
        From :func:`paceline.studies.uncertainty.executors.run_tasks`.
    athlete : str
        Where her optimal-control parameters come from.
    """
    from paceline.studies.uncertainty.executors import run_tasks

    oc = build_oc_problem(scenario, problem)
    nominal_s = solve_nominal(oc, draws.nominal)
    inputs = _row_inputs(draws)
    n = len(inputs["form"])
    oat_keys = [k for k in OC_INPUTS if k in draws.oat]
    oat_rows = [r for k in oat_keys for r in draws.oat[k]]
    # the one-at-a-time rows are extra draws after the real ones (their own chunks: the draws' numbers unchanged)
    extra = {k: np.concatenate([r[k] for r in oat_rows]) for k in inputs} if oat_rows else None
    bounds = [(i, min(i + CHUNK_DRAWS, n)) for i in range(0, n, CHUNK_DRAWS)]
    payloads = [{k: v[a:b] for k, v in inputs.items()} for a, b in bounds]
    m = len(oat_rows)
    if extra is not None:
        payloads += [{k: v[a : a + CHUNK_DRAWS] for k, v in extra.items()} for a in range(0, m, CHUNK_DRAWS)]
    times = np.full(n, np.nan)
    oat_t = np.full(m, np.nan)
    done = [0]

    def on_result(i: int, t: NDArray[np.float64]) -> None:
        if i < len(bounds):
            a, b = bounds[i]
            times[a:b] = t
            done[0] += b - a
            if progress is not None:
                progress(done[0], n)
        else:
            a = (i - len(bounds)) * CHUNK_DRAWS
            oat_t[a : a + t.size] = t

    status = run_tasks(oc_task, oc, payloads, on_result, workers=workers, scheduler=scheduler, preload=PRELOAD)
    oat_s = {k: (float(oat_t[2 * j]), float(oat_t[2 * j + 1])) for j, k in enumerate(oat_keys)}
    return times, nominal_s, oat_s, status, f"optimal-control fit: {oc.params.source}"


def oc_distributions(draws: Draws, sex: str = "F") -> list[dict[str, Any]]:
    """The draws' distributions that the optimal-control model reads, and how it reads them (of her or his
    parameters, by the athlete's ``sex``, F or M)."""
    from paceline.io.athletes import pronouns

    her = pronouns(sex).possessive
    out = [dict(d) for d in draws.distributions if d["input"] in OC_INPUTS]
    for d in out:
        if d["input"] == "form":
            d["distribution"] += f"; optimal control: {her} sigma and E0 x the factor"
    out.append(
        {
            "input": "athlete",
            "distribution": f"fixed: {her} fitted Keller / Aftalion parameters (the fit's uncertainty is not drawn)",
            "source": "paceline.fit.optimal_control (the parameters of the single prediction)",
        }
    )
    return out
