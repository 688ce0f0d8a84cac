"""The corner (pair) plot of an inference: every parameter's posterior against every other, with the prior's
5-95 % shaded on the diagonal so a reader sees what the splits taught.

Drawn on a :class:`matplotlib.figure.Figure` directly (no pyplot, no backend switching); matplotlib is imported
inside the function so ``paceline --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from paceline.io.outputs import check_figure_path, save_figure

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.inference.infer import Inference

#: Posterior rows drawn in the scatter panels (all rows enter the histograms).
SCATTER_ROWS = 3000

__all__ = ["plot_corner"]


def plot_corner(inference: Inference, path: str | Path, seed: int = 0) -> Path:
    """Save the corner plot of an inference to ``path`` (.png or .svg) and return the path.

    Diagonal: the posterior's histogram, its median (line) and the prior's 5-95 % (grey band). Below: posterior
    samples of each pair of parameters.
    """
    from matplotlib.figure import Figure

    out = check_figure_path(path)
    names = inference.names
    x = inference.samples
    prior = {row["name"]: (row["prior_p05"], row["prior_p95"]) for row in inference.posterior}
    n = len(names)
    rng = np.random.default_rng(seed)
    pick = rng.choice(x.shape[0], size=min(SCATTER_ROWS, x.shape[0]), replace=False)
    fig = Figure(figsize=(1.6 * n + 1, 1.6 * n + 1))
    axes = fig.subplots(n, n, squeeze=False)
    for i in range(n):
        for j in range(n):
            ax = axes[i][j]
            if j > i:
                ax.set_axis_off()
                continue
            if i == j:
                lo, hi = prior.get(names[i], (np.nan, np.nan))
                ax.axvspan(lo, hi, color="0.85", zorder=0, label="prior 5-95 %")
                ax.hist(x[:, i], bins=40, color="C0", histtype="stepfilled", alpha=0.8)
                ax.axvline(float(np.median(x[:, i])), color="k", lw=1)
                ax.set_yticks([])
            else:
                ax.scatter(x[pick, j], x[pick, i], s=1, alpha=0.3, color="C0", rasterized=True)
            if i == n - 1:
                ax.set_xlabel(names[j], fontsize=7, rotation=30, ha="right")
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(names[i], fontsize=7, rotation=0, ha="right")
            elif j > 0 or i == 0:
                ax.set_yticklabels([])
            ax.tick_params(labelsize=6)
    fig.suptitle(f"posterior of {', '.join(inference.races)} ({inference.draws} steps x {inference.walkers} walkers)")
    fig.subplots_adjust(left=0.14, bottom=0.12, right=0.98, top=0.95, wspace=0.08, hspace=0.08)
    save_figure(fig, out, dpi=100)
    return out
