"""Race analysis: the physics along a real race, and where its time went against a reference.

Stages of :func:`analyze`
-------------------------
1. **Reconstruction** (:func:`paceline.studies.analysis.reconstruction.reconstruct`): a smooth speed profile through
every
   split, with a start from rest.
2. **Scenario** (:func:`paceline.studies.analysis.race_scenario.scenario_for_race`): the formation by phase, conditions,
   athlete and kit: given, named in the race file, or a minimal solo scenario whose athlete's body follows
   :func:`paceline.io.athletes.body_for`.
3. **Physics along the race** (:func:`paceline.studies.analysis.race_physics.physics_along`):
   :func:`paceline.models.course.build_course` gives the shelter, tailwind, air density, drag area and the metres
   run wide at every metre; on the cruise speed follow the drag (:func:`paceline.physics.aero.drag_force`), drag
   power and metabolic power (equal-power cost: treadmill curve raised 6.13 % per 1 % body weight of drag,
   :func:`paceline.physics.metabolic.metabolic_power_w_kg`; da Silva et al. 2022/2025). The energetics use the
   cruise profile: the equal-power cost has no term for accelerating from rest.
4. **Energy balance** (:func:`paceline.studies.analysis.race_physics.energy_balance`): the critical-speed D' balance
(Skiba
   et al. 2015) on the equivalent solo speed, with CS and D' from the athlete's performances
   (:func:`paceline.fit.athlete.athlete_params`).
5. **Time-lost attribution** (:mod:`paceline.studies.analysis.attribution`): sequential substitution against a reference
   (by default the same athlete at the same average metabolic power, evenly paced, in the best runnable formation,
   still air and reference air), one cause at a time; the shares add up to the total difference and depend on the
   order, which the Shapley split averages out.
6. **Tables** (:func:`window_row`): laps and pacing phases.

:func:`paceline.studies.analysis.compare.compare` applies the same substitution to the difference between two races.

References
----------
da Silva, E. S., Kram, R. & Hoogkamer, W. (2022). The metabolic cost of running with horizontal impeding forces.
J. Appl. Physiol. 133, 1032-1039.
da Silva, E. S., Hoogkamer, W., Kipp, S. & Kram, R. (2025). Could Faith Kipyegon run a sub-4-minute mile?
R. Soc. Open Sci. 12, 241564.
Skiba, P. F. et al. (2015). Intramuscular determinants of the ability to recover work capacity above critical
power. Eur. J. Appl. Physiol. 115, 703-713.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.io.races import RaceSplits
from paceline.models.race import Assumption, Race
from paceline.studies.analysis.attribution import (
    CAUSES,
    Reference,
    attribute,
    describe_reference,
    reference_air_density,
    reference_formation,
    reference_states,
    substituted,
    time_at_power,
)
from paceline.studies.analysis.race_physics import (
    analysis_course,
    critical_speed_athlete,
    energy_balance,
    physics_along,
    time_weighted_mean,
)
from paceline.studies.analysis.race_scenario import scenario_for_race
from paceline.studies.analysis.reconstruction import CITATIONS as RECONSTRUCTION_CITATIONS
from paceline.studies.analysis.reconstruction import Reconstruction, reconstruct
from paceline.studies.analysis.reference import reference_line_scale, shapley_split
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from paceline.io.scenario import Scenario
    from paceline.models.course import Course
    from paceline.physics.metabolic import CostCurve

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------------------------------------------
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
    citations : list of str
        The works the numbers rest on.
    energy : dict
        The D' balance summary (:func:`paceline.studies.analysis.race_physics.energy_balance`).
    shapley : dict
        Seconds of each cause averaged over every order of substitution (``pacing`` as in ``steps``); they add up
        to the same total.
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
    shapley: dict[str, float]

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

    @property
    def mean_shelter(self) -> float:
        """Shelter averaged over the race's time [-]."""
        return time_weighted_mean(self.course.shelter, self.reconstruction.cruise_time(self.course.x_m))

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
            "differently: attribution_shapley averages every order of the causes after pacing",
            "attribution_shapley": [{"cause": c, "seconds": round(s, 4)} for c, s in self.shapley.items()],
            "splits": [
                {"distance_m": float(d), "time_s": float(t)}
                for d, t in zip(self.splits.split_m, self.splits.time_s, strict=True)
            ],
            "inputs": [a.to_dict() for a in self.assumptions],
            "sources": list(self.splits.sources),
            "citations": self.citations,
        }


