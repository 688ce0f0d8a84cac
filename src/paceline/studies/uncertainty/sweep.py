"""Parameter sweeps of a scenario.

Sweeps (:func:`sweep`)
    A grid or Latin hypercube of scenario variations (``conditions.temperature_c=10:30:5``,
    ``pacing[0].formation=single,ineos-v``), validated up front, solved in batches, appended to Parquet as batches
    finish; each row is keyed by a hash of the varied values so that a re-run skips what is written.

References
----------
McKay, M. D., Beckman, R. J. & Conover, W. J. (1979). A comparison of three methods for selecting values of input
variables in the analysis of output from a computer code. Technometrics 21, 239-245 (Latin hypercube).
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paceline.errors import PacelineError, ScenarioError
from paceline.io.limits import MAX_SWEEP_POINTS, check_count, check_seed
from paceline.io.outputs import exclusive, write_atomic
from paceline.jsonable import content_key
from paceline.studies.uncertainty.executors import check_execution, default_workers, run_tasks

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario

log = logging.getLogger(__name__)

#: With ``workers=None`` a sweep of fewer points than this (cheap models) runs in-process.
LOCAL_POOL_MIN_POINTS = 200


_TOKEN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[(?:\d+|\*)\])*)$")


@dataclass(frozen=True)
class Variation:
    """One varied input of a sweep.

    Attributes
    ----------
    path : str
        Dotted path into the scenario (``conditions.temperature_c``, ``pacing[0].formation``, ``pacing[*].formation``).
    values : tuple
        Grid values (numbers or strings).
    low, high : float or None
        Bounds for a Latin hypercube of a numeric range.
    """

    path: str
    values: tuple[Any, ...]
    low: float | None = None
    high: float | None = None

    @property
    def numeric(self) -> bool:
        """True for a numeric range (continuous in a Latin hypercube)."""
        return self.low is not None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _finite(text: str, path: str, rhs: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ScenarioError(f"{path}: {rhs!r} holds {text.strip()!r}; every value must be a finite number", "vary")
    return value


def parse_vary(spec: str, max_values: int = MAX_SWEEP_POINTS) -> Variation:
    """Parse ``PATH=START:STOP:STEP`` (inclusive) or ``PATH=A,B,C`` (at most ``max_values`` values, all finite).

    Raises
    ------
    ScenarioError
        Naming ``vary`` and what is allowed.
    """
    if "=" not in spec:
        raise ScenarioError(f"{spec!r} has no '='; allowed PATH=START:STOP:STEP or PATH=A,B,C", "vary")
    path, _, rhs = spec.partition("=")
    path = path.strip()
    rhs = rhs.strip()
    for tok in path.split("."):
        if not _TOKEN.match(tok):
            raise ScenarioError(
                f"{path!r} is not a field path; e.g. conditions.temperature_c, pacing[0].formation", "vary"
            )
    if not rhs:
        raise ScenarioError(f"{path}: no values given; allowed START:STOP:STEP or A,B,C", "vary")
    parts = rhs.split(":")
    if len(parts) in (2, 3) and all(_number(p) is not None for p in parts):
        lo, hi = _finite(parts[0], path, rhs), _finite(parts[1], path, rhs)
        step = _finite(parts[2], path, rhs) if len(parts) == 3 else (hi - lo) / 4 if hi != lo else 1.0
        if hi < lo or step <= 0:
            raise ScenarioError(f"{path}: {rhs!r} needs START <= STOP and STEP > 0", "vary")
        k = math.floor((hi - lo) / step + 1e-9)
        if k + 1 > max_values:
            raise ScenarioError(
                f"{path}: {rhs!r} has {k + 1:,} values; at most {max_values:,} (raise with max_points / --max-points)",
                "vary",
            )
        vals = tuple(round(lo + i * step, 10) for i in range(k + 1))
        return Variation(path, vals, lo, hi)
    items = [s.strip() for s in rhs.split(",") if s.strip()]
    if not items:
        raise ScenarioError(f"{path}: no values given", "vary")
    if len(items) > max_values:
        raise ScenarioError(f"{path}: {len(items):,} values; at most {max_values:,}", "vary")
    nums = [_number(s) for s in items]
    for text, num in zip(items, nums, strict=True):
        if num is not None and not math.isfinite(num):
            raise ScenarioError(f"{path}: {text!r} is not allowed; every value must be a finite number", "vary")
    values: tuple[Any, ...] = tuple(nums) if all(v is not None for v in nums) else tuple(items)
    return Variation(path, values)


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path (``pacing[*]`` sets every phase); errors name the path."""
    tokens = path.split(".")

    def walk(node: Any, i: int, where: str) -> None:
        m = _TOKEN.match(tokens[i])
        if m is None:
            raise ScenarioError("not a field name", where or path)
        name, idx_text = m.group(1), m.group(2)
        here = f"{where}.{name}" if where else name
        if not isinstance(node, dict):
            raise ScenarioError(f"{where or 'scenario'} is not a table; cannot set {name}", path)
        indices = re.findall(r"\[(\d+|\*)\]", idx_text)
        last = i == len(tokens) - 1
        if not indices:
            if last:
                node[name] = value
                node.pop(f"{name}_range", None)  # a swept value is known: its uncertainty range no longer applies
                if name == "formation" and "pacers" in node:
                    node.pop("pacers")  # named pacers belong to the old formation's slots
                return
            if name not in node or node[name] is None:
                node[name] = {}
            walk(node[name], i + 1, here)
            return
        if name not in node or not isinstance(node[name], list | tuple):
            raise ScenarioError(f"{name} is not a list; remove the index", here)
        seq = list(node[name])
        node[name] = seq
        targets = range(len(seq)) if indices[0] == "*" else [int(indices[0])]
        for j in targets:
            if not 0 <= j < len(seq):
                raise ScenarioError(f"index {j} is out of range; the scenario has {len(seq)} {name}", path)
            if last:
                seq[j] = value
            else:
                if isinstance(seq[j], tuple):
                    seq[j] = list(seq[j])
                walk(seq[j], i + 1, f"{here}[{j}]")

    walk(data, 0, "")


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """A scenario as the plain dict :func:`paceline.io.scenario.scenario_from_dict` reads back."""
    return json.loads(scenario.model_dump_json(exclude_none=True))


