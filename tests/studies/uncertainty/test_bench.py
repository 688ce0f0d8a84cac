"""``paceline bench``: the figures it reports (the figures themselves are measured in benchmarks/)."""

from __future__ import annotations

import json

import pytest

from cli_runner import run as run_cli

#: The keys issue 13 asks ``paceline bench --json`` for (benchmarks/*.py write the same keys).
REQUIRED = (
    "ocp_cold_s",
    "ocp_warm_s",
    "ocp_first_solve_s",
    "ocp_slsqp_s",
    "ocp_speedup_vs_slsqp",
    "forward_evals_per_s",
    "plan_wall_s",
    "formations_over_help",
    "plan_over_help",
    "predict_oc_over_help",
    "report_over_help",
    "plan_empty_cache_wall_s",
)


@pytest.mark.slow
def test_bench_cli_reports_the_figures() -> None:
    res = run_cli("bench", "--quick", "--json")
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)
    for key in (*REQUIRED, "montecarlo_draws_per_s", "montecarlo_draws_per_s_2_workers", "web_resolve_ms"):
        assert figures[key] > 0, key
    assert figures["ocp_speedup_vs_slsqp"] == pytest.approx(
        figures["ocp_slsqp_s"] / figures["ocp_ipopt_same_n_s"], rel=0.02
    )
    assert figures["montecarlo_speedup_2_workers"] == pytest.approx(
        figures["montecarlo_draws_per_s_2_workers"] / figures["montecarlo_draws_per_s"], rel=0.02
    )
    # the same discretised problem solved by both: the same optimum
    assert figures["ocp_slsqp_finish_s"] == pytest.approx(figures["ocp_ipopt_same_n_finish_s"], abs=0.01)
    assert figures["ocp_first_solve_imports_scipy"] is False
