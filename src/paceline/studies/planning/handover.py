"""Who hands over to whom, and what each pacer's card must say: the data of the pacer cards.

A handover happens where a pacer's stint ends before the finish. Its successor is the pacer who enters the same
slot (by name) at that point; failing that, the entering pacer whose slot is nearest (along-track and lateral
distance); failing that, nobody: the formation shrinks and the slot stays empty. A pacer who changes slot at a
phase boundary hands over to whoever takes the old slot and takes the new one over from whoever left it.

Splits on a card are at the track marks (:mod:`paceline.studies.planning.marks`) as the pacer passes them: a slot is
held in
track coordinates ``dx_m`` ahead of the athlete, so the pacer is at a mark when she is ``dx_m`` behind it.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.physics import track as trk
from paceline.studies.planning.marks import mark_crossings

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race
    from paceline.studies.planning.plan import PacerRole, Plan

#: Lateral offset below which a slot counts as directly in line with the athlete [m].
IN_LINE_M = 0.05


def handovers(roles: list[PacerRole], distance_m: float) -> list[dict[str, Any]]:
    """Every handover of a plan, in race order.

    Returns
    -------
    list of dict
        ``{at_m, at_s, out, out_slot, in, in_slot}``: race distance [m] and clock [s] of the handover, the pacer
        leaving and their slot, the pacer taking over (None: nobody, the slot stays empty) and their slot, and
        ``move`` (True: the same pacer goes on in another slot or at another gap). Pacers who enter a slot nobody
        left appear with ``out`` None.
    """
    out: list[dict[str, Any]] = []
    points = sorted({round(r.leave_m, 6) for r in roles if r.leave_m < distance_m - 1e-6})
    points += sorted({round(r.enter_m, 6) for r in roles if r.enter_m > 1e-6} - set(points))
    for b in sorted(points):
        leaving = [r for r in roles if abs(r.leave_m - b) < 1e-6]
        entering = [r for r in roles if abs(r.enter_m - b) < 1e-6]
        movers = {r.name for r in leaving} & {e.name for e in entering}
        for r in leaving:
            if r.name in movers:  # the same pacer goes on in another (or a moved) slot: no handover
                e = next(e for e in entering if e.name == r.name)
                out.append(_row(r.leave_m, r.leave_s, r.name, r.slot, e.name, e.slot) | {"move": True})
        leaving = [r for r in leaving if r.name not in movers]
        entering = [e for e in entering if e.name not in movers]
        taken: set[int] = set()
        for r in leaving:
            succ = _successor(r, entering, taken)
            if succ is not None:
                taken.add(id(succ))
            out.append(
                _row(r.leave_m, r.leave_s, r.name, r.slot, succ.name if succ else None, succ.slot if succ else None)
            )
        for e in entering:
            if id(e) not in taken:
                out.append(_row(e.enter_m, e.enter_s, None, None, e.name, e.slot))
    return out


def _row(
    at_m: float, at_s: float, out: str | None, out_slot: str | None, inn: str | None, in_slot: str | None
) -> dict[str, Any]:
    return {"at_m": at_m, "at_s": at_s, "out": out, "out_slot": out_slot, "in": inn, "in_slot": in_slot, "move": False}


def _successor(r: PacerRole, entering: list[PacerRole], taken: set[int]) -> PacerRole | None:
    free = [e for e in entering if id(e) not in taken and e.name != r.name]
    same = [e for e in free if e.slot == r.slot]
    if same:
        return same[0]
    if not free:
        return None
    return min(free, key=lambda e: math.hypot(e.dx_m - r.dx_m, e.dy_m - r.dy_m))


def mark_splits(scenario: Scenario, race: Race, role: PacerRole) -> list[dict[str, Any]]:
    """The marks a pacer passes in a stint and the race clock when they do.

    Returns
    -------
    list of dict
        ``{mark, lap, pacer_at_m, her_at_m, time_s, segment_s, pace_s_per_400m}``: the mark, the race distance of
        the mark on the pacer's line and hers when the pacer passes it [m], the clock [s], and the time and pace
        per 400 m on the pacer's own line since the previous mark (None for the first).
    """
    from paceline.studies.planning.plan import own_line_m

    rows = []
    for m in mark_crossings(scenario):
        her = m["race_distance_m"] - role.dx_m
        if not role.enter_m - 1e-6 <= her <= role.leave_m + 1e-6 or m["mark"] == "start":
            continue
        rows.append(
            {
                "mark": m["mark"],
                "lap": m["lap"],
                "pacer_at_m": m["race_distance_m"],
                "her_at_m": her,
                "time_s": float(race.time_at(her)),
            }
        )
    for a, b in itertools.pairwise(rows):
        b["segment_s"] = b["time_s"] - a["time_s"]
        own = own_line_m(scenario, role, a["her_at_m"], b["her_at_m"])
        b["pace_s_per_400m"] = 400.0 * b["segment_s"] / own if own > 0 else None
    if rows:
        rows[0]["segment_s"] = None
        rows[0]["pace_s_per_400m"] = None
    return rows


def slot_notes(scenario: Scenario, role: PacerRole) -> list[str]:
    """Instructions that apply to this slot only: in line, outside or inside her, ahead or behind, the lead."""
    from paceline.io.athletes import pronouns

    her = pronouns(scenario.athlete.sex)
    geom = scenario.track.geometry()
    notes: list[str] = []
    per_lap = 2 * math.pi * role.dy_m  # lateral offset from her line, held through both bends
    if scenario.track.kind == "oval" and abs(role.dy_m) >= IN_LINE_M:
        bend = geom.bend_m
        pct = 100 * role.dy_m / geom.reference_radius_m
        if role.dy_m > 0:
            notes.append(
                f"You are {role.dy_m:.1f} m outside {her.object}: you run {per_lap:.1f} m more than {her.object} every "
                f"lap, so on each bend ({bend:.0f} m) run {pct:.1f} % faster than {her.object} to stay level; on the "
                f"straights run {her.possessive} pace."
            )
        else:
            notes.append(
                f"You are {-role.dy_m:.1f} m inside {her.object} (still outside the kerb): you run {-per_lap:.1f} m "
                f"less than {her.object} every lap, so on the bends run {-pct:.1f} % slower than {her.object} to stay "
                "level."
            )
    elif abs(role.dy_m) < IN_LINE_M:
        notes.append(
            f"You run {her.possessive} line: same metres, same pace; hold the gap on the bends exactly as on the "
            "straights."
        )
    if role.dx_m < 0:
        notes.append(
            f"You run {-role.dx_m:.1f} m behind {her.object}: watch {her.possessive} back, never clip "
            f"{her.possessive} heels; you shelter {her.object} little, you are there to close the pocket."
        )
    return notes


def lead_spans(scenario: Scenario, role: PacerRole) -> list[tuple[float, float]]:
    """Where in a stint the pacer leads: ``(from_m, to_m)`` of the athlete's race distance [m] in which the slot is
    the lead gap of its phase (:func:`paceline.studies.planning.lead_gap.lead_gaps`: the largest ``dx_m`` ahead, >
    0)."""
    from paceline.studies.planning.lead_gap import lead_gaps

    out: list[tuple[float, float]] = []
    for a, b, gap in lead_gaps(scenario):
        lo, hi = max(a, role.enter_m), min(b, role.leave_m)
        if gap > 0 and abs(gap - role.dx_m) < 1e-9 and hi - lo > 1e-6:
            if out and abs(out[-1][1] - lo) < 1e-6:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


def pacer_cards(plan: Plan) -> list[dict[str, Any]]:
    """Everything a pacer's card shows, one dict per pacer in name order.

    Returns
    -------
    list of dict
        ``{name, stints}``; each stint: ``{slot, dx_m, dy_m, offset_m, enter_m, enter_s, enter_mark, leave_m,
        leave_s, leave_mark, to_finish, moved_in, moves_on, distance_run_m, required_pace_s_per_400,
        required_speed_m_s, margin, capability_speed_m_s, capability_source, lead, lead_spans, takes_over_from,
        handed_to, notes, splits, formation}`` (``lead_spans``: where in the stint the pacer leads, :func:`lead_spans`;
        ``lead``: anywhere; ``formation``: every slot of the formation at the stint's start, for the diagram).
    """
    sc, race = plan.scenario, plan.race
    hand = handovers(plan.roles, sc.distance_m)
    cards = []
    for name in sorted({r.name for r in plan.roles}):
        stints = []
        for r in (r for r in plan.roles if r.name == name):
            came = next((h for h in hand if h["in"] == name and abs(h["at_m"] - r.enter_m) < 1e-6), None)
            went = next((h for h in hand if h["out"] == name and abs(h["at_m"] - r.leave_m) < 1e-6), None)
            moved_in, moved_on = bool(came and came["move"]), bool(went and went["move"])
            spans = lead_spans(sc, r)
            stints.append(
                {
                    "slot": r.slot,
                    "dx_m": r.dx_m,
                    "dy_m": r.dy_m,
                    "offset_m": r.offset_m,
                    "enter_m": r.enter_m,
                    "enter_s": r.enter_s,
                    "enter_mark": where_on_track(sc, r.enter_m + r.dx_m),
                    "leave_m": r.leave_m,
                    "leave_s": r.leave_s,
                    "leave_mark": where_on_track(sc, r.leave_m + r.dx_m),
                    "to_finish": r.leave_m >= sc.distance_m - 1e-6,
                    "distance_run_m": r.distance_run_m,
                    "required_pace_s_per_400": r.required_pace_s_per_400,
                    "required_speed_m_s": r.required_speed_m_s,
                    "margin": r.margin,
                    "capability_speed_m_s": r.capability_speed_m_s,
                    "capability_source": r.capability_source,
                    "lead": bool(spans),
                    "lead_spans": spans,
                    "takes_over_from": came["out"] if came and not moved_in else None,
                    "handed_to": went["in"] if went and not moved_on else None,
                    "moved_in": moved_in,
                    "moves_on": moved_on,
                    "notes": slot_notes(sc, r),
                    "splits": mark_splits(sc, race, r) if sc.track.kind == "oval" else [],
                    "formation": _formation_at(plan, r),
                }
            )
        cards.append({"name": name, "stints": stints})
    return cards


def _formation_at(plan: Plan, role: PacerRole) -> list[dict[str, Any]]:
    return [
        {"name": r.name, "slot": r.slot, "dx_m": r.dx_m, "dy_m": r.dy_m, "me": r is role}
        for r in plan.roles
        if r.enter_m <= role.enter_m + 1e-6 and r.leave_m > role.enter_m + 1e-6
    ]


def where_on_track(scenario: Scenario, x_m: float) -> dict[str, Any]:
    """Where a race distance is on the track: the part (bend 1, back straight, bend 2, home straight), metres to
    the finish line, and the nearest 100 m mark with the metres past it; on a road, only the distance."""
    if scenario.track.kind != "oval":
        return {"race_distance_m": x_m, "part": "road", "text": f"{x_m:.0f} m into the race"}
    geom = scenario.track.geometry()
    s = float((trk.start_position_m(scenario.distance_m, geom) + x_m) % geom.lap_m)
    bend, st = geom.bend_m, geom.straight_m
    part = (
        "bend 1"
        if s < bend
        else "the back straight"
        if s < bend + st
        else "bend 2"
        if s < 2 * bend + st
        else "the home straight"
    )
    mark = float(np.floor(s / 100.0 + 1e-9) * 100.0)
    past = s - mark
    mark_txt = "the finish line" if mark < 1e-6 else f"the {mark:.0f} m mark"
    text = f"{past:.0f} m past {mark_txt}, on {part}" if past >= 0.5 else f"at {mark_txt}, on {part}"
    return {"race_distance_m": x_m, "part": part, "pos_m": s, "mark_m": mark, "past_mark_m": past, "text": text}
