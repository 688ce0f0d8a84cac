"""``paceline pacing``: the optimal split per lap and what other pacing profiles cost (optimal-control model)."""

from __future__ import annotations

import typer

from paceline.cli.app import app, console, emit_json


@app.command()
def pacing(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    n_intervals: int = typer.Option(300, "--n-intervals", help="Collocation intervals (>= 50)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Optimal pacing: split per lap, and the time lost by even pace and by the as-raced profile."""
    from paceline.errors import ScenarioError
    from paceline.io.scenario import load_scenario
    from paceline.studies.planning.pacing import pacing_advice
    from paceline.timefmt import format_time

    if n_intervals < 50:
        raise ScenarioError(f"{n_intervals} is too few; allowed >= 50", "--n-intervals")
    sc = load_scenario(scenario)
    adv = pacing_advice(sc, n_intervals=n_intervals)
    if as_json:
        emit_json(adv)
        return
    from rich.markup import escape
    from rich.table import Table

    profiles = [("optimal", adv["optimal"]), ("even pace", adv["even_pace"])]
    if adv["as_raced"] is not None:
        profiles.append(("as raced", adv["as_raced"]))
    table = Table(title=f"Pacing, optimal-control model: {escape(sc.name)}", header_style="bold")
    table.add_column("split at \\[m]")
    for label, _ in profiles:
        table.add_column(f"{label} lap \\[s]", justify="right")
    for i, lap in enumerate(adv["optimal"]["laps"]):
        row = [f"{lap['distance_m']:.1f}"] + [f"{prof['laps'][i]['segment_s']:.2f}" for _, prof in profiles]
        table.add_row(*row)
    table.add_row("finish", *[format_time(prof["time_s"]) for _, prof in profiles], style="bold", end_section=True)
    table.add_row("lost vs optimal \\[s]", "0.00", *[f"{prof['lost_s']:+.2f}" for _, prof in profiles[1:]])
    con = console()
    con.print(table)
    p = adv["params"]
    con.print(
        f"athlete: tau {p['tau_s']:.3f} s, F {p['f_max_m_s2']:.2f} N/kg, sigma {p['sigma_w_kg']:.2f} W/kg, "
        f"E0 {p['e0_j_kg']:.0f} J/kg ({escape(p['source'])})"
    )
    if "target" in adv:
        t = adv["target"]
        verdict = "reachable" if t["reachable"] else f"missed by {t['gap_s']:.2f} s"
        con.print(f"target {format_time(t['time_s'])}: {verdict} with the optimal pacing")
