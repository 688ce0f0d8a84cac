"""``paceline analyze`` and ``paceline compare``: real races from their splits, and where the time went."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from paceline.cli.app import app, console, emit_json, fit_widths

RACE_HELP = "Bundled race (breaking4_2025, monaco_2023, ...) or a CSV of splits in the format of races.csv."


def _analyze(
    race: str,
    scenario: str | None,
    race_id: str | None,
    reference_formation: str | None,
    curve: str | None,
    method: str,
) -> Any:
    from paceline.io.races import load_race
    from paceline.studies.analysis.attribution import Reference
    from paceline.studies.analysis.race_analysis import analyze

    splits = load_race(race, race_id)
    ref = Reference(formation=reference_formation)
    return analyze(splits, scenario=scenario, reference=ref, curve=curve, method=method)


@app.command(name="analyze")
def analyze_cmd(
    race: str = typer.Argument(..., help=RACE_HELP),
    scenario: str | None = typer.Option(
        None, "--scenario", help="Scenario (bundled name or .toml) with the formation by phase, conditions, athlete."
    ),
    race_id: str | None = typer.Option(None, "--race-id", help="Which race of a CSV holding several."),
    reference_formation: str | None = typer.Option(
        None, "--reference-formation", help="Formation of the reference (default: the best-sheltering named one)."
    ),
    curve: str | None = typer.Option(None, "--curve", help="Treadmill cost curve (default black2018)."),
    method: str = typer.Option("smooth", "--method", help="Reconstruction: smooth (default) or pchip."),
    path: Path | None = typer.Option(None, "--plot", help="Save the figure to FILE.png, .svg or .pdf."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Reconstruct a race from its splits: laps, phases, energy, and the time lost against a reference."""
    if path is not None:
        from paceline.io.outputs import check_figure_path

        check_figure_path(path)  # before the work
    an = _analyze(race, scenario, race_id, reference_formation, curve, method)
    out = an.to_dict()
    if path is not None:
        from paceline.render.analysis_plot import plot_analysis

        out["plot"] = str(plot_analysis(an, path))
    if as_json:
        emit_json(out)
        return
    from rich.table import Table

    from paceline.timefmt import format_time

    con = console()
    from rich.markup import escape

    laps = Table(title=escape(f"{an.splits.athlete}, {an.splits.venue}, {an.splits.date}: {format_time(an.finish_s)}"))
    # a segment is a lap when the splits were taken every lap (the mile's last one is 409 m); else it is a split
    by_lap = all(abs(lap["to_m"] - lap["from_m"] - 400.0) <= 10.0 for lap in out["laps"])
    header = [
        "lap" if by_lap else "split",
        "from [m]",
        "to [m]",
        "time [s]",
        "speed [m/s]",
        "shelter",
        "drag power [W]",
        "metabolic [W/kg]",
        "D' left [m]",
    ]
    for col in header:
        laps.add_column(escape(col), justify="right", overflow="fold")
    cells = [
        [
            str(lap["lap"]),
            f"{lap['from_m']:g}",
            f"{lap['to_m']:g}",
            f"{lap['time_s']:.2f}",
            f"{lap['speed_m_s']:.3f}",
            f"{100 * lap['shelter']:.0f} %",
            f"{lap['drag_power_w']:.1f}",
            f"{lap['metabolic_power_w_kg']:.2f}",
            f"{lap['dprime_balance_m']:.0f}" if "dprime_balance_m" in lap else "-",
        ]
        for lap in out["laps"]
    ]
    for row in cells:
        laps.add_row(*row)
    fit_widths(laps, header, cells, con.width)  # a narrow terminal wraps the headers, never cuts a figure
    con.print(laps)
    ref = out["reference"]
    att = Table(
        title=escape(
            f"Time lost against the reference ({format_time(an.reference_s)}: {ref['formation']} shelter on its "
            f"own line {ref['athlete_offset_m']:g} m from the kerb, even power {ref['power_w_kg']:.2f} W/kg, still air)"
        )
    )
    att.add_column("cause (in order of substitution)")
    att.add_column("seconds", justify="right")
    att.add_column("Shapley \\[s]", justify="right")
    shapley = {s["cause"]: s["seconds"] for s in out["attribution_shapley"]}
    for s in out["attribution"]:
        att.add_row(s["cause"], f"{s['seconds']:+.2f}", f"{shapley[s['cause']]:+.2f}")
    total = f"{out['total_vs_reference_s']:+.2f}"
    att.add_row("total", total, total, style="bold")
    con.print(att)
    con.print(
        f"profile passes every split within {out['profile_max_split_error_s']:.1e} s; "
        "the sequential shares depend on the order of substitution, the Shapley shares average every order."
    )
    inputs = {i["name"]: i for i in out["inputs"]}
    if "athlete_body" in inputs:  # no scenario: say whose body the physics used
        from rich.markup import escape

        body = inputs["athlete_body"]
        con.print(escape(f"athlete: {body['value']} ({body['source']})"))
    if path is not None:
        con.print(f"figure: {path}")


@app.command()
def compare(
    race_a: str = typer.Argument(..., help=RACE_HELP),
    race_b: str = typer.Argument(..., help=RACE_HELP),
    scenario_a: str | None = typer.Option(None, "--scenario-a", help="Scenario of race A."),
    scenario_b: str | None = typer.Option(None, "--scenario-b", help="Scenario of race B."),
    curve: str | None = typer.Option(None, "--curve", help="Treadmill cost curve (default black2018)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Where the time difference between two races over the same distance came from (A minus B)."""
    from paceline.errors import ScenarioError
    from paceline.studies.analysis.compare import compare as compare_races

    def side(race: str, scenario: str | None, which: str) -> Any:
        try:
            return _analyze(race, scenario, None, None, curve, "smooth")
        except ScenarioError as exc:  # name the side's own flag or argument (--scenario-a), not a bare 'scenario'
            if exc.field in ("scenario", "race"):
                raise ScenarioError(str(exc).removeprefix(f"{exc.field}: "), f"{exc.field}_{which}") from None
            raise

    a = side(race_a, scenario_a, "a")
    b = side(race_b, scenario_b, "b")
    cmp = compare_races(a, b)
    out = cmp.to_dict()
    if as_json:
        emit_json(out)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(f"{out['race_a']} minus {out['race_b']}: {out['difference_s']:+.2f} s"))
    table.add_column("cause (in order of substitution)")
    table.add_column("seconds", justify="right")
    table.add_column("Shapley \\[s]", justify="right")
    for s in out["attribution_steps"]:
        table.add_row(s["cause"], f"{s['seconds']:+.2f}", f"{out['attribution_shapley'][s['cause']]:+.2f}")
    table.add_row("total", f"{out['difference_s']:+.2f}", f"{out['difference_s']:+.2f}", style="bold")
    con = console()
    con.print(table)
    gains = ", ".join(f"{k} {v:.2f} s" for k, v in out["optimal_shelter_gain_s"].items())
    con.print(f"the reference shelter ({out['reference_formation']}) would have saved: {gains}")