# ---------------------------------------------------------------------------------------------------------------
# tables (stage 6)
# ---------------------------------------------------------------------------------------------------------------
#: Series averaged over each lap and phase, and their rounding.
TABLE_SERIES = {"shelter": 4, "drag_power_w": 2, "metabolic_power_w_kg": 3}


def window_row(
    x0_m: float,
    x1_m: float,
    time_s: float,
    series: dict[str, NDArray[np.float64]],
    x_m: NDArray[np.float64],
    t_cruise_s: NDArray[np.float64],
) -> dict[str, Any]:
    """One row of the lap or phase table: distance, time, speed, the time-weighted means of the physics, and the
    D' balance at its end.

    Parameters
    ----------
    x0_m, x1_m : float
        Race distances of its start and end (both samples of ``x_m``) [m].
    time_s : float
        Its time [s].
    series : dict of ndarray
        From :func:`paceline.studies.analysis.race_physics.physics_along` and ``energy_balance``.
    x_m, t_cruise_s : ndarray
        Samples [m] and cruise time there [s] (the weights of the means).
    """
    i0 = int(np.searchsorted(x_m, x0_m - 1e-9))
    i1 = int(np.searchsorted(x_m, x1_m - 1e-9))
    sl = slice(i0, i1 + 1)
    row: dict[str, Any] = {
        "from_m": round(x0_m, 3),
        "to_m": round(x1_m, 3),
        "time_s": round(time_s, 3),
        "speed_m_s": round((x1_m - x0_m) / time_s, 4),
    }
    for name, digits in TABLE_SERIES.items():
        row[name] = round(time_weighted_mean(series[name][sl], t_cruise_s[sl]), digits)
    if "dprime_balance_m" in series:
        row["dprime_balance_m"] = round(float(np.interp(x1_m, x_m, series["dprime_balance_m"])), 2)
    return row


def lap_table(
    splits: RaceSplits,
    series: dict[str, NDArray[np.float64]],
    x_m: NDArray[np.float64],
    t_cruise_s: NDArray[np.float64],
) -> list[dict[str, Any]]:
    """One :func:`window_row` per split segment, with its pace per 400 m [s]."""
    laps = []
    for i, (x0, x1, secs) in enumerate(splits.segments(), start=1):
        row = window_row(x0, x1, secs, series, x_m, t_cruise_s)
        laps.append(_ordered({"lap": i, "pace_s_per_400m": round(400.0 * secs / (x1 - x0), 3), **row}))
    return laps


def phase_table(
    scenario: Scenario,
    rec: Reconstruction,
    series: dict[str, NDArray[np.float64]],
    x_m: NDArray[np.float64],
    t_cruise_s: NDArray[np.float64],
) -> list[dict[str, Any]]:
    """One :func:`window_row` per pacing phase of the scenario, with its formation."""
    phases = []
    for i, ph in enumerate(scenario.phases()):
        x0, x1 = float(ph.from_m), float(ph.to_m)
        t0, t1 = (float(tt) for tt in rec.time_at(np.array([x0, x1])))
        row = window_row(x0, x1, t1 - t0, series, x_m, t_cruise_s)
        phases.append(_ordered({"phase": i + 1, "formation": ph.formation, **row}))
    return phases


#: Column order of the lap and phase tables.
_COLUMNS = ("lap", "phase", "from_m", "to_m", "formation", "time_s", "speed_m_s", "pace_s_per_400m")


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    """A table row with its columns in the order of :data:`_COLUMNS`, then the physics."""
    return {**{k: row[k] for k in _COLUMNS if k in row}, **{k: v for k, v in row.items() if k not in _COLUMNS}}


# ---------------------------------------------------------------------------------------------------------------
# the result's parts
# ---------------------------------------------------------------------------------------------------------------
def analysis_assumptions(
    rec: Reconstruction,
    notes: list[Assumption],
    course: Course,
    curve: CostCurve,
    power_w_kg: float,
    reference: Reference,
    formation: str,
) -> list[Assumption]:
    """Every input of an analysis with its source: the reconstruction's, the scenario's, the course's, the cost
    model's and the reference's."""
    from paceline.physics.metabolic import IMPEDING_FORCE_SLOPE

    return [
        *rec.assumptions(),
        *notes,
        *course.assumptions,
        Assumption("cost_curve", curve.name, "", curve.citation),
        Assumption("impeding_force_slope", IMPEDING_FORCE_SLOPE, "per body weight", "da Silva, Kram & Hoogkamer 2022"),
        Assumption("average_metabolic_power", round(power_w_kg, 3), "W/kg", "time-weighted over the cruise profile"),
        Assumption(
            "reference_formation",
            formation,
            "",
            "best-sheltering runnable named formation (its offset, its pacers' lines on the track, the roster's "
            "capability where known)"
            if not reference.formation
            else "given",
        ),
        Assumption("attribution_order", " -> ".join(CAUSES), "", "sequential substitution; the order matters"),
    ]


