"""Where the work of a study runs: in this process, a local process pool, or a Dask cluster.

Execution
    A local process pool by default (sized to the cores), or an existing Dask distributed cluster
    (``scheduler="tcp://host:port"``); Dask re-runs the tasks of a worker that dies. Ctrl-C stops cleanly and keeps
    what is done.
"""

from __future__ import annotations

import logging
import os
import re
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
    check_execution(workers, scheduler)
    if scheduler:
        return _run_dask(func, shared, payloads, on_result, scheduler)
    n_workers = default_workers() if workers is None else int(workers)
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
) -> bool:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - the dist extra is missing
        raise PacelineError("--scheduler needs dask[distributed]: pip install 'paceline[dist]'") from exc
    probe_scheduler(scheduler)
    try:
        client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S:g}s")
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
