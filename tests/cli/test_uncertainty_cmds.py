"""``paceline montecarlo`` as a user reads it."""

from __future__ import annotations

import pytest

from cli_runner import run_here as run


def test_sensitivity_table_shows_its_units() -> None:
    r = run("montecarlo", "breaking4", "-n", "100", "--seed", "0")
    assert r.returncode == 0, r.stderr
    table = r.stdout.split("Sensitivity", 1)[1].split("Distributions", 1)[0]
    # "[s]" must not be eaten as rich markup (strike-through) in the headers
    assert "time [s]" in table and "swing [s]" in table
    # each input's values carry its unit (the cost curve's are W/kg at race pace, not bare numbers)
    flat = " ".join(table.replace("│", " ").split())
    assert "[W/kg at race pace]" in flat and "[power factor]" in flat


def test_the_races_own_result_is_the_as_raced_time_not_her_best(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one line per row of the summary table
    r = run("montecarlo", "breaking4", "-n", "20", "--seed", "0")
    assert r.returncode == 0, r.stderr
    assert "P(under the as-raced 4:06.42, breaking4)" in r.stdout and "her best" not in r.stdout
