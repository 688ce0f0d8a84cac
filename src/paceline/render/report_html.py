"""The HTML of the report: its sections, inline SVG charts and style, from
:class:`~paceline.studies.analysis.report_inputs.ReportInputs`.

:func:`paceline.studies.analysis.report_inputs.report_inputs` gathers what a report shows; this module only turns it
into one self-contained HTML page (inline CSS and SVG, no script, no link).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.render.svg import bars_svg, formation_panels_svg, line_panels_svg
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race
    from paceline.studies.analysis.report_inputs import ReportInputs


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
    from paceline.studies.planning import plan as plan_mod

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
    from paceline.studies.planning.handover import pacer_cards

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
