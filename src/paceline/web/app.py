"""The FastAPI application: JSON API, the replay page and its static files.

Service rules:

- the server reads only bundled scenarios, formations and races: a posted scenario is parsed, by the request body's
  type, into a :class:`~paceline.web.schema.ClientScenario`, which can name only those or define its own inline within
  the caps of :mod:`paceline.io.limits`; a name that is not bundled is 422 naming the field, before anything is read,
  on every route and for every background job (:func:`~paceline.io.limits.no_user_files` stays in force for every
  request and the jobs it starts, as a second fence);
- the ``Host`` header must be a loopback name (``127.0.0.1``, ``localhost``, ``[::1]``) or one added with
  ``paceline serve --allow-host`` (DNS rebinding); anything else is 400;
- bodies over :data:`MAX_BODY_BYTES` are 413, responses over :data:`MAX_RESPONSE_BYTES` are 422, and the solved races
  kept for ``GET /api/races/{id}`` hold at most :data:`MAX_CACHE_BYTES`;
- solves run in worker threads; the optimal-control solver (one CasADi/Ipopt problem re-solved warm) runs one solve
  at a time behind its own lock (:mod:`paceline.models.collocation`), so concurrent requests get the answers a
  sequential client would, on every endpoint;
- every bad scenario is 422 naming the field; the server binds 127.0.0.1 unless told otherwise (``--host``).

The routes are module-level functions on two routers (:mod:`paceline.web.race_api`, :mod:`paceline.web.plan_api`);
:func:`create_app` only assembles the routers, the middleware, the error handlers and the app's state.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from paceline.errors import PacelineError, ScenarioError
from paceline.web.races import MAX_CACHE_BYTES, MAX_RACES, MAX_RESPONSE_BYTES, RaceCache, solve_and_keep
from paceline.web.schema import BAD_REQUEST, NOT_FOUND, TOO_LARGE, UNPROCESSABLE

log = logging.getLogger(__name__)

__all__ = [
    "LOOPBACK_HOSTS",
    "MAX_BODY_BYTES",
    "MAX_CACHE_BYTES",
    "MAX_RACES",
    "MAX_RESPONSE_BYTES",
    "BodyLimit",
    "RaceCache",
    "ServiceGuard",
    "create_app",
    "host_name",
]

#: Largest request body accepted [bytes]; larger ones get 413.
MAX_BODY_BYTES = 256 * 1024
#: Host names always allowed (the server binds loopback by default).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


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
                    answers.setdefault("400", BAD_REQUEST)
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


def _scenario_content(err: dict[str, Any]) -> bool:
    """True for an error a scenario's own validation raised (a :class:`~paceline.errors.PacelineError` naming a field
    inside it), False for one about the request's shape (a field missing, unknown or of the wrong type)."""
    return isinstance((err.get("ctx") or {}).get("error"), PacelineError)


def _bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body the request model refuses as one 422 naming the field: never the input echoed (it may be huge, or a
    NaN/Infinity literal no JSON response can carry). The request's shape is checked before the scenario's content:
    an error the scenario's validation raised is answered only when the request has no other."""
    errors = sorted(exc.errors(), key=_scenario_content)  # stable: the body's field order within each kind
    err = errors[0] if errors else {}
    loc = [p for p in err.get("loc", ()) if isinstance(p, (str, int))]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, PacelineError):  # ScenarioError's field is a path inside the body's field (or that field)
        field = getattr(cause, "field", None)
        return _unprocessable(cause, loc[:-1] if loc and field == loc[-1] else loc)
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


async def _paceline_error(request: Request, exc: PacelineError) -> JSONResponse:
    """A :class:`~paceline.errors.PacelineError` raised while serving (a solve's, a plan's) as 422 naming the field:
    ``scenario`` and ``model`` under ``body``, any other under ``body.scenario`` (the body's other fields were checked
    at the edge, so the error is the scenario's)."""
    in_scenario = isinstance(exc, ScenarioError) and exc.field is not None and exc.field not in ("scenario", "model")
    return _unprocessable(exc, ["body", "scenario"] if in_scenario else ["body"])


def create_app(warm: bool = True, allow_hosts: Iterable[str] = ()) -> FastAPI:
    """Build the web app: the routers, the middleware, the error handlers and the state they share.

    Parameters
    ----------
    warm : bool
        Solve the bundled scenarios once at start-up so that the first editor change is as fast as the rest.
    allow_hosts : iterable of str
        Host names served besides the loopback ones (``paceline serve --allow-host``).
    """
    from paceline.io.scenario import bundled_scenario, bundled_scenario_names
    from paceline.version import __version__
    from paceline.web import plan_api, race_api

    app = FastAPI(
        title="paceline",
        version=__version__,
        description="Plan and replay paced record attempts. SI units, with the unit in every name.",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(ServiceGuard, allowed=LOOPBACK_HOSTS | {host_name(h) for h in allow_hosts})
    app.add_exception_handler(RequestValidationError, _bad_request)  # type: ignore[arg-type]
    app.add_exception_handler(PacelineError, _paceline_error)  # type: ignore[arg-type]
    app.state.races = RaceCache()
    app.state.jobs = plan_api.MonteCarloJobs()
    app.include_router(race_api.router)  # /, /static, /api/scenarios, /api/formations, /api/models, /api/solve, /races
    app.include_router(plan_api.router)  # /api/export, /api/plan, /api/uncertainty
    _document_errors(app)

    if warm:
        for name in bundled_scenario_names():
            try:
                solve_and_keep(app.state.races, bundled_scenario(name), "equal-power")
            except PacelineError as exc:  # a bundled scenario the fast model cannot solve is not fatal
                log.warning("warm-up of %s failed: %s", name, exc)
    return app