def analysis_race(
    splits: RaceSplits,
    rec: Reconstruction,
    course: Course,
    series: dict[str, NDArray[np.float64]],
    power_w_kg: float,
    assumptions: list[Assumption],
    citations: list[str],
) -> Race:
    """The reconstructed race on the course's samples as a :class:`~paceline.models.race.Race` (model
    ``reconstruction``) with the physics series; ``v_m_s`` is the speed on her own line."""
    x = course.x_m
    return Race(
        scenario=splits.race_id,
        model="reconstruction",
        distance_m=splits.event_m,
        x_m=x,
        # the reconstruction's own times, so the steps start from the reported time
        t_s=np.asarray(rec.time_at(x), dtype=float),
        v_m_s=np.where(x > 0, series["race_speed_m_s"] * course.line_scale, 0.0),
        series=series,
        assumptions=assumptions,
        citations=citations,
        meta={
            "race_id": splits.race_id,
            "method": rec.method,
            "max_split_error_s": rec.max_split_error_s(),
            "power_w_kg": power_w_kg,
        },
    )


# ---------------------------------------------------------------------------------------------------------------
# the pipeline
# ---------------------------------------------------------------------------------------------------------------
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
        Reconstruction method (see :func:`paceline.studies.analysis.reconstruction.reconstruct`).
    standing_start : bool
        Start from rest.

    Returns
    -------
    Analysis
        Laps, phases, energy balance and the attribution (its parts add up to the total exactly).
    """
    from paceline.models.equal_power import CITATIONS as EP_CITATIONS
    from paceline.physics.metabolic import DEFAULT_CURVE, get_curve

    ref = reference or Reference()
    cost = get_curve(curve or DEFAULT_CURVE)
    rec = reconstruct(splits, method=method, standing_start=standing_start)  # 1
    sc, notes = scenario_for_race(splits, scenario)  # 2
    course = analysis_course(sc, splits)
    x = course.x_m
    t_cruise = rec.cruise_time(x)
    series = physics_along(course, rec, cost)  # 3
    p_mean = time_weighted_mean(series["metabolic_power_w_kg"], t_cruise)
    cs_athlete = critical_speed_athlete(sc, cost)
    energy, balance = energy_balance(cs_athlete, series["metabolic_power_w_kg"], t_cruise, cost)  # 4
    series.update(balance)

    form = reference_formation(sc, ref, splits.event_m / splits.finish_s, splits.finish_s)  # 5
    rho_ref = reference_air_density(ref)
    line = reference_line_scale(course, sc, form["athlete_offset_m"])
    args = (form["shelter"], ref, rho_ref, line, form["athlete_offset_m"])
    steps = attribute(splits.finish_s, course, reference_states(course, *args), p_mean, cost, rec.lag_s)
    shares = shapley_split(CAUSES[1:], lambda s: time_at_power(substituted(course, tuple(s), *args), p_mean, cost))
    shapley = {"pacing": steps[0]["seconds"], **{c: -v for c, v in shares.items()}}

    assumptions = analysis_assumptions(rec, notes, course, cost, p_mean, ref, form["name"])
    assumptions += cs_athlete.assumptions if cs_athlete is not None else ()
    citations = [*RECONSTRUCTION_CITATIONS, *EP_CITATIONS]
    race = analysis_race(splits, rec, course, series, p_mean, assumptions, citations)
    return Analysis(
        splits=splits,
        reconstruction=rec,
        race=race,
        scenario=sc,
        course=course,
        power_w_kg=p_mean,
        steps=steps,
        reference_s=steps[-1]["to_s"],
        reference=describe_reference(ref, p_mean, form, rho_ref, cost.name),
        laps=lap_table(splits, series, x, t_cruise),  # 6
        phases=phase_table(sc, rec, series, x, t_cruise),
        assumptions=assumptions,
        citations=citations,
        energy=energy,
        shapley=shapley,
    )