def apply_variations(base: dict[str, Any], values: dict[str, Any]) -> Scenario:
    """A validated scenario with the varied values set.

    Raises
    ------
    ScenarioError
        Naming the path of a value that does not fit.
    """
    from paceline.io.scenario import scenario_from_dict

    data = copy.deepcopy(base)
    for path, value in values.items():
        _set_path(data, path, value)
    label = ", ".join(f"{p}={v}" for p, v in values.items())
    data["name"] = f"{base.get('name', 'scenario')} [{label}]"
    try:
        return scenario_from_dict(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{exc} (with {label})") from None


def point_key(base: dict[str, Any], model: str, values: dict[str, Any]) -> str:
    """Row key of a sweep point: a hash of the base scenario's content, the model and the varied values (so an
    edited scenario file is never answered from rows of its old version)."""
    return content_key({"scenario": base, "model": model, "values": values})[:16]


def sweep_points(
    variations: Sequence[Variation], samples: int | None = None, seed: int = 0, max_points: int = MAX_SWEEP_POINTS
) -> list[dict[str, Any]]:
    """The points of a sweep: the full grid, or a Latin hypercube of ``samples`` points (at most ``max_points``).

    In a Latin hypercube a numeric range is sampled continuously between its bounds and a list by stratified index.
    """
    if not variations:
        raise ScenarioError("give at least one variation PATH=VALUES", "vary")
    paths = [v.path for v in variations]
    if len(set(paths)) != len(paths):
        raise ScenarioError("each path may be varied once", "vary")
    check_seed(seed)
    if samples is None:
        size = math.prod(len(v.values) for v in variations)
        if size > max_points:
            raise ScenarioError(
                f"the grid has {size:,} points; at most {max_points:,} (raise the cap with max_points / --max-points, "
                "or use fewer values or samples)",
                "vary",
            )
        return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*(v.values for v in variations))]
    check_count(samples, 1, max_points, "samples", raise_with="max_points (--max-points)")
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(variations), seed=np.random.default_rng(seed)).random(samples)
    points = []
    for row in u:
        pt: dict[str, Any] = {}
        for v, x in zip(variations, row, strict=True):
            if v.numeric:
                assert v.low is not None and v.high is not None
                pt[v.path] = round(v.low + float(x) * (v.high - v.low), 6)
            else:
                pt[v.path] = v.values[min(int(x * len(v.values)), len(v.values) - 1)]
        points.append(pt)
    return points


