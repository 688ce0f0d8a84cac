"""Plan search: the formations, phase boundaries and pacer rotation that give the athlete the best race.

What is searched
    Formations: every bundled one (:func:`paceline.io.formations.bundled_formations`, not ``solo``: a plan has
    pacers in every phase) and ones designed for the search (:func:`paceline.studies.planning.design.design_formation`,
    ``designed_sizes`` pacers each). Phase boundaries: any ``max_phases - 1`` of the race distances at every
    ``boundary_step_m`` (400 m: 400, 800 and 1200 m of a mile), each phase in any of the ``top_formations``
    formations fastest over the whole race. Who enters and leaves where: the rotation of
    :func:`paceline.studies.planning.rotation.assign_pacers` for each candidate (a handover can happen at every
    boundary,
    also between two phases in the same formation: a fresh team).

Constraints
    A formation must fit on the track within ``lanes`` lanes (:func:`paceline.physics.lines.check_slots`), keep
    every two runners at least ``min_spacing_m`` apart centre to centre, and have no more slots than the roster
    has pacers with performances. Every slot of every phase must be held by a pacer who can hold the pace of that
    slot's own line over their whole stint, with ``reserve`` to spare where anyone can (the rotation's rule); a
    slot nobody can hold makes the candidate infeasible. A record-eligible scenario must pass the World Athletics
    rules :func:`paceline.studies.planning.plan.check_rules` checks (no breach).

Method
    1. Screen: every candidate's finishing time with the equal-power model, the athlete calibrated once.
    2. In order of screened time, assign the pacers to each candidate until ``shortlist`` are feasible.
    3. The Monte Carlo (:func:`paceline.studies.uncertainty.montecarlo.monte_carlo`, ``draws`` draws, one seed for
    all, so
       every candidate meets the same draws) on the short list: the best maximises P(target) when the scenario
       has a target, the median time breaking ties; without a target it minimises the median time. Plans equal on
       both (the same formations, handed over at another boundary) are separated by the smallest pacer margin
       (larger is safer), then by fewer phases.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import InfeasibleError, ScenarioError
from paceline.studies.planning.rotation import DEFAULT_RESERVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.formation import Formation

log = logging.getLogger(__name__)

__all__ = ["Candidate", "SearchResult", "search_plan"]

#: Default sizes of the formations designed for the search [pacers].
DESIGNED_SIZES = (2, 3, 4, 6)


@dataclass
class Candidate:
    """One plan tried.

    Attributes
    ----------
    phases : list of (float, float, str)
        ``(from_m, to_m, formation)`` of each phase.
    screen_s : float
        Finishing time of the equal-power screen [s].
    status : str
        ``screened`` (not assigned: enough feasible ones were faster), ``feasible``, or why it is infeasible.
    median_s, p_target : float or None
        Monte Carlo median [s] and P(target) [-] (short list only).
    min_margin : float or None
        Smallest pacer margin over a stint (capability / need - 1) [-] (feasible candidates; breaks ties).
    scenario : Scenario or None
        The plan with its pacers (feasible candidates).
    """

    phases: list[tuple[float, float, str]]
    screen_s: float
    status: str = "screened"
    median_s: float | None = None
    p_target: float | None = None
    min_margin: float | None = None
    scenario: Scenario | None = None

    @property
    def label(self) -> str:
        """``line-3 0-800 | line-3 800-1609``."""
        return " | ".join(f"{f} {a:g}-{b:.0f}" for a, b, f in self.phases)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "plan": self.label,
            "phases": [{"from_m": a, "to_m": b, "formation": f} for a, b, f in self.phases],
            "screen_s": round(self.screen_s, 3),
            "status": self.status,
            "median_s": None if self.median_s is None else round(self.median_s, 3),
            "p_target": self.p_target,
            "min_margin": None if self.min_margin is None else round(self.min_margin, 4),
        }


@dataclass
class SearchResult:
    """What the search found and everything it tried.

    Attributes
    ----------
    scenario : Scenario
        The best plan (pacers assigned).
    best : Candidate
        Its row.
    tried : list of Candidate
        Every candidate screened, fastest screen first.
    formations : list of dict
        ``{name, n_pacers, athlete_offset_m, whole_race_s, status}``: every formation considered and why one was
        left out.
    settings : dict
        The search's parameters.
    """

    scenario: Scenario
    best: Candidate
    tried: list[Candidate]
    formations: list[dict[str, Any]]
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the best plan's phases and pacers, the formations and every candidate)."""
        sc = self.scenario
        return {
            "scenario": sc.name,
            "target_s": sc.target_s,
            "objective": "max P(target), then median time" if sc.target_s else "min median time",
            "best": self.best.to_dict(),
            "pacing": [
                {"from_m": ph.from_m, "to_m": ph.to_m, "formation": ph.formation, "pacers": list(ph.pacers)}
                for ph in sc.pacing
            ],
            "formations": self.formations,
            "tried": [c.to_dict() for c in self.tried],
            "n_tried": len(self.tried),
            "n_feasible": sum(c.status == "feasible" for c in self.tried),
            "settings": self.settings,
        }


