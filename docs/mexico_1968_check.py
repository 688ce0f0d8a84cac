"""Mexico City 1968 check: a man who runs the pre-Games world records at sea level, his time at 2240 m (paceline's
altitude model, `paceline.physics.environment`), against how much slower than those records the 1968 winners ran.

Run: ``python docs/mexico_1968_check.py``. World records before the Games and the 1968 winners' times: Olympedia
(olympedia.org/results/60592, 5000 m) and the Games' result pages (1500 m: Keino 3:34.9 against Ryun's 3:33.1;
10 000 m: Temu 29:27.4 against Clarke's 27:39.4).
"""

from __future__ import annotations

from paceline.chain import solve
from paceline.io.scenario import scenario_from_dict
from paceline.physics.air import REFERENCE_CONDITIONS
from paceline.timefmt import format_time

#: Men's world records before the Games [s].
RECORDS_S = {1500: 213.1, 5000: 796.6, 10000: 1659.4}
#: The 1968 Olympic winners' times at 2240 m [s].
WINNERS_S = {1500: 214.9, 5000: 845.0, 10000: 1767.4}

perfs = [{"distance_m": d, "time_s": t} for d, t in RECORDS_S.items()]
for d, record in RECORDS_S.items():
    times = []
    for altitude_m in (0.0, 2240.0):
        scenario = scenario_from_dict(
            {
                "name": f"wr-{d}",
                "distance_m": d,
                "athlete": {
                    "name": "WR man",
                    "height_m": 1.76,
                    "mass_kg": 60,
                    "sex": "M",
                    "performances": perfs,
                },
                "conditions": {**REFERENCE_CONDITIONS, "altitude_m": altitude_m},
            }
        )
        times.append(solve(scenario).finish_s)
    model = 100 * (times[1] / times[0] - 1)
    observed = 100 * (WINNERS_S[d] / record - 1)
    print(
        f"{d} m: sea level {format_time(times[0])}, 2240 m {format_time(times[1])} ({model:+.1f} %); "
        f"1968: world record {format_time(record)}, winner {format_time(WINNERS_S[d])} ({observed:+.1f} %)"
    )
