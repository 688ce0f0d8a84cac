"""``paceline athlete new`` and ``paceline athlete show``: an athlete from her performances, as a file scenarios use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from paceline.cli.app import app, console, emit_json, grid_table, kv_table

athlete_app = typer.Typer(help="An athlete from her performances: write her file, show her fitted profile.")
app.add_typer(athlete_app, name="athlete")

#: Distances ``athlete show`` predicts [m], with their names.
STANDARD_DISTANCES = (
    ("800 m", 800.0),
    ("1500 m", 1500.0),
    ("mile", 1609.344),
    ("3000 m", 3000.0),
    ("5000 m", 5000.0),
    ("10000 m", 10000.0),
    ("half marathon", 21097.5),
    ("marathon", 42195.0),
)


@athlete_app.command("new")
def new(
    performances: Path = typer.Option(
        ..., "--performances", help="CSV of performances (distance_m, time; one or more)."
    ),
    name: str = typer.Option(..., "--name", help="Her name (her id is the name in lower case with dashes)."),
    height_m: float | None = typer.Option(None, "--height-m", help="Height [m] (default: by name or sex)."),
    mass_kg: float | None = typer.Option(None, "--mass-kg", help="Mass [kg] (default: by name or sex)."),
    sex: str | None = typer.Option(
        None, "--sex", help="F or M (required unless --name is a listed athlete): picks the default body."
    ),
    out: Path | None = typer.Option(None, "--out", help="File to write [path] (default: <id>.toml here)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Write an athlete file (id, body and its source, performances) that a scenario uses as [athlete] file = ..."""
    from paceline.errors import ScenarioError
    from paceline.fit.performance_inputs import DISTANCE_RANGE_M
    from paceline.fit.performances import read_performances_csv
    from paceline.io.athletes import athlete_id, body_for, reference_sex
    from paceline.io.outputs import write_text_atomic
    from paceline.io.scenario_toml import to_toml

    perfs = read_performances_csv(performances, DISTANCE_RANGE_M, min_count=1)
    body = body_for(name, height_m, mass_kg, sex)
    known_sex = sex or reference_sex(name)
    if known_sex is None:  # the file keeps it: never write a sex nobody gave
        raise ScenarioError(f"{name!r} is not a listed athlete; give her or his sex, F or M", "--sex")
    aid = athlete_id(name)
    table = {
        "id": aid,
        "name": name,
        "sex": known_sex,
        "height_m": body.height_m,
        "mass_kg": body.mass_kg,
        "body_source": body.source,
        "performances": [p.model_dump(exclude_none=True) for p in perfs],
    }
    path = out if out is not None else Path(f"{aid}.toml")
    head = f"# paceline athlete file of {name}, from {performances.name}\n"
    write_text_atomic(path, head + to_toml({"athlete": table}), "--out")
    if as_json:
        emit_json({"file": str(path), "athlete": table})
        return
    console().print(
        kv_table(f"Athlete file: {path}", [("id", aid), ("body", body.label), ("performances", str(len(perfs)))])
    )


@athlete_app.command("show")
def show(
    athlete: str = typer.Argument(..., help="Athlete file (.toml) or a CSV of performances."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Her fitted profile: level and exponent with their spread, leave-one-out error, and the time she is predicted
    to run at every standard distance with its 90 % interval."""
    import numpy as np

    from paceline.fit import calculators as calc
    from paceline.fit.paced import solo_equivalents
    from paceline.fit.performance_inputs import DISTANCE_RANGE_M
    from paceline.fit.performance_model import loo_errors_pct, outliers, predict_time
    from paceline.fit.performances import read_performances_csv
    from paceline.io.athlete_files import read_athlete_file
    from paceline.io.athletes import body_for
    from paceline.io.scenario import Athlete, athlete_from_dict
    from paceline.physics import aero
    from paceline.timefmt import format_time

    if athlete.endswith(".csv"):
        perfs = read_performances_csv(athlete, DISTANCE_RANGE_M, min_count=1)
        body = body_for(None)
        ath = Athlete(name=Path(athlete).stem, height_m=body.height_m, mass_kg=body.mass_kg, performances=tuple(perfs))
        body_source = body.source
        sex: str | None = None  # a CSV says no sex: show none rather than the Athlete model's default "F"
    else:
        table = read_athlete_file(athlete, informative=True)
        body_source = str(table.pop("body_source", "the athlete file"))
        ath = athlete_from_dict({k: v for k, v in table.items() if k != "file"}, athlete)
        sex = ath.sex
    solo = solo_equivalents(ath)
    d = [p.distance_m for p in solo]
    t = [p.time_s for p in solo]
    loo = loo_errors_pct(d, t)
    rows: list[dict[str, Any]] = []
    for label, dist in STANDARD_DISTANCES:
        p = predict_time(d, t, dist, where="athlete.performances")
        rows.append({"distance": label, "distance_m": dist, "time_s": p.time_s, "low_s": p.low_s, "high_s": p.high_s})
    first = predict_time(d, t, 1500.0, where="athlete.performances")
    span = None  # Riegel's exponent of the model's curve between her shortest and longest distance
    if min(d) < max(d):
        ends = [predict_time(d, t, x, where="athlete.performances").time_s for x in (min(d), max(d))]
        span = calc.riegel_fit([min(d), max(d)], ends)[1]
    out = {
        "name": ath.name,
        "sex": sex,
        "height_m": ath.height_m,
        "mass_kg": ath.mass_kg,
        "body_source": body_source,
        "drag_area_m2": ath.drag_area_m2,
        "drag_area_sd_m2": ath.drag_area_sd_m2,
        "exponent": first.exponent,
        "exponent_sd": first.exponent_sd,
        "span_exponent": span,
        "loo_mean_abs_error_pct": float(np.mean(np.abs(loo))) if loo else None,
        "outliers": [{"index": i, "loo_error_pct": e} for i, e in outliers(d, t)],
        "solo_equivalents": [{"distance_m": p.distance_m, "time_s": p.time_s} for p in solo],
        "predictions": rows,
    }
    if as_json:
        emit_json(out)
        return
    con = console()
    loo_text = f"{out['loo_mean_abs_error_pct']:.2f} %" if loo else "n/a"
    con.print(
        kv_table(
            f"Athlete: {ath.name}",
            [
                ("sex", sex or "not given (a CSV of performances)"),
                ("body", f"{ath.height_m:g} m, {ath.mass_kg:g} kg ({body_source})"),
                ("drag area", aero.drag_area_source(ath.drag_area_m2)),
                *(
                    [(f"Riegel exponent over {min(d):g}-{max(d):g} m (model)", f"{span:.3f}")]
                    if span is not None
                    else []
                ),
                ("exponent b at 1500 m, before the bend", f"{first.exponent:.3f} ± {first.exponent_sd:.3f}"),
                ("leave-one-out mean |error|", loo_text),
                ("performances", str(len(solo))),
            ],
        )
    )
    con.print(
        grid_table(
            "Predicted (solo, still air, sea level; performance model)",
            ["distance", "time", "90 % interval"],
            [
                [r["distance"], format_time(r["time_s"]), f"{format_time(r['low_s'])}-{format_time(r['high_s'])}"]
                for r in rows
            ],
        )
    )