def formation_table(form: Formation) -> dict[str, Any]:
    """A formation as an inline scenario table (``formations.<name>``)."""
    table: dict[str, Any] = {
        "name": form.name,
        "description": form.description,
        "source": form.source,
        "athlete_offset_m": form.athlete_offset_m,
        "slots": [{"name": s.name, "dx_m": s.dx_m, "dy_m": s.dy_m} for s in form.slots],
    }
    if form.assumptions:
        table["assumptions"] = list(form.assumptions)
    return table


def min_spacing(form: Formation) -> float:
    """Closest centre-to-centre distance between two runners of a formation, the athlete included [m]."""
    xy = np.array([(0.0, 0.0), *((s.dx_m, s.dy_m) for s in form.slots)])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    d[np.diag_indices_from(d)] = np.inf
    return float(d.min())


def _design_task(settings: tuple[float, int], n: int) -> Formation:
    """One designed formation (runs on a worker)."""
    from paceline.studies.planning.design import design_formation

    spacing, lanes = settings
    return design_formation(n, min_spacing_m=spacing, lanes=lanes, name=f"designed-{n}", max_iter=60).formation


def candidate_formations(
    scenario: Scenario, designed_sizes: tuple[int, ...], min_spacing_m: float, lanes: int, workers: int | None
) -> tuple[dict[str, Formation], list[dict[str, Any]]]:
    """The formations the search may use, and a row for each one considered (with why one is left out)."""
    from paceline.io.formations import bundled_formations
    from paceline.physics.lines import check_slots
    from paceline.studies.uncertainty.executors import run_tasks

    n_known = sum(1 for p in scenario.pacers if p.performances)
    sizes = sorted({n for n in designed_sizes if n <= n_known})
    designed: dict[int, Formation] = {}
    run_tasks(
        _design_task,
        (min_spacing_m, lanes),
        sizes,
        lambda i, f: designed.__setitem__(sizes[i], f),
        workers=workers if len(sizes) > 1 else 1,
    )
    for n in sizes:  # any a lost worker did not deliver
        if n not in designed:
            designed[n] = _design_task((min_spacing_m, lanes), n)
    pool = {**{k: v for k, v in bundled_formations().items() if k != "solo"}, **scenario.own_formations()}
    pool.update({f.name: f for f in designed.values()})
    geom = scenario.track.geometry()
    ok: dict[str, Formation] = {}
    rows: list[dict[str, Any]] = []
    for name, form in sorted(pool.items()):
        status = "ok"
        if not form.slots:
            status = "no pacers"
        elif form.n_pacers > n_known:
            status = f"{form.n_pacers} slots, {n_known} pacers with performances"
        elif min_spacing(form) < min_spacing_m - 1e-9:
            status = f"runners {min_spacing(form):.2f} m apart, under min_spacing_m {min_spacing_m:g} m"
        else:
            try:
                check_slots(form, geom, lanes)
            except ScenarioError as exc:
                status = f"off the allowed {lanes} lanes: {exc}"
        rows.append(
            {"name": name, "n_pacers": form.n_pacers, "athlete_offset_m": form.athlete_offset_m, "status": status}
        )
        if status == "ok":
            ok[name] = form
    return ok, rows


def _boundaries(distance_m: float, step_m: float, max_phases: int) -> list[tuple[float, ...]]:
    marks = [k * step_m for k in range(1, math.ceil(distance_m / step_m)) if k * step_m <= distance_m - step_m / 2]
    return [c for k in range(max_phases) for c in itertools.combinations(marks, k)]


def _plan_key(sc: Scenario) -> tuple[Any, ...]:
    """Who runs which slot of which formation over which stretch, consecutive identical phases merged."""
    out: list[list[Any]] = []
    for ph in sc.phases():
        if out and out[-1][2] == ph.formation and out[-1][3] == ph.pacers:
            out[-1][1] = ph.to_m
        else:
            out.append([ph.from_m, ph.to_m, ph.formation, ph.pacers])
    return tuple(tuple(x) for x in out)


