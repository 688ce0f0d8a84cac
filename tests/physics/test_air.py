import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paceline.errors import ScenarioError
from paceline.physics import aero, air


def test_density_matches_reference(air_reference: list[dict[str, str]]) -> None:
    # reference/air_density_checks.csv, to 0.001 kg/m^3
    for row in air_reference:
        rho = air.air_density(float(row["temperature_c"]), float(row["relative_humidity"]), float(row["altitude_m"]))
        assert rho == pytest.approx(float(row["density_kg_m3"]), abs=0.001), row


def test_isa_anchor() -> None:
    assert air.air_density(15.0, 0.0, 0.0) == pytest.approx(1.2250, abs=5e-4)  # ISA sea level


def test_pressure_overrides_altitude() -> None:
    p = air.pressure_at_altitude_pa(1500.0)
    assert air.air_density(20, 0.5, 0.0, pressure_pa=p) == pytest.approx(air.air_density(20, 0.5, 1500.0))


@given(st.floats(-10, 40), st.floats(0, 1), st.floats(0, 3000))
def test_humid_hot_high_air_is_thinner(t: float, rh: float, h: float) -> None:
    base = air.air_density(t, rh, h)
    assert air.air_density(t + 5, rh, h) < base
    assert air.air_density(t, min(1.0, rh + 0.2), h) <= base
    assert air.air_density(t, rh, h + 200) < base


def test_bad_air_inputs() -> None:
    with pytest.raises(ScenarioError, match="relative_humidity"):
        air.air_density(20, 60)
    with pytest.raises(ScenarioError, match="temperature_c"):
        air.air_density(200, 0.5)


def test_wind_components() -> None:
    # a wind from the south (180) blows north: a tailwind for a runner heading north (bearing 0)
    assert air.wind_along(2.0, 180.0, 0.0) == pytest.approx(2.0)
    assert air.wind_along(2.0, 0.0, 0.0) == pytest.approx(-2.0)
    assert air.wind_along(2.0, 90.0, 0.0) == pytest.approx(0.0, abs=1e-12)


def test_track_orientation() -> None:
    # home straight (s_ref just before the finish) runs along the track bearing, back straight opposite
    assert air.running_bearing_deg(350.0, track_bearing_deg=30.0) == pytest.approx(30.0)
    assert air.running_bearing_deg(150.0, track_bearing_deg=30.0) == pytest.approx(210.0)


@settings(max_examples=200)
@given(
    speed=st.floats(3.0, 10.0),
    wind=st.floats(0.0, 15.0),
    wind_from=st.floats(0.0, 360.0, exclude_max=True),
    bearing=st.floats(0.0, 360.0, exclude_max=True),
)
def test_steady_wind_never_helps_over_a_lap(speed: float, wind: float, wind_from: float, bearing: float) -> None:
    # DESIGN.md: over a lap a steady wind always costs time (more drag work at constant speed)
    s = np.linspace(0.0, 400.0, 4001)[:-1] + 0.05
    w = air.wind_along_track(s, wind, wind_from, bearing)
    work_wind = np.mean(aero.drag_force(speed, 1.2, 0.33, w))
    work_calm = aero.drag_force(speed, 1.2, 0.33, 0.0)
    assert work_wind >= work_calm * (1 - 1e-9)
