"""Where did Breaking4's seconds go? The gap between 3:59.37 (da Silva et al. 2025) and the 4:06.42 she ran.

Run: ``python examples/breaking4_gap.py``. Prints the predictions of the three models for the published
configuration, the race as raced and paceline's best plan, then the time-lost attribution of the real race.
"""

from __future__ import annotations

import paceline
from paceline.io.races import load_race
from paceline.studies.analysis.race_analysis import analyze
from paceline.timefmt import format_time


def main() -> None:
    print(f"{'scenario':20s} {'equal-power':>12s} {'critical-speed':>15s} {'optimal-control':>16s}")
    for name in ("kram2025", "breaking4", "breaking4-optimal"):
        sc = paceline.load_scenario(name)
        times = [paceline.solve(sc, m).finish for m in ("equal-power", "critical-speed", "optimal-control")]
        print(f"{name:20s} {times[0]:>12s} {times[1]:>15s} {times[2]:>16s}")
    an = analyze(load_race("breaking4_2025"))
    print(f"\nBreaking4 as raced: {format_time(an.race.finish_s)}; time lost against the reference:")
    for cause, seconds in an.time_lost.items():
        print(f"  {cause:28s} {seconds:+6.2f} s")


if __name__ == "__main__":
    main()
