"""``paceline plan`` (the main job) and ``paceline scenarios``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from paceline.cli.app import app, console, emit_json, grid_table, kv_table

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.planning.attempt import Attempt
    from paceline.studies.planning.plan import Plan

scenarios_app = typer.Typer(help="List the bundled scenarios or print one as TOML.", invoke_without_command=True)
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.callback()
def scenarios_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List the bundled scenarios."""
    if ctx.invoked_subcommand is not None:
        return
    from paceline.io.scenario import bundled_scenario_names, load_scenario

    rows: list[dict[str, Any]] = []
    for name in bundled_scenario_names():
        sc = load_scenario(name)
        rows.append({"name": name, "distance_m": sc.distance_m, "description": sc.description})
    if as_json:
        emit_json({"scenarios": rows})
        return
    from rich.table import Table

    table = Table(title="Bundled scenarios")
    table.add_column("name")
    table.add_column("distance \\[m]", justify="right")
    table.add_column("description")
    for r in rows:
        table.add_row(r["name"], f"{r['distance_m']:g}", r["description"])
    console().print(table)


@scenarios_app.command("show")
def scenarios_show(name: str = typer.Argument(..., help="Bundled scenario name.")) -> None:
    """Print a bundled scenario's TOML, to copy and edit."""
    from paceline.io.scenario import bundled_scenario_text

    typer.echo(bundled_scenario_text(name), nl=False)


