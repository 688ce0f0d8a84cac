"""The routes that show and solve: the page, the bundled scenarios and formations, the models, a solve, a race by id.

Module-level functions on :data:`router`; the solved races live in the app's state (``app.state.races``, a
:class:`~paceline.web.races.RaceCache`). A posted scenario arrives already parsed as a
:class:`~paceline.web.schema.ClientScenario` (the request body's type).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from paceline.io.scenario import Scenario, bundled_scenario, bundled_scenario_names
from paceline.render.replay import scenario_to_dict
from paceline.web.races import solve_and_keep
from paceline.web.schema import NOT_FOUND, SOLVED, TOO_LARGE, UNPROCESSABLE, SolveRequest, available_models

router = APIRouter()

STATIC_DIR = Path(__file__).parent / "static"
#: The page's files, by name: ``/static/{name}`` serves these and nothing else (a name is looked up here, never on
#: disk, so a client's path reaches no file, not even to learn whether it exists).
STATIC_FILES = {"app.js", "style.css", "index.html"}
_ID_RE = re.compile(r"^[0-9a-f]{12}$")


def bundled(name: str) -> Scenario:
    """The bundled scenario ``name``; 404 for any other name (nothing but the package is read)."""
    if name not in bundled_scenario_names():
        raise HTTPException(
            404, f"{name[:80]!r} is not a bundled scenario; allowed {', '.join(bundled_scenario_names())}"
        )
    return bundled_scenario(name)


@router.get("/", include_in_schema=False)
def index() -> FileResponse:
    """The replay page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    """One of the page's :data:`STATIC_FILES`; 404 for any other name."""
    if name not in STATIC_FILES:
        raise HTTPException(404, "Not Found")
    return FileResponse(STATIC_DIR / name)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """No icon (204)."""
    return Response(status_code=204)


@router.get("/api/scenarios", summary="The bundled scenarios")
def scenarios() -> dict[str, Any]:
    """Names, distances [m], targets [s] and descriptions of the bundled scenarios."""
    rows = []
    for name in bundled_scenario_names():
        sc = bundled_scenario(name)
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


@router.get("/api/scenarios/{name}", summary="One bundled scenario as JSON", responses={404: NOT_FOUND})
def scenario(name: str) -> dict[str, Any]:
    """The scenario as JSON, ready to edit and POST to ``/api/solve``."""
    return {"name": name, "scenario": scenario_to_dict(bundled(name))}


@router.get("/api/formations", summary="The bundled formations")
def formations() -> dict[str, Any]:
    """Slots of every bundled formation (along-track ``dx_m``, lateral ``dy_m`` from the athlete [m])."""
    from paceline.io.formations import bundled_formations

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


@router.get("/api/models", summary="The models this installation can solve")
def models() -> dict[str, Any]:
    """``equal-power`` is the fast model the editor uses; ``optimal-control`` is "solve exactly"."""
    return {"models": available_models(), "fast": "equal-power", "exact": "optimal-control"}


@router.post(
    "/api/solve",
    summary="Solve a scenario and return the race and its replay",
    responses={200: SOLVED, 413: TOO_LARGE, 422: UNPROCESSABLE},
)
def solve(body: SolveRequest, request: Request) -> Response:
    """A scenario (JSON or bundled name) -> the race: ``finish_s``, ``splits``, chart ``series`` against
    distance and replay ``frames`` (positions [m] on the track plane at a uniform time step)."""
    sc = body.scenario if body.scenario is not None else bundled_scenario(str(body.name))
    return Response(solve_and_keep(request.app.state.races, sc, body.model), media_type="application/json")


@router.get("/api/races/{race_id}", summary="A race solved earlier, by its id", responses={200: SOLVED, 404: NOT_FOUND})
def race(race_id: str, request: Request) -> Response:
    """The payload ``POST /api/solve`` returned, while it is among the last solved races."""
    body = request.app.state.races.get(race_id) if _ID_RE.match(race_id) else None
    if body is None:
        raise HTTPException(404, f"no race {race_id[:40]!r}; solve one with POST /api/solve")
    return Response(body, media_type="application/json")
