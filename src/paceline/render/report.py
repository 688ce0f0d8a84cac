"""The HTML report: one self-contained file (inline CSS, inline SVG plots, no script, no link) that opens offline.

``write_report(source, path)`` takes a scenario (bundled name, ``.toml`` path or
:class:`~paceline.io.scenario.Scenario`), a real race (bundled race name such as ``breaking4_2025`` or a split
``.csv``), a solved :class:`~paceline.models.race.Race` or a race ``.json`` written by :meth:`Race.to_json`; it adds
what the other parts of paceline provide when they are installed: the plan (pacer roles, lights, briefings;
:mod:`paceline.studies.plan`), the time-lost attribution of a real race (:mod:`paceline.studies.analysis`) and
P(target) (:mod:`paceline.studies.montecarlo`).

Sections: summary, splits, race profile (speed, shelter, drag power, energy against distance), formations, lights,
pacers and briefings, time lost (real races), assumptions, citations.
"""

from __future__ import annotations

import html
import importlib.util
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import PacelineError, ScenarioError
from paceline.render.svg import bars_svg, formation_panels_svg, line_panels_svg
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race

log = logging.getLogger(__name__)

#: Section ids in the order they appear.
SECTIONS = (
    "summary",
    "splits",
    "profile",
    "formations",
    "lights",
    "pacers",
    "time-lost",
    "assumptions",
    "citations",
)


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
    plan : object or None
        A :class:`paceline.studies.plan.Plan`.
    analysis : object or None
        A :class:`paceline.studies.analysis.Analysis` (real races).
    p_target : float or None
        Probability of beating the target, with ``p_target_note`` saying how it was estimated.
    notes : list of str
        What could not be added and why.
    monte_carlo : object or None
        The :class:`paceline.studies.uncertainty.MonteCarloResult` behind ``p_target``.
    """

    race: Race
    scenario: Scenario | None = None
    kind: str = "prediction"
    plan: Any = None
    analysis: Any = None
    p_target: float | None = None
    p_target_note: str = ""
    notes: list[str] = field(default_factory=list)
    monte_carlo: Any = None


# ---- inputs --------------------------------------------------------------------------------------------------------
def race_from_dict(data: dict[str, Any]) -> Race:
    """Rebuild a :class:`Race` from :meth:`Race.to_dict` output (a race ``.json``)."""
    from paceline.models.race import Assumption, Race

    try:
        series = {k: np.asarray(v, dtype=float) for k, v in data["series"].items()}
        x, t, v = series.pop("x_m"), series.pop("t_s"), series.pop("v_m_s")
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
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError(
            f"not a race written by Race.to_json (needs distance_m and series x_m, t_s, v_m_s): {exc}", "race"
        ) from None


def _module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _plan_for(sc: Scenario, model: str | None, notes: list[str]) -> Any:
    if not _module_available("paceline.studies.plan"):
        notes.append("pacer roles, lights and briefings need paceline.studies.plan (not installed)")
        return None
    from paceline.studies import plan as plan_mod

    try:
        return plan_mod.make_plan(sc, model)
    except PacelineError as exc:
        notes.append(f"no plan: {exc}")
        return None


def _analysis_for_race(name_or_path: str) -> Any:
    from paceline.io import races
    from paceline.studies import analysis

    splits = races.load_race(name_or_path)
    return analysis.analyze(splits)


def _race_note_for_scenario(sc: Scenario, notes: list[str]) -> None:
    """Point to the real race's report when a bundled race file names this scenario (its time-lost waterfall)."""
    if sc.result is None or not _module_available("paceline.studies.analysis"):
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
    """P(finish <= target) from the Monte Carlo of :mod:`paceline.studies.montecarlo` (equal-power)."""
    if not sc.target_s:
        return None, "", None
    from paceline.studies.montecarlo import monte_carlo

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
                race = race_from_dict(json.loads(path.read_text(encoding="utf-8")))
            except json.JSONDecodeError as exc:
                raise ScenarioError(f"{text} is not valid JSON: {exc}", "race") from None
            if sc is None and race.scenario in bundled_scenario_names():
                sc = load_scenario(race.scenario)
        elif path.suffix == ".toml" or text in bundled_scenario_names():
            sc = load_scenario(text)
        elif path.suffix == ".csv" or _is_bundled_race(text):
            analysis = analysis or _analysis_for_race(text)
            kind = "real race"
        else:
            allowed = ", ".join(bundled_scenario_names())
            races = ", ".join(_bundled_races())
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


