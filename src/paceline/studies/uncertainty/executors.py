"""Where the work of a study runs: in this process, a local process pool, or a Dask cluster.

Execution
    A local process pool by default (sized to the cores), or an existing Dask distributed cluster
    (``scheduler="tcp://host:port"``); Dask re-runs the tasks of a worker that dies. Ctrl-C stops cleanly and keeps
    what is done; so does losing the workers (every Dask worker gone for :data:`WORKER_GRACE_S`, a task killed with
    its workers, the scheduler gone, or a local worker process killed): :func:`run_tasks` returns a
    :class:`RunStatus` saying why it stopped, and the caller keeps the results delivered so far. Pool workers die
    with their parent, however it dies.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paceline.errors import ScenarioError

if TYPE_CHECKING:  # pragma: no cover
    pass

log = logging.getLogger(__name__)


def _worker_init(parent_pid: int) -> None:  # pragma: no cover - runs in pool workers
    """Pool worker set-up: leave Ctrl-C to the parent, and die with the parent however it dies.

    A worker blocked on its task queue never sees the parent go (it holds both ends of the queue's pipe), and the
    forkserver and resource tracker live as long as a worker does; so each worker watches the parent's pid
    (``pidfd`` where the kernel has it, else a poll every second) and exits when it is gone.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        import select
        import time

        try:
            fd = os.pidfd_open(parent_pid)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            select.select([fd], [], [])  # readable when the parent has exited
        else:
            while True:
                try:
                    os.kill(parent_pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="paceline-parent-watch", daemon=True).start()


def default_workers() -> int:
    """Worker processes of the local pool: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: Most local worker processes.
MAX_WORKERS = 256
#: Seconds to connect to a Dask scheduler (and to hear back from it) before giving up.
SCHEDULER_TIMEOUT_S = 10.0
_SCHEDULER_RE = re.compile(r"^(tcp|tls|ws|wss|ucx)://(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def check_scheduler(address: str) -> str:
    """A Dask scheduler address ``tcp://host:port`` (also tls, ws, wss, ucx), port 1-65535.

    Raises
    ------
    ScenarioError
        Naming ``scheduler``.
    """
    m = _SCHEDULER_RE.match(address.strip())
    if m is None or not 1 <= int(m.group(3)) <= 65535:
        raise ScenarioError(
            f"{address!r} is not a scheduler address; allowed PROTOCOL://HOST:PORT, e.g. tcp://127.0.0.1:8786",
            "scheduler",
        )
    return address.strip()


def check_execution(workers: int | None, scheduler: str | None) -> None:
    """Refuse a worker count outside 1-:data:`MAX_WORKERS` or a malformed scheduler address."""
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise ScenarioError(f"{workers} is not allowed; workers from 1 to {MAX_WORKERS}", "workers")
    if scheduler is not None:
        check_scheduler(scheduler)


#: Seconds a Dask cluster may have no worker before the run stops (keeping what is done).
WORKER_GRACE_S = 20.0
#: Seconds between checks of a Dask cluster's workers while no task finishes.
POLL_S = 1.0


@dataclass(frozen=True)
class RunStatus:
    """How :func:`run_tasks` ended: complete (falsy), or stopped early (truthy) by Ctrl-C or by losing the workers.

    Attributes
    ----------
    interrupted : bool
        Ctrl-C.
    workers_lost : str
        Why the workers were lost ("" if they were not).
    """

    interrupted: bool = False
    workers_lost: str = ""

    def __bool__(self) -> bool:
        return self.interrupted or bool(self.workers_lost)


def _pool_context(preload: Sequence[str] = ()) -> Any:
    """The local pool's multiprocessing context: a forkserver that imported the studies' modules and ``preload``
    (safe with threads, unlike fork; workers fork from it with those modules loaded), else spawn."""
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["paceline.studies.uncertainty.montecarlo", "paceline.studies.uncertainty.sweep", *preload]
        )
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows, macOS without forkserver


def prestart_pool(workers: int | None, scheduler: str | None, preload: Sequence[str] = ()) -> None:
    """Start the local pool's forkserver now, if :func:`run_tasks` will use one, so that it imports its modules
    (``preload``, e.g. CasADi) while this process is still preparing the tasks (no-op otherwise, or if it runs).

    The forkserver is this process's for its lifetime (it exits with it); a later :func:`run_tasks` forks its
    workers from it. The modules it preloads are fixed by the first start.
    """
    if scheduler or (default_workers() if workers is None else int(workers)) <= 1:
        return
    ctx = _pool_context(preload)
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def run_tasks(
    func: Callable[[Any, Any], Any],
    shared: Any,
    payloads: Sequence[Any],
    on_result: Callable[[int, Any], None],
    workers: int | None = None,
    scheduler: str | None = None,
    preload: Sequence[str] = (),
) -> RunStatus:
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
    preload : sequence of str
        Modules the local pool's forkserver imports once, so every worker forks with them loaded (e.g. the
        optimal-control model: CasADi takes a while to import).

    Returns
    -------
    RunStatus
        Falsy when every task finished; truthy when stopped by Ctrl-C or by losing the workers: the results
        delivered so far are kept, the rest are cancelled.
    """
    if not payloads:
        return RunStatus()
    check_execution(workers, scheduler)
    if scheduler:
        return _run_dask(func, shared, payloads, on_result, scheduler)
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers == 1 or len(payloads) == 1:
        try:
            for i, p in enumerate(payloads):
                on_result(i, func(shared, p))
        except KeyboardInterrupt:
            return RunStatus(interrupted=True)
        return RunStatus()
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = _pool_context(preload)
    ex = ProcessPoolExecutor(
        max_workers=min(n_workers, len(payloads)), mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
    )
    status = RunStatus()
    try:
        pending = {ex.submit(func, shared, p): i for i, p in enumerate(payloads)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                on_result(pending.pop(fut), fut.result())
    except KeyboardInterrupt:
        status = RunStatus(interrupted=True)
    except BrokenProcessPool:
        status = RunStatus(workers_lost="a local worker process was killed (out of memory?)")
        log.info("run_tasks: %s; keeping the results delivered so far", status.workers_lost)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)
    return status


def probe_scheduler(address: str, timeout_s: float = SCHEDULER_TIMEOUT_S) -> dict[str, Any]:
    """Ask the scheduler at ``address`` who it is, within ``timeout_s`` (a port that accepts connections but is not
    a Dask scheduler would otherwise hang the Client's handshake for minutes).

    Returns
    -------
    dict
        The scheduler's identity (``type``, ``id``, ``workers``).

    Raises
    ------
    ScenarioError
        Naming ``scheduler``: unreachable, silent, or not a scheduler.
    """
    import asyncio

    from distributed.comm import connect

    async def identity() -> Any:
        comm = await connect(address, timeout=timeout_s)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    try:
        reply = asyncio.run(asyncio.wait_for(identity(), timeout_s))
    except TimeoutError:
        raise ScenarioError(
            f"no Dask scheduler answered at {address!r} within {timeout_s:g} s (is it a scheduler's port?)", "scheduler"
        ) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot reach a Dask scheduler at {address!r} ({exc})", "scheduler") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise ScenarioError(f"{address!r} answered, but not as a Dask scheduler", "scheduler")
    return reply


def _run_dask(
    func: Callable[[Any, Any], Any],
    shared: Any,
    payloads: Sequence[Any],
    on_result: Callable[[int, Any], None],
    scheduler: str,
) -> RunStatus:
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - the dist extra is missing
        raise ScenarioError(
            "a Dask scheduler needs dask[distributed]: pip install 'paceline[dist]'", "scheduler"
        ) from exc
    probe_scheduler(scheduler)
    try:
        client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S:g}s")
    except OSError as exc:
        raise ScenarioError(f"cannot reach a Dask scheduler at {scheduler!r} ({exc})", "scheduler") from None
    try:
        [shared_f] = client.scatter([shared], broadcast=True, hash=False)
        futures = [client.submit(func, shared_f, p, pure=False, retries=2) for p in payloads]
        return _collect_dask(client, futures, on_result)
    finally:
        client.close()


