"""Charts of the uncertainty studies: the tornado of a Monte Carlo and the lines of a sweep."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import ScenarioError
from paceline.io.outputs import save_figure

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.uncertainty.montecarlo import MonteCarloResult

log = logging.getLogger(__name__)


def tornado_plot(result: MonteCarloResult, path: str | Path, top: int = 10) -> Path:
    """Save a tornado chart of the one-at-a-time swings (5th to 95th percentile of each input) [PNG/SVG/PDF].

    Parameters
    ----------
    result : MonteCarloResult
        With its sensitivity ranking.
    path : str or Path
        Output file; the format follows its suffix.
    top : int
        Number of inputs shown.
    """
    from matplotlib.figure import Figure

    from paceline.timefmt import format_time

    rows = [r for r in result.sensitivity if r["seconds"] > 0][:top][::-1]
    nominal = result.nominal_s
    fig = Figure(figsize=(8.0, 0.45 * len(rows) + 1.8))
    ax = fig.subplots()
    for i, r in enumerate(rows):
        for t, colour in ((r["low_s"], "tab:blue"), (r["high_s"], "tab:orange")):
            ax.barh(i, t - nominal, left=nominal, color=colour, height=0.6)
    ax.set_yticks(range(len(rows)), [r["label"] for r in rows])
    ax.axvline(nominal, color="k", lw=0.8)
    if result.target_s:
        ax.axvline(result.target_s, color="tab:red", ls="--", lw=1.0, label=f"target {format_time(result.target_s)}")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("finishing time [s] (blue: input at its 5th percentile, orange: 95th)")
    ax.set_title(
        f"{result.scenario}: median {format_time(result.median_s)}, 90 % {format_time(result.percentile(5))}"
        f"-{format_time(result.percentile(95))}, n = {result.n_done}",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def sweep_plot(df: Any, paths: Sequence[str], plot: str | Path, value: str = "time_s", source: str = "") -> Path:
    """Heat map of a sweep's time over two varied inputs (mean over the others); a line for one input.

    Parameters
    ----------
    df : pandas.DataFrame
        The sweep's rows (:func:`paceline.studies.uncertainty.sweep.read_results`).
    paths : sequence of str
        The varied paths; the first two are the axes.
    plot : str or Path
        Output image.
    value : str
        Column shown.
    source : str
        Where the rows come from (the Parquet file), for the error message.
    """
    from matplotlib.figure import Figure

    if not len(df):
        raise ScenarioError(f"{source!r} has no rows to plot", "plot")
    cols = [p for p in paths if p in df.columns]
    fig = Figure(figsize=(7.5, 5.0))
    ax = fig.subplots()
    if len(cols) >= 2:
        x, y = cols[0], cols[1]
        numeric = df[x].dtype.kind in "fi" and df[y].dtype.kind in "fi"
        if numeric and df[x].nunique() * df[y].nunique() > 2 * len(df):  # scattered (Latin hypercube)
            sc_ = ax.scatter(df[x], df[y], c=df[value], cmap="viridis_r", s=30)
            fig.colorbar(sc_, ax=ax, label=f"{value} [s]")
        else:
            table = df.pivot_table(index=y, columns=x, values=value, aggfunc="mean")
            im = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis_r")
            ax.set_xticks(range(table.shape[1]), [str(c) for c in table.columns], rotation=45, ha="right")
            ax.set_yticks(range(table.shape[0]), [str(r) for r in table.index])
            grid = table.to_numpy(dtype=float)
            mid = 0.5 * (np.nanmin(grid) + np.nanmax(grid))
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v):  # dark text on the light (fast) end of viridis_r
                    ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7, color="k" if v < mid else "w")
            fig.colorbar(im, ax=ax, label=f"{value} [s]")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    else:
        x = cols[0]
        g = df.groupby(x)[value].mean()
        ax.plot([str(i) for i in g.index], g.to_numpy(), "o-")
        ax.set_xlabel(x)
        ax.set_ylabel(f"{value} [s]")
    ax.set_title(f"sweep: {value} (mean over other inputs), {len(df)} rows", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, plot, dpi=120)
