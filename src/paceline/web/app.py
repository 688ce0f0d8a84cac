"""The FastAPI application: JSON API, the replay page and its static files.

Service rules:

- the server reads only bundled scenarios, formations and races: a posted scenario may name those or define its own
  inline within the caps of :mod:`paceline.io.limits`; a path anywhere is 422 (:func:`~paceline.io.limits.no_user_files`
  is in force for every request);
- the ``Host`` header must be a loopback name (``127.0.0.1``, ``localhost``, ``[::1]``) or one added with
  ``paceline serve --allow-host`` (DNS rebinding); anything else is 400;
- bodies over :data:`MAX_BODY_BYTES` are 413, responses over :data:`MAX_RESPONSE_BYTES` are 422, and the solved races
  kept for ``GET /api/races/{id}`` hold at most :data:`MAX_CACHE_BYTES`;
- solves run in worker threads; the optimal-control solver (one CasADi/Ipopt problem re-solved warm) runs one solve
  at a time behind its own lock (:mod:`paceline.models.collocation`), so concurrent requests get the answers a
  sequential client would, on every endpoint;
- every bad scenario is 422 naming the field; the server binds 127.0.0.1 unless told otherwise (``--host``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from paceline.errors import PacelineError, ScenarioError
from paceline.jsonable import to_jsonable
from paceline.render.replay import available_models, race_id, resolve, scenario_to_dict

log = logging.getLogger(__name__)

#: Largest request body accepted [bytes]; larger ones get 413.
MAX_BODY_BYTES = 256 * 1024
#: Solved races kept for ``GET /api/races/{id}``, and the bytes they may hold.
MAX_RACES = 64
MAX_CACHE_BYTES = 64 * 1024 * 1024
#: Largest response of one solve [bytes] (Breaking4's replay is about 0.3 MB).
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
#: Host names always allowed (the server binds loopback by default).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

STATIC_DIR = Path(__file__).parent / "static"
_ID_RE = re.compile(r"^[0-9a-f]{12}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class SolveRequest(BaseModel):
    """Body of ``POST /api/solve``: a scenario as JSON, or the name of a bundled one, and the model."""

    model_config = ConfigDict(extra="forbid")

    scenario: dict[str, Any] | None = Field(
        None, description="A scenario as JSON (the `scenario` of GET /api/scenarios/{name}, edited)."
    )
    name: str | None = Field(None, description="Name of a bundled scenario, instead of `scenario`.")
    model: str = Field("equal-power", description="equal-power (fast), critical-speed, or optimal-control.")


class BodyLimit:
    """ASGI middleware: buffer the request body and answer 413 when it exceeds ``limit`` bytes."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(send)
            return
        body = b""
        more = True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
            if len(body) > self.limit:
                await self._refuse(send)
                return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return dict(await receive())

        await self.app(scope, replay, send)

    async def _refuse(self, send: Any) -> None:
        response = JSONResponse({"detail": f"request body too large; the limit is {self.limit} bytes"}, status_code=413)
        await response({"type": "http"}, _no_body, send)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.disconnect"}


def host_name(header: str) -> str:
    """The host of a ``Host`` header without its port (``localhost:8000`` -> ``localhost``)."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[: h.find("]") + 1] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class ServiceGuard:
    """ASGI middleware: refuse a ``Host`` not in ``allowed`` (400), and serve every request with
    :func:`~paceline.io.limits.no_user_files` in force."""

    def __init__(self, app: Any, allowed: Iterable[str] = LOOPBACK_HOSTS) -> None:
        self.app = app
        self.allowed = frozenset(h.lower() for h in allowed)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from paceline.io.limits import no_user_files

        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_name(host) not in self.allowed:
            response = JSONResponse(
                {"detail": f"host {host[:100]!r} is not served; start the server with --allow-host NAME to add it"},
                status_code=400,
            )
            await response(scope, _no_body, send)
            return
        with no_user_files():
            await self.app(scope, receive, send)


class RaceCache:
    """The last solved races as JSON bytes, bounded by count and by bytes; safe across request threads."""

    def __init__(self, max_items: int = MAX_RACES, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.max_items, self.max_bytes = max_items, max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The race's JSON, or None."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        """Keep ``body``, dropping the oldest races beyond the caps."""
        with self._lock:
            if key in self._items:
                self._bytes -= len(self._items.pop(key))
            self._items[key] = body
            self._bytes += len(body)
            while self._items and (len(self._items) > self.max_items or self._bytes > self.max_bytes):
                self._bytes -= len(self._items.popitem(last=False)[1])

    @property
    def n_bytes(self) -> int:
        """Bytes held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


