"""Pacer cards: one printable page per pacer (HTML with print CSS), the Markdown briefing, and the handover table.

The data comes from :func:`paceline.studies.planning.handover.pacer_cards` and
:func:`paceline.studies.planning.handover.handovers`;
this module only lays it out. Splits are at the track marks the pacer passes (the finish line and every 100 m
past it), never at race distances nobody can see.
"""

from __future__ import annotations

import html
from typing import Any

from paceline.io.athletes import Pronouns, pronouns
from paceline.timefmt import format_time

_CSS = """
@page { size: A4 portrait; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #000; margin: 0; }
.card { page-break-after: always; break-after: page; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 11pt; margin: 8pt 0 3pt; }
p, li { margin: 2pt 0; } table { border-collapse: collapse; }
th, td { border: 0.5pt solid #666; padding: 1.5pt 4pt; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #eee; } td.l, th.l { text-align: left; }
.row { display: flex; gap: 10pt; align-items: flex-start; }
.big { font-size: 13pt; font-weight: bold; }
.warn { font-weight: bold; }
svg text { font-family: "DejaVu Sans", Arial, sans-serif; }
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _slot_words(st: dict[str, Any], athlete: str, her: Pronouns) -> str:
    ahead = f"{abs(st['dx_m']):.1f} m {'ahead of' if st['dx_m'] >= 0 else 'behind'} {athlete}"
    if abs(st["dy_m"]) < 0.05:
        side = f"directly in line with {her.object}"
    else:
        side = f"{abs(st['dy_m']):.1f} m to {her.possessive} {'outside' if st['dy_m'] > 0 else 'inside'}"
    return f"{ahead}, {side}; your line is {st['offset_m']:.2f} m from the kerb"


def _lead_text(st: dict[str, Any]) -> str:
    """``you lead: follow the lead-pacer lights``, naming where when the pacer leads for part of the stint only."""
    spans = st.get("lead_spans") or []
    if not st["lead"]:
        return ""
    if not spans or (len(spans) == 1 and spans[0][0] <= st["enter_m"] + 1e-6 and spans[0][1] >= st["leave_m"] - 1e-6):
        return "you lead: follow the lead-pacer lights"
    where = " and ".join(f"from {a:.0f} m to {b:.0f} m" for a, b in spans)
    return f"you lead {where}: follow the lead-pacer lights"


def _enter_text(st: dict[str, Any], her: Pronouns) -> str:
    if st["enter_m"] <= 1e-6:
        return "at the start"
    return (
        f"{st['enter_mark']['text']} ({her.possessive} {st['enter_m']:.0f} m), race clock {format_time(st['enter_s'])}"
    )


def _leave_text(st: dict[str, Any], her: Pronouns) -> str:
    if st["to_finish"]:
        if st["dx_m"] > 0:
            return (
                "Run through the finish line in your slot unless told otherwise; never ease off in front of "
                f"{her.object}."
            )
        return (
            f"Run through the finish line in your slot unless told otherwise; never cut across {her.possessive} line."
        )
    where = (
        f"{st['leave_mark']['text']} ({her.possessive} {st['leave_m']:.0f} m), race clock {format_time(st['leave_s'])}"
    )
    if st["moves_on"]:
        return f"At {where} change to your next slot below."
    if st["handed_to"]:
        return (
            f"Step off at {where}: {st['handed_to']} takes over your slot; hold your pace until {st['handed_to']} is "
            f"level with you, then drift to the outside (never across {her.possessive} line), ease off gradually "
            "and leave the track at the outside."
        )
    return (
        f"Step off at {where}: nobody replaces you, the formation closes up. Drift to the outside at once (never "
        f"across {her.possessive} line), ease off gradually and leave the track at the outside without stopping in "
        "lane 1 or 2."
    )


def _from_text(st: dict[str, Any]) -> str | None:
    if st["takes_over_from"]:
        return f"You take over from {st['takes_over_from']}: come up on the outside and settle into the slot."
    if st["enter_m"] > 1e-6 and not st["moved_in"]:
        return "Nobody leaves this slot for you: it is a new slot, come up on the outside and settle into it."
    return None


def _split_rows(st: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(s["lap"]),
            s["mark"],
            f"{s['her_at_m']:.0f}",
            format_time(s["time_s"]),
            "" if s["segment_s"] is None else f"{s['segment_s']:.2f}",
            "" if s["pace_s_per_400m"] is None else f"{s['pace_s_per_400m']:.2f}",
        ]
        for s in st["splits"]
    ]


def _split_head(her: Pronouns) -> list[str]:
    return ["lap", "mark you pass", f"{her.possessive} [m]", "clock", "since last mark [s]", "your pace [s/400 m]"]


def briefing_markdown(card: dict[str, Any], plan_info: dict[str, Any]) -> str:
    """A pacer's card as Markdown (``paceline brief`` and ``briefings/NAME.md``).

    Parameters
    ----------
    card : dict
        One item of :func:`paceline.studies.planning.handover.pacer_cards`.
    plan_info : dict
        ``{title, athlete, sex, finish_s, model, target_s}`` (:func:`plan_info`; ``sex`` F or M picks her or his).
    """
    athlete = plan_info["athlete"]
    her = pronouns(plan_info["sex"])
    lines = [
        f"# Pacer card: {card['name']}: {plan_info['title']}",
        "",
        f"Athlete: {athlete}. Planned finish {format_time(plan_info['finish_s'])} ({plan_info['model']} model)"
        + (f", target {format_time(plan_info['target_s'])}." if plan_info.get("target_s") else "."),
        "",
    ]
    for k, st in enumerate(card["stints"], start=1):
        lead = f" ({_lead_text(st)})" if st["lead"] else ""
        her_m = st["leave_m"] - st["enter_m"]
        lines += [f"## Stint {k}: slot '{st['slot']}'{lead}", ""]
        came = _from_text(st)
        lines.append(f"- {'Move into this slot' if st['moved_in'] else 'Enter'} {_enter_text(st, her)}.")
        if came:
            lines.append(f"- {came}")
        lines += [
            f"- Hold your slot: {_slot_words(st, athlete, her)}.",
            *[f"- {n}" for n in st["notes"]],
            f"- Distance you run: {st['distance_run_m']:.1f} m while {her.subject} covers {her_m:.1f} m of race "
            f"distance; mean pace {st['required_pace_s_per_400']:.2f} s per 400 m on your line "
            f"({st['required_speed_m_s']:.2f} m/s).",
        ]
        if st["margin"] is not None:
            verdict = "within" if st["margin"] >= 0 else "BEYOND"
            lines.append(
                f"- This is {verdict} what you can hold for that long ({st['capability_speed_m_s']:.2f} m/s, "
                f"margin {100 * st['margin']:+.1f} %; {st['capability_source']})."
            )
        if st["splits"]:
            head = _split_head(her)
            lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(r) + " |" for r in _split_rows(st)]
        lines += ["", f"- {_leave_text(st, her)}", ""]
    return "\n".join(lines)


def slot_svg(formation: list[dict[str, Any]], width_px: int = 190, sex: str = "F") -> str:
    """The formation from above with this pacer's slot filled black and the athlete as a ring labelled her (``sex``
    F) or him (M); ahead is up, outside right."""
    xs = [0.0] + [s["dy_m"] for s in formation]
    ys = [0.0] + [s["dx_m"] for s in formation]
    pad = 0.9
    x0, x1 = min(xs) - pad, max(xs) + pad + 0.6
    y0, y1 = min(ys) - pad, max(ys) + pad
    scale = width_px / max(x1 - x0, 2.5)
    h = (y1 - y0) * scale + 20

    def px(dy: float, dx: float) -> tuple[float, float]:
        return (dy - x0) * scale, (y1 - dx) * scale + 14

    parts = []
    kx, _ = px(-0.8, 0)  # the kerb is 0.8 m inside her line at most; drawn as a reference at her left
    parts.append(f"<line x1='{kx:.1f}' y1='14' x2='{kx:.1f}' y2='{h - 4:.1f}' stroke='#888' stroke-dasharray='3 3'/>")
    parts.append(f"<text x='{kx + 3:.1f}' y='{h - 6:.1f}' font-size='8' fill='#555'>inside</text>")
    parts.append(f"<text x='{width_px - 10}' y='{h - 6:.1f}' font-size='8' fill='#555'>outside &#8594;</text>")
    parts.append("<text x='2' y='10' font-size='8' fill='#555'>&#8593; running direction</text>")
    ax, ay = px(0.0, 0.0)
    parts.append(f"<circle cx='{ax:.1f}' cy='{ay:.1f}' r='6' fill='white' stroke='#d33' stroke-width='2'/>")
    parts.append(
        f"<text x='{ax - 8:.1f}' y='{ay + 3:.1f}' font-size='8' fill='#d33' text-anchor='end'>"
        f"{pronouns(sex).object}</text>"
    )
    for s in formation:
        cx, cy = px(s["dy_m"], s["dx_m"])
        fill = "#000" if s["me"] else "#fff"
        parts.append(f"<circle cx='{cx:.1f}' cy='{cy:.1f}' r='5' fill='{fill}' stroke='#000'/>")
        if s["me"]:
            parts.append(f"<text x='{cx + 7:.1f}' y='{cy + 3:.1f}' font-size='9' font-weight='bold'>you</text>")
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width_px + 50}' height='{h:.0f}' "
        f"role='img' aria-label='your slot in the formation'>{''.join(parts)}</svg>"
    )


def _html_table(head: list[str], rows: list[list[str]], left: set[int]) -> str:
    th = "".join(f"<th class='l'>{_e(h)}</th>" if i in left else f"<th>{_e(h)}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(f"<td class='l'>{_e(c)}</td>" if i in left else f"<td>{_e(c)}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def card_section(card: dict[str, Any], plan_info: dict[str, Any]) -> str:
    """One pacer's page (an HTML ``section.card``)."""
    athlete = plan_info["athlete"]
    her = pronouns(plan_info["sex"])
    out = [f"<section class='card' id='card-{_e(card['name'])}'><h1>Pacer card: {_e(card['name'])}</h1>"]
    out.append(
        f"<p>{_e(plan_info['title'])}. Athlete {_e(athlete)}; planned finish "
        f"{_e(format_time(plan_info['finish_s']))} ({_e(plan_info['model'])})"
        + (f", target {_e(format_time(plan_info['target_s']))}" if plan_info.get("target_s") else "")
        + ".</p>"
    )
    for k, st in enumerate(card["stints"], start=1):
        lead = f" &mdash; {_e(_lead_text(st))} (white)" if st["lead"] else ""
        out.append(f"<h2>Stint {k}: slot &lsquo;{_e(st['slot'])}&rsquo;{lead}</h2><div class='row'>")
        out.append(slot_svg(st["formation"], sex=plan_info["sex"]))
        verb = "Move into this slot" if st["moved_in"] else "Enter"
        items = [f"<li><b>{verb}</b> {_e(_enter_text(st, her))}.</li>"]
        came = _from_text(st)
        if came:
            items.append(f"<li>{_e(came)}</li>")
        items.append(f"<li><b>Your slot</b>: {_e(_slot_words(st, athlete, her))}.</li>")
        items += [f"<li>{_e(n)}</li>" for n in st["notes"]]
        items.append(
            f"<li><b>Your line</b>: {st['distance_run_m']:.1f} m while {her.subject} covers "
            f"{st['leave_m'] - st['enter_m']:.1f} m of race distance; "
            f"<span class='big'>{st['required_pace_s_per_400']:.2f} s per 400 m</span> "
            f"({st['required_speed_m_s']:.2f} m/s).</li>"
        )
        if st["margin"] is not None:
            cls = "" if st["margin"] >= 0 else " class='warn'"
            verdict = "within" if st["margin"] >= 0 else "BEYOND"
            items.append(
                f"<li{cls}>This is {verdict} what you can hold for that long ({st['capability_speed_m_s']:.2f} m/s, "
                f"margin {100 * st['margin']:+.1f} %).</li>"
            )
        items.append(f"<li><b>Leave</b>: {_e(_leave_text(st, her))}</li>")
        out.append(f"<ul>{''.join(items)}</ul></div>")
        if st["splits"]:
            out.append(_html_table(_split_head(her), _split_rows(st), {1}))
    out.append("</section>")
    return "".join(out)


