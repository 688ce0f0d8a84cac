"""The editor's weather and kit come from the server's scenario JSON, not from values written into the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from live_server import live_server
from paceline.io.scenario import bundled_scenario_names, load_scenario, scenario_from_dict
from paceline.physics.air import REFERENCE_CONDITIONS

APP_JS = Path(__file__).resolve().parents[2] / "src" / "paceline" / "web" / "static" / "app.js"


def _js_list(name: str) -> list[str]:
    m = re.search(rf"const {name} = \[([^\]]*)\]", APP_JS.read_text(encoding="utf-8"))
    assert m, f"app.js has no {name}"
    return re.findall(r'"(\w+)"', m.group(1))


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=60.0) as c:
        yield c


def test_every_field_the_editor_shows_is_in_the_servers_scenario(client: httpx.Client) -> None:
    weather, equipment = _js_list("WEATHER"), _js_list("EQUIPMENT")
    assert {"temperature_c", "relative_humidity", "altitude_m", "wind_speed_m_s"} <= set(weather)
    for name in bundled_scenario_names():
        data = client.get(f"/api/scenarios/{name}").json()["scenario"]
        sc = load_scenario(name)
        assert {k: data["conditions"][k] for k in weather} == {k: getattr(sc.conditions, k) for k in weather}, name
        assert {k: data["equipment"][k] for k in equipment} == {k: getattr(sc.equipment, k) for k in equipment}, name


def test_a_scenario_without_weather_gets_the_reference_conditions_from_the_one_definition() -> None:
    # the defaults the server fills in (and the page therefore shows) are the reference conditions
    sc = scenario_from_dict({"name": "x", "distance_m": 1500, "athlete": {"name": "a", "height_m": 1.6, "mass_kg": 50}})
    assert {k: getattr(sc.conditions, k) for k in REFERENCE_CONDITIONS} == dict(REFERENCE_CONDITIONS)
    # 20 degC, 50 % RH, sea level, still air (the conditions "solo in still air" means throughout paceline)
    assert dict(REFERENCE_CONDITIONS) == {
        "temperature_c": 20.0,
        "relative_humidity": 0.5,
        "altitude_m": 0.0,
        "wind_speed_m_s": 0.0,
    }


def test_the_page_carries_no_literal_reference_conditions() -> None:
    js = APP_JS.read_text(encoding="utf-8")
    assert not re.search(r"(temperature_c|relative_humidity|altitude_m|wind_speed_m_s)\s*:\s*[-\d.]", js)
