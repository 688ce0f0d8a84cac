"""The HTML report: one self-contained file (inline CSS, inline SVG plots, no script, no link) that opens offline.

``write_report(source, path)`` takes a scenario (bundled name, ``.toml`` path or
:class:`~paceline.io.scenario.Scenario`), a real race (bundled race name such as ``breaking4_2025`` or a split
``.csv``), a solved :class:`~paceline.models.race.Race` or a race ``.json`` written by :meth:`Race.to_json`; it adds
the plan (pacer roles, lights, briefings;
:mod:`paceline.studies.planning.plan`), the time-lost attribution of a real race
(:mod:`paceline.studies.analysis.race_analysis`) and
P(target) (:mod:`paceline.studies.uncertainty.montecarlo`).

Sections: summary, splits, race profile (speed, shelter, drag power, energy against distance), formations, lights,
pacers and briefings, time lost (real races), assumptions, citations.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import PacelineError, ScenarioError
from paceline.io.limits import read_text
from paceline.io.outputs import write_text_atomic
from paceline.io.races import bundled_race_names
from paceline.render.report_html import SECTIONS, ReportInputs, render_report
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race

log = logging.getLogger(__name__)


# ---- inputs --------------------------------------------------------------------------------------------------------
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


def _plan_for(sc: Scenario, model: str | None, notes: list[str]) -> Any:
    from paceline.studies.planning import plan as plan_mod

    try:
        return plan_mod.make_plan(sc, model)
    except PacelineError as exc:
        notes.append(f"no plan: {exc}")
        return None


def _analysis_for_race(name_or_path: str) -> Any:
    from paceline.io import races
    from paceline.studies.analysis import race_analysis as analysis

    splits = races.load_race(name_or_path)
    return analysis.analyze(splits)


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


def _p_target(sc: Scenario, race: Race, notes: list[str]) -> tuple[float | None, str, Any]:
    """P(finish <= target) from the Monte Carlo of :mod:`paceline.studies.uncertainty.montecarlo` (equal-power)."""
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


def gather(
    source: str | Path | Scenario | Race | None,
    model: str | None = None,
    scenario: Scenario | None = None,
    plan: Any = None,
    analysis: Any = None,
    p_target: float | None = None,
    with_uncertainty: bool = True,
) -> ReportInputs:
    """Resolve what to report on and collect the parts available (see :func:`write_report`)."""
    from paceline.io.scenario import Scenario, bundled_scenario_names, load_scenario
    from paceline.models.race import Race

    notes: list[str] = []
    sc: Scenario | None = scenario
    race: Race | None = None
    kind = "prediction"
    if plan is not None:
        sc, race = plan.scenario, plan.race
    elif source is None:
        raise ScenarioError("give a scenario, a race, or a plan", "scenario")
    elif isinstance(source, Race):
        race = source
    elif isinstance(source, Scenario):
        sc = source
    else:
        text = str(source)
        path = Path(text)
        if path.suffix == ".json":
            if not path.is_file():
                raise ScenarioError(f"no such file {text!r}; give a race .json, a scenario or a race", "race")
            try:
                race = race_from_dict(json.loads(read_text(path, "race", "a race .json")))
            except json.JSONDecodeError as exc:
                raise ScenarioError(f"{text} is not valid JSON: {exc}", "race") from None
            except RecursionError:  # json.loads recurses per level of nesting
                raise ScenarioError(f"{text} nests arrays or objects too deep to be a race .json", "race") from None
            if sc is None and race.scenario in bundled_scenario_names():
                sc = load_scenario(race.scenario)
        elif path.suffix == ".toml" or text in bundled_scenario_names():
            sc = load_scenario(text)
        elif path.suffix == ".csv" or _is_bundled_race(text):
            analysis = analysis or _analysis_for_race(text)
            kind = "real race"
        else:
            allowed = ", ".join(bundled_scenario_names())
            races = ", ".join(bundled_race_names())
            raise ScenarioError(
                f"{text!r} is not a scenario or a race; allowed a bundled scenario ({allowed}), a bundled race "
                f"({races}), or a .toml / .csv / .json path",
                "scenario",
            )
    if analysis is not None:
        race = race or analysis.race
        sc = sc or analysis.scenario
        kind = "real race"
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
    note, mc = "given", None
    if p_target is None and sc is not None and kind == "prediction" and with_uncertainty:
        p_target, note, mc = _p_target(sc, race, notes)
    return ReportInputs(race, sc, kind, plan, analysis, p_target, note, notes, mc)


def _is_bundled_race(name: str) -> bool:
    return name in bundled_race_names()


# ---- plots ---------------------------------------------------------------------------------------------------------


# ---- HTML ----------------------------------------------------------------------------------------------------------


def write_report(
    source: str | Path | Scenario | Race | None,
    path: str | Path,
    model: str | None = None,
    *,
    scenario: Scenario | None = None,
    plan: Any = None,
    analysis: Any = None,
    p_target: float | None = None,
    with_uncertainty: bool = True,
) -> dict[str, Any]:
    """Write the self-contained HTML report.

    Parameters
    ----------
    source : str, Path, Scenario, Race or None
        A bundled scenario name, a scenario ``.toml``, a bundled race name (``breaking4_2025``) or a split ``.csv``
        (a real race: reconstructed and attributed), a race ``.json`` (:meth:`Race.to_json`), a Scenario, or a
        Race. Ignored (may be None) when ``plan`` is given.
    path : str or Path
        HTML file to write (written whole or not at all).
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
        Estimate P(target) with a Monte Carlo (:mod:`paceline.studies.uncertainty`, a few seconds) when not given.

    Returns
    -------
    dict
        ``{path, bytes, scenario, model, kind, time_s, time, sections, notes}``.
    """
    inp = gather(
        source,
        model=model,
        scenario=scenario,
        plan=plan,
        analysis=analysis,
        p_target=p_target,
        with_uncertainty=with_uncertainty,
    )
    text = render_report(inp)
    out = write_text_atomic(path, text, "output")
    time_s = float(inp.analysis.finish_s) if inp.kind == "real race" and inp.analysis is not None else inp.race.finish_s
    info = {
        "path": str(out),
        "bytes": out.stat().st_size,
        "scenario": inp.race.scenario,
        "model": inp.race.model,
        "kind": inp.kind,
        "time_s": round(time_s, 3),
        "time": format_time(time_s),
        "p_target": inp.p_target,
        "sections": list(SECTIONS),
        "notes": inp.notes,
    }
    log.info("report written to %s (%d bytes)", out, info["bytes"])
    return info


__all__ = ["SECTIONS", "ReportInputs", "gather", "race_from_dict", "render_report", "write_report"]
