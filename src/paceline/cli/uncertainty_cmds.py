"""``paceline montecarlo`` and ``paceline sweep``: uncertainty and sweeps (the benchmarks live in ``benchmarks/``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from paceline.cli.app import app, console, emit_json, kv_table
from paceline.io.limits import MAX_DRAWS, MAX_SWEEP_POINTS

SCENARIO_HELP = "Bundled scenario name or path to a .toml file."
SCHEDULER_HELP = "Address of a Dask scheduler (tcp://host:port) to run on instead of the local process pool."
WORKERS_HELP = "Local worker processes (default: the cores; 1 runs in this process)."


@contextmanager
def _progress(enabled: bool, what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (None when disabled, e.g. with --json or off a terminal)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    con = Console(stderr=True)
    if not con.is_terminal:
        yield None
        return
    with Progress(
        TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=con, transient=True
    ) as bar:
        task = bar.add_task(what, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command()
def montecarlo(
    scenario: str = typer.Argument("breaking4", help=SCENARIO_HELP),
    n: int | None = typer.Option(
        None, "-n", "--n", help="Number of draws (1 to --max-draws; default 10000, 200 with optimal-control)."
    ),
    model: str = typer.Option(
        "equal-power",
        "--model",
        help="equal-power (vectorised) or optimal-control (a warm Ipopt solve per draw, about 20 ms each).",
    ),
    seed: int = typer.Option(
        0, "--seed", help="Seed (0 to 2^63-1): the same seed gives the same numbers on any workers."
    ),
    workers: int | None = typer.Option(None, "--workers", help=WORKERS_HELP),
    scheduler: str | None = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    pool: int = typer.Option(200, "--pool", help="Drafting-parameter refits in the pool (2 to 10000)."),
    shelter_spread: float = typer.Option(
        1.0, "--shelter-spread", help="Factor on the drafting uncertainty (0 to 10; 1: as fitted)."
    ),
    max_draws: int = typer.Option(MAX_DRAWS, "--max-draws", help="Cap on -n (raise it for a bigger run)."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Save a tornado chart of the sensitivities to FILE.png, .svg or .pdf."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Monte Carlo of the finishing time: median, 5-95 %, P(target), P(best), sensitivity ranking."""
    from paceline.io.outputs import check_figure_path
    from paceline.io.scenario import load_scenario
    from paceline.render.uncertainty_plots import tornado_plot
    from paceline.studies.uncertainty.montecarlo import (
        best_label,
        check_mc_model,
        check_options,
        default_draws,
        monte_carlo,
    )
    from paceline.timefmt import format_time

    n = default_draws(check_mc_model(model)) if n is None else n
    check_options(n, seed, pool, shelter_spread, workers, scheduler, max_draws, model)  # before loading anything
    if plot is not None:
        check_figure_path(plot)
    sc = load_scenario(scenario)
    with _progress(not as_json and (n >= 20_000 or model == "optimal-control"), "Monte Carlo") as bar:
        res = monte_carlo(
            sc, n=n, seed=seed, workers=workers, scheduler=scheduler, pool=pool, shelter_spread=shelter_spread,
            progress=bar, max_draws=max_draws, model=model,
        )  # fmt: skip
    out = res.to_dict()
    if plot is not None:
        out["plot"] = str(tornado_plot(res, plot))
    resume = f"the same command (same --seed {seed}) runs every draw again once workers are back"
    if as_json:
        emit_json(out)
        _stopped_early(res.interrupted, res.workers_lost, f"{res.n_done} of {res.n} draws summarised; {resume}")
        return

    def pct(p: float | None) -> str:
        return "n/a" if p is None else f"{100 * p:.1f} %"

    rows = [
        ("scenario", sc.name),
        ("model", res.model),
        (
            "draws",
            f"{res.n_done} of {res.n}"
            + (" (interrupted)" if res.interrupted else "")
            + (" (workers lost)" if res.workers_lost else ""),
        ),
        ("seed", str(seed)),
        ("calibration", res.calibration),
        ("nominal", format_time(res.nominal_s)),
        ("median", format_time(res.median_s)),
        ("5-95 %", f"{format_time(res.percentile(5))} - {format_time(res.percentile(95))}"),
    ]
    if res.target_s is not None:
        rows.append((f"P(under target {format_time(res.target_s)})", pct(out["p_target"])))
    if res.best_s is not None:
        under = best_label(res.scenario, res.best_s, res.best_source, sc.athlete.sex)
        rows.append((f"P(under {under})", pct(out["p_best"])))
    if plot is not None:
        rows.append(("tornado chart", out["plot"]))
    con = console()
    con.print(kv_table(f"Monte Carlo: {sc.description or sc.name}", rows))
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Sensitivity (each input from its 5th to its 95th percentile, the rest nominal)")
    for col in ("input \\[unit]", "5th / 95th value", "time \\[s]", "swing \\[s]", "rank corr."):  # escaped: not markup
        table.add_column(col, justify="left" if col.startswith("input") else "right")
    for r in res.sensitivity:
        unit = r.get("unit", "-")
        table.add_row(
            escape(r["label"] + (f" [{unit}]" if unit and unit != "-" else "")),
            f"{r['low_value']:.4g} / {r['high_value']:.4g}",
            f"{r['low_s']:.2f} / {r['high_s']:.2f}",
            f"{r['seconds']:.2f}",
            f"{r['rank_correlation']:+.2f}",
        )
    con.print(table)
    con.print(
        kv_table("Distributions", [(d["input"], f"{d['distribution']} ({d['source']})") for d in res.distributions])
    )
    _stopped_early(res.interrupted, res.workers_lost, f"{res.n_done} of {res.n} draws summarised; {resume}")


