"""``paceline formations``: named formations, their shelter, diagrams, and formation design."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from paceline.cli.app import app, console, emit_json, kv_table
from paceline.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.planning.formations import FormationDesign

formations_app = typer.Typer(
    help="Formations of pacers: shelter with its range, diagrams, and designing one.", invoke_without_command=True
)
app.add_typer(formations_app, name="formations")

#: The library's parameter names for ``formations design`` -> this command's flags (errors name the flag).
_DESIGN_FLAGS = {
    "n_pacers": "--pacers",
    "min_spacing_m": "--min-spacing-m",
    "lanes": "--lanes",
    "quantile": "--quantile",
    "seed": "--seed",
}


@contextmanager
def _flags(names: dict[str, str]) -> Iterator[None]:
    """Re-raise a :class:`ScenarioError` about a library parameter as one about the command's flag."""
    try:
        yield
    except ScenarioError as exc:
        if exc.field not in names:
            raise
        message = str(exc).removeprefix(f"{exc.field}: ")
        raise ScenarioError(message, names[exc.field]) from None


def _table(title: str, rows: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for col in ("formation", "pacers", "shelter", "90 % range", "athlete from kerb \\[m]", "drag saved \\[N]"):
        table.add_column(col, justify="left" if col == "formation" else "right", no_wrap=col == "formation")
    for r in rows:
        table.add_row(
            r["name"],
            str(r["pacers"]),
            f"{r['shelter']:.0%}",
            f"{r['shelter_low']:.0%}-{r['shelter_high']:.0%}",
            f"{r['athlete_offset_m']:.2f}",
            f"{r['drag_saved_n']:.1f}",
        )
    return table


@formations_app.callback()
def formations_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Every bundled formation with its pacers and the athlete's shelter (best fit and 90 % range) at 4:00 pace."""
    if ctx.invoked_subcommand is not None:
        return
    from paceline.io.athletes import body_for
    from paceline.io.fitted import drafting_draws, drafting_fit_info, drafting_params
    from paceline.io.formations import bundled_formations
    from paceline.studies.planning.formations import AIR_DENSITY_KG_M3 as _RHO
    from paceline.studies.planning.formations import DRAG_ATHLETE, MILE_4_00_M_S, formation_summary

    params, draws = drafting_params(), drafting_draws()
    body = body_for(DRAG_ATHLETE)
    rows = [formation_summary(f, params, draws) for f in bundled_formations().values()]
    rows.sort(key=lambda r: (-r["shelter"], r["name"]))
    if as_json:
        emit_json(
            {
                "formations": rows,
                "speed_m_s": round(MILE_4_00_M_S, 4),
                "air_density_kg_m3": _RHO,
                "athlete": {"name": DRAG_ATHLETE, "height_m": body.height_m, "mass_kg": body.mass_kg},
                "draws": len(draws),
            }
        )
        return
    console().print(_table("Formations: the athlete's shelter (drag removed) at 4:00 mile pace", rows))
    console().print(
        f"Shelter: drafting surrogate fitted to {drafting_fit_info()['fit']['n']} published values; range: 5th-95th "
        f"percentile over {len(draws)} parameter draws. Drag: {DRAG_ATHLETE} ({body.label}), "
        f"rho {_RHO} kg/m^3, "
        f"{MILE_4_00_M_S:.2f} m/s."
    )


@formations_app.command("show")
def formations_show(
    name: str = typer.Argument(..., help="Bundled formation name or path to a formation .toml file."),
    svg: str | None = typer.Option(None, "--svg", help="Write a top-down diagram to this file (.svg, .png or .pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """One formation: its slots, the line each pacer runs through the bends, the shelter; optionally a diagram."""
    from paceline.io.fitted import drafting_draws, drafting_params
    from paceline.io.formations import get_formation
    from paceline.physics import drafting
    from paceline.physics.lines import pacer_lines
    from paceline.physics.track import STANDARD_TRACK
    from paceline.studies.planning.formations import formation_summary

    form = get_formation(name)
    if svg is not None:
        from paceline.io.outputs import check_figure_path

        check_figure_path(svg, "--svg")  # before the work
    params = drafting_params()
    row = formation_summary(form, params, drafting_draws())
    lines = pacer_lines(form, 0.0, STANDARD_TRACK.lap_m)
    out: dict[str, Any] = {
        **row,
        "source": form.source,
        "assumptions": list(form.assumptions),
        "slots": [
            {
                "name": pl.slot,
                "dx_m": pl.dx_m,
                "dy_m": pl.dy_m,
                "offset_m": round(pl.offset_m, 3),
                "extra_per_lap_m": round(pl.extra_m, 3),
                "speed_ratio_lap": round(pl.speed_ratio, 5),
                "speed_ratio_bend": round(pl.speed_ratio_bend, 5),
                "shelter_alone": round(float(drafting.pair_shelter(pl.dx_m, pl.dy_m, params)), 4),
            }
            for pl in lines
        ],
    }
    if svg is not None:
        from paceline.render.formation_plot import plot_formation

        plot_formation(form, svg, params=params)
        out["diagram"] = svg
    if as_json:
        emit_json(out)
        return
    from rich.markup import escape
    from rich.table import Table

    c = console()
    c.print(
        kv_table(
            f"Formation {form.name}",
            [
                ("pacers", str(form.n_pacers)),
                ("shelter (best fit)", f"{row['shelter']:.1%}"),
                ("90 % range over the draws", f"{row['shelter_low']:.1%} - {row['shelter_high']:.1%}"),
                ("drag saved at 4:00 pace [N]", f"{row['drag_saved_n']:.2f} of {row['drag_solo_n']:.2f}"),
                ("athlete from the kerb [m]", f"{form.athlete_offset_m:.2f}"),
                ("athlete extra per lap [m]", f"{row['athlete_extra_per_lap_m']:.2f}"),
            ],
        )
    )
    if lines:
        t = Table(title="Slots (held in track coordinates; per lap against the athlete)")
        for col in ("slot", "dx \\[m]", "dy \\[m]", "from kerb \\[m]", "extra/lap \\[m]", "speed on bends", "alone"):
            t.add_column(col, justify="left" if col == "slot" else "right", no_wrap=col == "slot")
        for s in out["slots"]:
            t.add_row(
                escape(s["name"]),
                f"{s['dx_m']:+.2f}",
                f"{s['dy_m']:+.2f}",
                f"{s['offset_m']:.2f}",
                f"{s['extra_per_lap_m']:+.2f}",
                f"{s['speed_ratio_bend'] - 1:+.1%}",
                f"{s['shelter_alone']:.0%}",
            )
        c.print(t)
    c.print(f"source: {escape(form.source)}")
    for a in form.assumptions:
        c.print(f"  - {escape(a)}")
    if svg is not None:
        c.print(f"diagram written to {escape(svg)}")


@formations_app.command("design")
def formations_design(
    pacers: int = typer.Option(..., "--pacers", help="Number of pacers to place (1-12)."),
    min_spacing_m: float = typer.Option(0.9, "--min-spacing-m", help="Minimum distance between any two runners [m]."),
    lanes: int = typer.Option(2, "--lanes", help="Lanes the formation may use (1-8)."),
    quantile: float = typer.Option(0.10, "--quantile", help="Quantile of the shelter over the draws to maximise."),
    name: str | None = typer.Option(None, "--name", help="Name of the designed formation (default designed-N)."),
    out: str | None = typer.Option(None, "--out", help="Write the formation as TOML to this file."),
    seed: int = typer.Option(0, "--seed", help="Seed of the optimiser."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Place N pacers to maximise the shelter the pessimistic parameter draws still give, under practical limits."""
    from paceline.io.formations import formation_to_toml
    from paceline.io.outputs import write_text_atomic
    from paceline.studies.planning.formations import design_and_compare

    if out is not None and not out.endswith(".toml"):
        raise ScenarioError(f"{out!r} must end in .toml", "--out")
    with _flags(_DESIGN_FLAGS):
        design = design_and_compare(
            pacers, min_spacing_m=min_spacing_m, lanes=lanes, quantile=quantile, seed=seed, name=name
        )
    if out is not None:
        write_text_atomic(out, formation_to_toml(design.formation), "--out")
    if as_json:
        emit_json({**design.to_dict(), "out": out})
        return
    _print_design(design, out)


def _print_design(design: FormationDesign, out: str | None) -> None:
    """The designed formation, its slots and the named formations beside it, as rich tables."""
    from rich.table import Table

    res, form, compare = design.result, design.formation, design.compare
    min_spacing_m, lanes, quantile = design.min_spacing_m, design.lanes, res.quantile
    c = console()
    c.print(
        kv_table(
            f"Designed formation {form.name}",
            [
                ("pacers", str(form.n_pacers)),
                ("constraints", f"spacing >= {min_spacing_m:g} m, {lanes} lanes, pacers >= 0.2 m from the kerb"),
                (f"shelter, {quantile:.0%} quantile (maximised)", f"{res.shelter_pessimistic:.1%}"),
                ("shelter (best fit)", f"{res.shelter:.1%}"),
                ("90 % range", f"{res.shelter_low:.1%} - {res.shelter_high:.1%}"),
                ("athlete from the kerb [m]", f"{form.athlete_offset_m:.2f}"),
                ("closest two runners [m]", f"{res.min_spacing_m:.2f}"),
            ],
        )
    )
    t = Table(title="Slots")
    for col in ("slot", "dx \\[m]", "dy \\[m]", "from kerb \\[m]", "speed on bends"):
        t.add_column(col, justify="left" if col == "slot" else "right")
    for s in design.slots:
        t.add_row(
            s["name"],
            f"{s['dx_m']:+.2f}",
            f"{s['dy_m']:+.2f}",
            f"{s['offset_m']:.2f}",
            f"{s['speed_ratio_bend'] - 1:+.1%}",
        )
    c.print(t)
    t2 = Table(title="Named formations, for comparison")
    for col in ("formation", "pacers", f"{quantile:.0%} quantile", "best fit", "90 % range"):
        t2.add_column(col, justify="left" if col == "formation" else "right")
    for r in compare:
        t2.add_row(
            r["name"],
            str(r["pacers"]),
            f"{r['shelter_pessimistic']:.0%}",
            f"{r['shelter']:.0%}",
            f"{r['shelter_low']:.0%}-{r['shelter_high']:.0%}",
        )
    c.print(t2)
    if out is not None:
        c.print(f"formation written to {out} (use it in a scenario: formation = {out!r})")