def _bundled_races() -> list[str]:
    if not _module_available("paceline.io.races"):
        return []
    from paceline.io.races import bundled_race_names

    return bundled_race_names()


def _is_bundled_race(name: str) -> bool:
    return name in _bundled_races() and _module_available("paceline.studies.analysis")


# ---- plots ---------------------------------------------------------------------------------------------------------
def profile_svg(race: Race) -> str:
    """Speed, shelter, drag power and energy against distance, with the lap lines."""
    s = race.series
    panels: list[tuple[str, Any, str, tuple[float, float] | None]] = [("speed [m/s]", race.v_m_s, "#d9541e", None)]
    shelter = 100 * np.asarray(s.get("shelter", np.zeros_like(race.x_m)))
    panels.append(("shelter [%]", shelter, "#1f77b4", (0.0, max(1.15 * float(np.max(shelter)), 1.0))))
    if "drag_power_w" in s:
        panels.append(("drag power [W]", np.asarray(s["drag_power_w"]), "#2ca02c", None))
    elif "drag_n" in s:
        panels.append(("drag power [W]", np.asarray(s["drag_n"]) * race.v_m_s, "#2ca02c", None))
    if "dprime_balance_m" in s:
        panels.append(("D' balance [m]", np.asarray(s["dprime_balance_m"]), "#9467bd", None))
    spent = race.energy_spent_j_kg() / 1000.0
    panels.append(("energy spent [kJ/kg]", spent, "#8c564b", (0.0, max(1.15 * float(np.max(spent)), 1.0))))
    return line_panels_svg(race.x_m, panels, "race distance [m]", vlines=race.split_points()[:-1])


def formations_svg(sc: Scenario, per_row: int = 4) -> str:
    """Each formation of the race from above (once, with the phases that use it): the athlete at the origin,
    pacers in their slots, the shelter; ``per_row`` panels to a row."""
    from paceline.io.fitted import drafting_params
    from paceline.physics import drafting

    used: dict[str, list[Any]] = {}
    for ph in sc.phases():
        used.setdefault(ph.formation, []).append(ph)
    panels = []
    for name, phases in used.items():
        form = sc.formation(name)
        first = phases[0]
        shelter = float(drafting.formation_shelter(form, drafting_params()))
        runners = [
            (slot.dy_m, slot.dx_m, first.pacers[k] if k < len(first.pacers) else slot.name)
            for k, slot in enumerate(form.slots)
        ]
        spans = ", ".join(f"{ph.from_m:.0f}-{ph.to_m:.0f}" for ph in phases[:3]) + (" ..." if len(phases) > 3 else "")
        title = f"{spans} m: {form.name}\n{form.n_pacers} pacers, shelter {100 * shelter:.0f} %"
        panels.append((title, runners, sc.athlete.name.split()[-1]))
    return formation_panels_svg(panels, per_row=per_row)


def waterfall_svg(steps: list[dict[str, Any]], reference_s: float, finish_s: float, reference_label: str) -> str:
    """Time lost by cause as a waterfall from the reference time to the race's time."""
    secs = [float(st["seconds"]) for st in steps]
    levels = reference_s + np.concatenate([[0.0], np.cumsum(secs)])
    floor = min(reference_s, finish_s, float(levels.min())) - max(0.5, 0.15 * (float(levels.max()) - reference_s))
    labels = [f"reference\n{format_time(reference_s)}"]
    labels += [str(st["cause"]).replace(" ", "\n", 1) for st in steps]
    labels.append(f"as raced\n{format_time(finish_s)}")
    bottoms = [floor, *levels[:-1], floor]
    heights = [reference_s - floor, *secs, finish_s - floor]
    colours = ["#999", *["#d62728" if x > 0 else "#2ca02c" for x in secs], "#1f77b4"]
    notes = ["", *[f"{x:+.2f} s" for x in secs], ""]
    return bars_svg(
        labels, bottoms, heights, colours, notes, "time [s]", f"Where the time went, against {reference_label}"
    )


