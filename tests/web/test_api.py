"""The web app's JSON API against a real server on a loopback port (issue 10).

The API is driven over real HTTP (uvicorn in a thread, httpx as the client): bundled scenarios, solving, races by
id, 422 naming the field, 413 for oversized bodies, client-named paths refused, and no 500 on generated input.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from live_server import live_server
from paceline.chain import solve
from paceline.io.scenario import bundled_scenario_names, load_scenario
from paceline.web import resolve
from paceline.web.app import MAX_BODY_BYTES


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with live_server() as base, httpx.Client(base_url=base, timeout=60.0) as c:
        yield c


@pytest.fixture(scope="module")
def breaking4(client: httpx.Client) -> dict[str, Any]:
    r = client.get("/api/scenarios/breaking4")
    assert r.status_code == 200
    return r.json()["scenario"]


def test_scenarios_lists_the_bundled_ones(client: httpx.Client) -> None:
    r = client.get("/api/scenarios")
    assert r.status_code == 200
    names = [s["name"] for s in r.json()["scenarios"]]
    assert names == bundled_scenario_names()
    assert {"breaking4", "monaco2023"} <= set(names)
    row = next(s for s in r.json()["scenarios"] if s["name"] == "breaking4")
    assert row["distance_m"] == pytest.approx(1609.344)
    assert row["actual_s"] == pytest.approx(246.42)  # World Athletics report, 26 June 2025


def test_scenario_json_round_trips_to_the_same_scenario(breaking4: dict[str, Any]) -> None:
    from paceline.io.scenario import scenario_from_dict

    assert scenario_from_dict(breaking4) == load_scenario("breaking4")


def test_solve_returns_the_race_the_library_solves(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    r = client.post("/api/solve", json={"scenario": breaking4})
    assert r.status_code == 200
    race = r.json()
    expected = solve(load_scenario("breaking4"), "equal-power")
    assert race["finish_s"] == pytest.approx(expected.finish_s, abs=1e-3)
    assert [s["distance_m"] for s in race["splits"]] == pytest.approx([s["distance_m"] for s in expected.splits()])
    frames = race["frames"]
    n = len(frames["t_s"])
    assert frames["t_s"][-1] == pytest.approx(race["finish_s"], abs=1e-3)
    assert len(frames["athlete"]["x_m"]) == n and len(frames["lights"]["x_m"]) == n
    # the athlete starts on the mile start line (9.344 m before the finish line, home straight, y < 0) ...
    geom_half = 84.3894 / 2
    assert frames["athlete"]["x_m"][0] == pytest.approx(geom_half - 9.344, abs=0.05)
    assert frames["athlete"]["y_m"][0] < -36.5
    # ... and finishes on the finish line
    assert frames["athlete"]["x_m"][-1] == pytest.approx(geom_half, abs=0.05)
    # the scenario's pacers on the track at the start and at the finish (all 13, and the five of the final stretch)
    sc = load_scenario("breaking4")
    on_at = [sum(p["x_m"][i] is not None for p in frames["pacers"]) for i in (0, n - 1)]
    assert on_at == [len(sc.phases()[0].pacers), len(sc.phases()[-1].pacers)] == [13, 5]
    assert {"v_m_s", "shelter", "energy_kj_kg", "x_m", "t_s"} <= set(race["series"])


def test_races_by_id(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    race = client.post("/api/solve", json={"scenario": breaking4}).json()
    again = client.get(f"/api/races/{race['id']}")
    assert again.status_code == 200
    assert again.json()["finish_s"] == race["finish_s"]
    assert client.get("/api/races/000000000000").status_code == 404
    assert client.get("/api/races/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_an_edit_changes_the_prediction(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    base = client.post("/api/solve", json={"scenario": breaking4}).json()["finish_s"]
    solo = copy.deepcopy(breaking4)
    for ph in solo["pacing"]:
        ph["formation"], ph["pacers"] = "solo", []
    slower = client.post("/api/solve", json={"scenario": solo}).json()["finish_s"]
    assert slower > base + 1.0  # running alone costs her seconds (da Silva et al. 2025)
    suit = copy.deepcopy(breaking4)
    suit["equipment"]["cda_factor"] = 0.9
    assert client.post("/api/solve", json={"scenario": suit}).json()["finish_s"] < base


def test_a_missing_name_is_the_posted_scenarios_and_a_bad_bundled_name_the_requests(
    client: httpx.Client, breaking4: dict[str, Any]
) -> None:
    # /api/solve takes a bundled `name` or a `scenario`: an error about 'name' belongs to whichever was sent
    nameless = {k: v for k, v in breaking4.items() if k != "name"}
    r = client.post("/api/solve", json={"scenario": nameless})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scenario", "name"]
    r = client.post("/api/solve", json={"name": "nope"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "name"]
    r = client.post("/api/plan", json={"scenario": nameless})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "scenario", "name"]


def test_bad_scenario_is_422_naming_the_field(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    bad = copy.deepcopy(breaking4)
    bad["pacing"][1]["to_m"] = 1700.0
    r = client.post("/api/solve", json={"scenario": bad})
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "pacing[1].to_m"
    assert body["detail"][0]["loc"] == ["body", "scenario", "pacing", 1, "to_m"]
    assert "1700" in body["message"]

    bad = copy.deepcopy(breaking4)
    bad["conditions"]["temperature_c"] = 99
    r = client.post("/api/solve", json={"scenario": bad})
    assert r.status_code == 422 and r.json()["field"] == "conditions.temperature_c"

    bad = copy.deepcopy(breaking4)
    bad["distance_mm"] = 1
    r = client.post("/api/solve", json={"scenario": bad})
    assert r.status_code == 422 and r.json()["field"] == "distance_mm"


def test_request_shape_errors_are_422(client: httpx.Client) -> None:
    assert client.post("/api/solve", json={}).status_code == 422
    assert client.post("/api/solve", json={"scenario": {}, "name": "breaking4"}).status_code == 422
    r = client.post("/api/solve", json={"name": "breaking4", "model": "magic"})
    assert r.status_code == 422 and r.json()["field"] == "model"
    r = client.post("/api/solve", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


@pytest.mark.parametrize("path", ["/api/solve", "/api/plan", "/api/export", "/api/uncertainty"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"name": "breaking4", "model": Infinity}', "model"),
        (b'{"scenario": NaN}', "scenario"),
        (b'{"scenario": {"name": "x"}, "model": -Infinity}', "model"),
    ],
)
def test_nan_and_infinity_literals_are_422_naming_the_field(
    client: httpx.Client, path: str, body: bytes, field: str
) -> None:
    # Python's JSON parser (and so the server's) reads these literals: the answer must still be a 422, not a 500
    # from echoing an input no JSON response can carry
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    if path != "/api/solve" and body.startswith(b'{"name"'):
        field = "scenario"  # those endpoints take no name: the missing scenario is what is wrong
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert r.json()["message"].startswith(f"{field}: ")


def test_request_shape_errors_say_what_is_allowed(client: httpx.Client) -> None:
    r = client.post("/api/plan", json={"name": "breaking4"})
    assert r.status_code == 422
    assert r.json()["message"] == "scenario: is required; this endpoint takes model, scenario"
    r = client.post("/api/solve", json={"name": "breaking4", "colour": "red"})
    assert r.json()["message"] == "colour: unknown field; this endpoint takes model, name, scenario"


def test_a_huge_bad_value_is_not_echoed_back(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    bad = copy.deepcopy(breaking4)
    bad["name"] = "n" * 200_000  # under the body limit; once echoed twice, it was a 400 kB answer
    r = client.post("/api/solve", json={"scenario": bad})
    assert r.status_code == 422 and r.json()["field"] == "name"
    assert len(r.content) < 2000
    assert r.json()["message"].endswith("at most 2000 characters")


def test_a_body_that_is_not_json_says_so(client: httpx.Client) -> None:
    r = client.post("/api/solve", content=b'{"name": "breaking4"}', headers={"content-type": "text/plain"})
    assert r.status_code == 422
    assert r.json()["message"] == "body: send the body as a JSON object with Content-Type: application/json"


def test_a_long_name_in_the_path_is_not_echoed_back(client: httpx.Client) -> None:
    for path in ("/api/scenarios/", "/api/races/", "/api/uncertainty/"):
        r = client.get(path + "a" * 20_000)
        assert r.status_code == 404 and len(r.content) < 1000, path


def test_oversized_body_is_413(client: httpx.Client) -> None:
    big = b'{"scenario": {"name": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}}'
    r = client.post("/api/solve", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must still hold
        for _ in range(5):
            yield b" " * (MAX_BODY_BYTES // 4)

    r = client.post("/api/solve", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert client.get("/api/scenarios").status_code == 200  # the server is still fine


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "breaking4.toml", "C:\\boot.ini", "..", "%2e%2e"])
def test_client_named_paths_are_refused(client: httpx.Client, name: str) -> None:
    assert client.get(f"/api/scenarios/{name}").status_code == 404
    r = client.post("/api/solve", json={"name": name})
    assert r.status_code == 422 and r.json()["field"] == "name"


def test_calibration_cannot_name_a_file(client: httpx.Client, breaking4: dict[str, Any], tmp_path: Any) -> None:
    # a real, valid scenario file on disk: the server must still refuse to read it
    target = tmp_path / "evil.toml"
    target.write_text(_toml_of("monaco2023"), encoding="utf-8")
    bad = copy.deepcopy(breaking4)
    bad["athlete"]["calibration"] = str(target)
    r = client.post("/api/solve", json={"scenario": bad})
    assert r.status_code == 422
    assert r.json()["field"] == "athlete.calibration"


def _toml_of(name: str) -> str:
    from paceline.io.scenario import bundled_scenario_text

    return bundled_scenario_text(name)


def test_openapi_documents_the_api(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/scenarios", "/api/scenarios/{name}", "/api/solve", "/api/races/{race_id}"):
        assert path in spec["paths"]
    assert "SolveRequest" in spec["components"]["schemas"]


def test_openapi_documents_the_scenario_of_every_route_that_takes_one(client: httpx.Client) -> None:
    """Issue 23 item 6: the request bodies are the pydantic models, so the document has the client's scenario, field by
    field, generated from the model (an untyped ``dict[str, Any]`` body documented nothing)."""
    from paceline.io.formations import formation_names
    from paceline.web.schema import ClientAthlete, ClientPerformance, ClientScenario

    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def ref(node: dict[str, Any]) -> str:
        refs = [node.get("$ref")] + [n.get("$ref") for n in node.get("anyOf", [])]
        return next(r for r in refs if r).rsplit("/", 1)[-1]

    bodies = {
        f"{method.upper()} {path}": ref(op["requestBody"]["content"]["application/json"]["schema"])
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op
    }
    assert set(bodies) == {"POST /api/solve", "POST /api/export", "POST /api/plan", "POST /api/uncertainty"}
    for route, body in bodies.items():  # every body takes the scenario, and it is the client's scenario type
        assert ref(schemas[body]["properties"]["scenario"]) == "ClientScenario", route
    scenario = schemas["ClientScenario"]
    assert set(scenario["properties"]) == set(ClientScenario.model_fields)  # generated from the model
    assert {"distance_m", "athlete", "pacing", "conditions", "target_s"} <= set(scenario["properties"])
    assert {"name", "distance_m", "athlete"} <= set(scenario["required"])
    assert scenario["properties"]["distance_m"]["minimum"] == 100.0  # its range, from the field
    assert ref(scenario["properties"]["athlete"]) == "ClientAthlete"
    athlete = schemas["ClientAthlete"]["properties"]
    assert set(athlete) == set(ClientAthlete.model_fields) and "file" not in athlete
    assert ref(athlete["performances"]["items"]) == "ClientPerformance"
    assert set(athlete["calibration"]["enum"]) == {*bundled_scenario_names(), "self", "performances"}
    performance = schemas["ClientPerformance"]["properties"]
    assert set(performance) == set(ClientPerformance.model_fields)
    assert performance["race"]["enum"] == bundled_scenario_names()  # names, never a path
    assert performance["formation"]["enum"] == formation_names()
    assert {"temperature_c", "wind_speed_m_s"} <= set(schemas["Conditions"]["properties"])


def test_page_and_static_files_are_served(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<canvas" in page.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_resolve_is_the_editor_step(breaking4: dict[str, Any]) -> None:
    out = resolve(breaking4)
    assert out["finish_s"] == pytest.approx(solve(load_scenario("breaking4")).finish_s, abs=1e-3)
    assert len(out["id"]) == 12


_FIELDS = [
    ("distance_m",),
    ("target_s",),
    ("athlete", "mass_kg"),
    ("athlete", "height_m"),
    ("athlete", "drag_area_m2"),
    ("conditions", "temperature_c"),
    ("conditions", "wind_speed_m_s"),
    ("conditions", "wind_from_deg"),
    ("conditions", "altitude_m"),
    ("equipment", "cda_factor"),
    ("equipment", "shoe_economy_gain"),
    ("pacing", 0, "to_m"),
    ("pacing", 1, "formation"),
    ("pacing", 2, "pacers"),
]
_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(_FIELDS), _VALUES), min_size=1, max_size=3))
def test_no_500_on_generated_scenarios(client: httpx.Client, breaking4: dict[str, Any], edits: list[Any]) -> None:
    data = copy.deepcopy(breaking4)
    for path, value in edits:
        node: Any = data
        for key in path[:-1]:
            node = node[key]
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)  # JSON has no NaN/inf; send what a client could send
        node[path[-1]] = value
    r = client.post("/api/solve", json={"scenario": data})
    assert r.status_code in (200, 422), r.text
    if r.status_code == 422:
        assert r.json()["detail"]


def test_replay_light_front_follows_the_light_schedule() -> None:
    # the replay draws the front from paceline.studies.planning.plan.light_schedule: the target train runs even pace to
    # the target
    import numpy as np

    from paceline.chain import solve
    from paceline.io.scenario import load_scenario
    from paceline.render.replay import light_front_m

    sc = load_scenario("breaking4")
    race = solve(sc)
    assert sc.target_s is not None
    t = np.array([0.0, 0.5 * sc.target_s, sc.target_s, sc.target_s + 5.0])
    front, source = light_front_m(sc, race, t)
    assert front == pytest.approx([0.0, 0.5 * sc.distance_m, sc.distance_m, sc.distance_m], abs=0.01)
    assert "target train" in source
