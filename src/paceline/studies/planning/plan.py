"""The race plan: pacer roles and their feasibility, the pacing-light schedule, and the rules.

A plan reads a scenario and the :class:`~paceline.models.race.Race` a model made of it, and adds what a race organiser
needs to run it: who runs where and how fast on their own line, whether they can, where the lights must be, and
whether a record-eligible plan breaks a pacing rule. It adds no physics of its own.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.jsonable import to_jsonable
from paceline.physics import aero
from paceline.physics import track as trk
from paceline.studies.planning.lead_gap import lead_gap_knots, lead_train_words
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Pacer, Scenario
    from paceline.models.race import Race

log = logging.getLogger(__name__)

#: Riegel's endurance exponent: t2 = t1 (d2/d1)^1.06 (Riegel 1981, Am. Sci. 69:285), for a pacer known by one time.
RIEGEL_EXPONENT = 1.06

#: Light colours of the trains (Breaking4 ran green Wavelights at the target pace).
TRAIN_COLOURS = {"target": "green", "plan": "blue", "lead-pacer": "white"}


@dataclass
class PacerRole:
    """One stint of one pacer in one slot.

    Attributes
    ----------
    name, slot : str
        Pacer and slot names.
    dx_m, dy_m : float
        Slot relative to the athlete [m] (ahead, outward).
    offset_m : float
        The pacer's lateral offset from the kerb [m].
    enter_m, leave_m : float
        Race distance of the athlete where the stint starts and ends [m].
    enter_s, leave_s : float
        Race clock at those points [s].
    distance_run_m : float
        Distance the pacer runs in the stint on their own line [m].
    required_speed_m_s : float
        Mean speed on their line over the stint [m/s].
    required_pace_s_per_400 : float
        The same as seconds per 400 m of their own line.
    peak_speed_m_s : float
        Fastest 200 m of the stint on their line [m/s].
    capability_speed_m_s : float or None
        Fastest mean speed they can hold for that long (from their performances) [m/s].
    margin : float or None
        ``capability / required - 1``; negative: asked for more than they can hold.
    capability_source : str
        How the capability was estimated.
    """

    name: str
    slot: str
    dx_m: float
    dy_m: float
    offset_m: float
    enter_m: float
    leave_m: float
    enter_s: float = 0.0
    leave_s: float = 0.0
    distance_run_m: float = 0.0
    required_speed_m_s: float = 0.0
    required_pace_s_per_400: float = 0.0
    peak_speed_m_s: float = 0.0
    capability_speed_m_s: float | None = None
    margin: float | None = None
    capability_source: str = "no performances given"

    @property
    def feasible(self) -> bool | None:
        """True/False when the capability is known, else None."""
        return None if self.margin is None else self.margin >= 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with rounded numbers."""
        d = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}
        d["feasible"] = self.feasible
        return d


@dataclass
class RuleCheck:
    """The result of checking one World Athletics rule on a plan."""

    rule: str
    requirement: str
    status: str  # "ok", "breach", "check"
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        """As a dict."""
        return asdict(self)