def _check_inputs(draws: int, max_phases: int, boundary_step_m: float, shortlist: int, top_formations: int) -> None:
    from paceline.io.limits import check_count, check_range

    check_count(draws, 20, 20_000, "draws")
    check_count(max_phases, 1, 4, "max_phases")
    check_range(boundary_step_m, 100.0, 5000.0, "boundary_step_m", "m")
    check_count(shortlist, 1, 50, "shortlist")
    check_count(top_formations, 1, 12, "top_formations")


def search_plan(
    scenario: Scenario,
    *,
    designed_sizes: tuple[int, ...] = DESIGNED_SIZES,
    max_phases: int = 3,
    boundary_step_m: float = 400.0,
    top_formations: int = 5,
    shortlist: int = 6,
    draws: int = 400,
    seed: int = 0,
    reserve: float = DEFAULT_RESERVE,
    min_spacing_m: float = 0.9,
    lanes: int = 2,
    workers: int | None = None,
) -> SearchResult:
    """Search formations, phase boundaries and the rotation for the best plan (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        Athlete, conditions, target and roster (its own pacing is not used; its inline formations are candidates).
    designed_sizes : tuple of int
        Sizes of the formations designed for the search [pacers] (those over the roster are skipped).
    max_phases : int
        Most phases in a plan (1-4).
    boundary_step_m : float
        Phase boundaries fall at multiples of this race distance [m] (100-5000).
    top_formations : int
        Formations (fastest over the whole race) combined phase by phase (1-12).
    shortlist : int
        Feasible plans run through the Monte Carlo (1-50).
    draws : int
        Monte Carlo draws per short-listed plan (20-20 000).
    seed : int
        Monte Carlo seed (the same draws for every plan).
    reserve : float
        Capability a pacer keeps in reserve where the roster allows [-] (0-0.2).
    min_spacing_m : float
        Closest two runners may be, centre to centre [m] (0.5-3.0).
    lanes : int
        Lanes a formation may use.
    workers : int, optional
        Processes designing formations (default: the cores).

    Raises
    ------
    ScenarioError
        A parameter out of range (naming it).
    InfeasibleError
        No pacer has performances, or no candidate is feasible (the message says what to change).
    """
    from paceline.chain import athlete_for, get_model, solve
    from paceline.io.scenario import scenario_from_dict
    from paceline.studies.planning.plan import check_rules, pacer_roles
    from paceline.studies.planning.rotation import assign_pacers, scenario_with_pacing
    from paceline.studies.uncertainty.montecarlo import monte_carlo

    _check_inputs(draws, max_phases, boundary_step_m, shortlist, top_formations)
    if not 0.0 <= reserve <= 0.2:
        raise ScenarioError(f"{reserve} is not allowed; a reserve of 0 to 0.2 (a fraction of capability)", "reserve")
    if not 0.5 <= min_spacing_m <= 3.0:
        raise ScenarioError(f"{min_spacing_m} m is not allowed; a minimum spacing of 0.5 to 3.0 m", "min_spacing_m")
    from paceline.studies.planning.design import MAX_DESIGN_PACERS

    for n in designed_sizes:  # a size over the roster is left out; one no design takes is an error
        if not 1 <= n <= MAX_DESIGN_PACERS:
            raise ScenarioError(
                f"{n} pacers is not allowed; a designed formation has 1 to {MAX_DESIGN_PACERS}", "designed_sizes"
            )
    if not any(p.performances for p in scenario.pacers):
        raise InfeasibleError(
            f"no pacer of {scenario.name!r} has performances, so no plan can be checked; give each pacer recent "
            "times (pacers[i].performances)"
        )
    forms, form_rows = candidate_formations(scenario, designed_sizes, min_spacing_m, lanes, workers)
    if not forms:
        raise InfeasibleError(
            f"no formation fits: {len(form_rows)} considered, none within {lanes} lanes with runners "
            f"{min_spacing_m:g} m apart and no more slots than the roster; allow more lanes (lanes) or a smaller "
            "spacing (min_spacing_m), or add pacers with performances"
        )
    model = get_model("equal-power")
    athlete = athlete_for(scenario, model)
    base = scenario.model_dump(exclude_none=True)
    base["model"] = "equal-power"
    base["formations"] = {**base.get("formations", {}), **{n: formation_table(f) for n, f in forms.items()}}
    d = scenario.distance_m

    def build(phases: list[tuple[float, float, str]]) -> Scenario:
        data = dict(base)
        data["pacing"] = [{"from_m": a, "to_m": b, "formation": f} for a, b, f in phases]
        return scenario_from_dict(data)

    whole = {n: solve(build([(0.0, d, n)]), model, athlete=athlete).finish_s for n in forms}
    for row in form_rows:
        row["whole_race_s"] = round(whole[row["name"]], 3) if row["name"] in whole else None
    top = sorted(forms, key=lambda n: whole[n])[:top_formations]
    tried: list[Candidate] = []
    for cuts in _boundaries(d, boundary_step_m, max_phases):
        edges = [0.0, *cuts, d]
        for combo in itertools.product(top, repeat=len(edges) - 1):
            phases = [(a, b, f) for (a, b), f in zip(itertools.pairwise(edges), combo, strict=True)]
            tried.append(Candidate(phases, solve(build(phases), model, athlete=athlete).finish_s))
    tried.sort(key=lambda c: (round(c.screen_s, 3), len(c.phases)))
    feasible: list[Candidate] = []
    seen: dict[tuple[Any, ...], str] = {}
    for c in tried:
        if len(feasible) >= shortlist:
            break
        sc = build(c.phases)
        race = solve(sc, model, athlete=athlete)
        pacing, _, unfilled = assign_pacers(sc, race, reserve)
        if unfilled:
            u = unfilled[0]
            c.status = f"unfilled: {u['slot']} ({u['from_m']:g}-{u['to_m']:.0f} m) needs {u['need_m_s']:.2f} m/s"
            continue
        planned = scenario_with_pacing(sc, pacing, scenario.name)
        roles = pacer_roles(planned, race)
        if scenario.eligibility == "record":
            breach = [r for r in check_rules(planned, roles) if r.status == "breach"]
            if breach:
                c.status = f"rule breach: {breach[0].rule}: {breach[0].detail}"
                continue
        key = _plan_key(planned)
        if key in seen:
            c.status = f"same plan as {seen[key]}"
            continue
        seen[key] = c.label
        c.status, c.scenario = "feasible", planned
        c.min_margin = min(r.margin for r in roles if r.margin is not None)
        feasible.append(c)
    if not feasible:
        reasons = sorted({c.status.split(":")[0] for c in tried if c.status != "screened"})
        raise InfeasibleError(
            f"no feasible plan among {len(tried)} tried ({', '.join(reasons)}): the roster cannot hold the slots "
            "these formations ask for; add faster pacers or more of them (pacers[i].performances), lower the "
            "reserve (reserve), allow more phases (max_phases) for fresh pacers, or set eligibility = "
            '"exhibition"'
        )
    for c in feasible:
        assert c.scenario is not None
        mc = monte_carlo(c.scenario, n=draws, seed=seed, workers=1)
        c.median_s, c.p_target = mc.median_s, mc.probability_under(scenario.target_s)
    best = min(feasible, key=lambda c: (-(c.p_target or 0.0), c.median_s, -(c.min_margin or 0.0), len(c.phases)))
    assert best.scenario is not None
    settings = {
        "designed_sizes": list(designed_sizes),
        "max_phases": max_phases,
        "boundary_step_m": boundary_step_m,
        "top_formations": top_formations,
        "shortlist": shortlist,
        "draws": draws,
        "seed": seed,
        "reserve": reserve,
        "min_spacing_m": min_spacing_m,
        "lanes": lanes,
        "model": "equal-power",
    }
    return SearchResult(best.scenario, best, tried, form_rows, settings)


