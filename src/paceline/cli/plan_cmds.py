"""``paceline plan`` (the main job) and ``paceline scenarios``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from paceline.cli.app import app, console, emit_json, grid_table, kv_table

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
    out: Path | None = typer.Option(None, "--out", help="Write plan.json, splits.csv, lights.csv, briefings/ here."),
    optimise_rotation: bool = typer.Option(
        False, "--optimise-rotation", help="Propose the pacer assignment that keeps the best shelter longest."
    ),
    report: Path | None = typer.Option(None, "--report", help="Also write the HTML report to this file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Plan a paced attempt: prediction, splits, pacers, shelter, lights, rules (default: Breaking4)."""
    from paceline.errors import ScenarioError
    from paceline.io.scenario import load_scenario
    from paceline.models import MODELS
    from paceline.studies.plan import make_plan
    from paceline.timefmt import format_time

    if model is not None and model not in MODELS:
        raise ScenarioError(f"{model!r} is not a model; allowed {', '.join(MODELS)}", "--model")
    sc = load_scenario(scenario)
    if optimise_rotation:
        from paceline.studies.rotation import optimise_rotation as optimise

        sc = optimise(sc).scenario
    pl = make_plan(sc, model)
    written = pl.write(out) if out is not None else []
    if report is not None:
        from paceline.render.report import write_report

        write_report(None, report, model=model, plan=pl)
        written.append(report)
    data = pl.to_dict()
    if as_json:
        if written:
            data["written"] = [str(p) for p in written]
        emit_json(data)
        return
    con = console()
    race = pl.race
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
    t400 = {round(r["distance_m"], 3): r for r in race.split_rows(every_m=400.0)}
    rows = []
    for r in race.split_rows(every_m=200.0):
        m = t400.get(round(r["distance_m"], 3))
        rows.append(
            [f"{r['distance_m']:g}", str(r["time"]), f"{r['segment_s']:.2f}", f"{m['segment_s']:.2f}" if m else ""]
        )
    con.print(grid_table("200 m / 400 m splits", ["distance [m]", "clock", "200 m [s]", "400 m [s]"], rows))
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
    for n in pl.notes:
        con.print(f"[yellow]note[/yellow]: {n}", markup=True, highlight=False)
    for p in written:
        con.print(f"wrote {p}", markup=False, highlight=False)


@app.command()
def lights(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    spacing_m: float = typer.Option(1.0, "--spacing-m", help="Distance between lights on the rail [m]."),
    train: list[str] = typer.Option(["target", "plan"], "--train", help="Trains: target, plan, lead-pacer."),
    model: str | None = typer.Option(None, "--model", help="Model for the plan train."),
) -> None:
    """The pacing-light schedule: when each light train's front passes each light of the rail."""
    from paceline.chain import solve
    from paceline.errors import ScenarioError
    from paceline.io.scenario import load_scenario
    from paceline.studies.plan import light_schedule, lights_csv, lights_summary

    if fmt not in ("csv", "json"):
        raise ScenarioError(f"{fmt!r} is not a format; allowed csv, json", "--format")
    sc = load_scenario(scenario)
    rows = light_schedule(sc, solve(sc, model), spacing_m, tuple(train))
    if fmt == "json":
        emit_json({"scenario": sc.name, "spacing_m": spacing_m, "summary": lights_summary(rows), "schedule": rows})
    else:
        typer.echo(lights_csv(rows), nl=False)


@app.command()
def brief(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    pacer: str | None = typer.Option(None, "--pacer", help="Only this pacer's briefing."),
) -> None:
    """Print the pacers' briefings (Markdown)."""
    from paceline.errors import ScenarioError
    from paceline.io.scenario import load_scenario
    from paceline.studies.plan import briefing, make_plan

    pl = make_plan(load_scenario(scenario))
    names = sorted({r.name for r in pl.roles})
    if pacer is not None and pacer not in names:
        raise ScenarioError(f"{pacer!r} has no role in this plan; allowed {', '.join(names)}", "--pacer")
    for name in [pacer] if pacer else names:
        typer.echo(briefing(pl.scenario, pl.race, [r for r in pl.roles if r.name == name]))


@app.command()
def goal(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    target: str | None = typer.Option(None, "--target", help="Target time, e.g. 3:59.99 (default: the scenario's)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """What would it take: each lever's value that just reaches the target, then the cheapest combination."""
    from paceline.io.scenario import load_scenario
    from paceline.studies.goal import what_would_it_take
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
    if cb["reachable"]:
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
