"""Fuzzing the boundary (hypothesis): scenario TOML, split CSVs and command-line options.

Whatever the input, a command ends in one of two ways: exit 0 with finite results whose mean speeds are running speeds
(1 to 11 m/s), or exit 2 with one line on stderr. Never exit 1 (an internal error), never a run over a time bound,
never a jump in the process's peak memory. The examples are bounded so the suite stays fast; the reproducers of
issue 17 are kept separately in ``test_bad_input.py``.
"""

from __future__ import annotations

import json
import math
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bad_input import MINIMAL, Outcome, run_cli, scenario, to_toml

MILE = 1609.344
#: Wall-clock bound of one command [s] (the slowest valid run here, analyze, takes about 1 s).
RUN_BOUND_S = 20.0
#: Growth of the process's peak resident memory over one fuzz test [bytes].
MEMORY_BOUND = 600 * 2**20
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)

#: Any JSON/TOML-like value, biased towards the troublesome ones.
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -1.0, 1e-300, 1e300, 9e18, math.nan, math.inf, -math.inf, 1.0, 100.0, 1e6]),
    st.integers(min_value=-(10**20), max_value=10**20),
)
texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["[/]", "[bold]x", "4:06.42", "9" * 400, "99999999999:00:00", "nan", "", "x" * 3000]),
)
leaves = st.one_of(numbers, texts, st.booleans())
values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=12)  # fmt: skip

PATHS = [
    ("distance_m",),
    ("target",),
    ("description",),
    ("athlete", "name"),
    ("athlete", "height_m"),
    ("athlete", "mass_kg"),
    ("athlete", "drag_area_m2"),
    ("athlete", "performances", 0, "time"),
    ("athlete", "performances", 0, "distance_m"),
    ("athlete", "performances", 1),
    ("conditions", "temperature_c"),
    ("conditions", "wind_speed_m_s"),
    ("conditions", "relative_humidity"),
    ("conditions", "altitude_m"),
    ("conditions", "temperature_c_range"),
    ("equipment", "cda_factor"),
    ("equipment", "shoe_economy_gain"),
    ("track", "lanes"),
    ("track", "kerb_radius_m"),
    ("formations", "mine", "athlete_offset_m"),
    ("formations", "mine", "slots", 0, "dx_m"),
    ("formations", "mine", "slots", 0, "dy_m"),
    ("formations", "mine", "slots"),
    ("pacing", 0, "to_m"),
    ("pacing", 0, "formation"),
    ("pacers",),
    ("result", "time_s"),
    ("result", "splits"),
    ("result", "splits", 0),
]


def _base() -> dict[str, Any]:
    return scenario(
        formations={"mine": {"slots": [{"name": "front", "dx_m": 1.3, "dy_m": 0.0}]}},
        pacing=[{"from_m": 0.0, "to_m": MILE, "formation": "mine"}],
        result={"time_s": 250.0, "splits": [[400.0, 61.0], [MILE, 250.0]]},
        conditions={"temperature_c": 20.0},
        equipment={"cda_factor": 1.0},
        track={"lanes": 8},
    )


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _check(r: Outcome, elapsed_s: float) -> dict[str, Any] | None:
    """The contract of every run; the JSON output of a successful one."""
    assert elapsed_s < RUN_BOUND_S, elapsed_s
    assert r.code in (0, 2), (r.code, r.stderr[-1500:])
    event(f"exit {r.code}")
    if r.code == 2:
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("paceline: error: "), r.stderr[-1500:]
        assert len(lines[0]) < 4000, lines[0][:300]
        return None
    return json.loads(r.stdout) if r.stdout.lstrip().startswith("{") else {}


