"""Document the drafting fit: predicted vs published shelter (one point per study row) and a formation diagram.

Run from the repository root: ``python docs/drafting_fit.py``. Writes ``docs/drafting_fit.png`` and
``docs/formation_breaking4-pocket.svg``. Draws the fit that ships (``paceline/data/fitted/drafting.json``); after
changing the studies, refit first: ``python -m paceline.fit.drafting --write``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from paceline.io.drafting_studies import load_studies
from paceline.io.fitted import drafting_draws, drafting_fit_info, drafting_params
from paceline.io.formations import get_formation
from paceline.physics import drafting
from paceline.render.formation_plot import plot_formation

HERE = Path(__file__).resolve().parent


def main() -> None:
    fit = drafting_fit_info()["fit"]
    studies = load_studies()
    predicted = [row["predicted"] for row in fit["studies"]]
    draws = drafting_draws()
    fig = Figure(figsize=(7.0, 6.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.5", lw=1, ls="--", label="predicted = published")
    for i, (s, pred) in enumerate(zip(studies, predicted, strict=True)):
        xs = [a for a, _ in s.slots]
        ys = [b for _, b in s.slots]
        spread = drafting.shelter_of_positions_draws(xs, ys, draws)
        lo, hi = np.percentile(spread, [5, 95])
        checked = s.status == "checked"
        ax.errorbar(
            s.reduction,
            pred,
            yerr=[[pred - lo], [hi - pred]],
            fmt="o" if checked else "s",
            color="tab:blue" if checked else "tab:orange",
            mfc="tab:blue" if checked else "none",
            ms=6,
            capsize=2,
            alpha=0.9,
        )
        ax.annotate(str(i + 1), (s.reduction, pred), xytext=(5, -3), textcoords="offset points", fontsize=7)
    ax.plot([], [], "o", color="tab:blue", label="checked")
    ax.plot([], [], "s", color="tab:orange", mfc="none", label="unverified")
    ax.set_xlim(0.25, 0.95)
    ax.set_ylim(0.25, 0.95)
    ax.set_aspect("equal")
    ax.set_xlabel("published drag reduction [-]")
    ax.set_ylabel("predicted (best fit; bars: 90 % of the draws) [-]")
    p = drafting_params()
    ax.set_title(
        f"Drafting surrogate vs {len(studies)} published values (weighted RMS {fit['rms_error']:.3f}, "
        f"leave-one-out {fit['loo_mean_abs_error_pct']:.1f} points)\n"
        f"r0 {p.peak_shelter:.2f} at {p.peak_gap_m:.2f} m, decay {p.decay_length_m:.2f} m, "
        f"lateral sd {p.lateral_width_m:.2f} m, behind {p.behind_shelter:.2f}",
        fontsize=9,
    )
    ax.legend(loc="upper left", fontsize=8)
    labels = "\n".join(f"{i + 1}. {s.label[:60]}" for i, s in enumerate(studies))
    ax.text(1.02, 0.0, labels, transform=ax.transAxes, fontsize=6, va="bottom")
    fig.savefig(HERE / "drafting_fit.png", dpi=110, bbox_inches="tight")
    plot_formation(get_formation("breaking4-pocket"), str(HERE / "formation_breaking4-pocket.svg"))


if __name__ == "__main__":
    main()
