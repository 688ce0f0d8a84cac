"""The command line as a user runs it: real subprocesses, exit codes, JSON on stdout."""

from __future__ import annotations

import json

import pytest

from cli_runner import run


def test_help_lists_commands() -> None:
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("plan", "track", "air", "scenarios"):
        assert cmd in r.stdout


def test_track_json_mile_one_metre_out() -> None:
    r = run("track", "--event", "mile", "--offset-m", "1", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["lap_m"] == pytest.approx(404.40, abs=0.01)
    assert out["start_before_finish_m"] == pytest.approx(9.344, abs=1e-3)
    assert out["distance_run_m"] == pytest.approx(1627.0, abs=0.1)


def test_track_lane_json() -> None:
    out = json.loads(run("track", "--lane", "8", "--event", "400", "--json").stdout)
    assert out["lap_m"] == pytest.approx(453.03, abs=0.01)  # track_standard_400m.csv


def test_air_json() -> None:
    r = run(
        "air",
        "--temperature-c",
        "20",
        "--relative-humidity",
        "0.5",
        "--altitude-m",
        "1500",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["density_kg_m3"] == pytest.approx(0.9996, abs=0.001)  # air_density_checks.csv


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("track", "--lane", "9"), "lane"),
        (("track", "--offset-m", "-1"), "--offset-m"),
        (("track", "--event", "marathonish"), "--event"),
        (("air", "--temperature-c", "20", "--relative-humidity", "50"), "--relative-humidity"),
        (("plan", "no_such_file.toml"), "scenario"),
    ],
)
def test_bad_input_exit_2_one_line(args: tuple[str, ...], field: str) -> None:
    r = run(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and field in lines[0] and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_debug_shows_traceback() -> None:
    r = run("--debug", "track", "--lane", "9")
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_plan_runs_on_default_scenario() -> None:
    r = run("plan", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["scenario"] == "breaking4"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, {"PYDANTIC_DISABLE_PLUGINS": "1", "OPENBLAS_NUM_THREADS": "1"}),
        # a user's own settings win: theirs kept, and OpenBLAS's thread count left to the variable they set
        ({"PYDANTIC_DISABLE_PLUGINS": "logfire", "OMP_NUM_THREADS": "4"}, {"PYDANTIC_DISABLE_PLUGINS": "logfire"}),
        ({"OPENBLAS_NUM_THREADS": "2"}, {"PYDANTIC_DISABLE_PLUGINS": "1", "OPENBLAS_NUM_THREADS": "2"}),
    ],
)
def test_the_command_lines_process_settings(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, str], expected: dict[str, str]
) -> None:
    import os

    from paceline.cli import _process_settings

    keys = ("PYDANTIC_DISABLE_PLUGINS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
    for k in keys:
        monkeypatch.delenv(k, raising=False)
    for k, v in given.items():
        monkeypatch.setenv(k, v)
    _process_settings()
    assert {k: os.environ.get(k) for k in keys} == {k: expected.get(k, given.get(k)) for k in keys}