def check_client_names(data: Any) -> None:
    """Refuse, before anything is read, a posted scenario whose formations or calibration are not names of bundled
    (or, for formations, its own inline) data; the error says nothing of any file."""
    from paceline.io.formations import formation_names
    from paceline.io.scenario import bundled_scenario_names

    if not isinstance(data, dict):
        return  # the scenario's validation says what is wrong
    inline = data.get("formations")
    allowed = set(formation_names()) | (set(inline) if isinstance(inline, dict) else set())
    pacing = data.get("pacing")
    for i, ph in enumerate(pacing if isinstance(pacing, list) else []):
        name = ph.get("formation") if isinstance(ph, dict) else None
        if isinstance(name, str) and name not in allowed:
            raise ScenarioError(
                f"{name[:80]!r} is not a formation; allowed {', '.join(sorted(allowed))}", f"pacing[{i}].formation"
            )
    ath = data.get("athlete")
    cal = ath.get("calibration") if isinstance(ath, dict) else None
    if isinstance(cal, str) and not _NAME_RE.match(cal):  # a keyword (performances, ...) or a bundled name only
        raise ScenarioError(
            f"{cal[:80]!r} is not allowed; the web app accepts only a bundled name "
            f"({', '.join(bundled_scenario_names())}) or a keyword such as 'performances'",
            "athlete.calibration",
        )


def _error_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {}}}}},
    }