@app.command()
def plan(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    model: str | None = typer.Option(None, "--model", help="equal-power, critical-speed or optimal-control."),
    out: Path | None = typer.Option(
        None, "--out", help="Write plan.json, splits.csv, lights.csv and .html, briefings/, cards/ here."
    ),
    optimise_rotation: bool = typer.Option(
        False, "--optimise-rotation", help="Propose the pacer assignment that keeps the best shelter longest."
    ),
    report: Path | None = typer.Option(None, "--report", help="Also write the HTML report to this file."),
    force: bool = typer.Option(
        False, "--force", help="Let --out replace a non-empty folder that is not a paceline output (deletes it)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Plan a paced attempt: prediction, splits, pacers, shelter, lights, rules (default: Breaking4)."""
    from paceline.io.scenario import load_scenario
    from paceline.models.registry import model_spec
    from paceline.studies.planning.attempt import plan_attempt

    if model is not None:
        model_spec(model, "--model")
    if out is not None:
        from paceline.io.outputs import check_folder

        check_folder(out, force, "--out")  # before the work
    if report is not None:
        from paceline.io.outputs import check_report_path

        check_report_path(report, "--report")
    attempt = plan_attempt(load_scenario(scenario), model, optimise_rotation)
    pl = attempt.plan
    written = []
    if out is not None:
        from paceline.render.plan_files import plan_files

        written = pl.write(out, plan_files(pl), force=force)
    if report is not None:
        from paceline.render.report import write_report
        from paceline.studies.analysis.report_inputs import report_inputs

        write_report(report_inputs(None, plan=pl), report)
        written.append(report)
    data = attempt.to_dict()
    if as_json:
        if written:
            data["written"] = [str(p) for p in written]
        emit_json(data)
        return
    _print_plan(attempt, data, written)


def _print_plan(attempt: Attempt, data: dict[str, Any], written: list[Path]) -> None:
    """The plan as rich tables: headline, lap and 200 m / 400 m splits, then :func:`_print_roles`."""
    from rich.markup import escape

    from paceline.timefmt import format_time

    pl, sc, race = attempt.plan, attempt.scenario, attempt.race
    con = console()
    head = [
        ("scenario", sc.name),
        ("model", race.model),
        ("predicted finish", race.finish),
        ("target", format_time(sc.target_s) if sc.target_s else "none"),
        ("eligibility", sc.eligibility),
    ]
    if sc.result is not None:
        head.append(("as raced", format_time(sc.result.time_s)))
    con.print(kv_table(f"Plan: {sc.description or sc.name}", head))
    laps = race.split_rows()
    con.print(
        grid_table(
            "Lap splits (at the lap lines)",
            ["distance [m]", "clock", "lap [s]", "speed [m/s]"],
            [[f"{r['distance_m']:.3f}", r["time"], f"{r['segment_s']:.2f}", f"{r['speed_m_s']:.3f}"] for r in laps],
        )
    )
    rows = [
        [f"{r['distance_m']:g}", str(r["time"]), f"{r['segment_s']:.2f}", _seconds(r["last_400_s"])]
        for r in attempt.splits_200_400()
    ]
    con.print(grid_table("200 m / 400 m splits", ["distance [m]", "clock", "200 m [s]", "400 m [s]"], rows))
    _print_roles(con, pl, data)
    for n in pl.notes:
        con.print(f"[yellow]note[/yellow]: {escape(n)}", markup=True, highlight=False)
    for p in written:
        con.print(f"wrote {p}", markup=False, highlight=False)


def _print_roles(con: Any, pl: Plan, data: dict[str, Any]) -> None:
    """The pacers' roles, the shelter along the race, the light trains and the pacing rules, as rich tables."""
    from paceline.timefmt import format_time

    con.print(
        grid_table(
            "Pacers",
            ["pacer", "slot", "enter [m]", "leave [m]", "runs [m]", "pace [s/400 m]", "can hold [m/s]", "margin"],
            [
                [
                    r.name,
                    r.slot,
                    f"{r.enter_m:.0f}",
                    f"{r.leave_m:.0f}",
                    f"{r.distance_run_m:.1f}",
                    f"{r.required_pace_s_per_400:.2f}",
                    f"{r.capability_speed_m_s:.2f}" if r.capability_speed_m_s else "?",
                    f"{100 * r.margin:+.1f} %" if r.margin is not None else "?",
                ]
                for r in pl.roles
            ],
        )
    )
    con.print(
        grid_table(
            "Shelter along the race",
            ["from [m]", "to [m]", "drag removed"],
            [[f"{s['from_m']:.0f}", f"{s['to_m']:.0f}", f"{100 * s['shelter']:.1f} %"] for s in data["shelter"]],
        )
    )
    for tr in data["lights"]["summary"]:
        con.print(
            grid_table(
                f"Lights: {tr['train']} train ({tr['colour']}), finish {format_time(tr['finish_s'])}",
                ["lap", "at [m]", "clock"],
                [[str(lp["lap"]), f"{lp['race_distance_m']:.3f}", format_time(lp["time_s"])] for lp in tr["laps"]],
            )
        )
    con.print(
        grid_table(
            "World Athletics pacing rules",
            ["rule", "status", "detail"],
            [[r.rule, r.status, r.detail] for r in pl.rules],
        )
    )


@app.command()
def search(
    scenario: str = typer.Argument("breaking4-optimal", help="Bundled scenario name or path: athlete and roster."),
    draws: int = typer.Option(400, "--draws", help="Monte Carlo draws per short-listed plan (20-20000)."),
    seed: int = typer.Option(0, "--seed", help="Monte Carlo seed (the same draws for every plan)."),
    max_phases: int = typer.Option(3, "--max-phases", help="Most phases in a plan (1-4)."),
    boundary_step_m: float = typer.Option(
        400.0, "--boundary-step-m", help="Phase boundaries at multiples of this race distance [m] (100-5000)."
    ),
    designed_sizes: list[int] = typer.Option(
        [2, 3, 4, 6], "--designed", help="Sizes of formations designed for the search [pacers] (1-12; repeat the flag)."
    ),
    top_formations: int = typer.Option(5, "--top-formations", help="Formations combined phase by phase (1-12)."),
    shortlist: int = typer.Option(6, "--shortlist", help="Feasible plans run through the Monte Carlo (1-50)."),
    reserve: float = typer.Option(
        0.02, "--reserve", help="Capability a pacer keeps in reserve where the roster allows [-] (0-0.2)."
    ),
    min_spacing_m: float = typer.Option(0.9, "--min-spacing-m", help="Closest two runners may be [m] (0.5-3.0)."),
    lanes: int = typer.Option(2, "--lanes", help="Lanes a formation may use."),
    toml_file: Path | None = typer.Option(None, "--toml", help="Write the best plan here as a scenario file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: the best plan and all it tried."),
) -> None:
    """Search formations (library and designed), phase boundaries and the pacer rotation for the best plan.

    Maximises P(target) (median time breaks ties), or minimises the median time without a target, under pacer
    capability on each slot's own line, spacing, lanes and (record-eligible) the World Athletics pacing rules.
    No feasible plan: exit 2 saying what to change.
    """
    import shlex
    import sys

    from paceline.io.limits import read_text
    from paceline.io.outputs import write_text_atomic
    from paceline.io.scenario import bundled_scenario_text, load_scenario
    from paceline.render.plan_search import FORMATION_HEAD, TRIED_HEAD, formation_rows, tried_rows
    from paceline.studies.planning.plan_search import leading_comments, search_plan, search_toml

    sc = load_scenario(scenario)
    res = search_plan(
        sc,
        designed_sizes=tuple(designed_sizes),
        max_phases=max_phases,
        boundary_step_m=boundary_step_m,
        top_formations=top_formations,
        shortlist=shortlist,
        draws=draws,
        seed=seed,
        reserve=reserve,
        min_spacing_m=min_spacing_m,
        lanes=lanes,
    )
    written = []
    if toml_file is not None:
        command = "paceline " + " ".join(shlex.quote(a) for a in ["search", *sys.argv[2:]] if a)
        src = Path(scenario)
        is_file = src.suffix == ".toml"
        text = read_text(src, "scenario", "a scenario .toml") if is_file else bundled_scenario_text(scenario)
        write_text_atomic(toml_file, search_toml(res, command, leading_comments(text)), "--toml")
        written.append(toml_file)
    data = res.to_dict()
    if as_json:
        data["written"] = [str(p) for p in written]
        emit_json(data)
        return
    con = console()
    con.print(grid_table("Formations considered", FORMATION_HEAD, formation_rows(res)))
    con.print(grid_table(f"Plans tried ({len(res.tried)} screened)", TRIED_HEAD, tried_rows(res)))
    con.print(
        grid_table(
            f"Best plan: {res.best.label}",
            ["from [m]", "to [m]", "formation", "pacers"],
            [[f"{p['from_m']:g}", f"{p['to_m']:g}", p["formation"], ", ".join(p["pacers"])] for p in data["pacing"]],
        )
    )
    for p in written:
        con.print(f"wrote {p}", markup=False, highlight=False)


@app.command()
def lights(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    csv_file: Path | None = typer.Option(
        None, "--csv", help="Write the machine file here: one row per light per train (columns in the README)."
    ),
    html_file: Path | None = typer.Option(None, "--html", help="Write the printable sheet (one HTML page) here."),
    spacing_m: float = typer.Option(1.0, "--spacing-m", help="Distance between lights on the rail [m] (0.1 to 100)."),
    train: list[str] = typer.Option(
        ["target", "plan", "lead-pacer"], "--train", help="Light trains: target, plan, lead-pacer (repeat the flag)."
    ),
    model: str | None = typer.Option(None, "--model", help="Model for the plan train (default: the scenario's)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: the sheet and the machine rows."),
) -> None:
    """The lights operator's sheet: each train's clock at every 100 m mark and lap line, and where pacing changes.

    Marks are counted in metres past the finish line; lap 0 runs from the start to the first finish-line crossing.
    A road race has no rail: exit 2.
    """
    from paceline.chain import solve
    from paceline.io.outputs import write_text_atomic
    from paceline.io.scenario import load_scenario
    from paceline.render.lights_sheet import (
        LIGHTS_CSV_SCHEMA,
        change_rows,
        lap_rows,
        lights_csv,
        lights_sheet_html,
        sheet_rows,
    )
    from paceline.studies.planning.marks import lights_sheet
    from paceline.studies.planning.plan import light_schedule, require_track

    sc = load_scenario(scenario)
    require_track(sc)
    race = solve(sc, model)
    trains = tuple(dict.fromkeys(train))  # a train named twice runs once
    rows = light_schedule(sc, race, spacing_m, trains)
    sheet = lights_sheet(sc, race, trains)
    written = []
    if csv_file is not None:
        write_text_atomic(csv_file, lights_csv(rows), "--csv")
        written.append(csv_file)
    if html_file is not None:
        write_text_atomic(html_file, lights_sheet_html(sheet, spacing_m), "--html")
        written.append(html_file)
    if as_json:
        emit_json(
            {
                "scenario": sc.name,
                "sheet": sheet,
                "machine": {"spacing_m": spacing_m, "columns": LIGHTS_CSV_SCHEMA, "rows": rows},
                "written": [str(p) for p in written],
            }
        )
        return
    con = console()
    for tr in sheet["trains"]:
        con.print(f"{tr['label']}, finish {format_time_(tr['finish_s'])}", markup=False, highlight=False)
    head, body = sheet_rows(sheet, compact=True)
    con.print(
        grid_table(f"Clock at every {sheet['every_m']:g} m mark past the line (start {sheet['start']})", head, body)
    )
    head, body = lap_rows(sheet)
    con.print(grid_table("Laps (at the finish line)", head, body))
    head, body = change_rows(sheet)
    if body:
        con.print("Where the pacing changes:", markup=False, highlight=False)
    for r in body:
        clocks = ", ".join(f"{t} {c}" for t, c in zip(head[3:-1], r[3:-1], strict=True) if c)
        con.print(f"- lap {r[0]}, {r[1]} ({r[2]} m; {clocks}): {r[-1]}", markup=False, highlight=False)
    con.print(sheet["lap_convention"], markup=False, highlight=False)
    for p in written:
        con.print(f"wrote {p}", markup=False, highlight=False)


def _seconds(value: float | None) -> str:
    """Seconds to the hundredth, or an empty cell."""
    return "" if value is None else f"{value:.2f}"


def format_time_(seconds: float) -> str:
    """:func:`paceline.timefmt.format_time`, imported when used."""
    from paceline.timefmt import format_time

    return format_time(seconds)


@app.command()
def brief(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    pacer: str | None = typer.Option(None, "--pacer", help="Only this pacer's card."),
    html_file: Path | None = typer.Option(
        None, "--html", help="Write the printable cards (one page per pacer, then the handovers) here."
    ),
    model: str | None = typer.Option(None, "--model", help="equal-power, critical-speed or optimal-control."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object: the cards and the handovers."),
) -> None:
    """The pacer cards: slot, line, splits at the track marks, when to enter and step off, who takes over."""
    from paceline.errors import ScenarioError
    from paceline.io.outputs import write_text_atomic
    from paceline.io.scenario import load_scenario
    from paceline.render.pacer_cards import briefing_markdown, pacer_cards_html, plan_info
    from paceline.studies.planning.handover import handovers, pacer_cards
    from paceline.studies.planning.plan import make_plan

    pl = make_plan(load_scenario(scenario), model)
    cards = pacer_cards(pl)
    names = [c["name"] for c in cards]
    if pacer is not None and pacer not in names:
        raise ScenarioError(f"{pacer!r} has no role in this plan; allowed {', '.join(names) or 'none'}", "--pacer")
    chosen = [c for c in cards if pacer is None or c["name"] == pacer]
    hand = handovers(pl.roles, pl.scenario.distance_m)
    info = plan_info(pl)
    written = []
    if html_file is not None:
        write_text_atomic(html_file, pacer_cards_html(chosen, hand, info), "--html")
        written.append(html_file)
    if as_json:
        emit_json(
            {
                "scenario": pl.scenario.name,
                **info,
                "cards": chosen,
                "handovers": hand,
                "written": [str(p) for p in written],
            }
        )
        return
    for card in chosen:
        typer.echo(briefing_markdown(card, info))
    for p in written:
        typer.echo(f"wrote {p}")


@app.command()
def goal(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    target: str | None = typer.Option(None, "--target", help="Target time, e.g. 3:59.99 (default: the scenario's)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """What would it take: each lever's value that just reaches the target, then the cheapest combination."""
    from paceline.io.scenario import load_scenario
    from paceline.studies.planning.goal import what_would_it_take
    from paceline.timefmt import format_time, parse_time

    sc = load_scenario(scenario)
    target_s = parse_time(target, "--target") if target is not None else None
    res = what_would_it_take(sc, target_s)
    if as_json:
        emit_json(res)
        return
    con = console()
    con.print(
        kv_table(
            f"What would it take: {sc.name}",
            [("predicted (equal-power)", format_time(res["predicted_s"])), ("target", format_time(res["target_s"]))],
        )
    )
    con.print(
        grid_table(
            "Each lever on its own",
            ["lever", "current", "needed", "plausible range"],
            [
                [
                    f"{r['lever']} [{r['unit']}]",
                    f"{r['current']:g}",
                    f"{r['needed']:g}" if r["reachable"] else "not reachable",
                    f"{r['range'][0]:g} to {r['range'][1]:g}",
                ]
                for r in res["levers"]
            ],
        )
    )
    cb = res["combination"]
    if res["predicted_s"] <= res["target_s"]:
        con.print(
            f"The plan already reaches the target: {format_time(res['predicted_s'])} is "
            f"{res['target_s'] - res['predicted_s']:.2f} s under {format_time(res['target_s'])}; "
            "no lever needs to move.",
            markup=False,
            highlight=False,
        )
    elif cb["reachable"]:
        vals = ", ".join(f"{k} {v:g}" for k, v in cb["values"].items())
        con.print(
            f"Cheapest combination: every lever {100 * cb['fraction']:.0f} % of the way to its plausible best "
            f"({vals}) gives {format_time(cb['time_s'])}.",
            markup=False,
            highlight=False,
        )
    else:
        con.print(
            f"Not reachable even with every lever at its plausible best ({format_time(cb['time_s'])}).",
            markup=False,
            highlight=False,
        )
