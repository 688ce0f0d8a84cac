"""``paceline plan``, ``goal`` and ``predict`` tables on races that are not the bundled mile."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import run_here as run

# A 5000 m on the track (12.5 laps, so its 400 m splits end with a 200 m tail), solo, calibrated on the athlete's
# own performances (Kipyegon's 1500 m and 5000 m records, as in examples/kipyegon_performances.csv).
FIVE_K = """
name = "five-k"
distance_m = 5000
target = "14:30"
[athlete]
name = "Test Runner"
height_m = 1.57
mass_kg = 42
sex = "F"
calibration = "performances"
performances = [{ distance_m = 1500, time = "3:49.11" }, { distance_m = 5000, time = "14:05.20" }]
[[pacing]]
from_m = 0
to_m = 5000
formation = "solo"
"""


@pytest.fixture
def five_k(tmp_path: Path) -> Path:
    path = tmp_path / "five-k.toml"
    path.write_text(FIVE_K, encoding="utf-8")
    return path


def _splits_table(text: str) -> dict[str, list[str]]:
    """The rows of the '200 m / 400 m splits' table by distance: [clock, 200 m, 400 m]."""
    rows: dict[str, list[str]] = {}
    inside = False
    for line in text.splitlines():
        if "200 m / 400 m splits" in line:
            inside = True
        elif inside and line.startswith("└"):
            break
        elif inside and line.startswith("│"):
            cells = [c.strip() for c in line.strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


def test_plan_400m_column_is_400m_at_a_5000m_finish(five_k: Path) -> None:
    r = run("plan", str(five_k))
    assert r.returncode == 0, r.stderr
    rows = _splits_table(r.stdout)
    assert "5000" in rows and rows["5000"][2], rows
    # the 400 m column at the finish is the last 400 m (4600 m to 5000 m), not the last 200 m
    last_200 = float(rows["5000"][1])
    last_400 = float(rows["5000"][2])
    assert last_400 == pytest.approx(last_200 + float(rows["4800"][1]), abs=0.02)
    assert last_400 > 1.8 * last_200


def test_goal_says_when_the_plan_already_reaches_the_target() -> None:
    r = run("goal", "breaking4", "--target", "4:30.00")
    assert r.returncode == 0, r.stderr
    assert "already reaches the target" in r.stdout
    assert "0 % of the way" not in r.stdout and "()" not in r.stdout


def test_predict_split_labels_keep_the_millimetres() -> None:
    r = run("predict", "kram2025")
    assert r.returncode == 0, r.stderr
    assert "split 1209.344 m" in r.stdout and "split 1609.344 m" in r.stdout
    assert "split 1209.34 m" not in r.stdout


def test_a_light_train_named_twice_runs_once(tmp_path: Path) -> None:
    # `--train target --train target` is one target train: the machine file has one row per light, not two
    once, twice = tmp_path / "once.csv", tmp_path / "twice.csv"
    assert run("lights", "kram2025", "--train", "target", "--csv", str(once)).returncode == 0
    r = run("lights", "kram2025", "--train", "target", "--train", "target", "--csv", str(twice))
    assert r.returncode == 0, r.stderr
    assert twice.read_text() == once.read_text()
