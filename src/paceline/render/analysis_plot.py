"""The race-analysis figure: speed with the splits, shelter, and the time lost as a waterfall.

matplotlib is imported inside the functions (``paceline --help`` stays fast) and drawn on a
:class:`matplotlib.figure.Figure` directly: no pyplot, no backend switching.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.io.outputs import check_figure_path, save_figure
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.analysis.race_analysis import Analysis

log = logging.getLogger(__name__)


def _speed_panel(ax: Any, an: Analysis) -> None:
    """Reconstructed speed, the split averages and the split times against distance."""
    sp, race = an.splits, an.race
    speed = race.series["race_speed_m_s"]
    ax.plot(race.x_m, speed, color="C0", lw=1.8, label="reconstructed speed")
    for i, (x0, x1, secs) in enumerate(sp.segments()):
        ax.hlines((x1 - x0) / secs, x0, x1, colors="k", lw=1.2, label="split average" if i == 0 else None)
    for d, t in zip(sp.split_m, sp.time_s, strict=True):
        ax.axvline(d, color="0.8", lw=0.8, zorder=0)
        ax.annotate(
            format_time(float(t)),
            (d, 1.0),
            xycoords=("data", "axes fraction"),
            ha="right",
            va="top",
            fontsize=8,
            rotation=90,
            color="0.35",
        )
    vmin = float(np.min([(x1 - x0) / s for x0, x1, s in sp.segments()]))
    vmax = float(np.max(speed))
    ax.set_ylim(vmin - 0.25 * (vmax - vmin) - 0.05, vmax + 0.2 * (vmax - vmin) + 0.05)
    ax.set_ylabel("speed [m/s]")
    ax.set_title(f"{sp.athlete}, {sp.venue}, {sp.date}: {format_time(sp.finish_s)}")
    ax.legend(loc="lower left", fontsize=8)


def _shelter_panel(ax: Any, an: Analysis) -> None:
    """Shelter along the race [%] and the reference's."""
    x, shelter = an.race.x_m, 100 * an.race.series["shelter"]
    ax.fill_between(x, shelter, step="post", color="C2", alpha=0.4)
    ax.plot(x, shelter, color="C2", lw=1.2)
    ax.axhline(
        100 * an.reference["shelter"], color="C2", ls="--", lw=1, label=f"reference: {an.reference['formation']}"
    )
    ax.set_ylabel("shelter [%]")
    ax.set_ylim(0, 100)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("race distance [m]")


def _waterfall_panel(ax: Any, an: Analysis) -> None:
    """The substitution steps as a waterfall from the race's time to the reference's."""
    labels = ["race", *[s["cause"] for s in an.steps], "reference"]
    level = an.finish_s
    bottoms, heights, colors = [0.0], [level], ["0.5"]
    for s in an.steps:
        new = level - s["seconds"]
        bottoms.append(min(level, new))
        heights.append(abs(s["seconds"]))
        colors.append("C3" if s["seconds"] > 0 else "C2")
        level = new
    bottoms.append(0.0)
    heights.append(level)
    colors.append("0.5")
    lo = min(an.finish_s, an.reference_s, *[s["to_s"] for s in an.steps])
    hi = max(an.finish_s, an.reference_s, *[s["from_s"] for s in an.steps])
    pad = 0.15 * (hi - lo) + 0.2
    ax.bar(range(len(labels)), heights, bottom=bottoms, color=colors)
    for i, s in enumerate(an.steps, start=1):
        ax.annotate(f"{s['seconds']:+.2f} s", (i, bottoms[i] + heights[i]), ha="center", va="bottom", fontsize=8)
    ax.annotate(format_time(an.finish_s), (0, an.finish_s), ha="center", va="bottom", fontsize=8)
    ax.annotate(format_time(an.reference_s), (len(labels) - 1, an.reference_s), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xticks(range(len(labels)), [lab.replace(" ", "\n", 1) for lab in labels], fontsize=8)
    ax.set_ylabel("finishing time [s]")
    ax.set_title("time lost against the reference (sequential substitution, order left to right)", fontsize=10)


def analysis_figure(an: Analysis) -> Any:
    """The analysis figure (a :class:`matplotlib.figure.Figure`): speed with the splits, shelter, and the
    attribution as a waterfall.

    Parameters
    ----------
    an : Analysis
        The analysed race (:func:`paceline.studies.analysis.race_analysis.analyze`).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 10))
    axes = fig.subplots(3, 1, gridspec_kw={"height_ratios": [3, 1.4, 2.4]})
    _speed_panel(axes[0], an)
    _shelter_panel(axes[1], an)
    for ax in axes[:2]:
        ax.set_xlim(0, an.splits.event_m)
    _waterfall_panel(axes[2], an)
    fig.tight_layout()
    return fig


def plot_analysis(an: Analysis, path: str | Path) -> Path:
    """Save the analysis figure (:func:`analysis_figure`).

    Parameters
    ----------
    an : Analysis
        The analysed race.
    path : str or Path
        Output file; the format follows the suffix (``.png``, ``.svg`` or ``.pdf``); its folder is created.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ScenarioError
        For another suffix, before any work (field ``--plot``).
    """
    out = check_figure_path(path)
    save_figure(analysis_figure(an), out, dpi=120)
    log.info("wrote %s", out)
    return out
