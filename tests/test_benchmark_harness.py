"""The benchmark harness's bookkeeping (``benchmarks/harness.py``), not its timings: ``results.json`` holds one
section per script, rewritten wholesale by that script, and a ratio is taken pair by pair."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import harness  # noqa: E402


def test_a_script_rewrites_its_own_section_and_keeps_the_others(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    harness.write_section("/somewhere/bench_a.py", {"x_s": 1.0, "stale_over_help": 0.79}, path)
    harness.write_section("bench_b.py", {"y_s": 2.0}, path)
    harness.write_section(Path("benchmarks") / "bench_a.py", {"x_s": 1.5}, path)  # stale_over_help no longer measured
    assert json.loads(path.read_text(encoding="utf-8")) == {"bench_a.py": {"x_s": 1.5}, "bench_b.py": {"y_s": 2.0}}
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file, then renamed


def test_a_file_that_is_not_json_is_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    path.write_text("{half", encoding="utf-8")
    assert harness.read_results(path) == {}
    assert harness.write_section("bench_a.py", {"x_s": 1.0}, path) == {"bench_a.py": {"x_s": 1.0}}


def test_the_ratio_is_the_median_of_the_pairs_ratios() -> None:
    # the machine slowed down by half between the pairs: each pair's ratio is 3, so the ratio is 3, whereas the
    # ratio of the medians would mix a fast command run with a slow --help run
    walls, baseline = [0.3, 0.45, 0.6], [0.1, 0.15, 0.2]
    assert harness.paired_over(walls, baseline) == pytest.approx(3.0)
    assert harness.paired_over([0.3, 0.5, 0.9], [0.1, 0.1, 0.1]) == pytest.approx(5.0)
    with pytest.raises(ValueError):
        harness.paired_over([0.3], [])


def test_every_section_of_results_json_belongs_to_a_script_that_writes_it() -> None:
    results = harness.read_results(ROOT / "benchmarks" / "results.json")
    assert results, "benchmarks/results.json is missing or empty"
    for script, figures in results.items():
        source = ROOT / "benchmarks" / script
        assert source.is_file(), f"results.json has a section for {script}, which no longer exists"
        assert isinstance(figures, dict) and figures, script
        assert "__file__" in source.read_text(encoding="utf-8"), f"{script} does not write its own section"