def search_toml(result: SearchResult, command: str, notes: tuple[str, ...] = ()) -> str:
    """The best plan as a scenario file, headed by a comment saying how it was made (then ``notes``, each a
    comment line)."""
    from paceline.io.scenario_toml import to_toml
    from paceline.timefmt import format_time

    sc = result.scenario
    used = {ph.formation for ph in sc.pacing}
    data = sc.model_dump(mode="json", exclude_none=True)
    data["description"] = f"Best plan paceline search found for this roster: {result.best.label}"
    data["formations"] = {k: v for k, v in data.get("formations", {}).items() if k in used}
    b = result.best
    p = "" if b.p_target is None else f", P(target) {b.p_target:.1%}"
    st = result.settings
    head = [
        f"# Written by `{command}` (paceline.studies.planning.plan_search): the best of {len(result.tried)} "
        "plans tried",
        "# (formations x phase boundaries x rotation) for this roster; Monte Carlo median "
        f"{format_time(b.median_s or 0)}{p}",
        f"# ({st['draws']} draws, seed {st['seed']}). Regenerate with the same command.",
    ]
    head += [f"# {n}".rstrip() for n in notes]
    return "\n".join(head) + "\n" + to_toml(data)


def leading_comments(text: str) -> tuple[str, ...]:
    """The comment lines heading a scenario file (without '# '), less the header a previous search wrote."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].removeprefix(" "))
    if lines and lines[0].startswith("Written by `paceline search"):
        lines = lines[3:]
    return tuple(lines)
