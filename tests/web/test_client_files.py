"""No client reaches a file (issue 26, section 1): every route of the app, enumerated from its router so that a new
route is covered the day it is added, is sent server paths in every place a scenario can name something, and must
answer 422 naming the field (404 for a path parameter) with no file outside the package's data opened.

While each request is served, ``builtins.open``, ``io.open``, ``os.open``, ``os.stat``, ``os.lstat`` and
``pathlib.Path.open / read_text / read_bytes / stat / lstat / is_file / exists`` are watched (monkeypatched, in every
thread of the process): a call on a path outside the package's ``data`` folder (besides, for the page's own routes, its
``web/static`` folder, and Python source on ``sys.path``, which imports and FastAPI look up) is recorded and refused
before it reaches the file system, so a FIFO named ``x.toml`` cannot block the test either.
"""

from __future__ import annotations

import ast
import builtins
import copy
import io
import os
import pathlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import paceline
from live_server import live_server
from paceline.io.scenario import bundled_scenario_names
from paceline.render.replay import scenario_to_dict
from paceline.web import create_app
from paceline.web.schema import ClientScenario

PACKAGE = Path(paceline.__file__).resolve().parent
DATA_DIR = PACKAGE / "data"
STATIC_DIR = PACKAGE / "web" / "static"
SECRET = "TOP-SECRET-VALUE-0451"


class FileWatch:
    """Records (and refuses) every file-system call on a path outside ``allowed`` folders while active."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.allowed: tuple[Path, ...] = (DATA_DIR,)
        self.active = False
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        for owner, name in [
            (builtins, "open"),
            (io, "open"),
            (os, "open"),
            (os, "stat"),
            (os, "lstat"),
            *[(pathlib.Path, m) for m in ("open", "read_text", "read_bytes", "stat", "lstat", "is_file", "exists")],
        ]:
            monkeypatch.setattr(owner, name, self._wrap(getattr(owner, name), name))

    def _outside(self, target: Any) -> str | None:
        if isinstance(target, int) or target is None:  # a file descriptor already open
            return None
        try:
            path = Path(os.path.abspath(os.fsdecode(target)))  # abspath looks nothing up on disk
        except TypeError:
            return None
        if any(path == root or root in path.parents for root in self.allowed) or self._module_source(path):
            return None
        return str(path)

    @staticmethod
    def _module_source(path: Path) -> bool:
        """True for Python source on ``sys.path``: the import system (and pytest's import hook) looks modules up, and
        FastAPI looks up an endpoint's source file on every request, for its error messages."""
        roots = [Path(os.path.abspath(p)) for p in sys.path if p]
        return path.suffix in (".py", ".pyc") and any(root in path.parents for root in roots)

    def _wrap(self, real: Callable[..., Any], name: str) -> Callable[..., Any]:
        def watched(*args: Any, **kwargs: Any) -> Any:
            target = args[0] if args else kwargs.get("file", kwargs.get("path"))
            outside = self._outside(target) if self.active else None
            if outside is not None:
                with self._lock:
                    self.seen.append((name, outside))
                raise PermissionError(13, "refused by the test's file watch", outside)
            return real(*args, **kwargs)

        return watched

    def during(self, call: Callable[[], httpx.Response], *allowed: Path) -> tuple[httpx.Response, list[Any]]:
        """``call()``'s response and the file-system calls outside the data folder (and ``allowed``) it made."""
        self.allowed = (DATA_DIR, *allowed)
        self.seen = []
        self.active = True
        try:
            r = call()
        finally:
            self.active = False
        return r, list(self.seen)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Any, httpx.Client]]:
    app = create_app(warm=False)
    with live_server(app) as base, httpx.Client(base_url=base, timeout=60.0) as client:
        assert client.get("/api/formations").status_code == 200  # bundled data listed and parsed once
        yield app, client


