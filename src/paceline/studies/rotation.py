"""Pacer rotation: assign the roster to the slots of each phase so the best shelter lasts as long as the pacers can.

A greedy assignment, phase by phase, most valuable slot first (the slot whose loss costs the athlete most shelter):
a pacer already in the slot stays if they can hold the longer stint; otherwise the capable pacer with the smallest
positive margin takes it (keeping the strongest for later); a pacer who has left does not come back. A slot that
nobody can hold is dropped from that phase, and the note says so. Record-eligible plans only use pacers who start
the race (World Athletics TR 6.3.1).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paceline.errors import InfeasibleError

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario

log = logging.getLogger(__name__)


@dataclass
class RotationResult:
    """The proposed assignment.

    Attributes
    ----------
    scenario : Scenario
        The scenario with the proposed pacing (phases keep their distances; slots may be dropped).
    assignments : list of dict
        ``{phase, slot, pacer, margin}`` for every filled slot.
    notes : list of str
        Slots dropped and why.
    """

    scenario: Scenario
    assignments: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def optimise_rotation(scenario: Scenario) -> RotationResult:
    """Propose the assignment of pacers to slots and phases (see the module docstring).

    Raises
    ------
    InfeasibleError
        If the roster has no pacer with performances, so nothing can be checked.
    """
    from paceline.chain import solve
    from paceline.io.fitted import drafting_params
    from paceline.io.scenario import scenario_from_dict
    from paceline.physics import drafting
    from paceline.physics.formation import with_slots
    from paceline.studies.plan import pacer_capability_speed, pacer_roles

    roster = {p.name: p for p in scenario.pacers}
    known = {n: p for n, p in roster.items() if p.performances}
    if not known:
        raise InfeasibleError(
            "no pacer on the roster has performances, so no rotation can be checked; add each pacer's recent "
            "times (pacers[i].performances)"
        )
    if scenario.eligibility == "record":
        known = {n: p for n, p in known.items() if p.starts_race is not False}
    race = solve(scenario)
    data = scenario.model_dump(exclude_none=True)
    for rng in ("temperature_c_range", "wind_speed_m_s_range", "relative_humidity_range"):
        data.get("conditions", {}).pop(rng, None)
    phases = scenario.phases()
    holder: dict[str, str] = {}  # slot -> pacer in the previous phase
    stint_start: dict[str, float] = {}
    left: set[str] = set()
    new_pacing: list[dict[str, Any]] = []
    new_forms: dict[str, Any] = dict(data.get("formations", {}))
    result = RotationResult(scenario=scenario)
    for i, ph in enumerate(phases):
        form = scenario.formation(ph.formation)
        # most valuable slot first: shelter lost when it is empty
        full = drafting.formation_shelter(form, drafting_params())
        value = {
            s.name: full
            - drafting.formation_shelter(with_slots(form, [t for t in form.slots if t is not s]), drafting_params())
            for s in form.slots
        }
        order = sorted(form.slots, key=lambda s: -value[s.name])
        t0, t1 = float(race.time_at(ph.from_m)), float(race.time_at(ph.to_m))
        used: set[str] = set()
        filled: dict[str, str] = {}
        margins: dict[str, float] = {}
        for slot in order:
            speed_need = (ph.to_m - ph.from_m) / (t1 - t0)  # athlete's mean speed; outer slots need a bit more
            candidates = []
            for name, p in known.items():
                if name in used or name in left:
                    continue
                begin = stint_start.get(name, t0) if holder.get(slot.name) == name else t0
                from_gun = p.starts_race or scenario.eligibility == "record"
                start_t = 0.0 if from_gun else begin
                cap, _ = pacer_capability_speed(p, t1 - start_t)
                if cap is None:
                    continue
                margin = cap / speed_need - 1.0
                if margin >= 0:
                    stays = holder.get(slot.name) == name
                    candidates.append((0 if stays else 1, margin, name))
            if not candidates:
                result.notes.append(
                    f"pacing[{i}] slot {slot.name!r} dropped: no available pacer can hold "
                    f"{speed_need:.2f} m/s from {ph.from_m:g} to {ph.to_m:g} m"
                )
                continue
            _, margin, name = min(candidates)
            if holder.get(slot.name) != name:
                stint_start[name] = t0
            used.add(name)
            filled[slot.name] = name
            margins[slot.name] = margin
        for slot_name, prev in holder.items():
            if filled.get(slot_name) != prev:
                left.add(prev)
        holder = dict(filled)
        kept = [s for s in form.slots if s.name in filled]
        fname = form.name
        if len(kept) < form.n_pacers:
            fname = f"{form.name}-{len(kept)}"
            new_forms[fname] = {
                "name": fname,
                "description": f"{form.name} with {len(kept)} of its {form.n_pacers} slots filled",
                "source": form.source,
                "athlete_offset_m": form.athlete_offset_m,
                "slots": [{"name": s.name, "dx_m": s.dx_m, "dy_m": s.dy_m} for s in kept],
            }
        new_pacing.append(
            {
                "from_m": ph.from_m,
                "to_m": ph.to_m,
                "formation": fname if kept else "solo",
                "pacers": [filled[s.name] for s in kept],
            }
        )
        for s in kept:
            result.assignments.append(
                {"phase": i, "slot": s.name, "pacer": filled[s.name], "margin": round(margins[s.name], 4)}
            )
    data["pacing"] = new_pacing
    data["formations"] = new_forms
    data["name"] = f"{scenario.name}-rotation"
    result.scenario = scenario_from_dict(data)
    # check the stints as they will really run (slot lines, whole stints)
    for r in pacer_roles(result.scenario, solve(result.scenario)):
        if r.margin is not None and r.margin < 0:
            result.notes.append(f"{r.name} ({r.slot}) is short by {100 * -r.margin:.1f} % over the whole stint")
    return result
