"""The reproducers of issue 17, kept as regression cases: every one ends as a clean exit 2 naming the field (one line
on stderr, nothing on stdout) or as a correct answer; none is an internal error (exit 1), a hang or a crash.

The commands run in this process (:func:`bad_input.run_cli`) except the few that must be watched from outside
(memory, time): those run as subprocesses with a time limit and an address-space limit.
"""

from __future__ import annotations

import json
import math
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bad_input import Outcome, assert_clean_failure, run_cli, scenario, to_toml
from cli_runner import PACELINE

MILE = 1609.344
SPLIT_HEADER = "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"


def _phase(formation: str, **extra: Any) -> dict[str, Any]:
    return {"from_m": 0.0, "to_m": MILE, "formation": formation, **extra}


def _inline(slots: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A scenario holding one inline formation ``mine`` for the whole race."""
    return scenario(formations={"mine": {"slots": slots, **extra}}, pacing=[_phase("mine")])


def _performance(time_s: float | str) -> dict[str, Any]:
    """:data:`MINIMAL` with its first performance's time replaced."""
    key = "time" if isinstance(time_s, str) else "time_s"
    return scenario(
        athlete={"performances": [{"distance_m": 1500.0, key: time_s}, {"distance_m": 5000.0, "time": "14:05.20"}]}
    )


def _nested(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


def _splits_csv(rows: list[tuple[float, float]], event_m: float = MILE) -> str:
    body = "".join(f"r,A,2025-01-01,V,{event_m},{d},{t},\n" for d, t in rows)
    return SPLIT_HEADER + body


#: (id, files {name: text or bytes}, argv with {d} for the folder, expected field in the one-line error)
SCENARIO_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("offset-huge", _inline([{"dx_m": 1.0, "dy_m": 0.0}], athlete_offset_m=1e6), "athlete_offset_m"),
    ("offset-inside-kerb", _inline([{"dx_m": 1.0, "dy_m": 0.0}], athlete_offset_m=-3.0), "athlete_offset_m"),
    ("offset-not-number", _inline([{"dx_m": 1.0, "dy_m": 0.0}], athlete_offset_m="x"), "athlete_offset_m"),
    ("slot-nan", _inline([{"dx_m": math.nan, "dy_m": 0.0}]), "slots[0]"),
    ("slot-inf", _inline([{"dx_m": 1.0, "dy_m": math.inf}]), "slots[0]"),
    ("distance-1m", scenario(distance_m=1.0), "distance_m"),
    ("distance-nan", scenario(distance_m=math.nan), "distance_m"),
    ("perf-inf", _performance(math.inf), "athlete.performances[0].time_s"),
    ("perf-1e300", _performance(1e300), "athlete.performances[0].time_s"),
    ("perf-1e-300", _performance(1e-300), "athlete.performances[0].time_s"),
    ("perf-clock-huge", _performance("99999999:00"), "athlete.performances[0]"),
    ("result-huge", scenario(result={"time_s": 9e18}), "result.time_s"),
    ("result-splits-flat", scenario(result={"time_s": 250.0, "splits": [1, 2]}), "result.splits"),
    ("result-splits-dict", scenario(result={"time_s": 250.0, "splits": [[400, {"a": 1}]]}), "result.splits[0]"),
    ("result-splits-short", scenario(result={"time_s": 250.0, "splits": [[400]]}), "result.splits[0]"),
    ("target-400-digits", scenario(target="9" * 400), "target"),
    ("target-huge-clock", scenario(target="99999999999999999999:00"), "target"),
    ("target-huge-hours", scenario(target="999999999999:00:00"), "target"),
    ("temperature-nan", scenario(conditions={"temperature_c": math.nan}), "conditions.temperature_c"),
    ("pacer-range-nan", scenario(conditions={"temperature_c_range": [math.nan, 30.0]}), "temperature_c_range"),
    ("mass-inf", scenario(athlete={"mass_kg": math.inf}), "athlete.mass_kg"),
]


@pytest.mark.parametrize(("data", "field"), [(c[1], c[2]) for c in SCENARIO_CASES], ids=[c[0] for c in SCENARIO_CASES])
def test_bad_scenario_is_exit_2_naming_the_field(tmp_path: Path, data: dict[str, Any], field: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    r = run_cli("predict", str(path), "--json")
    assert_clean_failure(r, field)
    assert r.stdout == ""


def _file_case(content: bytes, tmp_path: Path, suffix: str = ".toml") -> Path:
    path = tmp_path / f"f{suffix}"
    path.write_bytes(content)
    return path


FILE_CASES: list[tuple[str, bytes, str]] = [
    ("binary", bytes(range(256)) * 4, "scenario"),
    ("latin-1", 'name = "caf\xe9"\n'.encode("latin-1"), "scenario"),
    ("nested-500", _nested(500).encode(), "scenario"),
    ("nested-table-500", ("x = " + "{a = " * 500 + "1" + "}" * 500 + "\n").encode(), "scenario"),
    ("too-big", b"# padding\n" * 300_000, "scenario"),
]


@pytest.mark.parametrize(("content", "field"), [(c[1], c[2]) for c in FILE_CASES], ids=[c[0] for c in FILE_CASES])
def test_bad_scenario_file_is_exit_2(tmp_path: Path, content: bytes, field: str) -> None:
    r = run_cli("predict", str(_file_case(content, tmp_path)))
    assert_clean_failure(r, field)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (bytes(range(256)) * 4, "formation"),
        (_nested(500).encode(), "formation"),
        (b"# padding\n" * 300_000, "formation"),
    ],
    ids=["binary", "nested-500", "too-big"],
)
def test_bad_formation_file_is_exit_2(tmp_path: Path, content: bytes, field: str) -> None:
    form = tmp_path / "form.toml"
    form.write_bytes(content)
    sc = tmp_path / "s.toml"
    sc.write_text(to_toml(scenario(pacing=[_phase(str(form))])), encoding="utf-8")
    assert_clean_failure(run_cli("predict", str(sc)), field)


