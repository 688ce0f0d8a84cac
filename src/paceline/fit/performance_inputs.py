"""A list of performances as the performance model takes it: the distances it supports, the checks that refuse
what no fit can use (naming the row and field), the best at each distance, and whether a new distance lies beyond
them (:mod:`paceline.fit.performance_model` uses all four; the CLI and the calibration use them too)."""

from __future__ import annotations

from collections.abc import Sequence

from paceline.errors import ScenarioError

#: Distances the model supports [m]: the span of the tables it was fitted on (800 m to the marathon).
DISTANCE_RANGE_M = (800.0, 42195.0)


def check_performances(
    distances_m: Sequence[float],
    times_s: Sequence[float],
    where: str = "performances",
    labels: Sequence[str] | None = None,
    distance_range_m: tuple[float, float] | None = DISTANCE_RANGE_M,
    min_count: int = 2,
) -> None:
    """Refuse performances a fit cannot use, naming the row and field.

    Parameters
    ----------
    distances_m, times_s : sequence of float
        Race distances [m] and times [s].
    where : str
        Name of the list; a row is ``where[i]`` unless ``labels`` names it (``perf.csv line 3``).
    labels : sequence of str, optional
        A name for each row.
    distance_range_m : (float, float) or None
        Distances the model supports [m] (default :data:`DISTANCE_RANGE_M`); None: any.
    min_count : int
        Fewest distances allowed.

    Raises
    ------
    ScenarioError
        Fewer than ``min_count`` distances, a distance outside the range (stated), or a time that does not increase
        with distance; the field is ``<where>[i].time`` (``<label>: time`` with labels). Two races at one distance
        are allowed.
    """

    def field(i: int, name: str) -> str:
        return f"{labels[i]}: {name}" if labels is not None else f"{where}[{i}].{name}"

    if len(set(distances_m)) < min_count:
        raise ScenarioError(f"{len(set(distances_m))} distance(s); give performances at {min_count} or more", where)
    if distance_range_m is not None:
        lo, hi = distance_range_m
        for i, d in enumerate(distances_m):
            if not lo <= d <= hi:
                raise ScenarioError(
                    f"{d:g} m is outside the distances the performance model supports ({lo:g} to {hi:g} m)",
                    field(i, "distance_m"),
                )
    for j in range(len(distances_m)):
        for i in range(len(distances_m)):
            if distances_m[i] < distances_m[j] and not times_s[j] > times_s[i]:
                raise ScenarioError(
                    f"{times_s[j]:g} s over {distances_m[j]:g} m is not slower than {times_s[i]:g} s over "
                    f"{distances_m[i]:g} m; a time must increase with distance",
                    field(j, "time"),
                )


def best_indices(distances_m: Sequence[float], times_s: Sequence[float]) -> list[int]:
    """Indices of her best (fastest) performance at each distance, in the order given: the model is one of best
    times (the population's tables are bests), so a slower race at a distance she has run faster says nothing more."""
    best: dict[float, int] = {}
    for i, (d, t) in enumerate(zip(distances_m, times_s, strict=True)):
        if d not in best or t < times_s[best[d]]:
            best[d] = i
    return sorted(best.values())


def beyond_span(distances_m: Sequence[float], new_distance_m: float) -> str | None:
    """Says when ``new_distance_m`` [m] lies beyond the performances at ``distances_m`` [m] (an extrapolation, which
    errs about twice as much as a distance between two of them: ``benchmarks/bench_predict.py``), else None."""
    lo, hi = min(distances_m), max(distances_m)
    if new_distance_m < lo:
        return f"extrapolated: {new_distance_m:g} m is shorter than the shortest performance ({lo:g} m)"
    if new_distance_m > hi:
        return f"extrapolated: {new_distance_m:g} m is longer than the longest performance ({hi:g} m)"
    return None
