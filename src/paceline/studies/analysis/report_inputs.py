"""What a report shows, gathered: the race (solved, or rebuilt from a race ``.json``), the plan, the time-lost
analysis of a real race, and P(target) from a Monte Carlo. :mod:`paceline.render.report` only turns these results
into HTML; it never solves or samples.

:func:`report_inputs` takes a scenario (bundled name, ``.toml`` path or :class:`~paceline.io.scenario.Scenario`), a
real race (bundled race name such as ``breaking4_2025`` or a split ``.csv``), a solved
:class:`~paceline.models.race.Race` or a race ``.json`` written by :meth:`Race.to_json`; it adds the plan (pacer roles,
lights, briefings; :mod:`paceline.studies.planning.plan`), the time-lost attribution of a real race
(:mod:`paceline.studies.analysis.race_analysis`) and P(target) (:mod:`paceline.studies.uncertainty.montecarlo`).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import PacelineError, ScenarioError
from paceline.io.limits import read_text
from paceline.io.races import bundled_race_names
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race
    from paceline.studies.analysis.race_analysis import Analysis
    from paceline.studies.planning.plan import Plan
    from paceline.studies.uncertainty.montecarlo import MonteCarloResult

log = logging.getLogger(__name__)

__all__ = [
    "P_TARGET_CALIBRATIONS",
    "P_TARGET_DRAWS",
    "ReportInputs",
    "estimate_p_target",
    "race_from_dict",
    "report_inputs",
]


@dataclass
class ReportInputs:
    """Everything one report shows; ``None`` parts are reported as not available.

    Attributes
    ----------
    race : Race
        The race shown (predicted, or reconstructed from a real race's splits).
    scenario : Scenario or None
        Its scenario.
    kind : str
        ``prediction`` or ``real race``.
    plan : Plan or None
        The :class:`paceline.studies.planning.plan.Plan` (pacer roles, lights, briefings).
    analysis : Analysis or None
        The :class:`paceline.studies.analysis.race_analysis.Analysis` of a real race (the time lost).
    p_target : float or None
        Probability of beating the target, with ``p_target_note`` saying how it was estimated.
    notes : list of str
        What could not be added and why.
    monte_carlo : MonteCarloResult or None
        The :class:`paceline.studies.uncertainty.montecarlo.MonteCarloResult` behind ``p_target``.
    """

    race: Race
    scenario: Scenario | None = None
    kind: str = "prediction"
    plan: Plan | None = None
    analysis: Analysis | None = None
    p_target: float | None = None
    p_target_note: str = ""
    notes: list[str] = field(default_factory=list)
    monte_carlo: MonteCarloResult | None = None


def race_from_dict(data: dict[str, Any]) -> Race:
    """Rebuild a :class:`Race` from :meth:`Race.to_dict` output (a race ``.json``)."""
    from paceline.models.race import Assumption, Race

    try:
        series = {k: np.asarray(v, dtype=float) for k, v in data["series"].items()}
        x, t, v = series.pop("x_m"), series.pop("t_s"), series.pop("v_m_s")
        _check_race_numbers(float(data["distance_m"]), x, t, v, series)
        return Race(
            scenario=str(data.get("scenario", "race")),
            model=str(data.get("model", "")),
            distance_m=float(data["distance_m"]),
            x_m=x,
            t_s=t,
            v_m_s=v,
            series=series,
            pacers=list(data.get("pacers", [])),
            assumptions=[Assumption(**a) for a in data.get("inputs", [])],
            citations=list(data.get("citations", [])),
            meta=dict(data.get("meta", {})),
        )
    except ScenarioError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(
            f"not a race written by Race.to_json (needs distance_m and series x_m, t_s, v_m_s): {exc}", "race"
        ) from None


def _check_race_numbers(
    distance_m: float, x: np.ndarray, t: np.ndarray, v: np.ndarray, series: dict[str, np.ndarray]
) -> None:
    """Refuse a race .json whose numbers no race has: a distance outside :data:`~paceline.io.limits.DISTANCE_RANGE_M`
    or not where its samples end, a NaN or infinity in any series, a speed outside 0 to the fastest sprint
    (:data:`~paceline.io.limits.SEGMENT_SPEED_RANGE_M_S`)."""
    from paceline.io.limits import DISTANCE_RANGE_M, SEGMENT_SPEED_RANGE_M_S

    lo, hi = DISTANCE_RANGE_M
    if not lo <= distance_m <= hi:
        raise ScenarioError(f"distance_m {distance_m:g} is not allowed; a race is {lo:g} to {hi:g} m", "race")
    for name, arr in {"x_m": x, "t_s": t, "v_m_s": v, **series}.items():
        if arr.ndim != 1 or not np.all(np.isfinite(arr)):
            raise ScenarioError(f"series {name!r} must be a list of finite numbers", "race")
    if x.size and abs(x[-1] - distance_m) > 1e-6 * distance_m:
        raise ScenarioError(f"series x_m ends at {x[-1]:g} m, not at distance_m {distance_m:g}", "race")
    top = SEGMENT_SPEED_RANGE_M_S[1]
    if v.size and not (v.min() >= 0.0 and v.max() <= top):
        raise ScenarioError(
            f"series v_m_s runs {v.min():g} to {v.max():g} m/s; a runner's speed is 0 to {top:g} m/s", "race"
        )


def _plan_for(sc: Scenario, model: str | None, notes: list[str]) -> Plan | None:
    from paceline.studies.planning.plan import make_plan

    try:
        return make_plan(sc, model)
    except PacelineError as exc:
        notes.append(f"no plan: {exc}")
        return None


def _race_note_for_scenario(sc: Scenario, notes: list[str]) -> None:
    """Point to the real race's report when a bundled race file names this scenario (its time-lost waterfall)."""
    if sc.result is None:
        return
    from paceline.io import races

    for name in races.bundled_race_names():
        if races.load_race(name).scenario == sc.name:
            notes.append(f"the time lost as raced is in the report of the real race: paceline report {name}")
            return


#: Monte Carlo draws behind the report's P(target).
P_TARGET_DRAWS = 1000
#: Exactly calibrated combinations behind it (the full Monte Carlo's 1000 change P(target) by under a point here).
P_TARGET_CALIBRATIONS = 200


def estimate_p_target(sc: Scenario, notes: list[str]) -> tuple[float | None, str, MonteCarloResult | None]:
    """P(finish <= target) from the Monte Carlo of :mod:`paceline.studies.uncertainty.montecarlo` (equal-power,
    :data:`P_TARGET_DRAWS` draws, seed 0), with the sentence that says how it was estimated.

    Returns ``(None, "", None)`` without a target; a Monte Carlo that cannot run adds its reason to ``notes``.
    """
    if not sc.target_s:
        return None, "", None
    from paceline.studies.uncertainty.montecarlo import monte_carlo

    try:
        mc = monte_carlo(sc, n=P_TARGET_DRAWS, seed=0, workers=1, calibration_pool=P_TARGET_CALIBRATIONS)
    except PacelineError as exc:
        notes.append(f"no P(target): {exc}")
        return None, "", None
    p = mc.probability_under(sc.target_s)
    note = (
        f"Monte Carlo, {mc.n_done} draws (seed 0), equal-power model over the scenario's uncertain inputs: median "
        f"{format_time(mc.median_s)}, 90 % between {format_time(mc.percentile(5))} and {format_time(mc.percentile(95))}"
    )
    return p, note, mc


def _read_race_json(path: Path) -> Race:
    """A race ``.json`` (:meth:`Race.to_json`), refused with a message naming ``race`` when it is not one."""
    text = str(path)
    if not path.is_file():
        raise ScenarioError(f"no such file {text!r}; give a race .json, a scenario or a race", "race")
    try:
        return race_from_dict(json.loads(read_text(path, "race", "a race .json")))
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{text} is not valid JSON: {exc}", "race") from None
    except RecursionError:  # json.loads recurses per level of nesting
        raise ScenarioError(f"{text} nests arrays or objects too deep to be a race .json", "race") from None


def _resolve(
    source: str | Path | Scenario | Race, sc: Scenario | None, analysis: Analysis | None
) -> tuple[Scenario | None, Race | None, Analysis | None]:
    """What ``source`` names: a scenario, a race (and its bundled scenario), or a real race (its ``analysis`` when
    given, else analysed)."""
    from paceline.io.scenario import Scenario, bundled_scenario_names, load_scenario
    from paceline.models.race import Race

    if isinstance(source, Race):
        return sc, source, analysis
    if isinstance(source, Scenario):
        return source, None, analysis
    text = str(source)
    path = Path(text)
    if path.suffix == ".json":
        race = _read_race_json(path)
        if sc is None and race.scenario in bundled_scenario_names():
            sc = load_scenario(race.scenario)
        return sc, race, analysis
    if path.suffix == ".toml" or text in bundled_scenario_names():
        return load_scenario(text), None, analysis
    if path.suffix == ".csv" or text in bundled_race_names():
        from paceline.io import races
        from paceline.studies.analysis.race_analysis import analyze

        return sc, None, analysis or analyze(races.load_race(text))
    allowed = ", ".join(bundled_scenario_names())
    raise ScenarioError(
        f"{text!r} is not a scenario or a race; allowed a bundled scenario ({allowed}), a bundled race "
        f"({', '.join(bundled_race_names())}), or a .toml / .csv / .json path",
        "scenario",
    )


def report_inputs(
    source: str | Path | Scenario | Race | None,
    model: str | None = None,
    scenario: Scenario | None = None,
    plan: Plan | None = None,
    analysis: Analysis | None = None,
    p_target: float | None = None,
    with_uncertainty: bool = True,
) -> ReportInputs:
    """Resolve what to report on and compute the parts available: the race, the plan, the analysis, P(target).

    Parameters
    ----------
    source : str, Path, Scenario, Race or None
        A bundled scenario name, a scenario ``.toml``, a bundled race name (``breaking4_2025``) or a split ``.csv``
        (a real race: reconstructed and attributed), a race ``.json`` (:meth:`Race.to_json`), a Scenario, or a
        Race. Ignored (may be None) when ``plan`` is given.
    model : str, optional
        Model for a scenario (default: the scenario's).
    scenario : Scenario, optional
        The scenario of a Race given as ``source``.
    plan : paceline.studies.planning.plan.Plan, optional
        A plan already made (``paceline plan --report``): its race, roles, lights and briefings are shown.
    analysis : paceline.studies.analysis.race_analysis.Analysis, optional
        An analysis already made (the time-lost waterfall).
    p_target : float, optional
        Probability of beating the target, if already estimated.
    with_uncertainty : bool
        Estimate P(target) with a Monte Carlo (:func:`estimate_p_target`, a few seconds) when not given.

    Raises
    ------
    ScenarioError
        A source that is no scenario or race (field ``scenario``), a race ``.json`` that is not one (field ``race``).
    """
    notes: list[str] = []
    sc, race = scenario, None
    if plan is not None:
        sc, race = plan.scenario, plan.race
    elif source is None:
        raise ScenarioError("give a scenario, a race, or a plan", "scenario")
    else:
        sc, race, analysis = _resolve(source, sc, analysis)
    if analysis is not None:
        race = race or analysis.race
        sc = sc or analysis.scenario
    if race is None:
        assert sc is not None
        if sc.pacing and plan is None:
            plan = _plan_for(sc, model, notes)
        if plan is not None:
            race = plan.race
        else:
            from paceline.chain import solve

            race = solve(sc, model)
        if analysis is None:
            _race_note_for_scenario(sc, notes)
    kind = "real race" if analysis is not None else "prediction"
    note, mc = "given", None
    if p_target is None and sc is not None and kind == "prediction" and with_uncertainty:
        p_target, note, mc = estimate_p_target(sc, notes)
    return ReportInputs(race, sc, kind, plan, analysis, p_target, note, notes, mc)
