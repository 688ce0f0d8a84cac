"""The calibrated power kept on disk (paceline.fit.effort.calibrated_power): read back exactly, recomputed when an
input changes, when an entry is corrupt or foreign, and when the disk cache is off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from paceline.fit import effort as ef
from paceline.fit.athlete import calibration_effort
from paceline.io.scenario import load_scenario
from paceline.physics.metabolic import COST_CURVES


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = ef._solved_power

    def counted(effort: ef.CalibrationEffort, curve: str) -> Any:
        calls.append(curve)
        return real(effort, curve)

    monkeypatch.setattr(ef, "_solved_power", counted)
    return calls


def _effort() -> ef.CalibrationEffort:
    return calibration_effort(load_scenario("breaking4"))  # monaco2023, run at its splits


def test_a_new_process_reads_the_power_back_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solves: list[str]
) -> None:
    monkeypatch.setenv("PACELINE_CACHE_DIR", str(tmp_path))
    effort = _effort()
    power, _ = ef.calibrated_power(effort)
    again, segs_again = ef.calibrated_power(_effort())  # another effort object of equal content
    assert solves == [ef.DEFAULT_CURVE] and len(list((tmp_path / "calibration").glob("*.json"))) == 1
    fresh = ef._solved_power(effort, ef.DEFAULT_CURVE)  # oracle: solved now
    assert again == power == fresh[0] and np.array_equal(segs_again, fresh[1])


def test_a_changed_input_is_another_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solves: list[str]) -> None:
    from dataclasses import replace

    monkeypatch.setenv("PACELINE_CACHE_DIR", str(tmp_path))
    effort = _effort()
    base, _ = ef.calibrated_power(effort)
    slower, _ = ef.calibrated_power(replace(effort, durations_s=effort.durations_s * 1.01))
    windier, _ = ef.calibrated_power(replace(effort, course=effort.course.with_changes(wind_speed_m_s=3.0)))
    other_curve, _ = ef.calibrated_power(effort, next(c for c in COST_CURVES if c != ef.DEFAULT_CURVE))
    assert len(solves) == 4 and len({base, slower, windier, other_curve}) == 4 and slower < base


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: "{not json",
        lambda d: json.dumps({**d, "key": "0" * 64}),  # foreign
        lambda d: json.dumps({**d, "segment_powers_w_kg": d["segment_powers_w_kg"][:-1]}),  # a segment short
        lambda d: json.dumps({**d, "segment_powers_w_kg": [-1.0] * len(d["segment_powers_w_kg"])}),  # not a power
        lambda d: json.dumps({**d, "segment_powers_w_kg": "fast"}),
    ],
)
def test_a_corrupt_entry_is_solved_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, solves: list[str], damage: Any
) -> None:
    monkeypatch.setenv("PACELINE_CACHE_DIR", str(tmp_path))
    effort = _effort()
    power, _ = ef.calibrated_power(effort)
    (path,) = (tmp_path / "calibration").glob("*.json")
    path.write_text(damage(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    assert ef.calibrated_power(effort)[0] == power and len(solves) == 2
    assert ef.calibrated_power(effort)[0] == power and len(solves) == 2  # stored again, readable


def test_without_a_disk_cache_every_call_solves(monkeypatch: pytest.MonkeyPatch, solves: list[str]) -> None:
    monkeypatch.setenv("PACELINE_CACHE_DIR", "off")
    effort = _effort()
    assert ef.calibrated_power(effort)[0] == ef.calibrated_power(effort)[0] and len(solves) == 2