def _sweep_batch(shared: dict[str, Any], batch: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Solve a batch of sweep points (runs on a worker)."""
    from paceline.chain import solve

    rows = []
    for key, values in batch:
        row: dict[str, Any] = {"key": key, **values}
        try:
            sc = apply_variations(shared["base"], values)
            race = solve(sc, shared["model"])
            row.update(
                time_s=float(race.finish_s),
                mean_shelter=float(np.mean(race.series["shelter"])) if "shelter" in race.series else math.nan,
                target_s=sc.target_s if sc.target_s is not None else math.nan,
                beats_target=bool(sc.target_s is not None and race.finish_s <= sc.target_s),
                error="",
            )
        except PacelineError as exc:
            row.update(time_s=math.nan, mean_shelter=math.nan, target_s=math.nan, beats_target=False, error=str(exc))
        rows.append(row)
    return rows


def read_results(path: str | Path) -> Any:
    """The rows of a sweep's Parquet file as a pandas DataFrame (empty if it does not exist)."""
    import pandas as pd

    p = Path(path)
    if not p.exists():
        return pd.DataFrame()
    return pd.read_parquet(p)


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> int:
    """Append rows to a Parquet file atomically (:func:`paceline.io.outputs.write_atomic`); returns the row count."""
    import pandas as pd

    new = pd.DataFrame(rows)
    old = read_results(path)
    df = pd.concat([old, new], ignore_index=True) if len(old) else new
    if "key" in df:
        df = df.drop_duplicates(subset="key", keep="first", ignore_index=True)  # a point is one row
    write_atomic(path, lambda fh: df.to_parquet(fh, index=False), "out", ".parquet")
    return len(df)


@dataclass
class SweepResult:
    """What a sweep did.

    Attributes
    ----------
    out : Path
        The Parquet file.
    n_points : int
        Points in the sweep.
    n_skipped : int
        Points already in the file (resumed).
    n_new : int
        Points solved in this run.
    n_rows : int
        Rows in the file now.
    interrupted : bool
        Stopped by Ctrl-C (what was written is kept).
    workers_lost : str
        Why the sweep stopped early having lost its workers ("" if it did not); the rows written are kept and the
        same command resumes, skipping them.
    paths : list of str
        The varied paths.
    """

    out: Path
    n_points: int
    n_skipped: int
    n_new: int
    n_rows: int
    interrupted: bool
    paths: list[str]
    model: str
    scenario: str
    workers_lost: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary, with the fastest point."""
        df = read_results(self.out)
        best = None
        if len(df) and "time_s" in df and df["time_s"].notna().any():
            r = df.loc[df["time_s"].idxmin()]
            best = {**{p: r[p] for p in self.paths if p in r}, "time_s": round(float(r["time_s"]), 3)}
        return {
            "scenario": self.scenario,
            "model": self.model,
            "out": str(self.out),
            "varied": self.paths,
            "n_points": self.n_points,
            "n_skipped": self.n_skipped,
            "n_new": self.n_new,
            "n_rows": self.n_rows,
            "interrupted": self.interrupted,
            "workers_lost": self.workers_lost,
            "fastest": best,
        }


def sweep(
    scenario: Scenario,
    variations: Sequence[Variation],
    out: str | Path,
    samples: int | None = None,
    seed: int = 0,
    model: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_points: int = MAX_SWEEP_POINTS,
) -> SweepResult:
    """Solve a grid (or Latin hypercube) of scenario variations and append the results to Parquet.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    variations : sequence of Variation
        From :func:`parse_vary`.
    out : str or Path
        Parquet file; points already in it (same key) are skipped, so a killed run resumes.
    samples : int, optional
        Latin hypercube of this many points instead of the grid.
    seed : int
        Seed of the Latin hypercube.
    model : str, optional
        Energetics model (default: the scenario's); optimal-control runs one point per task.
    workers : int, optional
        Local worker processes (None: the cores, or this process for fewer than ``LOCAL_POOL_MIN_POINTS`` points of
        a cheap model).
    scheduler : str, optional
        Dask scheduler address.
    batch_size : int, optional
        Points per task (default: about 4 tasks per worker, at most 50; at most 8 for optimal-control).
    progress : callable, optional
        ``progress(done, total)`` after each batch.
    max_points : int
        Cap on the points (:data:`paceline.io.limits.MAX_SWEEP_POINTS`; the CLI's ``--max-points``).

    Returns
    -------
    SweepResult

    Raises
    ------
    ScenarioError
        A bad path or value (before anything is solved or written).
    """
    from paceline.models.registry import model_spec

    model_name = model_spec(model or scenario.model).name
    check_execution(workers, scheduler)
    if batch_size is not None:
        check_count(batch_size, 1, 100_000, "batch_size")
    base = scenario_data(scenario)
    points = sweep_points(variations, samples, seed, max_points)
    # validate before any work (nothing half-written): each varied value alone, and the first point whole;
    # a combination that fails later is kept as a row with its error
    for v in variations:
        for value in dict.fromkeys(pt[v.path] for pt in points):
            apply_variations(base, {v.path: value})
    apply_variations(base, points[0])
    out_path = Path(out)
    if out_path.suffix != ".parquet":
        raise ScenarioError(f"{str(out_path)!r} must end in .parquet", "out")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(out_path, "out"):  # one sweep per file: a second one fails at once (released if we are killed)
        return _sweep_locked(
            scenario, variations, out_path, points, base, model_name, workers, scheduler, batch_size, progress
        )


def _sweep_locked(
    scenario: Scenario,
    variations: Sequence[Variation],
    out_path: Path,
    points: list[dict[str, Any]],
    base: dict[str, Any],
    model_name: str,
    workers: int | None,
    scheduler: str | None,
    batch_size: int | None,
    progress: Callable[[int, int], None] | None,
) -> SweepResult:
    """The body of :func:`sweep` once it holds the output's lock."""
    stale = out_path.with_name(out_path.name + ".tmp")
    if stale.exists():
        stale.unlink()
    existing = read_results(out_path)
    done_keys = set(existing["key"]) if len(existing) and "key" in existing else set()
    keyed = [(point_key(base, model_name, pt), pt) for pt in points]
    todo = [(k, pt) for k, pt in keyed if k not in done_keys]
    todo = list(dict(todo).items())  # a duplicated point is solved once
    if workers is None and model_name != "optimal-control" and len(todo) < LOCAL_POOL_MIN_POINTS:
        workers = 1  # a few hundred cheap points: a process pool would cost more to start than it saves
    n_workers = 1 if scheduler is None and workers == 1 else (workers or default_workers())
    if batch_size is None:
        # about 4 tasks per worker; optimal-control points (tens of ms each, warm-started from the previous point of
        # the same task) at most 8 per task so that the workers stay evenly loaded
        cap = 8 if model_name == "optimal-control" else 50
        batch_size = max(1, min(cap, math.ceil(len(todo) / (4 * n_workers))))
    batches = [todo[i : i + batch_size] for i in range(0, len(todo), batch_size)]
    n_rows = [len(existing)]
    solved = [0]

    def on_result(i: int, rows: list[dict[str, Any]]) -> None:
        n_rows[0] = _write_rows(out_path, rows)
        solved[0] += len(rows)
        if progress is not None:
            progress(solved[0], len(todo))

    preload = ["paceline.chain", "paceline.models.optimal_control"] if model_name == "optimal-control" else []
    status = run_tasks(
        _sweep_batch,
        {"base": base, "model": model_name},
        batches,
        on_result,
        workers=workers,
        scheduler=scheduler,
        preload=preload,
    )
    log.info("sweep: %d points, %d skipped, %d solved", len(points), len(points) - len(todo), solved[0])
    return SweepResult(
        out=out_path,
        n_points=len(points),
        n_skipped=len(points) - len(todo),
        n_new=solved[0],
        n_rows=n_rows[0],
        interrupted=status.interrupted,
        workers_lost=status.workers_lost,
        paths=[v.path for v in variations],
        model=model_name,
        scenario=scenario.name,
    )
