"""Every bundled scenario through every command that takes a scenario, with each model where a model applies, and
through ``POST /api/solve``.

The commands are read from the Typer app itself (any command with a ``scenario`` argument), so a new command is
covered the day it is added; if it needs arguments to run at all, add them to ``EXTRA_ARGS``. Each run is in
process (``paceline.cli.main``), so the whole matrix costs solves, not interpreter start-ups.

What must hold for every run: exit 0 with one JSON object on stdout (when the command takes ``--json``) whose
finishing times, where it reports them, are finite and give a mean speed between 1 and 11 m/s; or exit 2 with one
line on stderr. Exit 1 is a bug in paceline.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer.main

from live_server import live_server
from paceline.chain import solve
from paceline.cli import app, main
from paceline.io.scenario import bundled_scenario_names, load_scenario
from paceline.models.registry import MODELS

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]

#: Arguments a command needs to run at all, or to run quickly in a test ({tmp} is a fresh folder).
EXTRA_ARGS: dict[str, list[str]] = {
    "montecarlo": ["-n", "40", "--pool", "10", "--workers", "1"],
    "sweep": ["--vary", "conditions.temperature_c=15:20:5", "--out", "{tmp}/sweep.parquet", "--workers", "1"],
    "report": ["--output", "{tmp}/report.html"],
    "plan": ["--out", "{tmp}/plan"],
    "pacing": ["--n-intervals", "200"],
    "search": ["--designed", "2", "--max-phases", "2", "--top-formations", "2", "--shortlist", "1", "--draws", "20"],
}
#: The same, where a model makes each unit of work dearer (an Ipopt solve per draw): still several draws.
MODEL_ARGS: dict[tuple[str, str], list[str]] = {
    ("montecarlo", "optimal-control"): ["-n", "10", "--pool", "2", "--workers", "1"],
}


def takes_scenario(name: str) -> bool:
    return any(p.name == "scenario" and p.param_type_name == "argument" for p in COMMANDS[name].params)


def option_names(name: str) -> set[str]:
    return {p.name for p in COMMANDS[name].params if p.param_type_name == "option"}


def cases() -> Iterator[Any]:
    for command in sorted(c for c in COMMANDS if takes_scenario(c)):
        models: list[str | None] = list(MODELS) if "model" in option_names(command) else [None]
        for scenario in bundled_scenario_names():
            for model in models:
                marks = [pytest.mark.slow] if model == "optimal-control" or command == "report" else []
                yield pytest.param(
                    command, scenario, model, id=f"{command}-{scenario}-{model or 'default'}", marks=marks
                )


def test_the_matrix_covers_the_commands_that_take_a_scenario() -> None:
    # the list comes from the app: the commands a user reaches with a scenario name
    assert {"predict", "plan", "lights", "brief", "goal", "montecarlo", "sweep", "report", "pacing"} <= {
        c for c in COMMANDS if takes_scenario(c)
    }


def finish_times(out: Any, key: str = "") -> Iterator[tuple[str, float]]:
    """Every value in a JSON result whose key names a finishing or predicted time in seconds."""
    if isinstance(out, dict):
        for k, v in out.items():
            yield from finish_times(v, k)
    elif isinstance(out, list):
        for v in out:
            yield from finish_times(v, key)
    elif key in {"time_s", "finish_s", "predicted_s", "median_s"} and isinstance(out, int | float):
        yield key, float(out)


@pytest.mark.parametrize(("command", "scenario", "model"), list(cases()))
def test_command_runs_on_every_bundled_scenario(
    command: str, scenario: str, model: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = MODEL_ARGS.get((command, model or ""), EXTRA_ARGS.get(command, []))
    args = [command, scenario, *[a.replace("{tmp}", str(tmp_path)) for a in extra]]
    if model is not None:
        args += ["--model", model]
    as_json = "as_json" in option_names(command)
    if as_json:
        args.append("--json")
    with pytest.raises(SystemExit) as exc:
        main(args)
        raise SystemExit(0)
    code = exc.value.code or 0
    out, err = capsys.readouterr()
    assert code in (0, 2), f"exit {code}: {err}"
    if code == 2:
        assert err.startswith("paceline: error: ") and err.count("\n") == 1, err
        return
    if as_json:
        result = json.loads(out)
        assert isinstance(result, dict)
        distance = load_scenario(scenario).distance_m
        for key, t in finish_times(result):
            if key == "time_s" and t < 0.5 * distance:  # a split, not a finish
                continue
            assert math.isfinite(t) and 1.0 <= distance / t <= 11.0, (key, t)


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=120) as c:
        yield c


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("scenario", bundled_scenario_names())
def test_api_solve_every_bundled_scenario(client: httpx.Client, scenario: str, model: str) -> None:
    # the web app solves through the same chain as the command line: the same finishing time
    data = client.get(f"/api/scenarios/{scenario}").json()
    r = client.post("/api/solve", json={"scenario": data, "model": model})
    if r.status_code == 422:  # the model cannot run this scenario (e.g. no performances): a field is named
        assert r.json()["detail"], r.text
        return
    assert r.status_code == 200, r.text
    assert r.json()["finish_s"] == pytest.approx(solve(load_scenario(scenario), model).finish_s, abs=1e-3)