@pytest.fixture
def watch(monkeypatch: pytest.MonkeyPatch) -> FileWatch:
    return FileWatch(monkeypatch)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Server paths a client might name: a valid scenario holding a secret, a FIFO named x.toml, system files, a
    relative path and a bare .toml name (resolved against the server's working folder)."""
    from paceline.io.scenario import bundled_scenario_text

    folder = tmp_path_factory.mktemp("server-files")
    secret = folder / "secret.toml"
    secret.write_text(bundled_scenario_text("monaco2023").replace('name = "', f'name = "{SECRET}', 1), "utf-8")
    fifo = folder / "x.toml"
    os.mkfifo(fifo)
    return [str(secret), str(fifo), "/etc/shadow", "/etc/passwd", "../../../../etc/hostname.toml", "breaking4.toml"]


def _flat_routes(routes: list[Any]) -> Iterator[Any]:
    """The app's routes, the included routers' opened up (FastAPI keeps an included router as one entry)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat_routes(list(inner.routes))
        else:
            yield route


def _body_model(route: Any) -> Any:
    field = getattr(route, "body_field", None)
    return getattr(getattr(field, "field_info", None), "annotation", None)


def _scenario_fields(model: Any) -> list[str]:
    """The fields of a body model that hold a client's scenario."""
    return [name for name, f in model.model_fields.items() if ClientScenario in (f.annotation, *_args(f.annotation))]


def _args(annotation: Any) -> tuple[Any, ...]:
    return tuple(getattr(annotation, "__args__", ()))


def _places(base: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    """(field, scenario) with ``path`` planted in each place a scenario can name a file."""
    perf = {"distance_m": 1500.0, "time_s": 230.0}
    base = copy.deepcopy(base)
    base["athlete"]["calibration"] = "performances"  # so that a performance's race or formation would be read
    out = []
    for key in ("race", "formation"):
        data = copy.deepcopy(base)
        data["athlete"]["performances"] = [{**perf, key: path}, {"distance_m": 3000.0, "time_s": 500.0}]
        out.append((f"athlete.performances[0].{key}", data))
        data = copy.deepcopy(base)
        data["pacers"][0]["performances"] = [{**perf, "time_s": 215.0, key: path}]
        out.append((f"pacers[0].performances[0].{key}", data))
    data = copy.deepcopy(base)
    data["pacing"][0]["formation"] = path
    out.append(("pacing[0].formation", data))
    data = copy.deepcopy(base)
    data["athlete"]["calibration"] = path
    out.append(("athlete.calibration", data))
    data = copy.deepcopy(base)
    data["athlete"]["file"] = path  # a scenario file may say file = ...; a client's scenario has no such field
    out.append(("athlete.file", data))
    data = copy.deepcopy(base)
    data["formations"] = {"mine": path}  # an inline formation is a table, never a file's name
    out.append(("formations.mine", data))
    return out


def test_every_route_refuses_every_server_path_and_opens_no_file(
    served: tuple[Any, httpx.Client], watch: FileWatch, planted: list[str]
) -> None:
    from fastapi.routing import APIRoute
    from starlette.routing import Mount, Route

    app, client = served
    base = client.get("/api/scenarios/breaking4").json()["scenario"]
    assert base["pacers"] and base["pacing"]
    checked: dict[str, int] = {}
    for route in _flat_routes(list(app.routes)):
        if isinstance(route, APIRoute) and _body_model(route) is not None:
            model = _body_model(route)
            scenarios = _scenario_fields(model)
            for name, f in model.model_fields.items():  # every field is parsed at the edge: none takes raw data
                assert name in scenarios or f.annotation in (str, str | None), f"{route.path}: {name} is untyped"
            assert scenarios, f"{route.path} takes a body without a client scenario: add its paths to this test"
            bodies: list[tuple[str, dict[str, Any]]] = []
            for path in planted:
                bodies += [(field, {"scenario": data}) for field, data in _places(base, path)]
                bodies.append(("scenario", {"scenario": path}))
                bodies += [(n, {"scenario": base, n: path}) for n in model.model_fields if n not in scenarios]
            for method in route.methods:
                for field, body in bodies:
                    r, seen = watch.during(lambda b=body, m=method, u=route.path: client.request(m, u, json=b))
                    assert r.status_code == 422, (route.path, field, r.text[:300])
                    assert r.json()["field"] == field, (route.path, field, r.json()["message"])
                    assert SECRET not in r.text and "root:" not in r.text
                    assert seen == [], (route.path, field, seen)
                    checked[route.path] = checked.get(route.path, 0) + 1
        elif isinstance(route, (APIRoute, Route)):
            params = list(route.param_convertors)
            values = ["..%2F..%2Fetc%2Fpasswd", "secret.toml", "%2Fetc%2Fshadow", "app.py"] if params else [""]
            for value in values:
                url = route.path.replace(f"{{{params[0]}}}", value) if params else route.path
                for method in route.methods or ["GET"]:
                    if method == "HEAD":
                        continue
                    r, seen = watch.during(lambda m=method, u=url: client.request(m, u), STATIC_DIR)
                    assert r.status_code == (404 if params else r.status_code) and r.status_code < 500, (url, r.text)
                    assert seen == [], (url, seen)
                    checked[route.path] = checked.get(route.path, 0) + 1
        elif isinstance(route, Mount):
            for tail in ("..%2F..%2F..%2Fetc%2Fpasswd", "../app.py", "%2Fetc%2Fshadow", "x.toml"):
                r, seen = watch.during(lambda u=f"{route.path}/{tail}": client.get(u), STATIC_DIR)
                assert r.status_code == 404 and seen == [], (route.path, tail, r.status_code, seen)
                checked[route.path] = checked.get(route.path, 0) + 1
        else:
            raise AssertionError(f"a route this test does not know: {route!r}; teach it")
    posted = [p for p in checked if p in ("/api/solve", "/api/plan", "/api/export", "/api/uncertainty")]
    assert len(posted) == 4 and min(checked[p] for p in posted) >= len(planted) * 10, checked
    assert {"/api/scenarios/{name}", "/api/races/{race_id}", "/api/uncertainty/{job_id}", "/static/{name}"} <= set(
        checked
    )


def test_the_monte_carlo_route_refuses_the_issue_reproducers_and_starts_no_job(
    served: tuple[Any, httpx.Client], watch: FileWatch, planted: list[str]
) -> None:
    """Issue 26: the Monte Carlo thread opened athlete.performances[i].race and .formation (a secret came back in the
    job's error, /etc/shadow was read, a FIFO blocked both threads). Each is now 422 and no job is started."""
    app, client = served
    base = client.get("/api/scenarios/kram2025").json()["scenario"]
    secret, fifo = planted[0], planted[1]
    for key, path in [("race", secret), ("race", "/etc/shadow"), ("formation", fifo), ("race", fifo)]:
        data = copy.deepcopy(base)
        data["athlete"]["performances"] = [{"distance_m": 1500.0, "time_s": 230.0, key: path}]
        r, seen = watch.during(lambda d=data: client.post("/api/uncertainty", json={"scenario": d}))
        assert r.status_code == 422 and r.json()["field"] == f"athlete.performances[0].{key}", r.text[:300]
        assert SECRET not in r.text and seen == []
    assert not app.state.jobs.jobs  # no job was started


def test_a_monte_carlo_job_runs_under_the_requests_guard(
    served: tuple[Any, httpx.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second fence: the job's thread runs in the context of the request that started it, so
    :func:`~paceline.io.limits.no_user_files` holds there too (it did not: the thread pool dropped it)."""
    import paceline.studies.uncertainty.montecarlo as mc
    from paceline.io.limits import check_user_file

    def probe(*args: Any, **kwargs: Any) -> Any:
        check_user_file("/etc/shadow", "probe")  # raises under no_user_files
        raise AssertionError("the job ran without the request's guard")

    monkeypatch.setattr(mc, "monte_carlo", probe)
    _, client = served
    data = client.get("/api/scenarios/kram2025").json()["scenario"]
    job = client.post("/api/uncertainty", json={"scenario": data}).json()
    deadline = time.monotonic() + 30
    while not (state := client.get(f"/api/uncertainty/{job['id']}").json())["done"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert state["done"] and "this server reads no file a client names" in state["error"]


def test_the_web_package_calls_no_user_file_reader() -> None:
    """The web package never imports a reader of a user's files: every scenario it solves is a ClientScenario (bundled
    names and inline data) or a bundled one (``bundled_scenario``), so those readers are out of its reach."""
    readers = {"load_scenario", "load_formation_file", "read_athlete_file", "read_text", "get_formation"}
    for path in (PACKAGE / "web").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "paceline.io.athlete_files", path.name
                assert not readers & {a.name for a in node.names}, (path.name, node.module)
            elif isinstance(node, ast.Attribute):
                assert node.attr not in readers, (path.name, node.attr)


def test_a_client_scenario_is_a_scenario_with_bundled_names_only() -> None:
    """Round trip: every bundled scenario is a valid client scenario, equal to the scenario it was read as."""
    from paceline.io.scenario import bundled_scenario
    from paceline.web.schema import client_scenario

    for name in bundled_scenario_names():
        sc = bundled_scenario(name)
        assert client_scenario(scenario_to_dict(sc)).model_dump() == sc.model_dump()
