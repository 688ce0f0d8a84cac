"""Pacer rotation: assign the roster to the slots of each phase so that every slot is held by a pacer who can.

Each pacer is checked against the pace of **their own slot's line** (an outer slot runs further on the bends:
:func:`paceline.physics.lines.pacer_lines`) over their whole effort, exactly as :func:`paceline.studies.planning.plan.
pacer_roles` checks a plan: a pacer who enters mid-race from outside runs from their entry, one who starts the race
(``starts_race``, or every pacer of a record-eligible plan: World Athletics TR 6.3.1) runs from the gun.

A greedy assignment, phase by phase, most valuable slot first (the slot whose loss costs the athlete most shelter).
Among the pacers who can hold a slot, those with at least ``reserve`` to spare (default 2 %, an assumption: a
pacer asked for their limit over a whole stint is the likeliest to fade) come first; among those the pacer already
in the slot stays (no handover), else the one with the smallest margin takes it (the strongest are kept for later);
a pacer who has left does not come back. Without anyone over the reserve, the largest margin at or above zero wins.
A slot that nobody can hold is **unfilled**, listed with the speed it needs, never filled silently.

The scenario's own assignment is kept when it is worth more: when it is feasible (every stint within its pacer's
capability) and the proposal is not faster or, equally fast, does not leave more to spare (margins counted up to
the reserve). So a fresh team the scenario brings in is not dropped for a tired one.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from paceline.errors import InfeasibleError, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Pacer, Scenario
    from paceline.models.race import Race
    from paceline.physics.formation import Formation

log = logging.getLogger(__name__)

__all__ = ["DEFAULT_RESERVE", "RotationResult", "assign_pacers", "optimise_rotation", "stint_need"]

#: Capability a pacer should keep in reserve over a stint [-] (assumed: 2 %, about 5 s over a 4-minute mile).
DEFAULT_RESERVE = 0.02


@dataclass
class RotationResult:
    """The proposed assignment.

    Attributes
    ----------
    scenario : Scenario
        The scenario with the proposed pacing (phases keep their distances; an unfilled slot is left out of its
        phase's formation, which is renamed ``<formation>-<n filled>``).
    assignments : list of dict
        ``{phase, slot, pacer, need_m_s, capability_m_s, margin}`` for every filled slot and phase.
    unfilled : list of dict
        ``{phase, slot, from_m, to_m, need_m_s}``: slots nobody on the roster can hold.
    kept_given : bool
        True when the scenario's own assignment was kept (worth at least as much as the proposal).
    notes : list of str
        What was decided and why.
    """

    scenario: Scenario
    assignments: list[dict[str, Any]] = field(default_factory=list)
    unfilled: list[dict[str, Any]] = field(default_factory=list)
    kept_given: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "scenario": self.scenario.name,
            "kept_given": self.kept_given,
            "assignments": self.assignments,
            "unfilled": self.unfilled,
            "notes": self.notes,
        }


def _from_gun(pacer: Pacer, scenario: Scenario) -> bool:
    """A pacer who starts the race runs from the gun (the rule :func:`~paceline.studies.planning.plan.pacer_roles`
    uses)."""
    return bool(pacer.starts_race or (pacer.starts_race is None and scenario.eligibility == "record"))


def stint_need(
    scenario: Scenario, race: Race, dx_m: float, dy_m: float, offset_m: float, enter_m: float, leave_m: float
) -> tuple[float, float, float]:
    """The mean speed a stint asks on the slot's own line.

    Parameters
    ----------
    scenario, race : Scenario, Race
        The scenario and its predicted race (the athlete's clock).
    dx_m, dy_m : float
        The slot relative to the athlete [m].
    offset_m : float
        The pacer's offset from the kerb [m] (the athlete's offset + ``dy_m``).
    enter_m, leave_m : float
        Race distances where the stint starts and ends [m].

    Returns
    -------
    (distance run on the slot's line [m], time at entry [s], time at leaving [s])
    """
    from paceline.physics.formation import Formation, Slot
    from paceline.physics.lines import pacer_lines
    from paceline.physics.track import start_position_m

    t0, t1 = float(race.time_at(enter_m)), float(race.time_at(leave_m))
    if scenario.track.kind != "oval":
        return leave_m - enter_m, t0, t1
    geom = scenario.track.geometry()
    start = start_position_m(scenario.distance_m, geom)
    form = Formation(name="stint", slots=(Slot("s", dx_m, dy_m),), athlete_offset_m=offset_m - dy_m)
    return pacer_lines(form, start + enter_m, start + leave_m, geom)[0].distance_m, t0, t1


def _slot_values(form: Formation) -> dict[str, float]:
    """Shelter the athlete loses when each slot is empty [-]."""
    from paceline.io.fitted import drafting_params
    from paceline.physics import drafting
    from paceline.physics.formation import with_slots

    full = drafting.formation_shelter(form, drafting_params())
    return {
        s.name: full
        - drafting.formation_shelter(with_slots(form, [t for t in form.slots if t is not s]), drafting_params())
        for s in form.slots
    }


def assign_pacers(
    scenario: Scenario, race: Race, reserve: float = DEFAULT_RESERVE
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The greedy assignment of the module docstring for the scenario's phases and formations, on ``race``.

    Returns
    -------
    (pacing, assignments, unfilled)
        ``pacing``: the phases as scenario tables (``from_m``, ``to_m``, ``formation``, ``pacers``), a phase with an
        unfilled slot naming the formation ``<name>-<n>`` (its table is in each unfilled row's ``formation_table``).
    """
    from paceline.studies.planning.plan import pacer_capability_speed

    known = [p for p in scenario.pacers if p.performances]
    cap_cache: dict[tuple[str, float], float | None] = {}

    def capability(p: Pacer, effort_s: float) -> float | None:
        key = (p.name, round(effort_s, 3))
        if key not in cap_cache:
            cap_cache[key] = pacer_capability_speed(p, effort_s)[0]
        return cap_cache[key]

    holder: dict[str, tuple[str, float, float, float]] = {}  # slot -> (pacer, dx, dy, stint start [m])
    left: set[str] = set()
    pacing: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    unfilled: list[dict[str, Any]] = []
    for i, ph in enumerate(scenario.phases()):
        form = scenario.formation(ph.formation)
        value = _slot_values(form)
        used: set[str] = set()
        filled: dict[str, str] = {}
        new_holder: dict[str, tuple[str, float, float, float]] = {}
        for slot in sorted(form.slots, key=lambda s: -value[s.name]):
            offset = form.athlete_offset_m + slot.dy_m
            prev = holder.get(slot.name)
            same_line = prev is not None and prev[1] == slot.dx_m and prev[2] == slot.dy_m
            need_cache: dict[float, tuple[float, float, float]] = {}
            best: tuple[tuple[int, int, float], str, float, float, float] | None = None
            for p in known:
                if p.name in used or p.name in left:
                    continue
                stays = same_line and prev is not None and prev[0] == p.name
                enter = prev[3] if stays and prev is not None else ph.from_m
                if not stays and any(h[0] == p.name for h in holder.values()):
                    continue  # holds another slot until now: a pacer does not change slots mid-race
                if enter not in need_cache:
                    need_cache[enter] = stint_need(scenario, race, slot.dx_m, slot.dy_m, offset, enter, ph.to_m)
                dist, t0, t1 = need_cache[enter]
                gun = _from_gun(p, scenario)
                effort = t1 if gun else t1 - t0
                need = (dist + enter) / t1 if gun else dist / (t1 - t0)
                cap = capability(p, effort)
                if cap is None or cap < need:
                    continue
                margin = cap / need - 1.0
                rich = margin >= reserve
                key = (0 if rich else 1, 0 if stays else 1, margin if rich else -margin)
                if best is None or key < best[0]:
                    best = (key, p.name, margin, need, cap)
            if best is None:
                dist, t0, t1 = stint_need(scenario, race, slot.dx_m, slot.dy_m, offset, ph.from_m, ph.to_m)
                unfilled.append(
                    {"phase": i, "slot": slot.name, "from_m": ph.from_m, "to_m": ph.to_m, "need_m_s": dist / (t1 - t0)}
                )
                continue
            _, name, margin, need, cap = best
            used.add(name)
            filled[slot.name] = name
            start = prev[3] if same_line and prev is not None and prev[0] == name else ph.from_m
            new_holder[slot.name] = (name, slot.dx_m, slot.dy_m, start)
            assignments.append(
                {
                    "phase": i,
                    "slot": slot.name,
                    "pacer": name,
                    "need_m_s": round(need, 4),
                    "capability_m_s": round(cap, 4),
                    "margin": round(margin, 4),
                }
            )
        left |= {h[0] for s, h in holder.items() if new_holder.get(s, ("",))[0] != h[0]}
        holder = new_holder
        kept = [s for s in form.slots if s.name in filled]
        fname = form.name if len(kept) == form.n_pacers else (f"{form.name}-{len(kept)}" if kept else "solo")
        pacing.append(
            {"from_m": ph.from_m, "to_m": ph.to_m, "formation": fname, "pacers": [filled[s.name] for s in kept]}
        )
        if 0 < len(kept) < form.n_pacers:
            pacing[-1]["formation_table"] = {
                "name": fname,
                "description": f"{form.name} with {len(kept)} of its {form.n_pacers} slots filled",
                "source": form.source,
                "athlete_offset_m": form.athlete_offset_m,
                "slots": [{"name": s.name, "dx_m": s.dx_m, "dy_m": s.dy_m} for s in kept],
            }
    return pacing, assignments, unfilled


def scenario_with_pacing(scenario: Scenario, pacing: list[dict[str, Any]], name: str | None = None) -> Scenario:
    """``scenario`` with its phases replaced by ``pacing`` (tables as :func:`assign_pacers` returns them)."""
    from paceline.io.scenario import scenario_from_dict

    data = scenario.model_dump(exclude_none=True)
    forms = dict(data.get("formations", {}))
    phases = []
    for ph in pacing:
        ph = dict(ph)
        table = ph.pop("formation_table", None)
        if table is not None:
            forms[table["name"]] = table
        phases.append(ph)
    data["pacing"] = phases
    data["formations"] = forms
    if name is not None:
        data["name"] = name
    return scenario_from_dict(data)


def plan_worth(scenario: Scenario, race: Race, reserve: float = DEFAULT_RESERVE) -> tuple[float, float] | None:
    """How much a plan is worth: ``(finish time [s] to 0.01 s, -smallest margin up to the reserve)``, lower is
    better; None when a stint asks a pacer for more than they can hold or a pacer's capability is unknown."""
    from paceline.studies.planning.plan import pacer_roles

    roles = pacer_roles(scenario, race)
    if any(r.margin is None or r.margin < 0 for r in roles):
        return None
    low = min([reserve, *(r.margin for r in roles if r.margin is not None)])
    return round(race.finish_s, 2), -round(low, 4)


def optimise_rotation(scenario: Scenario, reserve: float = DEFAULT_RESERVE) -> RotationResult:
    """Propose the assignment of pacers to slots and phases (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        Phases and formations to fill; its roster with performances.
    reserve : float
        Capability a pacer should keep in reserve over a stint [-] (0 to 0.2).

    Raises
    ------
    InfeasibleError
        If the roster has no pacer with performances, so nothing can be checked.
    ScenarioError
        ``reserve`` out of range.
    """
    from paceline.chain import solve

    if not 0.0 <= reserve <= 0.2 or math.isnan(reserve):
        raise ScenarioError(f"{reserve} is not allowed; a reserve of 0 to 0.2 (a fraction of capability)", "reserve")
    if not any(p.performances for p in scenario.pacers):
        raise InfeasibleError(
            "no pacer on the roster has performances, so no rotation can be checked; add each pacer's recent "
            "times (pacers[i].performances)"
        )
    race = solve(scenario)
    pacing, assignments, unfilled = assign_pacers(scenario, race, reserve)
    proposed = scenario_with_pacing(scenario, pacing, f"{scenario.name}-rotation")
    result = RotationResult(scenario=proposed, assignments=assignments, unfilled=unfilled)
    for u in unfilled:
        result.notes.append(
            f"pacing[{u['phase']}] slot {u['slot']!r} unfilled: nobody available can hold {u['need_m_s']:.2f} m/s on "
            f"its line from {u['from_m']:g} to {u['to_m']:g} m"
        )
    given = plan_worth(scenario, race, reserve) if all(ph.pacers for ph in scenario.pacing) else None
    new_race = solve(proposed)
    mine = plan_worth(proposed, new_race, reserve)
    if mine is None:  # the greedy checks every stint as pacer_roles does; a failure here is a bug
        raise InfeasibleError(f"the proposed rotation of {scenario.name!r} asks a pacer for more than they can hold")
    if given is not None and given <= mine:
        result.scenario = scenario
        result.kept_given = True
        result.assignments = _given_assignments(scenario, race)
        result.notes.append(
            f"the scenario's own assignment is kept: as fast ({given[0]:.2f} s) and, counting each pacer's margin up "
            f"to the {reserve:.0%} reserve, at least as safe as the proposal"
        )
    return result


def _given_assignments(scenario: Scenario, race: Race) -> list[dict[str, Any]]:
    """The scenario's own assignment in the rows of :attr:`RotationResult.assignments` (each stint's margin)."""
    from paceline.studies.planning.plan import pacer_roles

    roles = pacer_roles(scenario, race)
    out = []
    for i, ph in enumerate(scenario.phases()):
        form = scenario.formation(ph.formation)
        for slot, name in zip(form.slots, ph.pacers, strict=True):
            r = next(r for r in roles if r.name == name and r.slot == slot.name and r.enter_m <= ph.from_m < r.leave_m)
            out.append(
                {
                    "phase": i,
                    "slot": slot.name,
                    "pacer": name,
                    "need_m_s": round(r.required_speed_m_s, 4),
                    "capability_m_s": round(r.capability_speed_m_s or math.nan, 4),
                    "margin": round(r.margin if r.margin is not None else math.nan, 4),
                }
            )
    return out
