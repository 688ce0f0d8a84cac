"""Make the README's race-analysis figure: Breaking4 (Paris 2025) reconstructed from its splits, with the time lost
against the reference as a waterfall.

Run: ``.venv/bin/python docs/race_analysis.py`` (writes ``docs/race_analysis_breaking4.png``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from paceline.io.races import load_race
from paceline.render.analysis_plot import plot_analysis
from paceline.studies.analysis.race_analysis import analyze

log = logging.getLogger(__name__)

OUT = Path(__file__).with_name("race_analysis_breaking4.png")


def main() -> None:
    """Analyse the bundled Breaking4 race and save the figure."""
    an = analyze(load_race("breaking4_2025"))
    plot_analysis(an, OUT)
    log.warning("wrote %s (race %.2f s, reference %.2f s)", OUT, an.finish_s, an.reference_s)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    main()