def test_empty_inline_formation_runs_solo(tmp_path: Path) -> None:
    """An inline formation without slots (once an internal error) is a solo race: the same time as ``solo``."""
    times = []
    for form_data, form in ((scenario(formations={"mine": {"slots": []}}, pacing=[_phase("mine")]), "mine"),
                            (scenario(pacing=[_phase("solo")]), "solo")):  # fmt: skip
        path = tmp_path / f"{form}.toml"
        path.write_text(to_toml(form_data), encoding="utf-8")
        r = run_cli("predict", str(path), "--json")
        assert r.code == 0, r.stderr
        times.append(json.loads(r.stdout)["time_s"])
    assert times[0] == times[1]


def test_markup_in_user_text_is_printed_as_is(tmp_path: Path) -> None:
    """Rich markup in a description, an athlete's or a pacer's name is text, never interpreted."""
    data = scenario(
        description="[/] [bold]not bold[/bold]",
        athlete={"name": "[/]"},
        pacers=[{"name": "[/]"}, {"name": "[red]"}],
        pacing=[_phase("line-2", pacers=["[/]", "[red]"])],
    )
    path = tmp_path / "s.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    for command in ("plan", "predict"):
        r = run_cli(command, str(path))
        assert r.code == 0, r.stderr
        assert "[/] [bold]not bold[/bold]" in r.stdout.replace("\n", " ") or "[/]" in r.stdout
    r = run_cli("plan", str(path))
    assert "[red]" in r.stdout


