"""The performance model: its leave-one-out accuracy against Riegel (computed here, independently), Riegel as its
special case, its intervals, the stored population prior, and the bad input it refuses."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from paceline.fit import calculators as calc
from paceline.fit.performance_model import (
    PopulationPrior,
    fit_population,
    outliers,
    population_prior,
    predict_log,
    predict_time,
)
from paceline.io.performance_tables import performance_tables, stored_prior, tables_hash


def _population_without(name: str) -> PopulationPrior:
    tables = performance_tables()
    seen = {(r.distance_m, r.time_s) for r in tables[name].rows}
    train = []
    for other, tab in tables.items():
        rows = [r for r in tab.rows if (r.distance_m, r.time_s) not in seen]
        if other != name and len(rows) >= 3:
            train.append(([r.distance_m for r in rows], [r.time_s for r in rows]))
    return fit_population(train)


@pytest.mark.parametrize("name", ["world-2000-men", "american-2000-men"])
def test_leave_one_out_error_below_riegel_computed_here(name: str) -> None:
    # held-out rows: every interior distance, predicted from the table's other rows; the population is fitted
    # without this table, so no held-out time leaks into the prior
    prior = _population_without(name)
    tab = performance_tables()[name]
    d_all, t_all = list(tab.distances_m), list(tab.times_s)
    ours, riegel = [], []
    for i in range(1, len(d_all) - 1):
        d, t = d_all[:i] + d_all[i + 1 :], t_all[:i] + t_all[i + 1 :]
        ours.append(abs(predict_time(d, t, d_all[i], prior).time_s / t_all[i] - 1))
        # Riegel (1981) from the nearest other performance in log distance, exponent 1.06
        j = min(range(len(d)), key=lambda k: abs(math.log(d[k] / d_all[i])))
        riegel.append(abs(t[j] * (d_all[i] / d[j]) ** 1.06 / t_all[i] - 1))
    assert sum(ours) / len(ours) < sum(riegel) / len(riegel)


def test_riegel_is_the_special_case_without_bend_spread_or_noise() -> None:
    # a population with no bend, no local deviation, a certain exponent 1.06 and almost no noise is Riegel's law
    riegel_world = PopulationPrior(
        curvature=(0.0, 0.0),
        level_mean=5.4,
        level_sd=1.0,
        slope_mean=1.06,
        slope_sd=1e-9,
        local_sd=0.0,
        local_length=1.0,
        noise_sd=1e-9,
        interval_scale=1.0,
        n_tables=0,
        n_rows=0,
    )
    p = predict_time([1500.0], [229.04], 5000.0, riegel_world)
    assert p.time_s == pytest.approx(calc.riegel_time(229.04, 1500.0, 5000.0), rel=1e-9)


def test_prediction_passes_near_her_own_times_and_intervals_are_ordered() -> None:
    d, t = [800.0, 1500.0, 5000.0], [117.68, 229.04, 845.20]
    preds = [predict_time(d, t, x) for x in (1000.0, 1609.344, 3000.0, 10000.0, 42195.0)]
    assert all(p.low_s < p.time_s < p.high_s for p in preds)
    assert all(a.time_s < b.time_s for a, b in itertools.pairwise(preds))
    # further from her performances, wider (relative) interval
    width = [(p.high_s - p.low_s) / p.time_s for p in preds]
    assert width[-1] > width[1]
    # at a distance she ran, the model returns nearly her time (noise sd about 0.5 %)
    assert predict_time(d, t, 1500.0).time_s == pytest.approx(229.04, rel=0.01)


def test_stored_prior_is_the_fit_of_the_shipped_tables() -> None:
    stored = stored_prior()
    assert stored is not None and stored["tables_sha256"] == tables_hash()
    refit = fit_population([(t.distances_m, t.times_s) for t in performance_tables().values()])
    assert population_prior().slope_mean == pytest.approx(refit.slope_mean, abs=1e-4)
    assert population_prior().noise_sd == pytest.approx(refit.noise_sd, rel=0.02)


def test_vdot_matches_daniels_table() -> None:
    # Daniels' Running Formula VDOT table: VDOT 50 <-> 5 km in 19:57
    assert calc.vdot(5000.0, 19 * 60 + 57) == pytest.approx(50.0, abs=0.1)
    assert calc.vdot_time(calc.vdot(5000.0, 1197.0), 5000.0) == pytest.approx(1197.0, abs=0.01)


def test_a_tactical_race_is_flagged_not_refused() -> None:
    # Hassan's shipped bests: none flagged; with her 3000 m slowed by 4 % (a tactical race) that one, and only it
    tab = performance_tables()["athlete:Sifan Hassan"]
    d, t = list(tab.distances_m), list(tab.times_s)
    assert outliers(d, t) == []
    k = d.index(3000.0)
    t[k] *= 1.04
    assert [i for i, _ in outliers(d, t)] == [k]


def _synthetic_runners(seed: int, n: int) -> list[tuple[list[float], list[float]]]:
    # runners on a known curve (own level and exponent, a shared bend, 0.3 % noise) whose 2000 m is 2 % slower than
    # the curve (an event raced less hard)
    rng = np.random.default_rng(seed)
    dist = np.array([800.0, 1000.0, 1500.0, 1609.344, 2000.0, 3000.0, 5000.0, 10000.0])
    x = np.log(dist / 1500.0)
    tables = []
    for _ in range(n):
        level, slope = rng.normal(5.42, 0.05), rng.normal(1.08, 0.01)
        y = level + slope * x - 0.02 * x**2 + rng.normal(0.0, 0.003, x.size) + np.where(dist == 2000.0, 0.02, 0.0)
        tables.append((list(dist), list(np.exp(y))))
    return tables


def _loo_bias_pct(tables: list[tuple[list[float], list[float]]], prior: PopulationPrior) -> dict[float, float]:
    errors: dict[float, list[float]] = {}
    for d, t in tables:
        for i in range(1, len(d) - 1):
            mean, _, _ = predict_log(d[:i] + d[i + 1 :], t[:i] + t[i + 1 :], [d[i]], prior)
            errors.setdefault(d[i], []).append(100.0 * (float(np.exp(mean[0])) / t[i] - 1.0))
    return {d: float(np.mean(v)) for d, v in errors.items()}


def test_event_offset_is_recovered_from_synthetic_tables() -> None:
    # an independent check of the event offsets: fitted on 30 synthetic runners whose 2000 m lies 2 % off the curve,
    # the 2000 m offset stands out from the others by about 2 % (shrunk, so a little under; only differences between
    # events are identified next to the level), and 40 new runners are then predicted without bias at every event,
    # where without offsets the 2000 m is predicted over 1 % too fast
    train, fresh = _synthetic_runners(7, 30), _synthetic_runners(99, 40)
    prior = fit_population(train)
    offsets = dict(prior.event_offsets)
    others = [v for d, v in offsets.items() if d != 2000.0]
    assert 0.012 < offsets[2000.0] - float(np.mean(others)) <= 0.021
    assert all(abs(b) < 0.2 for b in _loo_bias_pct(fresh, prior).values())
    assert _loo_bias_pct(fresh, fit_population(train, events=False))[2000.0] < -1.0
    # no offset at a distance that is not a listed event
    assert float(prior.offset(np.array([np.log(2100.0 / 1500.0)]))[0]) == 0.0


def test_intervals_widen_only_for_performances_that_disagree() -> None:
    # under the model sum z^2 is about chi-square(n): the shipped tables (fitted by the prior) are widened rarely,
    # 3 of 41 today (Cheruiyot's 1:09 half marathon against her 14:20 5000 m, G. Dibaba, Waitz's 1978 mile); a typo
    # (a 5000 m of 1:13:10 next to a 3:30 1500 m, a valid but absurd pair) is widened many times, and its interval
    # says so
    from paceline.fit.performance_model import misfit_factor

    prior = population_prior()
    tables = performance_tables().values()
    widened = [t.name for t in tables if misfit_factor(t.distances_m, t.times_s, prior) > 1.0]
    assert len(widened) <= 4, widened
    assert misfit_factor([1500.0, 5000.0], [210.0, 4390.0], prior) > 10.0
    sane = predict_time([1500.0, 5000.0], [210.0, 780.0], 1609.344)
    typo = predict_time([1500.0, 5000.0], [210.0, 4390.0], 1609.344)
    assert sane.misfit == 1.0 and typo.misfit > 10.0
    assert math.log(typo.high_s / typo.low_s) > 10 * math.log(sane.high_s / sane.low_s)


def test_a_distance_run_more_than_once_counts_by_its_best() -> None:
    # the model is one of best times: slower repeats of the 1500 m change nothing, and neither the best nor a
    # repeat is reported as disagreeing with the rest
    from paceline.fit.performance_inputs import best_indices

    d, t = [1500.0, 1500.0, 1500.0, 5000.0], [215.0, 210.0, 211.2, 790.0]
    assert best_indices(d, t) == [1, 3]
    once = predict_time([1500.0, 5000.0], [210.0, 790.0], 1609.344)
    again = predict_time(d, t, 1609.344)
    assert (again.time_s, again.low_s, again.high_s) == (once.time_s, once.low_s, once.high_s)
    assert outliers(d, t) == []


def test_a_distance_beyond_hers_takes_the_extrapolation_scale() -> None:
    # the interval's half-width in ln t is z90 * scale * sd: scaling the extrapolation factor by 2 doubles it for a
    # marathon from track times and leaves a mile between her 1500 m and 5000 m as it was
    from dataclasses import replace

    prior = population_prior()
    wide = replace(prior, extrapolation_scale=2.0 * prior.extrapolation_scale)
    d, t = [1500.0, 5000.0], [210.0, 780.0]

    def half(p: PopulationPrior, dn: float) -> float:
        pred = predict_time(d, t, dn, p)
        return math.log(pred.high_s / pred.low_s) / 2

    assert half(wide, 42195.0) == pytest.approx(2.0 * half(prior, 42195.0), rel=1e-9)
    assert half(wide, 800.0) == pytest.approx(2.0 * half(prior, 800.0), rel=1e-9)
    assert half(wide, 1609.344) == pytest.approx(half(prior, 1609.344), rel=1e-12)


def test_extrapolation_scale_covers_90_percent_of_the_tables_ends() -> None:
    # a conformal calibration: with the stored prior, at least 90 % of the tables' shortest and longest rows,
    # each predicted from the rest, lie inside the stated 90 % interval before any widening for misfit (which
    # only widens further)
    from paceline.fit.performance_model import Z90

    prior = population_prior()
    assert prior.extrapolation_scale >= 1.0
    inside = []
    for tab in performance_tables().values():
        d, t = list(tab.distances_m), list(tab.times_s)
        for i in (0, len(d) - 1):
            rest_d, rest_t = d[:i] + d[i + 1 :], t[:i] + t[i + 1 :]
            mean, sd, _ = predict_log(rest_d, rest_t, [d[i]], prior)
            inside.append(abs(math.log(t[i]) - mean[0]) <= Z90 * prior.extrapolation_scale * sd[0] + 1e-12)
    assert np.mean(inside) >= 0.9
