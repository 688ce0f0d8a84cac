"""The FastAPI application: JSON API, the replay page and its static files.

Safety rules: the server reads only bundled scenarios and formations (a client never names a path), refuses bodies
over :data:`MAX_BODY_BYTES` with 413, turns every bad scenario into 422 naming the field, and binds 127.0.0.1 unless
told otherwise (``paceline serve --host``).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from paceline.errors import PacelineError, ScenarioError
from paceline.jsonable import to_jsonable
from paceline.render.replay import available_models, race_id, resolve, scenario_to_dict

log = logging.getLogger(__name__)

#: Largest request body accepted [bytes]; larger ones get 413.
MAX_BODY_BYTES = 256 * 1024
#: Solved races kept for ``GET /api/races/{id}``.
MAX_RACES = 64
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


def create_app(warm: bool = True) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    warm : bool
        Solve the bundled scenarios once at start-up so that the first editor change is as fast as the rest.
    """
    from paceline.version import __version__
    from paceline.io.formations import bundled_formations
    from paceline.io.scenario import bundled_scenario_names, load_scenario

    app = FastAPI(
        title="paceline",
        version=__version__,
        description="Plan and replay paced record attempts. SI units, with the unit in every name.",
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    races: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def bundled(name: str) -> dict[str, Any]:
        if not _NAME_RE.match(name) or name not in bundled_scenario_names():
            raise HTTPException(
                404, f"{name!r} is not a bundled scenario; allowed {', '.join(bundled_scenario_names())}"
            )
        return scenario_to_dict(load_scenario(name))

    def solve_and_keep(data: dict[str, Any], model: str) -> dict[str, Any]:
        rid = race_id(data, model)
        if rid in races:
            races.move_to_end(rid)
            return races[rid]
        payload = to_jsonable(resolve(data, model))
        races[rid] = payload
        while len(races) > MAX_RACES:
            races.popitem(last=False)
        return payload

    @app.exception_handler(PacelineError)
    async def _paceline_error(request: Request, exc: PacelineError) -> JSONResponse:
        in_scenario = isinstance(exc, ScenarioError) and exc.field not in (None, "name", "model", "scenario")
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

    @app.get("/api/scenarios/{name}", summary="One bundled scenario as JSON")
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

    @app.post("/api/solve", summary="Solve a scenario and return the race and its replay")
    def solve(req: SolveRequest) -> JSONResponse:
        """A scenario (JSON or bundled name) -> the race: ``finish_s``, ``splits``, chart ``series`` against
        distance and replay ``frames`` (positions [m] on the track plane at a uniform time step)."""
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
        return JSONResponse(solve_and_keep(data, req.model))

    @app.get("/api/races/{race_id}", summary="A race solved earlier, by its id")
    def race(race_id: str) -> JSONResponse:
        """The payload ``POST /api/solve`` returned, while it is among the last solved races."""
        if not _ID_RE.match(race_id) or race_id not in races:
            raise HTTPException(404, f"no race {race_id!r}; solve one with POST /api/solve")
        return JSONResponse(races[race_id])

    from paceline.web.plan_api import add_plan_routes

    add_plan_routes(app)  # POST /api/export, /api/plan, /api/uncertainty
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    if warm:
        for name in bundled_scenario_names():
            try:
                solve_and_keep(bundled(name), "equal-power")
            except PacelineError as exc:  # a bundled scenario the fast model cannot solve is not fatal
                log.warning("warm-up of %s failed: %s", name, exc)
    return app