def _collect_dask(client: Any, futures: list[Any], on_result: Callable[[int, Any], None]) -> RunStatus:
    """Deliver the futures' results as they finish; stop (keeping them) on Ctrl-C or when the workers are lost."""
    from asyncio import CancelledError

    from dask.distributed import wait
    from distributed import KilledWorker

    cancelled: tuple[type[BaseException], ...] = (CancelledError,)
    try:
        from distributed.client import FuturesCancelledError

        cancelled = (CancelledError, FuturesCancelledError)
    except ImportError:  # pragma: no cover - older distributed raises CancelledError
        pass

    index = {f.key: i for i, f in enumerate(futures)}
    pending = set(futures)
    alone_since: float | None = None
    try:
        while pending:
            try:
                done, pending = wait(pending, timeout=POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            except cancelled as gone:  # e.g. the workers took the shared data with them
                first = str(gone).splitlines()[0].rstrip(":").strip() if str(gone) else type(gone).__name__
                return _lost(client, futures, f"the cluster cancelled the tasks ({first[:120]})")
            delivered = False
            for fut in done:
                if fut.status == "finished":
                    on_result(index[fut.key], fut.result())
                    fut.release()
                    delivered = True
                    continue
                if fut.status in ("lost", "pending"):
                    # its result died with a worker before we fetched it: the scheduler computes it again on a
                    # surviving worker, so it goes back to the pending ones (no worker at all is caught below)
                    pending.add(fut)
                    continue
                failure = fut.exception() if fut.status == "error" else None
                if failure is not None and not isinstance(failure, KilledWorker):
                    raise failure  # the task itself failed: a bad input (PacelineError) or a bug, as locally
                return _lost(client, futures, f"task {index[fut.key]} was lost with its workers ({fut.status})")
            if delivered:
                alone_since = None
                continue
            if done:
                time.sleep(POLL_S / 10)  # lost results being recomputed: do not spin on them
            if client.scheduler_info().get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > WORKER_GRACE_S:
                return _lost(client, futures, f"the cluster has had no worker for {WORKER_GRACE_S:g} s")
    except KeyboardInterrupt:
        client.cancel(futures)
        return RunStatus(interrupted=True)
    except OSError as exc:  # the scheduler went away
        return RunStatus(workers_lost=f"lost the scheduler ({type(exc).__name__})")
    return RunStatus()


def _lost(client: Any, futures: list[Any], why: str) -> RunStatus:
    log.info("run_tasks: %s; keeping the results delivered so far", why)
    client.cancel(futures)
    return RunStatus(workers_lost=why)
