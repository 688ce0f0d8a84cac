"""The endpoints that make things from an edited scenario: its TOML, the plan as a zip, and a quick Monte Carlo.

``POST /api/export``: scenario JSON -> TOML text that ``paceline plan FILE`` reads back to the same scenario.
``POST /api/plan``: scenario JSON -> a zip of the plan's files (:func:`paceline.render.plan_files.plan_files`:
plan.json, splits.csv, lights.csv and lights.html, briefings, pacer cards) and the HTML report.
``POST /api/uncertainty``: starts a quick Monte Carlo (:data:`QUICK_DRAWS` draws, equal-power) on one of
:data:`MAX_RUNNING` worker threads and returns its id (older unfinished runs beyond those are superseded);
``GET /api/uncertainty/{id}`` reports its progress, then P(target) and the 5-95 % interval.
Bad input is 422 naming the field (the app's handler of :class:`~paceline.errors.PacelineError`). The routes are
module-level functions on :data:`router`; the Monte Carlo jobs live in the app's state (``app.state.jobs``, a
:class:`MonteCarloJobs`). A scenario arrives parsed as a :class:`~paceline.web.schema.ClientScenario` (the body's
type), and a job runs on what was parsed.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from paceline.errors import PacelineError
from paceline.render.replay import scenario_to_dict
from paceline.web.schema import ScenarioBody

if TYPE_CHECKING:  # pragma: no cover
    from paceline.web.schema import ClientScenario

log = logging.getLogger(__name__)

#: Draws of the web page's Monte Carlo (about a second with a small drafting pool).
QUICK_DRAWS = 1000
#: Drafting-parameter refits in its pool.
QUICK_POOL = 20
#: Monte Carlo jobs kept for polling.
MAX_JOBS = 16
#: Monte Carlos computing at once; a newer request supersedes (stops) the oldest beyond these, as the page does when
#: an edit starts a new run, so a flood of requests never runs more than this many.
MAX_RUNNING = 2


class _Superseded(Exception):
    """Stops a Monte Carlo that a newer one has superseded (raised from its progress callback)."""


router = APIRouter()


def _file_name(name: str, suffix: str) -> str:
    from paceline.render.plan_files import safe_name

    return f"{safe_name(name)}{suffix}"


class MonteCarloJobs:
    """The quick Monte Carlos of one app: at most :data:`MAX_RUNNING` computing (a newer one supersedes the oldest
    unfinished), :data:`MAX_JOBS` kept for polling."""

    def __init__(self) -> None:
        self.jobs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.stops: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.runner = ThreadPoolExecutor(max_workers=MAX_RUNNING, thread_name_prefix="paceline-mc")

    def start(self, sc: ClientScenario) -> str:
        """Start a Monte Carlo of ``sc`` (a client's scenario, parsed) and return its id.

        The job runs in the context of the request that started it (``contextvars``), so whatever the request runs
        under (:func:`paceline.io.limits.no_user_files`) holds in the job's thread too.
        """
        job_id = uuid.uuid4().hex[:12]
        job: dict[str, Any] = {"id": job_id, "n": QUICK_DRAWS, "n_done": 0, "done": False, "error": None}
        stop = threading.Event()
        with self.lock:
            self.jobs[job_id] = job
            self.stops[job_id] = stop
            superseded = [k for k, j in self.jobs.items() if not j["done"]][:-MAX_RUNNING]
            while len(self.jobs) > MAX_JOBS:
                superseded.append(self.jobs.popitem(last=False)[0])
            for old in superseded:
                if old in self.stops:
                    self.stops[old].set()
        self.runner.submit(contextvars.copy_context().run, self._run, sc, job, stop)
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        """A copy of the job's state, or None."""
        with self.lock:
            job = self.jobs.get(job_id)
            return None if job is None else dict(job)

    def _run(self, sc: ClientScenario, job: dict[str, Any], stop: threading.Event) -> None:
        from paceline.studies.uncertainty.montecarlo import monte_carlo

        def progress(done: int, total: int) -> None:
            if stop.is_set():
                raise _Superseded
            job["n_done"] = done

        try:
            if stop.is_set():
                raise _Superseded
            mc = monte_carlo(sc, n=QUICK_DRAWS, seed=0, workers=1, pool=QUICK_POOL, progress=progress)
            job.update(
                p_target=mc.probability_under(sc.target_s),
                target_s=sc.target_s,
                median_s=mc.median_s,
                p05_s=mc.percentile(5),
                p95_s=mc.percentile(95),
                n_done=mc.n_done,
            )
        except _Superseded:
            job["error"] = f"superseded by a newer Monte Carlo (this server runs at most {MAX_RUNNING} at once)"
        except PacelineError as exc:
            job["error"] = str(exc)
        except Exception as exc:  # a bug: reported to the page, logged here
            log.exception("Monte Carlo job %s failed", job["id"])
            job["error"] = f"internal error: {type(exc).__name__}"
        job["done"] = True
        with self.lock:
            self.stops.pop(job["id"], None)


@router.post("/api/export", summary="The edited scenario as TOML")
def export(body: ScenarioBody) -> Response:
    """Scenario JSON -> TOML text (``paceline plan FILE.toml`` solves it to the same time)."""
    from paceline.io.scenario_toml import scenario_toml

    sc = body.scenario
    text = scenario_toml(scenario_to_dict(sc))
    headers = {"Content-Disposition": f'attachment; filename="{_file_name(sc.name, ".toml")}"'}
    return Response(text, media_type="application/toml; charset=utf-8", headers=headers)


@router.post("/api/plan", summary="Make the plan: a zip of its files and the report")
def plan(body: ScenarioBody) -> Response:
    """Scenario JSON -> ``NAME-plan.zip``: plan.json, splits.csv, lights.csv, lights.html (a track race),
    briefings/*.md, cards/*.html, cards.html, report.html and scenario.toml."""
    from paceline.io.scenario_toml import scenario_toml
    from paceline.render.plan_files import plan_files, zip_bytes
    from paceline.render.report import render_report
    from paceline.studies.analysis.report_inputs import report_inputs
    from paceline.studies.planning.plan import make_plan

    sc = body.scenario
    pl = make_plan(sc, body.model)
    report = render_report(report_inputs(None, plan=pl, with_uncertainty=False))
    files = plan_files(pl, report_html=report)
    files["scenario.toml"] = scenario_toml(scenario_to_dict(sc))
    folder = _file_name(sc.name, "-plan")
    headers = {"Content-Disposition": f'attachment; filename="{folder}.zip"'}
    return Response(zip_bytes(files, folder), media_type="application/zip", headers=headers)


@router.post("/api/uncertainty", summary="Start a quick Monte Carlo of the finishing time")
def uncertainty(body: ScenarioBody, request: Request) -> JSONResponse:
    """Starts :data:`QUICK_DRAWS` equal-power draws in the background; poll ``GET /api/uncertainty/{id}``."""
    job_id = request.app.state.jobs.start(body.scenario)
    return JSONResponse({"id": job_id, "n": QUICK_DRAWS})


@router.get("/api/uncertainty/{job_id}", summary="Progress and result of a quick Monte Carlo")
def uncertainty_job(job_id: str, request: Request) -> JSONResponse:
    """``{id, n, n_done, done, error}``, and when done ``p_target`` (None without a target), ``median_s``,
    ``p05_s``, ``p95_s`` [s]."""
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no Monte Carlo {job_id[:40]!r}; start one with POST /api/uncertainty")
    return JSONResponse(job)
