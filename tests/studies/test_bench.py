"""``paceline bench``: the figures it reports (the figures themselves are measured in benchmarks/)."""

from __future__ import annotations

import json

import pytest

from cli_runner import run as run_cli


def test_bench_cli_reports_the_figures() -> None:
    res = run_cli("bench", "--quick", "--json")
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)
    for key in ("montecarlo_draws_per_s", "montecarlo_draws_per_s_2_workers", "equal_power_evals_per_s"):
        assert figures[key] > 0
    assert figures["montecarlo_speedup_2_workers"] == pytest.approx(
        figures["montecarlo_draws_per_s_2_workers"] / figures["montecarlo_draws_per_s"], rel=0.02
    )
