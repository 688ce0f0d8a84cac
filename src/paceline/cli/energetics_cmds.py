"""``paceline predict`` and ``paceline fit``: the energetics models from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from paceline.cli.app import app, console, emit_json, grid_table, kv_table

MODEL_HELP = "Model: equal-power, critical-speed or optimal-control (default: the scenario's)."


@app.command()
def predict(
    scenario: str = typer.Argument("breaking4", help="Bundled scenario name or path to a .toml file."),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    distance_m: float | None = typer.Option(None, "--distance-m", help="Race distance [m] (with --performances)."),
    performances: Path | None = typer.Option(
        None,
        "--performances",
        help="CSV of performances (distance_m, time; one or more, two for critical-speed or "
        "optimal-control): predict for this athlete instead.",
    ),
    formation: str | None = typer.Option(None, "--formation", help="Hold this formation the whole race."),
    athlete: str | None = typer.Option(
        None, "--athlete", help="Athlete's name (with --performances): the body listed for that name (any case)."
    ),
    height_m: float | None = typer.Option(None, "--height-m", help="Athlete height [m] (with --performances)."),
    mass_kg: float | None = typer.Option(None, "--mass-kg", help="Athlete mass [kg] (with --performances)."),
    sex: str | None = typer.Option(
        None, "--sex", help="F or M (with --performances): the default body of her sex when no height or mass is given."
    ),
    drag_area_m2: float | None = typer.Option(
        None,
        "--drag-area-m2",
        help="Measured drag area CdA [m^2], 0.05-1.0 (with --performances; default Cd 0.9 x 0.266 x DuBois BSA).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Predict the finishing time of a scenario, or of an athlete from her performances."""
    from paceline.errors import ScenarioError
    from paceline.io.scenario import load_scenario
    from paceline.models.registry import model_spec
    from paceline.studies.planning import prediction as pr

    if model is not None:
        model_spec(model, "--model")
    sc = load_scenario(scenario)
    if performances is not None:
        from paceline.fit.performances import read_performances_csv

        res = pr.predict_from_performances(
            read_performances_csv(performances, *pr.performance_requirements(model)),
            distance_m if distance_m is not None else sc.distance_m,
            model=model,
            formation=formation,
            athlete=athlete,
            height_m=height_m,
            mass_kg=mass_kg,
            sex=sex,
            drag_area_m2=drag_area_m2,
            name=performances.stem,
        )
    else:
        given = (("--height-m", height_m), ("--mass-kg", mass_kg), ("--sex", sex), ("--athlete", athlete))
        for flag, value in (*given, ("--drag-area-m2", drag_area_m2)):
            if value is not None:
                raise ScenarioError("goes with --performances; edit the scenario's [athlete] otherwise", flag)
        if distance_m is not None:
            raise ScenarioError("--distance-m goes with --performances; edit the scenario otherwise", "--distance-m")
        res = pr.predict(sc, model, formation)
    if as_json:
        emit_json(res.to_dict())
        return
    con = console()
    con.print(kv_table(res.title, res.rows()))
    con.print(grid_table("Inputs and their sources", ["input", "value", "source"], res.input_rows()))


@app.command()
def fit(
    performances: Path = typer.Argument(..., help="CSV with columns distance_m and time (m:ss.xx or seconds)."),
    model: str = typer.Option(
        "critical-speed",
        "--model",
        help="critical-speed, equal-power, optimal-control or performance (the predictor of predict --performances).",
    ),
    athlete: str | None = typer.Option(
        None, "--athlete", help="Athlete's name: the body listed for it, any case (else by --sex, else a generic body)."
    ),
    height_m: float | None = typer.Option(
        None, "--height-m", help="Athlete height [m] (her drag; not critical-speed)."
    ),
    mass_kg: float | None = typer.Option(None, "--mass-kg", help="Athlete mass [kg] (her drag; not critical-speed)."),
    sex: str | None = typer.Option(None, "--sex", help="F or M: the default body of her sex when none is given."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Fit a model's parameters to an athlete's performances, with uncertainty and leave-one-out error."""
    from paceline.fit.performances import fit as fit_model
    from paceline.fit.performances import read_performances_csv
    from paceline.io.athletes import body_for

    perfs = read_performances_csv(performances)
    body = body_for(athlete, height_m, mass_kg, sex)
    from paceline.fit.paced import solo_equivalents
    from paceline.io.scenario import Athlete

    her = Athlete(name=athlete or "athlete", height_m=body.height_m, mass_kg=body.mass_kg, performances=tuple(perfs))
    res = fit_model(solo_equivalents(her), model, height_m=body.height_m, mass_kg=body.mass_kg)
    if as_json:
        emit_json(
            {**res.to_dict(), "body": {"height_m": body.height_m, "mass_kg": body.mass_kg, "source": body.source}}
        )
        return
    rows = [("body", body.label)]
    for k, v in res.params.items():
        sd = res.params_sd.get(k)
        rows.append((k, f"{v:.4g}" + (f" ± {sd:.2g}" if sd is not None else "")))
    loo = res.loo_mean_abs_error_pct
    rows.append(("leave-one-out mean |error| [%]", f"{loo:.2f}" if loo is not None else "n/a (< 3 performances)"))
    rows.append(("performances", str(res.n)))
    console().print(kv_table(f"Fit: {res.model}", rows))
