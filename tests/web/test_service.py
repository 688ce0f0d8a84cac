"""The web app as a service (issue 17): it reads no file a client names, checks the Host header, bounds what it
answers and keeps, and answers the reproducers of the issue with 4xx, never 500."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_server import live_server
from paceline.web import create_app
from paceline.web.app import MAX_CACHE_BYTES, RaceCache, host_name


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with live_server(create_app(warm=False)) as base, httpx.Client(base_url=base, timeout=120.0) as c:
        yield c


@pytest.fixture(scope="module")
def breaking4(client: httpx.Client) -> dict[str, Any]:
    return client.get("/api/scenarios/breaking4").json()["scenario"]


def _with_formation(base: dict[str, Any], formation: str, inline: dict[str, Any] | None = None) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["pacing"] = [{"from_m": 0.0, "to_m": data["distance_m"], "formation": formation}]
    if inline is not None:
        data["formations"] = {formation: inline}
    return data


@pytest.mark.parametrize("where", ["absolute", "relative"])
@pytest.mark.parametrize("endpoint", ["/api/solve", "/api/export", "/api/plan"])
def test_a_formation_path_is_never_read(
    client: httpx.Client, breaking4: dict[str, Any], tmp_path: Path, where: str, endpoint: str
) -> None:
    """A valid formation file on disk, named by a client: 422, and nothing of the file (its slot names) leaks."""
    form = tmp_path / "secret.toml"
    form.write_text('name = "secret"\n[[slots]]\nname = "TOPSECRET"\ndx_m = 1.3\ndy_m = 0.0\n', encoding="utf-8")
    name = str(form) if where == "absolute" else str(Path("..") / ".." / form.relative_to(form.anchor))
    r = client.post(endpoint, json={"scenario": _with_formation(breaking4, name)})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["field"] == "pacing[0].formation"
    assert "TOPSECRET" not in r.text and "slots" not in r.json()["message"]


def test_a_missing_file_and_an_existing_one_get_the_same_answer(
    client: httpx.Client, breaking4: dict[str, Any]
) -> None:
    """The answer does not tell whether a path exists on the server."""
    answers = [
        client.post("/api/solve", json={"scenario": _with_formation(breaking4, p)}).json()["message"]
        for p in ("/etc/hostname.toml", "/no/such/file.toml")
    ]
    assert answers[0].replace("/etc/hostname.toml", "X") == answers[1].replace("/no/such/file.toml", "X")


def test_an_inline_formation_is_solved(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    inline = {"slots": [{"name": "front", "dx_m": 1.3, "dy_m": 0.0}]}
    r = client.post("/api/solve", json={"scenario": _with_formation(breaking4, "mine", inline)})
    assert r.status_code == 200, r.text[:300]
    solo = client.post("/api/solve", json={"scenario": _with_formation(breaking4, "solo")}).json()["finish_s"]
    assert r.json()["finish_s"] < solo  # a pacer in front shelters her


def test_too_many_inline_slots_is_422(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    """3,000 inline slots once returned 35 MB and kept 254 MB in the cache."""
    slots = [{"name": f"s{i}", "dx_m": 1.0 + (i % 40), "dy_m": 0.5 + (i // 40) * 0.01} for i in range(3000)]
    r = client.post("/api/solve", json={"scenario": _with_formation(breaking4, "big", {"slots": slots})})
    assert r.status_code == 422
    assert r.json()["field"] == "formations.big.slots"


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"formations": {"f": {"slots": [{"dx_m": 1.3, "dy_m": 0.0}], "athlete_offset_m": "x"}}}, "athlete_offset_m"),
        ({"result": {"time_s": 250.0, "splits": [1, 2]}}, "result.splits"),
        ({"result": {"time_s": 250.0, "splits": [[400, {"a": 1}]]}}, "result.splits[0]"),
        ({"target": "9" * 400}, "target"),
        ({"target": "99999999999999:00"}, "target"),
        ({"description": "[/]" * 10_000}, "description"),
    ],
)
def test_the_issue_probes_are_422(
    client: httpx.Client, breaking4: dict[str, Any], edit: dict[str, Any], field: str
) -> None:
    data = copy.deepcopy(breaking4)
    data.update(edit)
    if "formations" in edit:
        data["pacing"] = [{"from_m": 0.0, "to_m": data["distance_m"], "formation": "f"}]
    r = client.post("/api/solve", json={"scenario": data})
    assert r.status_code == 422, r.text[:300]
    assert field in r.json()["field"]


def test_deep_nesting_is_4xx(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    deep: Any = 1
    for _ in range(200):
        deep = [deep]
    data = copy.deepcopy(breaking4)
    data["sources"] = deep
    assert client.post("/api/solve", json={"scenario": data}).status_code == 422
    body = b'{"scenario": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    r = client.post("/api/solve", content=body, headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "localhost.", ""])
def test_an_unknown_host_header_is_400(client: httpx.Client, host: str) -> None:
    r = client.get("/api/scenarios", headers={"host": host})
    assert r.status_code == 400
    assert "--allow-host" in r.json()["detail"]


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "LOCALHOST:1", "[::1]:8000"])
def test_loopback_host_headers_are_served(client: httpx.Client, host: str) -> None:
    assert client.get("/api/scenarios", headers={"host": host}).status_code == 200


def test_allow_host_adds_a_name() -> None:
    with live_server(create_app(warm=False, allow_hosts=["paceline.lan"])) as base, httpx.Client(base_url=base) as c:
        assert c.get("/api/models", headers={"host": "paceline.lan:8000"}).status_code == 200
        assert c.get("/api/models", headers={"host": "other.lan"}).status_code == 400


@pytest.mark.parametrize(
    ("header", "name"), [("localhost:8000", "localhost"), ("[::1]:80", "[::1]"), ("::1", "::1"), ("A.b", "a.b")]
)
def test_host_name(header: str, name: str) -> None:
    assert host_name(header) == name


def test_race_cache_is_bounded_by_bytes_and_count() -> None:
    cache = RaceCache(max_items=10, max_bytes=1000)
    for i in range(50):
        cache.put(f"k{i}", b"x" * 300)
        assert cache.n_bytes <= 1000 and len(cache) <= 10
    assert cache.get("k49") == b"x" * 300 and cache.get("k0") is None
    assert MAX_CACHE_BYTES <= 128 * 2**20


def test_cache_holds_what_it_answered(client: httpx.Client, breaking4: dict[str, Any]) -> None:
    first = client.post("/api/solve", json={"scenario": breaking4})
    again = client.get(f"/api/races/{first.json()['id']}")
    assert again.status_code == 200 and again.content == first.content
    # what it holds is the answer, not any answer: the library's solve of the same scenario (the API rounds to 1 ms)
    from paceline.chain import solve
    from paceline.io.scenario import load_scenario

    expected = solve(load_scenario("breaking4"), "equal-power").finish_s
    assert json.loads(first.content)["finish_s"] == pytest.approx(expected, abs=5e-4)