def _timed(*args: str) -> tuple[Outcome, float]:
    t0 = time.perf_counter()
    r = run_cli(*args)
    return r, time.perf_counter() - t0


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@FUZZ
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_fuzzed_scenario_is_a_race_or_one_line(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    rss0 = _peak_rss()
    data = _base()
    for path, value in edits:
        _set(data, path, value)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "s.toml"
        path.write_text(to_toml(data), encoding="utf-8")
        r, elapsed = _timed("predict", str(path), "--json")
    out = _check(r, elapsed)
    if out is not None:
        assert math.isfinite(out["time_s"]) and 1.0 <= out["distance_m"] / out["time_s"] <= 11.0, out["time_s"]
        for s in out["splits"]:
            assert math.isfinite(s["time_s"])
    assert _peak_rss() - rss0 < MEMORY_BOUND


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_fuzzed_scenario_text_is_a_race_or_one_line(text: str) -> None:
    """Arbitrary text (and a valid scenario with arbitrary text appended) as a scenario file."""
    for content in (text, to_toml(MINIMAL) + text):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "s.toml"
            path.write_text(content, encoding="utf-8", errors="surrogateescape")
            _check(*_timed("predict", str(path), "--json"))


garbage_rows = st.lists(
    st.tuples(
        st.one_of(st.floats(min_value=-10, max_value=2000), st.sampled_from([400.0, 800.0, 1200.0, MILE, math.nan])),
        st.one_of(st.floats(min_value=-10, max_value=1e6), st.sampled_from(["1:00.20", "nan", "inf", "9" * 50])),
    ),
    min_size=1,
    max_size=8,
)
#: Plausible mile splits: laps of 50 to 90 s at the 400 m marks (often a valid race).
plausible_rows = st.lists(st.floats(min_value=50.0, max_value=90.0), min_size=4, max_size=4).map(
    lambda laps: [(d, round(sum(laps[: i + 1]), 2)) for i, d in enumerate([400.0, 800.0, 1200.0, MILE])]
)
split_rows = st.one_of(plausible_rows, garbage_rows)


@settings(FUZZ, max_examples=15)
@given(rows=split_rows, event_m=st.sampled_from(["1609.344", "1609.344", "mile", "1500", "0", "1e9", "nan"]))
def test_fuzzed_split_csv_is_an_analysis_or_one_line(rows: list[tuple[float, Any]], event_m: str) -> None:
    rss0 = _peak_rss()
    body = "".join(f"r,A,2025-01-01,V,{event_m},{d},{t},\n" for d, t in rows)
    with tempfile.TemporaryDirectory() as dname:
        path = Path(dname) / "race.csv"
        path.write_text("race_id,athlete,date,venue,event_m,split_m,time_s,note\n" + body, encoding="utf-8")
        r, elapsed = _timed("analyze", str(path), "--json")
    out = _check(r, elapsed)
    if out is not None:
        for lap in out["laps"]:
            assert math.isfinite(lap["time_s"]) and 1.0 <= lap["speed_m_s"] <= 13.0, lap
    assert _peak_rss() - rss0 < MEMORY_BOUND


option_values = st.one_of(
    st.sampled_from(
        [
            "-1",
            "0",
            "1",
            "3",
            "5",
            "10",
            "20",
            "30",
            "0.5",
            "nan",
            "inf",
            "-inf",
            "1e-9",
            "1e300",
            "1000000000000",
            "abc",
            "",
            "[/]",
        ]
    ),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
#: (command words, {flag: fixed or None for fuzzed}) of the commands whose options are fuzzed; each run is kept
#: cheap by fixing the size options a valid run would otherwise scale with.
COMMANDS: list[tuple[list[str], list[str]]] = [
    (["montecarlo", "-n", "20", "--workers", "1", "--json"], ["--seed", "--shelter-spread", "--pool"]),
    (["montecarlo", "--workers", "1", "--pool", "2", "--json"], ["-n"]),
    (["lights", "--format", "json"], ["--spacing-m", "--train", "--format"]),
    (["track", "--json"], ["--offset-m", "--lane", "--event"]),
    (["air", "--json"], ["--temperature-c", "--relative-humidity", "--altitude-m"]),
    (["goal", "--json"], ["--target"]),
    (["predict", "--performances", "{perf}", "--json"], ["--distance-m", "--height-m", "--mass-kg"]),
]


@settings(FUZZ, max_examples=30)
@given(which=st.integers(0, len(COMMANDS) - 1), data=st.data())
def test_fuzzed_options_are_an_answer_or_one_line(which: int, data: st.DataObject) -> None:
    words, flags = COMMANDS[which]
    chosen = data.draw(st.lists(st.sampled_from(flags), min_size=1, max_size=len(flags), unique=True))
    args = list(words)
    for flag in chosen:
        args += [flag, data.draw(option_values)]
    rss0 = _peak_rss()
    with tempfile.TemporaryDirectory() as d:
        perf = Path(d) / "perf.csv"
        perf.write_text("distance_m,time\n1500,3:49.04\n5000,14:05.20\n", encoding="utf-8")
        r, elapsed = _timed(*[a.replace("{perf}", str(perf)) for a in args])
    _check(r, elapsed)
    assert _peak_rss() - rss0 < MEMORY_BOUND


@settings(FUZZ, max_examples=25)
@given(vary=st.lists(st.tuples(st.sampled_from(["conditions.temperature_c", "conditions.wind_speed_m_s", "distance_m",
                                                "x", "pacing[9].to_m"]),
                               st.tuples(option_values, option_values, option_values)), min_size=1, max_size=2),
       samples=st.one_of(st.none(), st.none(), option_values))  # fmt: skip
def test_fuzzed_sweep_is_an_answer_or_one_line(
    vary: list[tuple[str, tuple[str, str, str]]], samples: str | None
) -> None:
    with tempfile.TemporaryDirectory() as d:
        args = ["sweep", "--out", f"{d}/s.parquet", "--workers", "1", "--json", "--max-points", "200"]
        for path, (a, b, c) in vary:
            args += ["--vary", f"{path}={a}:{b}:{c}"]
        if samples is not None:
            args += ["--samples", samples]
        _check(*_timed(*args))
