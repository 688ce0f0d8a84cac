"""``paceline montecarlo`` as a user reads it."""

from __future__ import annotations

from cli_runner import run


def test_sensitivity_table_shows_its_units() -> None:
    r = run("montecarlo", "breaking4", "-n", "100", "--seed", "0")
    assert r.returncode == 0, r.stderr
    table = r.stdout.split("Sensitivity", 1)[1].split("Distributions", 1)[0]
    # "[s]" must not be eaten as rich markup (strike-through) in the headers
    assert "time [s]" in table and "swing [s]" in table
    # each input's values carry its unit (the cost curve's are W/kg at race pace, not bare numbers)
    flat = " ".join(table.replace("│", " ").split())
    assert "[W/kg at race pace]" in flat and "[power factor]" in flat
