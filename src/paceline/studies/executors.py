"""Where the work of a study runs: in this process, a local process pool, or a Dask cluster.

Execution
    A local process pool by default (sized to the cores), or an existing Dask distributed cluster
    (``scheduler="tcp://host:port"``); Dask re-runs the tasks of a worker that dies. Ctrl-C stops cleanly and keeps
    what is done.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from paceline.errors import PacelineError, ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    pass

log = logging.getLogger(__name__)


def _ignore_sigint() -> None:  # pragma: no cover - runs in pool workers
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    """Worker processes of the local pool: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_tasks(
    func: Callable[[Any, Any], Any],
    shared: Any,
    payloads: Sequence[Any],
    on_result: Callable[[int, Any], None],
    workers: int | None = None,
    scheduler: str | None = None,
) -> bool:
    """Run ``func(shared, payload)`` for every payload, calling ``on_result(index, result)`` as each finishes.

    Parameters
    ----------
    func : callable
        A module-level function (pickled by reference).
    shared : object
        The argument every task shares (sent once per worker with Dask).
    payloads : sequence
        One per task.
    on_result : callable
        Called in this process, in completion order.
    workers : int, optional
        Local worker processes (default: the cores); 1 runs in this process.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://127.0.0.1:8786``); the cluster's workers do the work.

    Returns
    -------
    bool
        True if interrupted (Ctrl-C): the results delivered so far are kept, the rest are cancelled.
    """
    if not payloads:
        return False
    if scheduler:
        return _run_dask(func, shared, payloads, on_result, scheduler)
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ScenarioError(f"{n_workers} workers is not allowed; workers >= 1", "workers")
    if n_workers == 1 or len(payloads) == 1:
        try:
            for i, p in enumerate(payloads):
                on_result(i, func(shared, p))
        except KeyboardInterrupt:
            return True
        return False
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    methods = multiprocessing.get_all_start_methods()
    ctx: Any
    if "forkserver" in methods:  # safe with threads (unlike fork); workers fork from a server that imported us
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["paceline.studies.montecarlo", "paceline.studies.sweep"])
    else:  # pragma: no cover - Windows, macOS without forkserver
        ctx = multiprocessing.get_context("spawn")
    ex = ProcessPoolExecutor(max_workers=min(n_workers, len(payloads)), mp_context=ctx, initializer=_ignore_sigint)
    interrupted = False
    try:
        pending = {ex.submit(func, shared, p): i for i, p in enumerate(payloads)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                on_result(pending.pop(fut), fut.result())
    except KeyboardInterrupt:
        interrupted = True
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
    return interrupted


def _run_dask(
    func: Callable[[Any, Any], Any],
    shared: Any,
    payloads: Sequence[Any],
    on_result: Callable[[int, Any], None],
    scheduler: str,
) -> bool:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - the dist extra is missing
        raise PacelineError("--scheduler needs dask[distributed]: pip install 'paceline[dist]'") from exc
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise ScenarioError(f"cannot reach a Dask scheduler at {scheduler!r} ({exc})", "scheduler") from None
    interrupted = False
    try:
        [shared_f] = client.scatter([shared], broadcast=True, hash=False)
        futures = [client.submit(func, shared_f, p, pure=False, retries=2) for p in payloads]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut, result in as_completed(futures, with_results=True):
                on_result(index[fut.key], result)
                fut.release()
        except KeyboardInterrupt:
            interrupted = True
            client.cancel(futures)
    finally:
        client.close()
    return interrupted