@dataclass
class Plan:
    """A plan an organiser can run: the race, the pacers' roles, the lights and the rules.

    Attributes
    ----------
    scenario : Scenario
        The scenario planned.
    race : Race
        The predicted race.
    roles : list of PacerRole
        Every pacer stint.
    lights : list of dict
        The light schedule (see :func:`light_schedule`).
    rules : list of RuleCheck
        Rule checks (record-eligible plans only; exhibitions list what would breach).
    notes : list of str
        Warnings for the organiser.
    """

    scenario: Scenario
    race: Race
    roles: list[PacerRole]
    lights: list[dict[str, Any]]
    rules: list[RuleCheck]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The plan as one JSON-ready object."""
        sc, race = self.scenario, self.race
        return to_jsonable(
            {
                "scenario": sc.name,
                "description": sc.description,
                "model": race.model,
                "finish_s": round(race.finish_s, 3),
                "finish": race.finish,
                "target_s": sc.target_s,
                "target": format_time(sc.target_s) if sc.target_s else None,
                "eligibility": sc.eligibility,
                "splits": race.splits(),
                "splits_400m": race.splits(every_m=400.0),
                "splits_200m": race.splits(every_m=200.0),
                "shelter": shelter_profile(race),
                "pacers": [r.to_dict() for r in self.roles],
                "lights": {
                    "spacing_m": self.lights[1]["race_distance_m"] - self.lights[0]["race_distance_m"]
                    if len(self.lights) > 1
                    else None,
                    "trains": sorted({row["train"] for row in self.lights}),
                    "n_points": len(self.lights),
                    "summary": lights_summary(self.lights),
                },
                "rules": [r.to_dict() for r in self.rules],
                "notes": self.notes,
                "inputs": [a.to_dict() for a in race.assumptions],
            }
        )

    def write(self, out_dir: str | Path, files: Mapping[str, str | bytes], force: bool = False) -> list[Path]:
        """Write ``files`` (relative path -> text or bytes; see :func:`paceline.render.plan_files.plan_files`) as
        the folder ``out_dir``, all at once (:func:`paceline.io.outputs.write_folder`).

        A reader sees the previous folder or the complete new plan, never a mix, even if the process is killed; a
        reused folder holds only the new plan. A non-empty folder that is not a paceline output is refused unless
        ``force``.
        """
        from paceline.io.outputs import write_folder

        return write_folder(out_dir, files, kind="plan", force=force)


# ---- pacers ----------------------------------------------------------------------------------------------------


def pacer_capability_speed(pacer: Pacer, duration_s: float) -> tuple[float | None, str]:
    """The fastest mean speed a pacer can hold for ``duration_s`` seconds, from their performances.

    Two or more performances: critical speed and D' (``v = CS + D'/t``). One: Riegel's endurance law with
    exponent 1.06. None: unknown.

    Returns
    -------
    (speed [m/s] or None, how it was estimated)
    """
    perfs = pacer.performances
    if not perfs:
        return None, "no performances given"
    if len(perfs) >= 2:
        from paceline.fit.performances import fit_critical_speed

        fit = fit_critical_speed(perfs)
        cs, dp = fit.params["cs_m_s"], fit.params["dprime_m"]
        return cs + dp / duration_s, f"critical speed {cs:.2f} m/s, D' {dp:.0f} m from {len(perfs)} performances"
    p = perfs[0]
    # Riegel: t = t1 (d/d1)^k  ->  for a duration t the distance is d1 (t/t1)^(1/k)
    d = p.distance_m * (duration_s / p.time_s) ** (1.0 / RIEGEL_EXPONENT)
    return d / duration_s, f"Riegel (1981) exponent 1.06 from {p.distance_m:g} m in {format_time(p.time_s)}"


def pacer_roles(scenario: Scenario, race: Race) -> list[PacerRole]:
    """Every pacer stint of a scenario, with the distance, speed and pace it asks of the pacer.

    Consecutive phases in which a pacer keeps the same slot are one stint. A pacer's speed follows the athlete's
    predicted speed, scaled by the length of their line against hers (outer slots run further on the bends).
    """
    from paceline.physics.lines import pacer_lines

    geom = scenario.track.geometry()
    start = trk.start_position_m(scenario.distance_m, geom) if scenario.track.kind == "oval" else 0.0
    roster = {p.name: p for p in scenario.pacers}
    stints: list[PacerRole] = []
    for ph in scenario.phases():
        form = scenario.formation(ph.formation)
        names = list(ph.pacers) or [f"{form.name}:{s.name}" for s in form.slots]
        for slot, name in zip(form.slots, names, strict=True):
            prev = next(
                (r for r in stints if r.name == name and r.slot == slot.name and abs(r.leave_m - ph.from_m) < 1e-6),
                None,
            )
            if prev is not None and prev.dx_m == slot.dx_m and prev.dy_m == slot.dy_m:
                prev.leave_m = ph.to_m
                continue
            stints.append(
                PacerRole(
                    name=name,
                    slot=slot.name,
                    dx_m=slot.dx_m,
                    dy_m=slot.dy_m,
                    offset_m=form.athlete_offset_m + slot.dy_m,
                    enter_m=ph.from_m,
                    leave_m=ph.to_m,
                )
            )
    for r in stints:
        form_slots = _single_slot_formation(r)
        r.enter_s = float(race.time_at(r.enter_m))
        r.leave_s = float(race.time_at(r.leave_m))
        duration = r.leave_s - r.enter_s
        if scenario.track.kind == "oval":
            line = pacer_lines(form_slots, start + r.enter_m, start + r.leave_m, geom)[0]
            r.distance_run_m = line.distance_m
        else:
            r.distance_run_m = r.leave_m - r.enter_m
        r.required_speed_m_s = r.distance_run_m / duration
        r.required_pace_s_per_400 = 400.0 * duration / r.distance_run_m
        r.peak_speed_m_s = max(seg["speed_m_s"] for seg in pacer_segments(scenario, race, r, 200.0))
        pacer = roster.get(r.name)
        if pacer is not None:
            # a pacer who starts the race runs from the gun: the effort lasts until they leave
            from_gun = pacer.starts_race or (pacer.starts_race is None and scenario.eligibility == "record")
            effort_s = r.leave_s if from_gun else duration
            cap, src = pacer_capability_speed(pacer, effort_s)
            if cap is not None:
                need = (r.distance_run_m + r.enter_m) / r.leave_s if from_gun else r.required_speed_m_s
                r.capability_speed_m_s = cap
                r.margin = cap / need - 1.0
            r.capability_source = src
    return stints


def _single_slot_formation(role: PacerRole) -> Any:
    from paceline.physics.formation import Formation, Slot

    return Formation(
        name=f"{role.name}:{role.slot}",
        slots=(Slot(role.slot, role.dx_m, role.dy_m),),
        athlete_offset_m=role.offset_m - role.dy_m,
    )


def own_line_m(scenario: Scenario, role: PacerRole, from_m: float, to_m: float) -> float:
    """Metres the pacer in ``role``'s slot runs on their own line while the athlete runs from ``from_m`` to ``to_m``
    of her race [m] (:func:`paceline.physics.lines.pacer_lines`; on a road, hers)."""
    from paceline.physics.lines import pacer_lines

    if scenario.track.kind != "oval":
        return to_m - from_m
    geom = scenario.track.geometry()
    start = trk.start_position_m(scenario.distance_m, geom)
    return pacer_lines(_single_slot_formation(role), start + from_m, start + to_m, geom)[0].distance_m


def pacer_segments(scenario: Scenario, race: Race, role: PacerRole, every_m: float = 200.0) -> list[dict[str, float]]:
    """The pacer's stint cut into segments of the athlete's race distance: time, own-line distance
    (:func:`own_line_m`), speed."""
    first = math.floor(role.enter_m / every_m + 1e-9) * every_m + every_m
    edges = [role.enter_m, *np.arange(first, role.leave_m - 1e-6, every_m).tolist(), role.leave_m]
    out = []
    for a, b in itertools.pairwise(edges):
        ta, tb = float(race.time_at(a)), float(race.time_at(b))
        dist = own_line_m(scenario, role, a, b)
        out.append(
            {"from_m": a, "to_m": b, "from_s": ta, "to_s": tb, "distance_m": dist, "speed_m_s": dist / (tb - ta)}
        )
    return out


def shelter_profile(race: Race) -> list[dict[str, float]]:
    """Shelter by stretch of constant formation: ``[{from_m, to_m, shelter}]``."""
    if "shelter" not in race.series:
        return []
    s = np.asarray(race.series["shelter"])
    x = race.x_m
    out: list[dict[str, float]] = []
    start = 0
    for i in range(1, s.size + 1):
        if i == s.size or abs(s[i] - s[start]) > 1e-9:
            out.append(
                {
                    "from_m": round(float(x[start]), 3),
                    "to_m": round(float(x[i - 1]), 3),
                    "shelter": round(float(s[start]), 4),
                }
            )
            start = i
    return out


# ---- lights ----------------------------------------------------------------------------------------------------


#: Light trains a schedule can run, in the order they are listed.
TRAINS = ("target", "plan", "lead-pacer")


def require_track(scenario: Scenario) -> None:
    """Refuse pacing lights for a race off the track.

    Raises
    ------
    ScenarioError
        ``track.kind``: a road race has no rail of lights along a kerb.
    """
    if scenario.track.kind != "oval":
        raise ScenarioError(
            f"pacing lights need a track; {scenario.name!r} is a {scenario.track.kind} race (track.kind = "
            f"{scenario.track.kind!r}) with no rail of lights",
            "track.kind",
        )


def train_times(scenario: Scenario, race: Race, train: str, x_m: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """When a light train's front is at race distances ``x_m`` [s] (None: the train does not run).

    ``target`` runs even pace to the scenario's target (None without a target), ``plan`` follows the predicted
    race, ``lead-pacer`` runs the plan's profile ahead of the athlete by each phase's lead gap (the largest ``dx_m``
    of the phase's formation, :func:`~paceline.studies.planning.lead_gap.lead_gaps`): the lights the lead pacer follows.
    Where nobody runs ahead the gap is 0 and the lead-pacer train is the plan itself. At a phase change the gap moves
    to the new one at :data:`~paceline.studies.planning.lead_gap.LEAD_GAP_RAMP`
    (:func:`~paceline.studies.planning.lead_gap.lead_gap_knots`), so the train's times never decrease along the rail.
    Its
    front starts the race the first gap ahead (the lights up to there are lit at the gun) and finishes when the athlete
    is the last gap short of the line.

    Raises
    ------
    ScenarioError
        ``train``: not one of :data:`TRAINS`.
    """
    x = np.asarray(x_m, dtype=float)
    d = scenario.distance_m
    if train == "target":
        return None if not scenario.target_s else scenario.target_s * x / d
    if train == "plan":
        return np.asarray(race.time_at(x), dtype=float)
    if train == "lead-pacer":
        ys, gs = lead_gap_knots(scenario)
        # the front is at y + gap(y) when the athlete is at y: strictly increasing (the gap changes slower than y)
        y = np.interp(x, ys + gs, ys)
        return np.asarray(race.time_at(np.clip(y, 0.0, d)), dtype=float)
    raise ScenarioError(f"{train!r} is not a light train; allowed {', '.join(TRAINS)}", "train")


def train_label(scenario: Scenario, race: Race, train: str) -> str:
    """The name of a train as the sheet and the files show it, e.g. ``target: even pace to 3:59.99 (green)``."""
    colour = TRAIN_COLOURS[train]
    if train == "target":
        what = f"even pace to the target {format_time(scenario.target_s)}" if scenario.target_s else "no target"
    elif train == "plan":
        what = f"the predicted race, {format_time(race.finish_s)} ({race.model})"
    else:
        what = f"{lead_train_words(scenario)}: what the lead pacer follows"
    return f"{train}: {what} ({colour})"


def check_light_spacing(spacing_m: float, distance_m: float) -> None:
    """Refuse a light spacing outside :data:`~paceline.io.limits.LIGHT_SPACING_RANGE_M` or one that puts more than
    :data:`~paceline.io.limits.MAX_LIGHTS` lights along the race (the schedule has a row per light per train)."""
    from paceline.io.limits import LIGHT_SPACING_RANGE_M, MAX_LIGHTS, check_range

    check_range(spacing_m, *LIGHT_SPACING_RANGE_M, "spacing_m", "m")
    if distance_m / spacing_m > MAX_LIGHTS:
        raise ScenarioError(
            f"{spacing_m:g} m over {distance_m:g} m is {distance_m / spacing_m:,.0f} lights; at most {MAX_LIGHTS:,}",
            "spacing_m",
        )


def light_schedule(
    scenario: Scenario,
    race: Race,
    spacing_m: float = 1.0,
    trains: tuple[str, ...] = ("target", "plan"),
) -> list[dict[str, Any]]:
    """When the light front of each train passes each light of the rail.

    The rail runs along the kerb with a light every ``spacing_m`` metres of the lane-1 running line, light 0 on the
    finish line. A train is a pace (:func:`train_times`). Each light is passed once per lap.

    Lap convention: lap 0 runs from the start to the first crossing of the finish line (a mile: 9.344 m; a 1500 m:
    300 m; 0 m when the race starts on the finish line), lap k from the k-th crossing to the next one.

    Parameters
    ----------
    scenario : Scenario
        The scenario (distance, target, start position); a track race (:func:`require_track`).
    race : Race
        The predicted race.
    spacing_m : float
        Distance between lights [m] (> 0).
    trains : tuple of str
        Which trains to schedule (:data:`TRAINS`).

    Returns
    -------
    list of dict
        Rows ``{train, colour, light_index, rail_pos_m, lap, race_distance_m, time_s}`` ordered by train and
        time; the last row of each train is the finish at the train's finishing time. Times are unrounded.

    Raises
    ------
    ScenarioError
        ``spacing_m`` not positive, ``train`` unknown, ``track.kind`` not a track.
    """
    check_light_spacing(spacing_m, scenario.distance_m)
    require_track(scenario)
    geom = scenario.track.geometry()
    d = scenario.distance_m
    start = trk.start_position_m(d, geom)
    lap_m = geom.lap_m
    first_line = trk.start_before_finish_m(d, geom)
    # race distances at which the front passes a light: every light position s = k * spacing on the rail
    k0 = math.ceil(start / spacing_m - 1e-9)
    s = np.arange(k0 * spacing_m, start + d + 1e-9, spacing_m)
    x = s - start
    if x[-1] < d - 1e-9:
        x = np.append(x, d)
        s = np.append(s, start + d)
    light_index = np.round(np.mod(s, lap_m) / spacing_m).astype(int) % max(1, round(lap_m / spacing_m))
    laps = lap_numbers(x, first_line, lap_m).tolist()
    # plain Python values once for every train (a row per light and train: thousands of rows)
    index = light_index.tolist()
    rail = [round(v, 3) % round(lap_m, 3) for v in np.mod(s, lap_m).tolist()]
    distance = x.tolist()
    rows: list[dict[str, Any]] = []
    for train in trains:
        t = train_times(scenario, race, train, x)
        if t is None:
            continue
        colour = TRAIN_COLOURS[train]
        rows += [
            {
                "train": train,
                "colour": colour,
                "light_index": i,
                "rail_pos_m": r,
                "lap": lap,
                "race_distance_m": xd,
                "time_s": ts,
            }
            for i, r, lap, xd, ts in zip(index, rail, laps, distance, np.asarray(t, dtype=float).tolist(), strict=True)
        ]
    return rows


def lap_numbers(x_m: NDArray[np.float64], first_line_m: float, lap_m: float) -> NDArray[np.int64]:
    """The lap each race distance is in: 0 up to the first finish-line crossing ``first_line_m``, then k from the
    k-th crossing (exclusive) to the next (inclusive)."""
    x = np.asarray(x_m, dtype=float)
    return np.where(x <= first_line_m + 1e-9, 0, np.ceil((x - first_line_m) / lap_m - 1e-9).astype(int))


def lights_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each train's time at every lap line and the finish (what the lights must show there)."""
    out = []
    for train in sorted({r["train"] for r in rows}):
        tr = [r for r in rows if r["train"] == train]
        marks = [r for i, r in enumerate(tr) if i == len(tr) - 1 or r["lap"] != tr[i + 1]["lap"]]
        out.append(
            {
                "train": train,
                "colour": tr[0]["colour"],
                "finish_s": tr[-1]["time_s"],
                "laps": [
                    {"lap": r["lap"], "race_distance_m": r["race_distance_m"], "time_s": r["time_s"]} for r in marks
                ],
            }
        )
    return out


# ---- rules -----------------------------------------------------------------------------------------------------

#: World Athletics rules that constrain pacing, with what they require.
RULES = {
    "TR 6.3.1": "Pacing by persons not participating in the same race, by athletes lapped or about to be lapped, or "
    "by any technical device other than those permitted under TR 6.4.4 is assistance and not allowed "
    "(World Athletics Technical Rules, Book C2.1). Pacers must therefore start the race as competitors.",
    "TR 6.4.4": "Technical devices permitted during an event; pacing lights are a technical device and need the "
    "organiser's and World Athletics' approval for the meeting (TR 6.3.1 refers to it). Check the current edition.",
    "CR 32 (women's records)": "Women's world records in mixed-gender races are not ratified in road events "
    "(IAAF Congress 2011); for track records, men pacing a women's race is the reason press reports gave for "
    "Breaking4 not being record-eligible. Check the current edition of Competition Rule 32.",
}


def check_rules(scenario: Scenario, roles: list[PacerRole]) -> list[RuleCheck]:
    """Check a plan against the World Athletics pacing rules.

    Returns one :class:`RuleCheck` per rule with ``ok``, ``breach`` or ``check`` (needs a human: approvals).
    For an exhibition, breaches are reported as ``breach`` too, so an organiser sees what would make it
    record-eligible.
    """
    out: list[RuleCheck] = []
    roster = {p.name: p for p in scenario.pacers}
    late = sorted(
        {r.name for r in roles if r.enter_m > 1e-6}
        - {r.name for r in roles if r.enter_m <= 1e-6}
        - {n for n, p in roster.items() if p.starts_race}
    )
    out.append(
        RuleCheck(
            "TR 6.3.1",
            RULES["TR 6.3.1"],
            "breach" if late else "ok",
            f"pacers joining after the start: {', '.join(late)}" if late else "every pacer starts the race",
        )
    )
    out.append(RuleCheck("TR 6.4.4", RULES["TR 6.4.4"], "check", "pacing lights are planned; confirm approval"))
    men = sorted({p.name for p in scenario.pacers if p.sex == "M" and p.name in {r.name for r in roles}})
    if scenario.athlete.sex == "F":
        out.append(
            RuleCheck(
                "CR 32 (women's records)",
                RULES["CR 32 (women's records)"],
                "breach" if men else "ok",
                f"men pacing a women's record attempt: {', '.join(men)}" if men else "women-only race",
            )
        )
    return out


# ---- the plan --------------------------------------------------------------------------------------------------


def make_plan(scenario: Scenario, model: str | None = None, spacing_m: float = 1.0) -> Plan:
    """Solve a scenario and build its plan."""
    from paceline.chain import solve
    from paceline.io.athletes import pronouns

    race = solve(scenario, model)
    roles = pacer_roles(scenario, race)
    lights = (
        light_schedule(scenario, race, spacing_m, trains=("target", "plan")) if scenario.track.kind == "oval" else []
    )
    rules = check_rules(scenario, roles)
    notes = []
    her = pronouns(scenario.athlete.sex)
    given = {a.name: a for a in race.assumptions}
    if "calibration" in given:
        power = given.get("calibrated_power")
        watts = f"{power.value} {power.unit} " if power is not None else ""
        notes.append(f"{her.possessive} power {watts}is set by {given['calibration'].value}")
    if scenario.athlete.drag_area_m2 is not None and "drag_area" in given:
        text, _ = aero.drag_factor_text(scenario.athlete.drag_area_m2, scenario.athlete.drag_area_sd_m2)
        notes.append(
            f"{her.possessive} drag area is {given['drag_area'].value} m^2 in this kit; the Monte Carlo draws it "
            f"as {text}"
        )
    for r in roles:
        if r.margin is not None and r.margin < 0:
            notes.append(
                f"{r.name} ({r.slot}, {r.enter_m:.0f}-{r.leave_m:.0f} m) is asked for {r.required_speed_m_s:.2f} m/s "
                f"but can hold about {r.capability_speed_m_s:.2f} m/s for that long ({100 * r.margin:+.1f} %)"
            )
    if scenario.target_s and race.finish_s > scenario.target_s:
        notes.append(
            f"the predicted {race.finish} is {race.finish_s - scenario.target_s:.2f} s slower than the target "
            f"{format_time(scenario.target_s)}: lights at target pace would run away from {her.object} "
            "(see `paceline goal`)"
        )
    unknown = sorted({r.name for r in roles if r.margin is None})
    if unknown:
        notes.append(f"capability not checked (no performances in the roster): {', '.join(unknown)}")
    if scenario.eligibility == "record":
        for rc in rules:
            if rc.status == "breach":
                notes.append(f"not record-eligible: {rc.rule}: {rc.detail}")
    return Plan(scenario, race, roles, lights, rules, notes)