OPTION_CASES: list[tuple[str, list[str], str]] = [
    ("mc-spread-nan", ["montecarlo", "-n", "10", "--shelter-spread", "nan"], "--shelter-spread"),
    ("mc-spread-negative", ["montecarlo", "-n", "10", "--shelter-spread", "-1"], "--shelter-spread"),
    ("mc-seed-negative", ["montecarlo", "-n", "10", "--seed", "-1"], "--seed"),
    ("infer-seed-negative", ["infer", "monaco_2023", "--draws", "100", "--seed", "-1"], "--seed"),
    ("infer-seed-over-32-bits", ["infer", "monaco_2023", "--draws", "100", "--seed", str(2**32)], "--seed"),
    (
        "compare-scenario-b-distance",
        ["compare", "breaking4_2025", "monaco_2023", "--scenario-b", "breaking2"],
        "--scenario-b",
    ),
    ("search-designed-0", ["search", "--designed", "0"], "--designed"),  # named n_pacers
    ("search-designed-100", ["search", "--designed", "100"], "--designed"),  # silently left out
    ("design-seed-negative", ["formations", "design", "--pacers", "2", "--seed", "-1"], "--seed"),
    ("design-seed-over-32-bits", ["formations", "design", "--pacers", "2", "--seed", "99999999999"], "--seed"),
    ("mc-n-huge", ["montecarlo", "-n", "1000000000000"], "-n"),
    ("mc-pool-1", ["montecarlo", "-n", "10", "--pool", "1"], "--pool"),
    ("mc-workers-0", ["montecarlo", "-n", "10", "--workers", "0"], "--workers"),
    ("mc-scheduler-garbage", ["montecarlo", "-n", "10", "--scheduler", "garbage"], "--scheduler"),
    ("lights-spacing-tiny", ["lights", "--spacing-m", "1e-6"], "--spacing-m"),
    ("lights-spacing-nan", ["lights", "--spacing-m", "nan"], "--spacing-m"),
    ("sweep-vary-nan", ["sweep", "--vary", "conditions.temperature_c=nan:nan:1", "--out", "{d}/s.parquet"], "--vary"),
    ("sweep-vary-inf", ["sweep", "--vary", "conditions.temperature_c=10:inf:1", "--out", "{d}/s.parquet"], "--vary"),
    (
        "sweep-grid-tiny-step",
        ["sweep", "--vary", "conditions.temperature_c=10:30:1e-9", "--out", "{d}/s.parquet"],
        "--vary",
    ),
    (
        "sweep-grid-product",
        [
            "sweep",
            *("--vary", "conditions.temperature_c=10:30:0.01"),
            *("--vary", "conditions.relative_humidity=0:1:0.001"),
            *("--out", "{d}/s.parquet"),
        ],
        "--vary",
    ),
    (
        "sweep-samples-huge",
        ["sweep", "--vary", "conditions.temperature_c=10:30:1", "--samples", "1000000000", "--out", "{d}/s.parquet"],
        "--samples",
    ),
    (
        "sweep-scheduler-garbage",
        ["sweep", "--vary", "conditions.temperature_c=10:30:5", "--out", "{d}/s.parquet", "--scheduler", "garbage"],
        "--scheduler",
    ),
    (
        "sweep-seed-negative",
        [
            "sweep",
            "--vary",
            "conditions.temperature_c=10:30:5",
            "--samples",
            "3",
            "--seed",
            "-1",
            "--out",
            "{d}/s.parquet",
        ],
        "--seed",
    ),
    ("goal-target-nan", ["goal", "--target", "nan"], "--target"),
    ("goal-target-400-digits", ["goal", "--target", "9" * 400], "--target"),
    ("analyze-method", ["analyze", "breaking4_2025", "--method", "cubic"], "--method"),
    ("mc-plot-gif", ["montecarlo", "-n", "10", "--plot", "{d}/t.gif"], "--plot"),
    ("mc-plot-folder", ["montecarlo", "-n", "10", "--plot", "{d}"], "--plot"),
    (
        "sweep-plot-gif",
        ["sweep", "--vary", "conditions.temperature_c=10:30:5", "--out", "{d}/s.parquet", "--plot", "{d}/h.gif"],
        "--plot",
    ),
    ("formations-svg-gif", ["formations", "show", "single", "--svg", "{d}/f.gif"], "--svg"),
]


@pytest.mark.parametrize(("argv", "field"), [(c[1], c[2]) for c in OPTION_CASES], ids=[c[0] for c in OPTION_CASES])
def test_bad_option_is_exit_2_naming_the_flag(tmp_path: Path, argv: list[str], field: str) -> None:
    r = run_cli(*[a.replace("{d}", str(tmp_path)) for a in argv])
    assert_clean_failure(r, field)
    assert not (tmp_path / "s.parquet").exists()