def handover_rows(hand: list[dict[str, Any]], sex: str = "F") -> tuple[list[str], list[list[str]]]:
    """The team's handover table: where (the athlete's race distance, headed her or his by ``sex``), when, who leaves
    which slot and who takes it."""
    head = [f"{pronouns(sex).possessive} [m]", "clock", "leaves", "slot", "takes over", "slot"]
    rows = []
    for h in hand:
        if h["move"]:
            who_in, slot_in = f"{h['in']} (moves on)", h["in_slot"]
        else:
            who_in, slot_in = (h["in"], h["in_slot"]) if h["in"] else ("nobody (slot closes)", "")
        rows.append(
            [
                f"{h['at_m']:.0f}",
                format_time(h["at_s"]),
                h["out"] or "(new slot)",
                h["out_slot"] or "",
                who_in,
                slot_in or "",
            ]
        )
    return head, rows


def pacer_cards_html(
    cards: list[dict[str, Any]], hand: list[dict[str, Any]], plan_info: dict[str, Any], handover_table: bool = True
) -> str:
    """Every pacer's card, one printed page each, then (``handover_table``) the handovers of the whole team."""
    head, rows = handover_rows(hand, plan_info["sex"])
    table = _html_table(head, rows, {2, 3, 4, 5}) if rows else "<p>No handovers: every pacer runs to the finish.</p>"
    tail = f"<section id='handovers'><h1>Handovers: the whole team</h1>{table}</section>" if handover_table else ""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Pacer cards: {_e(plan_info['title'])}</title><style>{_CSS}</style></head><body>"
        + "".join(card_section(c, plan_info) for c in cards)
        + f"{tail}</body></html>\n"
    )


def plan_info(plan: Any) -> dict[str, Any]:
    """What every card's heading names, from a :class:`paceline.studies.planning.plan.Plan`."""
    sc, race = plan.scenario, plan.race
    return {
        "title": sc.description or sc.name,
        "athlete": sc.athlete.name,
        "sex": sc.athlete.sex,
        "finish_s": race.finish_s,
        "model": race.model,
        "target_s": sc.target_s,
    }
