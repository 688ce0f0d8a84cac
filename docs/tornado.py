"""Save the tornado chart of the Breaking4 Monte Carlo shown in the README (docs/tornado_breaking4.png).

Run: ``python docs/tornado.py`` (about 5 s). The same figure as
``paceline montecarlo breaking4 -n 10000 --seed 0 --plot docs/tornado_breaking4.png``.
"""

from __future__ import annotations

from pathlib import Path

from paceline.io.scenario import load_scenario
from paceline.render.uncertainty_plots import tornado_plot
from paceline.studies.uncertainty.montecarlo import monte_carlo


def main() -> Path:
    res = monte_carlo(load_scenario("breaking4"), n=10_000, seed=0, workers=1)
    out = tornado_plot(res, Path(__file__).with_name("tornado_breaking4.png"))
    print(f"{out}: median {res.median_s:.2f} s, P(target) {res.probability_under(res.target_s):.3f}")
    return out


if __name__ == "__main__":
    main()
