"""``paceline predict`` and ``paceline fit``: the energetics models from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from paceline.cli.answers import cached_answer
from paceline.cli.app import app, console, emit_json, grid_table, kv_table

MODEL_HELP = "Model: equal-power, critical-speed or optimal-control (default: the scenario's)."


@app.command()
@cached_answer()
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
    from paceline.chain import solve
    from paceline.errors import ScenarioError
    from paceline.fit import calculators as calc
    from paceline.fit.performances import read_performances_csv
    from paceline.io.athletes import body_for, reference_sex
    from paceline.io.scenario import load_scenario, scenario_from_dict, solo_scenario
    from paceline.models import MODELS

    if model is not None and model not in MODELS:
        raise ScenarioError(f"{model!r} is not a model; allowed {', '.join(MODELS)}", "--model")
    sc = load_scenario(scenario)
    body = None
    model_pred = None
    nearest: tuple[float, float] | None = None  # her nearest performance's distance [m] and the exponent from it
    far: str | None = None  # says so when the distance lies beyond her performances
    # her sex when known (a scenario's athlete, --sex, a listed athlete); performances alone do not say
    known_sex = sc.athlete.sex if performances is None else (sex or reference_sex(athlete))
    if performances is not None:
        from paceline.fit.performance_inputs import DISTANCE_RANGE_M, beyond_span
        from paceline.fit.performance_model import predict_time

        uses_model = model in (None, "equal-power")
        perfs = read_performances_csv(performances, DISTANCE_RANGE_M if uses_model else None, 1 if uses_model else 2)
        d = distance_m if distance_m is not None else sc.distance_m
        if not d > 0:
            raise ScenarioError(f"{d:g} is not allowed; a distance must be positive", "--distance-m")
        body = body_for(athlete, height_m, mass_kg, sex)
        sc = solo_scenario(
            perfs,
            d,
            body.height_m,
            body.mass_kg,
            formation or "solo",
            name=athlete or performances.stem,
            sex=known_sex or "F",  # the scenario needs one; the body above says what it used
            drag_area_m2=drag_area_m2,
        )
        if uses_model:  # on the solo, still-air, sea-level equivalents, the times the calibration uses
            from paceline.fit.paced import solo_equivalents

            solo = solo_equivalents(sc.athlete)
            solo_d = [p.distance_m for p in solo]
            model_pred = predict_time(solo_d, [p.time_s for p in solo], d, where="--distance-m")
            far = beyond_span(solo_d, d)
            near = solo[calc.nearest_index(solo_d, d)]
            if near.distance_m != d:  # Riegel's exponent that carries her nearest time to the prediction
                nearest = (near.distance_m, calc.riegel_fit([near.distance_m, d], [near.time_s, model_pred.time_s])[1])
    else:
        given = (("--height-m", height_m), ("--mass-kg", mass_kg), ("--sex", sex), ("--athlete", athlete))
        for flag, value in (*given, ("--drag-area-m2", drag_area_m2)):
            if value is not None:
                raise ScenarioError("goes with --performances; edit the scenario's [athlete] otherwise", flag)
        if distance_m is not None:
            raise ScenarioError("--distance-m goes with --performances; edit the scenario otherwise", "--distance-m")
        if formation is not None:
            data = sc.model_dump(exclude_none=True, exclude={"target_s"})
            data["target_s"] = sc.target_s
            data["pacing"] = [{"from_m": 0.0, "to_m": sc.distance_m, "formation": formation}]
            data["name"] = f"{sc.name}+{formation}"
            sc = scenario_from_dict({k: v for k, v in data.items() if v is not None})
    race = solve(sc, model)
    out = race.summary()
    out["athlete"] = {
        "name": sc.athlete.name,
        "height_m": sc.athlete.height_m,
        "mass_kg": sc.athlete.mass_kg,
        "body_source": body.source if body is not None else f"scenario {sc.name}",
        "drag_area_m2": sc.athlete.drag_area_m2,
    }
    out["target_s"] = sc.target_s
    if sc.result is not None:
        out["actual_s"] = sc.result.time_s
    interval = None
    if model_pred is not None:  # her ability's 90 % interval, carried to the race by the prediction's own ratio
        ratio = race.finish_s / model_pred.time_s
        interval = (model_pred.low_s * ratio, model_pred.high_s * ratio)
        out["performance_model"] = {
            "solo_time_s": model_pred.time_s,
            "solo_interval_90_s": [model_pred.low_s, model_pred.high_s],
            "interval_90_s": list(interval),
            "exponent": model_pred.exponent,
            "exponent_sd": model_pred.exponent_sd,
            "nearest_distance_m": nearest[0] if nearest else None,
            "exponent_from_nearest": nearest[1] if nearest else None,
            "extrapolated": far,
        }
    if as_json:
        emit_json(out)
        return
    from paceline.io.athletes import pronouns
    from paceline.timefmt import format_time

    whose = pronouns(known_sex).possessive if known_sex else "the athlete's"
    rows = [("scenario", sc.name), ("model", race.model)]
    rows.append(
        ("body", body.label if body is not None else f"{sc.athlete.height_m:g} m, {sc.athlete.mass_kg:g} kg (scenario)")
    )
    rows.append(("predicted", race.finish))
    if model_pred is not None and interval is not None:
        rows.append((f"90 % interval ({whose} ability)", f"{format_time(interval[0])} to {format_time(interval[1])}"))
        rows.append(
            (
                "solo, still air, sea level, cool day",
                f"{format_time(model_pred.time_s)} (performance model; 90 % {format_time(model_pred.low_s)} to "
                f"{format_time(model_pred.high_s)})",
            )
        )
        if far is not None:
            rows.append(("beyond the performances", f"{far} (interval widened by the extrapolation factor)"))
        if nearest is not None:
            rows.append((f"Riegel exponent from {whose} {nearest[0]:g} m", f"{nearest[1]:.3f}"))
        rows.append(
            ("exponent b at 1500 m, before the bend", f"{model_pred.exponent:.3f} ± {model_pred.exponent_sd:.3f}")
        )
    if sc.target_s:
        rows.append(("target", format_time(sc.target_s)))
    if sc.result is not None:
        rows.append(("as raced", format_time(sc.result.time_s)))
    every = 5000.0 if sc.track.kind == "road" else None  # the road: every 5 km, as road races report
    # to the millimetre, as the plan prints them (1209.344 m, not 1209.34 m)
    rows += [(f"split {s['distance_m']:.3f}".rstrip("0").rstrip(".") + " m", s["time"]) for s in race.split_rows(every)]
    con = console()
    con.print(kv_table(f"Prediction: {sc.description or sc.name}", rows))
    con.print(
        grid_table(
            "Inputs and their sources",
            ["input", "value", "source"],
            [[a.name, f"{a.value} {a.unit}".strip(), a.source] for a in race.assumptions],
        )
    )


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