NOT_FOUND = _error_schema("No such bundled scenario or race.")
TOO_LARGE = _error_schema("Request body over the limit.")
UNPROCESSABLE = _error_schema("A bad scenario or request: `field` names the field, `message` says what is allowed.")
SOLVED = {
    "description": "The race: finish_s, splits, chart series and replay frames.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


def _document_errors(app: FastAPI) -> None:
    """Add to the OpenAPI document the answers every route can give besides its own: 400 (a body that is not JSON,
    a Host not served), 413 (a body over the limit) on routes with a body, 404 on routes with a path parameter, and
    422 on those with any parameter or body."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            for path, ops in spec.get("paths", {}).items():
                for op in ops.values():
                    answers = op.setdefault("responses", {})
                    answers.setdefault("400", _error_schema("The body is not JSON, or the Host is not served."))
                    if "requestBody" in op:
                        answers.setdefault("413", TOO_LARGE)
                    if "{" in path:
                        answers.setdefault("404", NOT_FOUND)
                    if "{" in path or "requestBody" in op or op.get("parameters"):
                        answers.setdefault("422", UNPROCESSABLE)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _field_loc(field: str | None) -> list[str | int]:
    """``pacing[2].to_m`` -> ``["pacing", 2, "to_m"]``."""
    if not field:
        return []
    out: list[str | int] = []
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", field):
        out.append(int(part[1:-1]) if part.startswith("[") else part)
    return out


def _unprocessable(exc: PacelineError, prefix: list[str | int]) -> JSONResponse:
    field = getattr(exc, "field", None)
    body = {
        "detail": [{"loc": [*prefix, *_field_loc(field)], "msg": str(exc), "type": type(exc).__name__}],
        "field": field,
        "message": str(exc),
    }
    return JSONResponse(body, status_code=422)


def _body_fields(request: Request) -> list[str]:
    """The fields the body of the request's route takes (``[]`` when unknown)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    return sorted(getattr(model, "model_fields", {}))


def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body the request model refuses as one 422 naming the field: never the input echoed (it may be huge, or a
    NaN/Infinity literal no JSON response can carry)."""
    err = exc.errors()[0] if exc.errors() else {}
    loc = [p for p in err.get("loc", ()) if isinstance(p, (str, int))]
    field = ".".join(str(p) for p in loc[1:] if isinstance(p, str)) or "body"
    allowed = ", ".join(_body_fields(request))
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        msg = f"unknown field; this endpoint takes {allowed}"
    elif kind == "missing":
        msg = f"is required; this endpoint takes {allowed}"
    elif kind == "json_invalid":
        msg = "the body is not valid JSON"
    elif field == "body" and "json" not in request.headers.get("content-type", ""):
        msg = "send the body as a JSON object with Content-Type: application/json"
    else:
        msg = str(err.get("msg", "invalid"))
    text = f"{field}: {msg}"
    body = {"detail": [{"loc": loc, "msg": text, "type": kind}], "field": field, "message": text}
    return JSONResponse(body, status_code=422)


def create_app(warm: bool = True, allow_hosts: Iterable[str] = ()) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    warm : bool
        Solve the bundled scenarios once at start-up so that the first editor change is as fast as the rest.
    allow_hosts : iterable of str
        Host names served besides the loopback ones (``paceline serve --allow-host``).
    """
    from paceline.io.formations import bundled_formations
    from paceline.io.scenario import bundled_scenario_names, load_scenario
    from paceline.version import __version__

    app = FastAPI(
        title="paceline",
        version=__version__,
        description="Plan and replay paced record attempts. SI units, with the unit in every name.",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(ServiceGuard, allowed=LOOPBACK_HOSTS | {host_name(h) for h in allow_hosts})
    races = RaceCache()
    app.state.races = races

    def bundled(name: str) -> dict[str, Any]:
        if not _NAME_RE.match(name) or name not in bundled_scenario_names():
            raise HTTPException(
                404, f"{name[:80]!r} is not a bundled scenario; allowed {', '.join(bundled_scenario_names())}"
            )
        return scenario_to_dict(load_scenario(name))

    def solve_and_keep(data: dict[str, Any], model: str) -> bytes:
        import json

        check_client_names(data)
        rid = race_id(data, model)
        body = races.get(rid)
        if body is not None:
            return body
        payload = resolve(data, model)
        body = json.dumps(to_jsonable(payload), separators=(",", ":"), allow_nan=False).encode("utf-8")
        if len(body) > MAX_RESPONSE_BYTES:
            raise ScenarioError(
                f"the race's replay is {len(body) / 2**20:.1f} MB; this server answers at most "
                f"{MAX_RESPONSE_BYTES / 2**20:.0f} MB (fewer pacers or a shorter race)",
                "scenario",
            )
        races.put(rid, body)
        return body

    app.add_exception_handler(RequestValidationError, _bad_request)  # type: ignore[arg-type]

    @app.exception_handler(PacelineError)
    async def _paceline_error(request: Request, exc: PacelineError) -> JSONResponse:
        # a field the request's body takes itself (the solve's bundled ``name``, ``model``) is the body's; any other
        # is the posted scenario's (a scenario without a ``name`` is body.scenario.name on /api/plan)
        own = {"scenario", *_body_fields(request)} - ({"name"} if getattr(request.state, "posted", False) else set())
        in_scenario = isinstance(exc, ScenarioError) and exc.field is not None and exc.field not in own
        return _unprocessable(exc, ["body", "scenario"] if in_scenario else ["body"])

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/api/scenarios", summary="The bundled scenarios")
    def scenarios() -> dict[str, Any]:
        """Names, distances [m], targets [s] and descriptions of the bundled scenarios."""
        rows = []
        for name in bundled_scenario_names():
            sc = load_scenario(name)
            rows.append(
                {
                    "name": name,
                    "distance_m": sc.distance_m,
                    "target_s": sc.target_s,
                    "actual_s": sc.result.time_s if sc.result else None,
                    "description": sc.description,
                }
            )
        return {"scenarios": rows}

    @app.get("/api/scenarios/{name}", summary="One bundled scenario as JSON", responses={404: NOT_FOUND})
    def scenario(name: str) -> dict[str, Any]:
        """The scenario as JSON, ready to edit and POST to ``/api/solve``."""
        return {"name": name, "scenario": bundled(name)}

    @app.get("/api/formations", summary="The bundled formations")
    def formations() -> dict[str, Any]:
        """Slots of every bundled formation (along-track ``dx_m``, lateral ``dy_m`` from the athlete [m])."""
        return {
            "formations": [
                {
                    "name": f.name,
                    "description": f.description,
                    "athlete_offset_m": f.athlete_offset_m,
                    "slots": [{"name": s.name, "dx_m": s.dx_m, "dy_m": s.dy_m} for s in f.slots],
                }
                for f in bundled_formations().values()
            ]
        }

    @app.get("/api/models", summary="The models this installation can solve")
    def models() -> dict[str, Any]:
        """``equal-power`` is the fast model the editor uses; ``optimal-control`` is "solve exactly"."""
        return {"models": available_models(), "fast": "equal-power", "exact": "optimal-control"}

    @app.post(
        "/api/solve",
        summary="Solve a scenario and return the race and its replay",
        responses={200: SOLVED, 413: TOO_LARGE, 422: UNPROCESSABLE},
    )
    def solve(req: SolveRequest, request: Request) -> Response:
        """A scenario (JSON or bundled name) -> the race: ``finish_s``, ``splits``, chart ``series`` against
        distance and replay ``frames`` (positions [m] on the track plane at a uniform time step)."""
        request.state.posted = req.scenario is not None  # then an error about 'name' is the scenario's
        if (req.scenario is None) == (req.name is None):
            raise ScenarioError("give exactly one of 'scenario' (JSON) or 'name' (a bundled scenario)", "scenario")
        if req.name is not None:
            if not _NAME_RE.match(req.name) or req.name not in bundled_scenario_names():
                raise ScenarioError(
                    f"{req.name!r} is not a bundled scenario; allowed {', '.join(bundled_scenario_names())}", "name"
                )
            data = bundled(req.name)
        else:
            data = req.scenario or {}
        return Response(solve_and_keep(data, req.model), media_type="application/json")

    @app.get(
        "/api/races/{race_id}", summary="A race solved earlier, by its id", responses={200: SOLVED, 404: NOT_FOUND}
    )
    def race(race_id: str) -> Response:
        """The payload ``POST /api/solve`` returned, while it is among the last solved races."""
        body = races.get(race_id) if _ID_RE.match(race_id) else None
        if body is None:
            raise HTTPException(404, f"no race {race_id[:40]!r}; solve one with POST /api/solve")
        return Response(body, media_type="application/json")

    from paceline.web.plan_api import add_plan_routes

    add_plan_routes(app)  # POST /api/export, /api/plan, /api/uncertainty
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _document_errors(app)

    if warm:
        for name in bundled_scenario_names():
            try:
                solve_and_keep(bundled(name), "equal-power")
            except PacelineError as exc:  # a bundled scenario the fast model cannot solve is not fatal
                log.warning("warm-up of %s failed: %s", name, exc)
    return app
