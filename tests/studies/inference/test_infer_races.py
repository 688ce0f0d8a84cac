"""One race in the inference's likelihood: its timing errors and the prior of her drag area."""

from __future__ import annotations

import numpy as np
import pytest

from paceline.studies.inference import infer_races as ir


def test_timing_error_follows_how_the_split_was_taken() -> None:
    assert ir.timing_sd_s(1609.344, 1609.344) == ir.FINISH_SD_S  # photo finish
    assert ir.timing_sd_s(1609.344, 800) == ir.TRACK_SPLIT_SD_S  # intermediate, as reported
    assert ir.timing_sd_s(42195, 5000) == ir.ROAD_SPLIT_SD_S  # mats, to the second
    # a split's error is shared by the segments on either side of it: they are anti-correlated
    cov = ir.timing_covariance(np.array([0.1, 0.1, 0.01]))
    assert cov[0, 1] == pytest.approx(-0.01) and cov[1, 1] == pytest.approx(0.02)
    assert cov[2, 2] == pytest.approx(0.01 + 1e-4)


def test_cd_prior_follows_the_drag_area_route() -> None:
    pugh = ir.cd_prior("")
    assert (pugh.a * 0.9, pugh.b * 0.9) == pytest.approx((0.8, 1.0))  # Pugh (1971): Cd 0.8-1.0 about 0.9
    measured = ir.cd_prior("", 0.30, 0.006)
    assert 0.30 * (measured.b - measured.a) / np.sqrt(12.0) == pytest.approx(0.006)  # the uniform with that SD
    exact = ir.cd_prior("", 0.30)
    assert exact.fixed and not measured.fixed and not pugh.fixed
