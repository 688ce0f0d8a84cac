"""``paceline infer``: what the splits say about shelter, form, drag, the pacer gap and the cost curve."""

from __future__ import annotations

from pathlib import Path

import typer

from paceline.cli.app import app, console, emit_json, grid_table


@app.command(name="infer")
def infer_cmd(
    races: list[str] = typer.Argument(..., help="Bundled races by id (breaking4_2025 monaco_2023 ...)."),
    draws: int = typer.Option(3500, "--draws", help="Steps per walker (100-200000; the first quarter is burn-in)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sampler and the predictive."),
    path: Path | None = typer.Option(None, "--plot", help="Save the corner plot to FILE.png, .svg or .pdf."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Bayesian posterior (emcee) of the unknowns of races from their splits: shelter per phase [-], form on the
    day [x power], Cd factor [x 0.9], the calibration race's pacer gap [m], the cost curve; races of one athlete
    are inferred together. Exit 2 when the chains did not converge (R-hat <= 1.01 or tau < kept/50, ESS >= 400)."""
    from paceline.studies.inference.infer import infer

    if path is not None:
        from paceline.io.outputs import check_figure_path

        check_figure_path(path)  # before the work
    result = infer(races, draws=draws, seed=seed)
    out = result.to_dict()
    if path is not None:
        from paceline.render.infer_plot import plot_corner

        plot_corner(result, path)
    if as_json:
        emit_json(out)
        return
    con = console()
    rows = [
        [
            p["name"],
            f"{p['prior_p05']:.4g} - {p['prior_p95']:.4g}",
            f"{p['median']:.4g}",
            f"{p['p05']:.4g} - {p['p95']:.4g}",
        ]
        for p in out["posterior"]
    ]
    con.print(
        grid_table(f"posterior of {', '.join(out['races'])}", ["parameter", "prior 5-95 %", "median", "90 %"], rows)
    )
    diag = out["diagnostics"]
    drows = [
        [p["name"], f"{p['rhat']:.4f}", f"{p['tau_steps']:.1f}", f"{p['ess']:.0f}", "yes" if p["converged"] else "no"]
        for p in diag["parameters"]
    ]
    title = (
        f"convergence: {diag['kept_steps']} kept steps x {diag['walkers']} walkers, acceptance {diag['acceptance']:.2f}"
    )
    con.print(grid_table(title, ["parameter", "R-hat", "tau [steps]", "ESS", "converged"], drows))
    if out["predictive"]:
        from paceline.timefmt import format_time

        prows = [
            [
                p["scenario"],
                format_time(p["median_s"]),
                f"{format_time(p['p05_s'])} - {format_time(p['p95_s'])}",
                "-" if p["p_target"] is None else f"{p['p_target']:.1%}",
            ]
            for p in out["predictive"]
        ]
        con.print(grid_table("posterior predictive", ["scenario", "median", "90 %", "P(target)"], prows))
    if path is not None:
        con.print(f"corner plot: {path}")