# ---- HTML ----------------------------------------------------------------------------------------------------------
CSS = "".join(
    [
        'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;',
        "margin:0;color:#1d2330;background:#f6f7f9}",
        "main{max-width:1000px;margin:0 auto;padding:1rem 1.4rem 3rem;background:#fff}",
        "h1{font-size:1.5rem;margin:.4rem 0}",
        "h2{font-size:1.15rem;border-bottom:2px solid #e4e7ec;padding-bottom:.2rem;margin-top:2rem}",
        "table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}",
        "th,td{padding:.25rem .6rem;border-bottom:1px solid #e4e7ec;text-align:right}",
        "th{background:#f0f2f5}",
        "td.l,th.l{text-align:left}",
        ".kpi{display:flex;gap:1.2rem;flex-wrap:wrap;margin:.8rem 0}",
        ".kpi div{background:#f0f2f5;border-radius:6px;padding:.5rem .9rem}",
        ".kpi .v{font-size:1.5rem;font-weight:bold;color:#d9541e}",
        ".kpi .k{font-size:.75rem;color:#5b6473}",
        ".note{color:#5b6473;font-size:.85rem}",
        "svg{max-width:100%;height:auto}",
        "pre{background:#f6f7f9;padding:.6rem;white-space:pre-wrap;font-size:.8rem}",
        "details{margin:.3rem 0}",
        ".bad{color:#b42318;font-weight:bold}",
        ".ok{color:#067647}",
        "nav a{margin-right:.7rem;font-size:.85rem}",
    ]
)


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _table(headers: list[str], rows: list[list[Any]], left: int = 1) -> str:
    head = "".join(f'<th class="{"l" if i < left else ""}">{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{_e(c)}</td>' for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _kv(rows: list[list[Any]]) -> str:
    body = "".join(f'<tr><th class="l">{_e(k)}</th><td class="l">{_e(v)}</td></tr>' for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _summary(inp: ReportInputs) -> str:
    race, sc = inp.race, inp.scenario
    kpis = []
    if inp.kind == "real race" and inp.analysis is not None:
        kpis.append(("as raced", format_time(inp.analysis.finish_s)))
        kpis.append((f"reference ({inp.analysis.reference.get('formation', 'best')})", _ref_time(inp.analysis)))
    else:
        kpis.append((f"predicted ({race.model})", race.finish))
    if sc is not None and sc.target_s:
        kpis.append(("target", format_time(sc.target_s)))
        if inp.kind == "prediction":
            kpis.append(("vs target", f"{race.finish_s - sc.target_s:+.2f} s"))
    if sc is not None and sc.result is not None and inp.kind == "prediction":
        kpis.append(("as raced", format_time(sc.result.time_s)))
    if inp.p_target is not None:
        kpis.append(("P(target)", f"{100 * inp.p_target:.0f} %"))
    box = "".join(f'<div><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div></div>' for k, v in kpis)
    rows = [
        ["distance", f"{race.distance_m:g} m"],
        ["model", race.model],
        ["mean speed", f"{race.mean_speed_m_s:.3f} m/s"],
    ]
    if sc is not None:
        rows.insert(0, ["athlete", f"{sc.athlete.name} ({sc.athlete.height_m} m, {sc.athlete.mass_kg} kg)"])
        c = sc.conditions
        rows.append(
            [
                "conditions",
                f"{c.temperature_c:g} °C, RH {c.relative_humidity:.0%}, altitude {c.altitude_m:g} m, "
                f"wind {c.wind_speed_m_s:g} m/s from {c.wind_from_deg:g}°",
            ]
        )
        rows.append(
            [
                "equipment",
                f"shoe economy gain {sc.equipment.shoe_economy_gain:g}, CdA factor {sc.equipment.cda_factor:g}",
            ]
        )
    if inp.p_target is not None:
        rows.append(["P(target)", f"{inp.p_target:.3f} ({inp.p_target_note})"])
    notes = "".join(f'<li class="note">{_e(n)}</li>' for n in inp.notes)
    return f'<div class="kpi">{box}</div>{_kv(rows)}' + (f"<ul>{notes}</ul>" if notes else "")


def _ref_time(an: Any) -> str:
    return format_time(float(an.reference_s))


def _splits(inp: ReportInputs) -> str:
    """Cumulative splits: at the reported split distances when the race was run (beside the reported times), else
    at the lap lines."""
    race, sc = inp.race, inp.scenario
    reported = list(sc.result.splits) if sc is not None and sc.result is not None else []
    if reported and abs(reported[-1][0] - race.distance_m) > 1e-6:
        reported.append((race.distance_m, sc.result.time_s if sc and sc.result else float("nan")))
    dists = [d for d, _ in reported] if reported else [s["distance_m"] for s in race.splits()]
    times = np.atleast_1d(race.time_at(np.asarray(dists, dtype=float)))
    label = "time" if inp.kind == "real race" else f"predicted ({race.model})"
    headers = ["distance [m]", label, "segment [s]", "speed [m/s]", "pace [s/400 m]"]
    if reported and inp.kind == "prediction":
        headers += ["as raced", "difference [s]"]
    rows = []
    prev_d, prev_t = 0.0, 0.0
    for i, (d, t) in enumerate(zip(dists, times, strict=True)):
        seg_t, seg_d = float(t) - prev_t, d - prev_d
        row = [f"{d:g}", format_time(float(t)), f"{seg_t:.2f}", f"{seg_d / seg_t:.3f}", f"{400 * seg_t / seg_d:.2f}"]
        if reported and inp.kind == "prediction":
            a = reported[i][1]
            row += [format_time(a), f"{float(t) - a:+.2f}"]
        rows.append(row)
        prev_d, prev_t = d, float(t)
    return _table(headers, rows, left=0)


def _formations(inp: ReportInputs) -> str:
    sc = inp.scenario
    if sc is None:
        return "<p class='note'>No scenario: formations unknown.</p>"
    rows = []
    for ph in sc.phases():
        form = sc.formation(ph.formation)
        rows.append(
            [f"{ph.from_m:g}-{ph.to_m:g} m", form.name, form.n_pacers, ", ".join(ph.pacers) or "-", ph.note or ""]
        )
    return formations_svg(sc) + _table(["phase", "formation", "pacers", "who", "note"], rows, left=5)


def _lights(inp: ReportInputs) -> str:
    if inp.plan is None:
        return "<p class='note'>No light schedule (needs the plan).</p>"
    from paceline.studies import plan as plan_mod

    out = []
    for tr in plan_mod.lights_summary(inp.plan.lights):
        rows = [[m["lap"], f"{m['race_distance_m']:.1f}", format_time(m["time_s"])] for m in tr["laps"]]
        out.append(
            f"<h3>{_e(tr['train'])} train ({_e(tr['colour'])} lights), finish {_e(format_time(tr['finish_s']))}</h3>"
            + _table(["lap", "race distance [m]", "front passes at"], rows, left=0)
        )
    spacing = (
        inp.plan.lights[1]["race_distance_m"] - inp.plan.lights[0]["race_distance_m"] if len(inp.plan.lights) > 1 else 0
    )
    out.append(
        f"<p class='note'>{len(inp.plan.lights)} light passes, one light every {spacing:g} m of rail; the "
        "full schedule is lights.csv of <code>paceline plan --out</code>.</p>"
    )
    return "".join(out)


def _pacers(inp: ReportInputs) -> str:
    if inp.plan is None:
        return "<p class='note'>No pacer roles or briefings (needs the plan).</p>"
    roles = inp.plan.roles
    rows = []
    for r in roles:
        margin = "" if r.margin is None else f"{100 * r.margin:+.1f} %"
        rows.append(
            [
                r.name,
                r.slot,
                f"{r.enter_m:.0f}-{r.leave_m:.0f}",
                f"{r.offset_m:.2f}",
                f"{r.distance_run_m:.1f}",
                f"{r.required_speed_m_s:.3f}",
                f"{r.required_pace_s_per_400:.2f}",
                margin,
            ]
        )
    table = _table(
        ["pacer", "slot", "stint [m]", "offset [m]", "runs [m]", "speed [m/s]", "pace [s/400 m]", "margin"],
        rows,
        left=2,
    )
    from paceline.render.pacer_cards import briefing_markdown, plan_info
    from paceline.studies.handover import pacer_cards

    briefs = []
    info = plan_info(inp.plan)
    for card in pacer_cards(inp.plan):
        name, text = card["name"], briefing_markdown(card, info)
        briefs.append(f"<details><summary>Briefing: {_e(name)}</summary><pre>{_e(text)}</pre></details>")
    notes = "".join(f"<li class='note'>{_e(n)}</li>" for n in inp.plan.notes)
    return table + ("<ul>" + notes + "</ul>" if notes else "") + "".join(briefs)


def _time_lost(inp: ReportInputs) -> str:
    an = inp.analysis
    if an is None:
        return "<p class='note'>Only for a real race (a scenario with a [result] and its race file).</p>"
    ref = an.reference
    label = f"{ref.get('formation') or 'the best formation'}" if isinstance(ref, dict) else "the reference"
    rows = [[s["cause"], f"{float(s['seconds']):+.3f}"] for s in an.steps]
    rows.append(["total vs reference", f"{an.total_vs_reference_s:+.3f}"])
    desc = ", ".join(f"{k} = {_fmt_value(v)}" for k, v in ref.items()) if isinstance(ref, dict) else str(ref)
    return (
        waterfall_svg(an.steps, float(an.reference_s), float(an.finish_s), label)
        + _table(["cause", "seconds lost"], rows)
        + f"<p class='note'>Reference: {_e(desc)}. Sequential substitution in the order shown; another order shares "
        "the same total differently.</p>"
    )


def _assumptions(inp: ReportInputs) -> str:
    items = list(inp.race.assumptions)
    if inp.analysis is not None:
        seen = {a.name for a in items}
        items += [a for a in inp.analysis.assumptions if a.name not in seen]
    rows = [[a.name, _fmt_value(a.value), a.unit, a.source] for a in items]
    out = _table(["input", "value", "unit", "source"], rows, left=4)
    sc = inp.scenario
    if sc is not None:
        extra = []
        for ph in sc.phases():
            form = sc.formation(ph.formation)
            extra += [f"{form.name}: {a}" for a in form.assumptions]
        for what, note in (("conditions", sc.conditions.note), ("equipment", sc.equipment.note)):
            if note:
                extra.append(f"{what}: {note}")
        if extra:
            out += "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in dict.fromkeys(extra)) + "</ul>"
    return out


def citations(inp: ReportInputs) -> list[str]:
    """The references actually used: the model's, the scenario's sources, the formations' and the analysis'."""
    out = list(inp.race.citations)
    sc = inp.scenario
    if sc is not None:
        out += list(sc.sources)
        for ph in sc.phases():
            src = sc.formation(ph.formation).source
            if src:
                out.append(src)
        if sc.result is not None and sc.result.source:
            out.append(sc.result.source)
    if inp.analysis is not None:
        out += list(getattr(inp.analysis, "citations", []))
    if sc is not None and sc.track.kind == "oval":
        out.append("World Athletics (2019). Track and Field Facilities Manual: the standard 400 m track.")
    return list(dict.fromkeys(c for c in out if c))


def render_report(inp: ReportInputs) -> str:
    """The report as one HTML string."""
    from paceline.version import __version__

    race, sc = inp.race, inp.scenario
    title = (sc.description if sc is not None and sc.description else race.scenario) or "paceline report"
    parts = {
        "summary": ("Summary", _summary(inp)),
        "splits": ("Splits", _splits(inp)),
        "profile": ("Race profile", profile_svg(race)),
        "formations": ("Formations by phase", _formations(inp)),
        "lights": ("Pacing lights", _lights(inp)),
        "pacers": ("Pacers and briefings", _pacers(inp)),
        "time-lost": ("Time lost", _time_lost(inp)),
        "assumptions": ("Assumptions and sources", _assumptions(inp)),
        "citations": (
            "Citations",
            "<ol>" + "".join(f"<li>{_e(c)}</li>" for c in citations(inp)) + "</ol>",
        ),
    }
    nav = "".join(f'<a href="#{k}">{_e(v[0])}</a>' for k, v in parts.items())
    body = "".join(f'<section id="{k}"><h2>{_e(h)}</h2>{content}</section>' for k, (h, content) in parts.items())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}: paceline report</title><style>{CSS}</style></head><body><main>"
        f"<h1>{_e(title)}</h1><p class='note'>paceline {__version__}, {_e(inp.kind)}, scenario "
        f"{_e(race.scenario)}, model {_e(race.model)}, written {stamp}.</p>"
        f"<nav>{nav}</nav>{body}</main></body></html>\n"
    )


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
    plan : paceline.studies.plan.Plan, optional
        A plan already made (``paceline plan --report``): its race, roles, lights and briefings are shown.
    analysis : paceline.studies.analysis.Analysis, optional
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
    out = Path(path)
    if out.is_dir():
        raise ScenarioError(f"{str(out)!r} is a folder; give an .html file name", "output")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
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
