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

    out = json.loads((ROOT / "benchmarks" / "results.json").read_text(encoding="utf-8"))["predict_loo"]
    assert out.get("inputs_sha256") == bench_predict.inputs_sha256(), "rerun python benchmarks/bench_predict.py"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [ln for ln in bench_predict.markdown(out).splitlines() if ln not in readme]
    assert not missing, f"README.md lacks these rows of bench_predict.py --markdown: {missing}"