def test_race_csv_with_an_impossible_mean_speed_is_exit_2(tmp_path: Path) -> None:
    """A mile in 100,000 s (0.016 m/s) is not a race."""
    path = tmp_path / "slow.csv"
    path.write_text(_splits_csv([(400, 25_000), (800, 50_000), (1200, 75_000), (MILE, 100_000)]), encoding="utf-8")
    assert_clean_failure(run_cli("analyze", str(path)), "time_s")


@pytest.mark.parametrize("content", [bytes(range(256)) * 4, "caf\xe9".encode("latin-1") * 10], ids=["binary", "latin"])
def test_race_csv_not_text_is_exit_2(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    assert_clean_failure(run_cli("analyze", str(path)), "race")


def test_pchip_reconstruction_gives_finite_laps() -> None:
    """``--method pchip`` once returned NaN laps; every lap is now finite and at a running speed."""
    r = run_cli("analyze", "breaking4_2025", "--method", "pchip", "--json")
    assert r.code == 0, r.stderr
    laps = json.loads(r.stdout)["laps"]
    assert laps
    for lap in laps:
        assert math.isfinite(lap["time_s"]) and 1.0 <= lap["speed_m_s"] <= 11.0, lap


def _limited(timeout_s: float, memory_bytes: int) -> Callable[[], None]:
    def limit() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return limit


def run_bounded(*args: str, timeout_s: float = 60, memory_gib: float = 2.0) -> Outcome:
    """Run ``paceline ARGS`` as a subprocess with a wall-clock and an address-space limit."""
    r = subprocess.run(
        [*PACELINE, *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        preexec_fn=_limited(timeout_s, int(memory_gib * 2**30)),
    )
    return Outcome(r.returncode, r.stdout, r.stderr)


@pytest.mark.parametrize("n_rows", [2_000, 100_000])
def test_long_split_csv_is_refused_quickly(tmp_path: Path, n_rows: int) -> None:
    """A 2,000-row split file once took 10 GB and 100,000 rows asked for 596 GiB: now a clean refusal."""
    step_m = 100_000.0 / n_rows  # the whole file within 100 km, at 5 m/s
    rows = [(round(step_m * (i + 1), 3), round(step_m * (i + 1) / 5.0, 3)) for i in range(n_rows)]
    path = tmp_path / "long.csv"
    path.write_text(_splits_csv(rows, event_m=rows[-1][0]), encoding="utf-8")
    r = run_bounded("analyze", str(path), timeout_s=60)
    assert_clean_failure(r)


@pytest.fixture
def not_a_scheduler() -> Iterator[str]:
    """A TCP port that accepts connections and never speaks the Dask protocol."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    yield f"tcp://127.0.0.1:{srv.getsockname()[1]}"
    srv.close()


def test_probe_of_a_port_that_is_not_a_scheduler_times_out(not_a_scheduler: str) -> None:
    from paceline.errors import ScenarioError
    from paceline.studies.uncertainty.executors import probe_scheduler

    t0 = time.monotonic()
    with pytest.raises(ScenarioError, match="no Dask scheduler answered"):
        probe_scheduler(not_a_scheduler, timeout_s=1.0)
    assert time.monotonic() - t0 < 10.0


@pytest.mark.slow
def test_scheduler_that_is_not_a_scheduler_fails_quickly(not_a_scheduler: str, tmp_path: Path) -> None:
    """Once > 180 s; now exit 2 within the connection timeout (10 s)."""
    r = run_bounded("montecarlo", "-n", "20", "--scheduler", not_a_scheduler, timeout_s=60)
    assert_clean_failure(r, "--scheduler")


def test_python_api_rejects_the_same_values() -> None:
    """The library refuses what the CLI refuses (validation lives in the library, the CLI shows the flag)."""
    from paceline.errors import ScenarioError
    from paceline.io.scenario import load_scenario
    from paceline.studies.uncertainty.montecarlo import monte_carlo

    sc = load_scenario("breaking4")
    with pytest.raises(ScenarioError, match="shelter_spread"):
        monte_carlo(sc, n=10, shelter_spread=math.nan)
    with pytest.raises(ScenarioError, match="seed"):
        monte_carlo(sc, n=10, seed=-1)


if __name__ == "__main__":  # pragma: no cover - a manual probe
    sys.exit(pytest.main([__file__, "-q"]))
