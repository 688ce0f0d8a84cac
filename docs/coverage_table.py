"""Does the Monte Carlo's 90 % interval hold the times actually run? The README's coverage table.

For every bundled as-raced scenario with a result (breaking4, monaco2023, breaking2, ineos159; Florence 2023 has splits
but no scenario, so it is not in the table) the Monte Carlo (``paceline montecarlo``, 4000 draws, seed 0) predicts the
finishing time with the athlete's power taken *without that race* (leave one race out), each scenario's own
calibration where it is another effort: breaking4 on Monaco 2023, breaking2 on Kipchoge's performances before it,
ineos159 on Breaking2 (2017); monaco2023, which replays itself (``calibration = "self"``), is calibrated here on her
performances before it (Florence 1500 m, Paris 5000 m). The table says whether the time run falls inside the 5-95 %
interval. The Monte Carlo's inputs are those of :mod:`paceline.studies.uncertainty.draws` (drafting, Cd, kit, shoes,
weather,
form on the day, the calibration's own form, the pacers' slot-holding jitter, the calibration race's pacer gap and
the cost curve); nothing is widened for this table beyond what the Monte Carlo itself draws.

Run: ``python docs/coverage_table.py`` (about a minute; the Monte Carlo's cache makes a re-run instant).
"""

from __future__ import annotations

from paceline.io.scenario import Scenario, load_scenario, scenario_from_dict
from paceline.studies.uncertainty.montecarlo import monte_carlo
from paceline.timefmt import format_time

SCENARIOS = ("breaking4", "monaco2023", "breaking2", "ineos159")
DRAWS = 4000


def held_out(name: str) -> tuple[Scenario, str]:
    """The scenario calibrated without its own result."""
    sc = load_scenario(name)
    if sc.athlete.calibration != "self":
        return sc, sc.athlete.calibration or "performances"
    data = sc.model_dump(exclude_none=True)
    data["athlete"] = {**data["athlete"], "calibration": "performances"}
    return scenario_from_dict(data, source=f"{name} (calibrated on her performances)"), "performances before it"


def main() -> None:
    print("| scenario | calibrated on | 5 % | median | 95 % | width [s] | as run | inside |")
    print("|---|---|---|---|---|---|---|---|")
    inside = 0
    for name in SCENARIOS:
        sc, cal = held_out(name)
        assert sc.result is not None
        mc = monte_carlo(sc, n=DRAWS, seed=0, workers=1)
        lo, mid, hi = mc.percentile(5), mc.percentile(50), mc.percentile(95)
        ran = sc.result.time_s
        ok = lo <= ran <= hi
        inside += ok
        print(
            f"| {name} | {cal} | {format_time(lo)} | {format_time(mid)} | {format_time(hi)} | {hi - lo:.1f} | "
            f"{format_time(ran)} | "
            f"{'yes' if ok else 'no'} |"
        )
    print(f"\n{inside} of {len(SCENARIOS)} inside the 90 % interval.")


if __name__ == "__main__":
    main()
