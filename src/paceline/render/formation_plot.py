"""Top-down diagram of a formation: slots, the athlete highlighted, the shelter map, the air flow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from paceline.io.fitted import drafting_draws, drafting_params
from paceline.io.outputs import save_figure
from paceline.physics.drafting import DraftParams, formation_shelter_range, kernel_args, shelter_kernel
from paceline.physics.formation import Formation
from paceline.physics.track import STANDARD_TRACK, TrackGeometry

__all__ = ["plot_formation"]


def plot_formation(
    formation: Formation,
    path: str | None = None,
    params: DraftParams | None = None,
    draws: Sequence[DraftParams] | None = None,
    speed_m_s: float = 1609.344 / 240.0,
    track: TrackGeometry = STANDARD_TRACK,
) -> Any:
    """Top-down diagram of a formation: slots, the athlete highlighted, the shelter map, the air flow.

    Parameters
    ----------
    formation : Formation
        The formation to draw.
    path : str, optional
        Save the figure there (``.svg``, ``.png``, ``.pdf``).
    params : DraftParams, optional
        Surrogate parameters for the shelter map and figure (default: the shipped best fit,
        :func:`paceline.io.fitted.drafting_params`).
    draws : sequence of DraftParams, optional
        Draws for the 90 % range written on the diagram (default: the 200 shipped draws).
    speed_m_s : float
        Running speed for the air-flow label [m/s] (default 4:00 mile pace).
    track : TrackGeometry
        Track dimensions (lane lines).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure  # a bare Figure draws without a backend: no pyplot, no backend switch

    p = drafting_params() if params is None else params
    best, lo, hi = formation_shelter_range(formation, p, drafting_draws() if draws is None else draws)
    a = formation.athlete_offset_m
    xs = [a] + [a + s.dy_m for s in formation.slots]
    ys = [0.0] + [s.dx_m for s in formation.slots]
    x_hi = max(max(xs) + 1.0, 2 * track.lane_width_m + 0.2)
    y_lo, y_hi = min(ys) - 1.5, max(ys) + 1.5
    fig = Figure(figsize=(5.2, 6.4), layout="constrained")
    ax = fig.add_subplot()
    if formation.slots:
        im = ax.imshow(
            _shelter_map(formation, p, x_hi, y_lo, y_hi),
            extent=(-0.3, x_hi, y_lo, y_hi),
            origin="lower",
            cmap="Greens",
            vmin=0.0,
            vmax=1.0,
            alpha=0.8,
            aspect="equal",
        )
        fig.colorbar(im, ax=ax, shrink=0.6, label="shelter a runner would get there [-]")
    _draw_track(ax, track, x_hi)
    _draw_runners(ax, formation)
    ax.annotate(
        "",
        xy=(x_hi - 0.35, y_hi - 1.6),
        xytext=(x_hi - 0.35, y_hi - 0.2),
        arrowprops={"arrowstyle": "->", "lw": 2, "color": "tab:purple"},
    )
    ax.text(
        x_hi - 0.45, y_hi - 0.9, f"air\n{speed_m_s:.1f} m/s", ha="right", va="center", fontsize=7, color="tab:purple"
    )
    ax.set_xlim(-0.3, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("distance from the kerb [m]")
    ax.set_ylabel("along the track, ahead of the athlete [m]")
    ax.set_title(
        f"{formation.name}: drag reduction {best:.0%}\n(90 % range {lo:.0%}-{hi:.0%}, {formation.n_pacers} pacers)",
        fontsize=10,
    )
    if path:
        save_figure(fig, path, "--svg")
    return fig


def _shelter_map(formation: Formation, params: DraftParams, x_hi: float, y_lo: float, y_hi: float) -> Any:
    """What a runner standing at each point of the diagram would get from the pacers [-] (uncapped)."""
    gx, gy = np.meshgrid(np.linspace(-0.3, x_hi, 160), np.linspace(y_lo, y_hi, 200))
    a = formation.athlete_offset_m
    dxs = np.array([s.dx_m for s in formation.slots])[None, None, :] - gy[..., None]
    dys = (a + np.array([s.dy_m for s in formation.slots]))[None, None, :] - gx[..., None]
    r = shelter_kernel(dxs, dys, *kernel_args(params))
    return 1.0 - np.prod(1.0 - r, axis=2)


def _draw_track(ax: Any, track: TrackGeometry, x_hi: float) -> None:
    """The infield (grey), the kerb and the lane lines."""
    ax.axvspan(-0.3, 0.0, color="0.75")
    ax.axvline(0.0, color="k", lw=2)
    for lane in range(1, track.lanes):
        if lane * track.lane_width_m < x_hi:
            ax.axvline(lane * track.lane_width_m, color="0.4", lw=0.8, ls="--")


def _draw_runners(ax: Any, formation: Formation) -> None:
    """Pacers (blue, labelled by slot) and the athlete (red)."""
    from matplotlib.patches import Circle

    a = formation.athlete_offset_m
    for s in formation.slots:
        ax.add_patch(Circle((a + s.dy_m, s.dx_m), 0.22, color="tab:blue", zorder=3))
        ax.annotate(s.name, (a + s.dy_m, s.dx_m), xytext=(0, 11), textcoords="offset points", ha="center", fontsize=7)
    ax.add_patch(Circle((a, 0.0), 0.25, color="tab:red", zorder=4))
    ax.annotate(
        "athlete", (a, 0.0), xytext=(0, -16), textcoords="offset points", ha="center", fontsize=8, color="tab:red"
    )