def _stopped_early(interrupted: bool, workers_lost: str, kept: str) -> None:
    """Exit 130 after Ctrl-C; exit 3 with one line saying what was kept and how to resume after losing the workers."""
    if workers_lost:
        typer.echo(f"paceline: stopped early: {workers_lost}; {kept}", err=True)
        raise typer.Exit(3)
    if interrupted:
        raise typer.Exit(130)


@app.command()
def sweep(
    scenario: str = typer.Argument("breaking4", help=SCENARIO_HELP),
    vary: list[str] = typer.Option(
        ..., "--vary", help="PATH=START:STOP:STEP or PATH=A,B,C (e.g. conditions.temperature_c=10:30:5); repeat."
    ),
    out: Path = typer.Option(..., "--out", help="Parquet file; a re-run resumes, skipping the points it holds."),
    samples: int | None = typer.Option(
        None, "--samples", help="Latin hypercube of N points (1 to --max-points) instead of the grid."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the Latin hypercube (0 to 2^63-1)."),
    model: str | None = typer.Option(None, "--model", help="Model (default: the scenario's)."),
    workers: int | None = typer.Option(None, "--workers", help=WORKERS_HELP),
    scheduler: str | None = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    batch_size: int | None = typer.Option(None, "--batch-size", help="Points per task (default: automatic)."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Heat map of the time over the first two varied inputs (FILE.png, .svg or .pdf)."
    ),
    max_points: int = typer.Option(
        MAX_SWEEP_POINTS, "--max-points", help="Cap on the grid or --samples points (raise it for a bigger sweep)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Solve a grid (or Latin hypercube) of scenario variations; results appended to Parquet as batches finish."""
    from paceline.errors import ScenarioError
    from paceline.io.outputs import check_figure_path
    from paceline.io.scenario import load_scenario
    from paceline.render.uncertainty_plots import sweep_plot
    from paceline.studies.uncertainty.executors import check_execution
    from paceline.studies.uncertainty.sweep import parse_vary, read_results, sweep_points
    from paceline.studies.uncertainty.sweep import sweep as run_sweep

    if batch_size is not None and batch_size < 1:
        raise ScenarioError(f"{batch_size} is not allowed; --batch-size >= 1", "--batch-size")
    check_execution(workers, scheduler)
    _check_parquet_engine()
    if plot is not None:
        check_figure_path(plot)
    variations = [parse_vary(v, max_points) for v in vary]
    sweep_points(variations, samples, seed, max_points)  # the caps, before loading anything
    sc = load_scenario(scenario)
    with _progress(not as_json, "Sweep") as bar:
        res = run_sweep(
            sc, variations, out, samples=samples, seed=seed, model=model, workers=workers, scheduler=scheduler,
            batch_size=batch_size, progress=bar, max_points=max_points,
        )  # fmt: skip
    summary = res.to_dict()
    if plot is not None:
        summary["plot"] = str(sweep_plot(read_results(res.out), res.paths, plot, source=str(res.out)))
    if as_json:
        emit_json(summary)
    else:
        rows = [
            ("scenario", sc.name),
            ("model", res.model),
            ("varied", ", ".join(res.paths)),
            ("points", str(res.n_points)),
            ("already in the file", str(res.n_skipped)),
            ("solved now", str(res.n_new) + (" (interrupted)" if res.interrupted else "")),
            ("rows in the file", str(res.n_rows)),
            ("output", str(res.out)),
        ]
        if summary["fastest"]:
            rows.append(("fastest", ", ".join(f"{k}={v}" for k, v in summary["fastest"].items())))
        if plot is not None:
            rows.append(("plot", summary["plot"]))
        console().print(kv_table("Sweep", rows))
    _stopped_early(
        res.interrupted,
        res.workers_lost,
        f"{res.n_rows} rows are in {res.out}; run the same command again to resume (it skips them)",
    )


def _check_parquet_engine() -> None:
    """Exit 2 naming ``--out`` before any work when pandas has no Parquet engine: a plain ``pip install -e .`` has
    none (pyarrow comes with the ``dist`` extra), and the sweep failed as an internal error after solving."""
    from paceline.errors import ScenarioError

    for engine in ("pyarrow", "fastparquet"):
        try:
            __import__(engine)
        except ImportError:
            continue
        return
    raise ScenarioError("writing Parquet needs pyarrow, in the 'dist' extra: pip install 'paceline[dist]'", "--out")
