"""Athlete model parameters from performances, with uncertainty and leave-one-out error.

Least squares on log time with bounds (scipy), standard deviations from the Jacobian's covariance, and the
leave-one-out (LOO) prediction error as the honest accuracy figure.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from paceline.errors import ScenarioError
from paceline.fit.result import FitResult
from paceline.io.scenario import Performance
from paceline.timefmt import parse_time

log = logging.getLogger(__name__)

#: What :func:`fit` fits: the race models (:data:`paceline.models.registry.MODELS`) and the performance model.
FIT_MODELS = ("critical-speed", "equal-power", "optimal-control", "performance")
#: Optional CSV columns that say how a performance was run (:class:`paceline.io.scenario.Performance`).
PACED_COLUMNS = ("race", "formation", "temperature_c", "relative_humidity", "altitude_m", "wind_speed_m_s")


def read_performances_csv(
    path: str | Path, distance_range_m: tuple[float, float] | None = None, min_count: int = 2
) -> list[Performance]:
    """Read performances from a CSV with columns ``distance_m`` and ``time`` (or ``time_s``).

    Optional columns (``date``, ``note``, and how it was run: ``race``, ``formation``, ``temperature_c``,
    ``relative_humidity``, ``altitude_m``, ``wind_speed_m_s``) are kept, others ignored. Lines starting with ``#``
    are comments.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    distance_range_m : (float, float), optional
        Distances the model that will use them supports [m]; outside it a row is refused.
    min_count : int
        Fewest distances the model that will use them needs (2 for a fit of two or more parameters; 1 for the
        performance model, whose population prior carries one performance to any distance).

    Raises
    ------
    ScenarioError
        Missing file or columns; a time or distance that does not parse; fewer than ``min_count`` distances; a time that
        does not increase with distance; a distance out of range. The field names the file's
        line and column (``perf.csv line 3: time``).
    """
    from paceline.fit.performance_inputs import check_performances
    from paceline.io.limits import read_text

    p = Path(path)
    if not p.is_file():
        raise ScenarioError(f"no such file {str(p)!r}", "performances")
    numbered = [
        (n, ln)
        for n, ln in enumerate(read_text(p, "performances", "a CSV of performances").splitlines(), start=1)
        if ln.strip() and not ln.startswith("#")
    ]
    if not numbered:
        raise ScenarioError(f"{p.name} is empty; expected a header with distance_m and time", "performances")
    rows = list(csv.DictReader([ln for _, ln in numbered]))
    cols = set(rows[0].keys()) if rows else set(next(csv.reader([numbered[0][1]])))
    time_col = "time" if "time" in cols else "time_s" if "time_s" in cols else None
    if "distance_m" not in cols or time_col is None:
        raise ScenarioError(
            f"{p.name} has columns {sorted(c for c in cols if c)}; required: distance_m and time (or time_s)",
            "performances",
        )
    out, labels = [], []
    for (line_no, _), row in zip(numbered[1:], rows, strict=True):
        where = f"{p.name} line {line_no}"
        try:
            d = float(row["distance_m"])
        except (TypeError, ValueError):
            raise ScenarioError(f"{row['distance_m']!r} is not a number of metres", f"{where}: distance_m") from None
        if not d > 0:
            raise ScenarioError(f"{d:g} must be positive", f"{where}: distance_m")
        t = parse_time(row[time_col] or "", f"{where}: {time_col}")
        try:
            extra = {k: row[k] for k in PACED_COLUMNS if row.get(k)}
            perf = Performance(
                distance_m=d, time_s=t, date=row.get("date") or None, note=row.get("note") or None, **extra
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            col = time_col if "time" in str(err.get("loc", ())) or "speed" in err["msg"] else "distance_m"
            raise ScenarioError(err["msg"].removeprefix("Value error, "), f"{where}: {col}") from None
        out.append(perf)
        labels.append(where)
    check_performances(
        [q.distance_m for q in out],
        [q.time_s for q in out],
        p.name,
        labels,
        distance_range_m=distance_range_m,
        min_count=min_count,
    )
    return out


def _least_squares_fit(
    predict: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]],
    names: Sequence[str],
    x0: Sequence[float],
    bounds: tuple[Sequence[float], Sequence[float]],
    dist: NDArray[np.float64],
    time: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None]:
    from scipy.optimize import least_squares

    def resid(theta: NDArray[np.float64]) -> NDArray[np.float64]:
        tp = predict(theta, dist)
        return np.log(np.maximum(tp, 1e-9)) - np.log(time)

    sol = least_squares(resid, np.asarray(x0, dtype=float), bounds=bounds, x_scale="jac")
    dof = dist.size - len(names)
    cov = None
    if dof > 0:
        jtj = sol.jac.T @ sol.jac
        s2 = float(np.sum(sol.fun**2) / dof)
        try:
            cov = np.linalg.inv(jtj) * s2
        except np.linalg.LinAlgError:
            cov = None
    return sol.x, cov


def _fit_generic(
    model: str,
    performances: Sequence[Performance],
    predict: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]],
    names: Sequence[str],
    x0: Sequence[float],
    bounds: tuple[Sequence[float], Sequence[float]],
) -> FitResult:
    n = len(performances)
    if n < len(names):
        raise ScenarioError(
            f"{n} performances for {len(names)} parameters of the {model} model; give at least {len(names)}",
            "performances",
        )
    dist = np.array([p.distance_m for p in performances], dtype=float)
    time = np.array([p.time_s for p in performances], dtype=float)
    theta, cov = _least_squares_fit(predict, names, x0, bounds, dist, time)
    resid = (predict(theta, dist) / time - 1.0) * 100.0
    loo = None
    if n >= len(names) + 1:
        errs = []
        for i in range(n):
            mask = np.arange(n) != i
            th_i, _ = _least_squares_fit(predict, names, list(theta), bounds, dist[mask], time[mask])
            errs.append(abs(float(predict(th_i, dist[i : i + 1])[0]) / time[i] - 1.0) * 100.0)
        loo = float(np.mean(errs))
    sd = {nm: (float(np.sqrt(cov[j, j])) if cov is not None else None) for j, nm in enumerate(names)}
    return FitResult(
        model=model,
        params={nm: float(v) for nm, v in zip(names, theta, strict=True)},
        params_sd=sd,
        loo_mean_abs_error_pct=loo,
        n=n,
        residuals_pct=[round(float(r), 4) for r in resid],
    )


def fit_critical_speed(
    performances: Sequence[Performance], *, height_m: float | None = None, mass_kg: float | None = None
) -> FitResult:
    """Critical speed and D' from performances: ``t = (D - D') / CS``, least squares on log time.

    Performances are taken as solo efforts in still reference air (their equivalent solo speed is their speed);
    ``height_m`` and ``mass_kg`` are accepted as every race model's fit takes them, and not used (CS and D' are a
    speed and a distance: the body does not enter).

    References
    ----------
    Monod & Scherrer (1965); Jones & Vanhatalo (2017), Sports Med. 47, 65-78.
    """

    def predict(theta: NDArray[np.float64], d: NDArray[np.float64]) -> NDArray[np.float64]:
        cs, dp = theta
        return (d - dp) / cs

    dmin = min(p.distance_m for p in performances) if performances else 1.0
    return _fit_generic(
        "critical-speed", performances, predict, ["cs_m_s", "dprime_m"], [5.0, 150.0], ([1.0, 0.0], [12.0, 0.9 * dmin])
    )


def fit_critical_power(performances: Sequence[Performance], height_m: float, mass_kg: float) -> FitResult:
    """Critical metabolic power and W' (the equal-power model's view): ``P(D/t) = P_c + W'/t``.

    Each performance's metabolic power is that of an even solo run in still reference air
    (:func:`paceline.models.critical_speed.power_of_solo_speed`).
    """
    from scipy.optimize import brentq

    from paceline.models.critical_speed import power_of_solo_speed

    def predict(theta: NDArray[np.float64], d: NDArray[np.float64]) -> NDArray[np.float64]:
        pc, wp = theta
        out = []
        for di in d:

            def f(t: float, di: float = float(di)) -> float:
                return float(power_of_solo_speed(di / t, height_m, mass_kg)) - (pc + wp / t)

            lo, hi = di / 14.0, di / 1.05
            out.append(brentq(f, lo, hi) if f(lo) > 0 > f(hi) else np.nan)
        return np.asarray(out)

    return _fit_generic(
        "equal-power",
        performances,
        predict,
        ["critical_power_w_kg", "wprime_j_kg"],
        [25.0, 500.0],
        ([5.0, 0.0], [80.0, 5000.0]),
    )


def fit(
    performances: Sequence[Performance],
    model: str = "critical-speed",
    height_m: float | None = None,
    mass_kg: float | None = None,
) -> FitResult:
    """Fit a model to performances: a race model's own fit (:attr:`paceline.models.registry.ModelSpec.fit`), or
    the performance model (``"performance"``).

    ``height_m`` [m] and ``mass_kg`` [kg] are her body (her drag in the race models' fits); one not given is the
    generic body's (:func:`paceline.io.athletes.body_for`, the one default-body rule).

    Raises
    ------
    ScenarioError
        Field ``model``: none of :data:`FIT_MODELS`.
    """
    from paceline.models.registry import MODELS

    if model == "performance":
        return fit_performance_model(performances)
    if model not in MODELS:
        raise ScenarioError(f"{model!r} is not a model; allowed {', '.join(FIT_MODELS)}", "model")
    from paceline.io.athletes import body_for

    body = body_for(height_m=height_m, mass_kg=mass_kg)
    result: FitResult = MODELS[model].fit_function()(list(performances), height_m=body.height_m, mass_kg=body.mass_kg)
    return result


def fit_performance_model(performances: Sequence[Performance]) -> FitResult:
    """Her level and exponent in the performance model (:mod:`paceline.fit.performance_model`), with the posterior
    standard deviation, each performance's in-sample error and the leave-one-out error."""
    from paceline.fit.performance_model import _posterior, _x, loo_errors_pct, population_prior, predict_log

    d = [p.distance_m for p in performances]
    t = [p.time_s for p in performances]
    prior = population_prior()
    theta, cov = _posterior(_x(d), np.log(np.asarray(t, dtype=float)), prior)
    mean, _, _ = predict_log(d, t, d, prior)
    loo = loo_errors_pct(d, t, prior)
    return FitResult(
        model="performance",
        params={"level_ln_s_at_1500m": float(theta[0]), "exponent": float(theta[1])},
        params_sd={"level_ln_s_at_1500m": float(np.sqrt(cov[0, 0])), "exponent": float(np.sqrt(cov[1, 1]))},
        loo_mean_abs_error_pct=float(np.mean(np.abs(loo))) if len(d) >= 3 else None,
        n=len(d),
        residuals_pct=[round(100.0 * (float(np.exp(m)) / ti - 1.0), 4) for m, ti in zip(mean, t, strict=True)],
    )
