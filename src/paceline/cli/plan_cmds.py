"""``paceline plan`` (the main job) and ``paceline scenarios``."""

from __future__ import annotations

from typing import Any

import typer

from paceline.cli.app import app, console, emit_json, kv_table

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
    from paceline.scenario import bundled_scenario_names, load_scenario

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
    from paceline.scenario import bundled_scenario_text

    typer.echo(bundled_scenario_text(name), nl=False)


@app.command()
def plan(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Plan a paced attempt (default: the bundled Breaking4 scenario)."""
    from paceline import aero
    from paceline import air as air_mod
    from paceline import track as trk
    from paceline.scenario import load_scenario
    from paceline.timefmt import format_time

    sc = load_scenario(scenario)
    c = sc.conditions
    rho = float(air_mod.air_density(c.temperature_c, c.relative_humidity, c.altitude_m, c.pressure_pa))
    cda = float(aero.drag_area(sc.athlete.height_m, sc.athlete.mass_kg, cda_factor=sc.equipment.cda_factor))
    geom = sc.track.geometry()
    out: dict[str, object] = {
        "scenario": sc.name,
        "distance_m": sc.distance_m,
        "start_before_finish_m": trk.start_before_finish_m(sc.distance_m, geom),
        "air_density_kg_m3": round(rho, 4),
        "cda_m2": round(cda, 4),
    }
    rows = [
        ("scenario", sc.name),
        ("distance [m]", f"{sc.distance_m:g}"),
        ("start before finish line [m]", f"{out['start_before_finish_m']:.3f}"),
        ("air density [kg/m^3]", f"{rho:.4f}"),
        ("drag area CdA [m^2]", f"{cda:.4f}"),
    ]
    if sc.target_s:
        v = sc.distance_m / sc.target_s
        f = float(aero.drag_force(v, rho, cda))
        out.update(
            target_s=sc.target_s,
            target=format_time(sc.target_s),
            target_speed_m_s=round(v, 4),
            solo_drag_n=round(f, 3),
            solo_drag_power_w=round(f * v, 2),
        )
        rows += [
            ("target", format_time(sc.target_s)),
            ("target speed [m/s]", f"{v:.3f}"),
            ("solo drag at target pace [N]", f"{f:.2f}"),
            ("solo drag power at target pace [W]", f"{f * v:.1f}"),
        ]
    if as_json:
        emit_json(out)
        return
    console().print(kv_table(sc.description or sc.name, rows))
