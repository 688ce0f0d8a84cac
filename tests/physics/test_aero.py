import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paceline.errors import ScenarioError
from paceline.physics import aero


def test_kipyegon_frontal_area_and_drag() -> None:
    # model_anchors.md (Aerodynamics): 1.57 m, 42 kg -> A = 0.366 m^2; at 4:00 mile pace (6.706 m/s),
    # rho 1.20, Cd 0.9: about 8.9 N and 59.5 W
    assert aero.frontal_area_pugh(1.57, 42) == pytest.approx(0.366, abs=0.001)
    v = 1609.344 / 240.0
    cda = aero.drag_area(1.57, 42)
    assert aero.drag_force(v, 1.20, cda) == pytest.approx(8.9, abs=0.05)
    assert aero.drag_power(v, 1.20, cda) == pytest.approx(59.5, abs=0.5)


def test_dubois_textbook_value() -> None:
    # DuBois & DuBois 1916: 1.80 m, 70 kg -> about 1.88 m^2
    assert aero.body_surface_area_dubois(1.80, 70) == pytest.approx(1.88, abs=0.01)


@given(st.floats(2, 12), st.floats(0, 0.95), st.floats(-5, 5))
def test_shelter_and_headwind_scale_drag(v: float, shelter: float, w: float) -> None:
    calm = aero.drag_force(v, 1.2, 0.33)
    assert aero.drag_force(v, 1.2, 0.33, shelter=shelter) == pytest.approx(calm * (1 - shelter))
    if w < -1e-6:  # a headwind always adds drag
        assert aero.drag_force(v, 1.2, 0.33, wind_along_m_s=w) > calm


def test_suit_factor_and_bad_values() -> None:
    assert aero.drag_area(1.57, 42, cda_factor=0.95) == pytest.approx(0.95 * aero.drag_area(1.57, 42))
    with pytest.raises(ScenarioError, match="height_m"):
        aero.frontal_area_pugh(15.7, 42)
    with pytest.raises(ScenarioError, match="cda_factor"):
        aero.drag_area(1.57, 42, cda_factor=0)


def test_measured_drag_area_replaces_the_body_formula() -> None:
    # a measured CdA is used as given (the body is ignored), and the kit factor still multiplies it
    assert aero.drag_area(1.57, 42, drag_area_m2=0.25) == pytest.approx(0.25)
    assert aero.drag_area(2.0, 90, drag_area_m2=0.25) == pytest.approx(0.25)
    assert aero.drag_area(1.57, 42, cda_factor=0.9, drag_area_m2=0.25) == pytest.approx(0.225)
    assert "measured 0.25 m^2" in aero.drag_area_source(0.25)
    assert "Pugh 1971" in aero.drag_area_source(None)


@pytest.mark.parametrize("bad", [0.01, 1.5, float("nan"), float("inf"), -0.3])
def test_measured_drag_area_out_of_range_names_the_field(bad: float) -> None:
    with pytest.raises(ScenarioError, match=r"^drag_area_m2: .*allowed 0.05 to 1 m\^2") as info:
        aero.drag_area(1.57, 42, drag_area_m2=bad)
    assert info.value.field == "drag_area_m2"


@given(st.floats(1.2, 2.2), st.floats(1e-3, 0.2), st.floats(30, 120))
def test_body_drag_area_grows_with_height_and_mass(h: float, dh: float, m: float) -> None:
    # Pugh/DuBois route: a taller (or heavier) body has a larger drag area
    assert aero.drag_area(min(h + dh, 2.5), m) > aero.drag_area(h, m)
    assert aero.drag_area(h, min(m + 5, 200)) > aero.drag_area(h, m)


def test_drag_factor_range_pugh_is_cd_0_8_to_1_0_over_0_9() -> None:
    # Pugh (1971): runners' Cd spans about 0.8-1.0 around the 0.9 the drag area is computed with
    lo, hi = aero.drag_factor_range()
    assert (lo * aero.CD_RUNNER, hi * aero.CD_RUNNER) == pytest.approx(aero.CD_RANGE)


@pytest.mark.parametrize(("measured", "sd"), [(0.30, 0.01), (0.25, 0.04), (0.5, 0.25)])
def test_drag_factor_range_of_a_measurement_has_its_standard_deviation(measured: float, sd: float) -> None:
    # oracle: a uniform on (lo, hi) has SD (hi - lo) / sqrt(12); centred on the measured value
    lo, hi = aero.drag_factor_range(measured, sd)
    assert measured * (hi - lo) / np.sqrt(12.0) == pytest.approx(sd, rel=1e-12)
    assert (lo + hi) / 2 == pytest.approx(1.0, abs=1e-12)
    assert aero.drag_factor_range(measured, None) == aero.drag_factor_range(measured, 0.0) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("measured", "sd", "pattern"),
    [
        (None, 0.01, "needs a measured drag area"),
        (0.3, 0.1451, "<= 0.1443 m\\^2 for drag_area_m2 0.3"),
        (0.9, 0.06, "<= 0.05774 m\\^2 .* within 0.05 to 1 m"),
        (0.3, -0.01, "not allowed"),
        (0.3, float("nan"), "not allowed"),
    ],
)
def test_drag_factor_range_refuses_what_cannot_be_drawn(measured: float | None, sd: float, pattern: str) -> None:
    with pytest.raises(ScenarioError, match=pattern) as info:
        aero.drag_factor_range(measured, sd)
    assert info.value.field == "drag_area_sd_m2"


def test_drag_coefficient_is_half_rho_cda_unsheltered_and_broadcasts() -> None:
    # 1/2 x 1.2 kg/m^3 x 0.4 m^2 = 0.24 N s^2/m^2; half the drag removed halves it
    assert aero.drag_coefficient_n_s2_m2(1.2, 0.4) == pytest.approx(0.24)
    assert aero.drag_coefficient_n_s2_m2(1.2, 0.4, 0.5) == pytest.approx(0.12)
    assert isinstance(aero.drag_coefficient_n_s2_m2(1.2, 0.4), float)
    k = aero.drag_coefficient_n_s2_m2(np.array([[1.1], [1.2]]), np.array([[0.3], [0.4]]), np.array([0.0, 0.25, 0.5]))
    assert np.shape(k) == (2, 3)
    assert np.asarray(k)[1, 2] == pytest.approx(0.12)


@given(st.floats(1.0, 12.0), st.floats(0.9, 1.3), st.floats(0.2, 0.5), st.floats(-5.0, 5.0), st.floats(0.0, 0.9))
def test_drag_force_is_the_coefficient_times_air_speed_squared(
    v: float, rho: float, cda: float, w: float, shelter: float
) -> None:
    k = aero.drag_coefficient_n_s2_m2(rho, cda, shelter)
    assert aero.drag_force(v, rho, cda, w, shelter) == pytest.approx(k * (v - w) * abs(v - w), rel=1e-12, abs=1e-15)
