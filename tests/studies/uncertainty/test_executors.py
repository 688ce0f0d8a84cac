"""Where the work runs (paceline.studies.uncertainty.executors): pool workers die with their parent, and a run that
loses its
workers (locally or on Dask) keeps what was done and says why it stopped."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bad_input import run_cli
from executor_tasks import die_at, pid_after
from paceline.studies.uncertainty import executors
from paceline.studies.uncertainty.executors import RunStatus, run_tasks


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


PARENT = textwrap.dedent(
    """
    import sys
    from executor_tasks import pid_after
    from paceline.studies.uncertainty.executors import run_tasks
    def show(i, pid):
        print(pid, flush=True)
    run_tasks(pid_after, 0.2, list(range(400)), show, workers=2)
    """
)


def test_pool_workers_die_with_their_parent(tmp_path: Path) -> None:
    """SIGKILL the parent of a local pool: its workers, the forkserver and the resource tracker all go."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    p = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout is not None
        p.stdout.readline()  # a worker has answered: the pool is up
        family = _descendants(p.pid)
        assert len(family) >= 3  # forkserver, resource tracker, workers
    finally:
        p.kill()
        p.wait()
        if p.stdout is not None:
            p.stdout.close()
    deadline = time.monotonic() + 15.0
    while time.monotonic() < deadline and any(_alive(q) for q in family):
        time.sleep(0.1)
    assert not [q for q in family if _alive(q)]


def test_a_killed_local_worker_keeps_the_results_done() -> None:
    got: dict[int, int] = {}
    status = run_tasks(die_at, 5, list(range(12)), got.__setitem__, workers=2)
    assert status and not status.interrupted and "killed" in status.workers_lost
    assert got and 5 not in got
    assert all(got[i] == i for i in got)


def test_run_status_is_falsy_only_when_complete() -> None:
    assert not RunStatus()
    assert RunStatus(interrupted=True) and RunStatus(workers_lost="x")


def test_montecarlo_that_loses_its_workers_keeps_its_draws_and_says_how_to_resume(monkeypatch: Any) -> None:
    """The Monte Carlo summarises the draws done; the CLI prints it, then one line with how to resume, exit 3."""
    import paceline.studies.uncertainty.montecarlo as mc

    real = mc.run_tasks

    def half(func: Any, shared: Any, payloads: Any, on_result: Any, **kw: Any) -> RunStatus:
        real(func, shared, payloads[: len(payloads) // 2], on_result, workers=1)
        return RunStatus(workers_lost="the cluster has had no worker for 20 s")

    monkeypatch.setattr(mc, "run_tasks", half)
    r = run_cli("montecarlo", "-n", "4000", "--pool", "20", "--json")
    assert r.code == 3, r.stderr
    import json

    out = json.loads(r.stdout)
    assert 0 < out["n_done"] < out["n"] and math.isfinite(out["median_s"])
    assert out["workers_lost"].startswith("the cluster")
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--seed 0" in lines[0] and f"{out['n_done']} of 4000" in lines[0]


@pytest.mark.slow
def test_dask_run_that_loses_every_worker_keeps_what_was_done(monkeypatch: Any) -> None:
    """A real Dask cluster whose workers all leave mid-run: the results delivered are kept, the run stops after the
    grace period instead of waiting for ever."""
    from dask.distributed import LocalCluster

    monkeypatch.setattr(executors, "WORKER_GRACE_S", 2.0)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        got: dict[int, int] = {}
        fired = threading.Event()

        def on_result(i: int, pid: int) -> None:
            got[i] = pid
            if not fired.is_set():
                fired.set()
                threading.Thread(target=cluster.scale, args=(0,), daemon=True).start()

        t0 = time.monotonic()
        status = run_tasks(pid_after, 0.5, list(range(40)), on_result, scheduler=cluster.scheduler_address)
        elapsed = time.monotonic() - t0
    assert status.workers_lost and not status.interrupted
    assert 1 <= len(got) < 40
    assert elapsed < 60.0
    assert np.all(np.array(list(got)) < 40)


def test_a_second_sweep_on_one_file_is_refused_at_once(tmp_path: Path) -> None:
    """Two sweeps on one --out once wrote 1,550 duplicate rows and ended in exit 1: the second now stops at once."""
    from paceline.io.outputs import exclusive

    out = tmp_path / "s.parquet"
    with exclusive(out):  # as a running sweep holds it
        r = run_cli("sweep", "--vary", "conditions.temperature_c=10:30:10", "--out", str(out), "--workers", "1")
    assert r.code == 2 and "another run" in r.stderr and "--out" in r.stderr
    assert not out.exists()
    r = run_cli("sweep", "--vary", "conditions.temperature_c=10:30:10", "--out", str(out), "--workers", "1", "--json")
    assert r.code == 0, r.stderr


def test_optimal_control_sweep_on_two_workers_gives_the_in_process_answers(tmp_path: Path) -> None:
    """Each worker re-solves its own CasADi problem warm: the same times as one process, to the solver's tolerance."""
    import pandas as pd

    from paceline.io.scenario import load_scenario
    from paceline.studies.uncertainty.sweep import parse_vary, sweep

    sc = load_scenario("breaking4-optimal")
    vary = [parse_vary("conditions.temperature_c=10:30:2")]
    times = []
    for workers in (1, 2):
        res = sweep(sc, vary, tmp_path / f"w{workers}.parquet", model="optimal-control", workers=workers)
        assert res.n_new == 11 and not res.interrupted and not res.workers_lost
        df = pd.read_parquet(res.out).sort_values("conditions.temperature_c")
        assert (df["error"] == "").all()
        times.append(df["time_s"].to_numpy())
    assert np.allclose(times[0], times[1], atol=1e-3)
    assert np.all(np.diff(times[0]) != 0)  # the temperature matters, so the comparison is not vacuous


@pytest.mark.slow
def test_montecarlo_on_dask_that_loses_every_worker_keeps_its_draws(monkeypatch: Any) -> None:
    """The issue's reproducer: every Dask worker lost mid-run once ended in exit 1 with every draw discarded."""
    from dask.distributed import LocalCluster

    from paceline.io.scenario import load_scenario
    from paceline.studies.uncertainty.montecarlo import monte_carlo

    monkeypatch.setattr(executors, "WORKER_GRACE_S", 2.0)
    sc = load_scenario("breaking4")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        fired = threading.Event()

        def progress(done: int, total: int) -> None:
            if not fired.is_set():
                fired.set()
                threading.Thread(target=cluster.scale, args=(0,), daemon=True).start()

        res = monte_carlo(sc, n=200_000, seed=3, pool=20, scheduler=cluster.scheduler_address, progress=progress)
    assert res.workers_lost and 0 < res.n_done < res.n
    out = res.to_dict()
    assert out["workers_lost"] and math.isfinite(out["median_s"])
