"""The README's tables made by scripts in docs/ are what those scripts print today (every row, verbatim)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Scripts whose every printed table row stands in the README as it is printed.
SCRIPTS = ("altitude_heat_table.py", "coverage_table.py", "drag_area_table.py")


@pytest.mark.parametrize("script", SCRIPTS)
def test_readme_rows_are_the_scripts_output(script: str) -> None:
    r = subprocess.run(
        [sys.executable, str(ROOT / "docs" / script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert r.returncode == 0, r.stderr
    rows = [ln for ln in r.stdout.splitlines() if ln.startswith("|")]
    assert len(rows) >= 4
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [ln for ln in rows if ln not in readme]
    assert not missing, f"README.md lacks these rows of docs/{script} (rerun it and paste its table): {missing}"


def test_readme_leave_one_out_table_is_the_benchmarks_result_for_todays_tables_and_code() -> None:
    # the stored benchmark was made from the shipped tables and the predictors as they are (else rerun
    # benchmarks/bench_predict.py), and the README's table is its rendering, row for row
    import json

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_predict

    results = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))
    out = results["bench_predict.py"]["predict_loo"]  # the section bench_predict.py owns
    assert out.get("inputs_sha256") == bench_predict.inputs_sha256(), "rerun python benchmarks/bench_predict.py"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [ln for ln in bench_predict.markdown(out).splitlines() if ln not in readme]
    assert not missing, f"README.md lacks these rows of bench_predict.py --markdown: {missing}"


@pytest.mark.parametrize("script", ["predictions_table.py"])
def test_readme_annotated_rows_have_the_scripts_numbers(script: str) -> None:
    # the README annotates the scenario column ("breaking2 (marathon, 6-pacer arrowhead)") and the last column
    # ("3:59.37 (model)") of the predictions; every other cell of each row is what the script prints today
    r = subprocess.run(
        [sys.executable, str(ROOT / "docs" / script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert r.returncode == 0, r.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    checked = 0
    last = 0
    for line in r.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) < 3 or cells[0].startswith("---"):
            continue
        if cells[0] in ("scenario", "cost curve"):  # a header: only "as raced" is annotated in the README
            last = -1 if cells[-1] == "as raced" else len(cells)
            continue
        mine = [
            [c.strip() for c in ln.strip("|").split("|")]
            for ln in readme
            if ln.startswith(f"| {cells[0]} |") or ln.startswith(f"| {cells[0]} (")
        ]
        assert mine, f"README.md has no row for {cells[0]} of docs/{script}"
        assert any(m[1:last] == cells[1:last] for m in mine), f"README.md's row for {cells[0]} is not {line}"
        checked += 1
    assert checked >= 10


def test_readme_table_of_monte_carlo_inputs_is_the_samplers_table() -> None:
    # the README's table of distributions is the one the sampler reads (studies/uncertainty/inputs.INPUTS), printed
    # by docs/montecarlo_inputs_table.py: the same rows in the same order, none more, none less
    r = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "montecarlo_inputs_table.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    printed = r.stdout.strip().splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme.index(printed[0])
    end = start
    while end < len(readme) and readme[end].startswith("|"):
        end += 1
    assert readme[start:end] == printed, "rerun python docs/montecarlo_inputs_table.py and paste its table"
    from paceline.studies.uncertainty.inputs import INPUTS

    assert len(printed) == 2 + len(INPUTS)
