"""The optimal-control athlete fit: every distance's race in one NLP, the exact Jacobian, Gauss-Newton, the cache."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pytest

from paceline.errors import ScenarioError
from paceline.fit import optimal_control as fo
from paceline.fit.result import FitResult
from paceline.io import cache
from paceline.io.scenario import Performance, load_scenario
from paceline.models.collocation import course_on_grid, get_problem
from paceline.models.keller import KELLER_1973

# Kipyegon's records as in the bundled breaking4 scenario (1500 m 3:49.11 and 3:49.04, mile 4:07.64, 5000 m 14:05.20)
# and her body (1.57 m, 42 kg).
KIPYEGON = load_scenario("breaking4").athlete

# The fit before this implementation (scipy least_squares with a finite-difference Jacobian around one Ipopt solve
# per distance, 120 intervals): sigma 39.22819 W/kg, E0 3455.707 J/kg, LOO 0.642 %; its sum of squared log
# residuals, evaluated with the new fit's races, 2.92693271102e-06.
OLD_SIGMA, OLD_E0, OLD_LOO_PCT, OLD_SSR = 39.22819373185904, 3455.7070400505127, 0.641923, 2.92693271102e-06


@pytest.fixture(scope="module")
def kipyegon_fit() -> FitResult:
    return fo.fit_optimal_control(KIPYEGON.performances, height_m=KIPYEGON.height_m, mass_kg=KIPYEGON.mass_kg)


def test_fit_on_kipyegon_reaches_the_previous_optimum(kipyegon_fit: FitResult) -> None:
    fit = kipyegon_fit
    assert fit.model == "optimal-control" and fit.n == 4
    assert fit.extra["free"] == ["sigma_w_kg", "e0_j_kg"] and fit.extra["conditions"]["drag"]
    assert fit.extra["conditions"]["aero_cost"] == "metabolic"
    # the same optimum as the finite-difference fit, to the accuracy of the inner solves
    assert fit.extra["sum_sq_log_residuals"] <= OLD_SSR * (1.0 + 1e-7)
    assert fit.params["sigma_w_kg"] == pytest.approx(OLD_SIGMA, rel=1e-6)
    assert fit.params["e0_j_kg"] == pytest.approx(OLD_E0, rel=1e-6)
    assert fit.params["tau_s"] == KELLER_1973.tau_s and fit.params_sd["tau_s"] is None
    assert fit.loo_mean_abs_error_pct == pytest.approx(OLD_LOO_PCT, abs=1e-4)
    # the residuals are those of the fitted times, and they are what the SSR sums
    r = np.log1p(np.array(fit.residuals_pct) / 100.0)
    assert float(r @ r) == pytest.approx(fit.extra["sum_sq_log_residuals"], rel=1e-9)
    # her solo mile in the fitting conditions within 0.2 % of her world record (4:07.64, Monaco 2023), although
    # two parameters fit three distances
    assert fit.residuals_pct[2] == pytest.approx(0.0, abs=0.2)
    assert fit.extra["solves"] <= 20  # Gauss-Newton: a handful of joint solves, leave-one-out included


def test_standard_deviations_are_the_gauss_newton_covariance(kipyegon_fit: FitResult) -> None:
    """s^2 (J^T J)^-1 with J from finite differences of converged re-solves matches the exact-Jacobian figures."""
    perfs = KIPYEGON.performances
    t = np.array([p.time_s for p in perfs])
    d = [p.distance_m for p in perfs]
    base = KELLER_1973.with_changes(
        sigma_w_kg=kipyegon_fit.params["sigma_w_kg"], e0_j_kg=kipyegon_fit.params["e0_j_kg"]
    )

    def resid(p: object) -> np.ndarray:
        return np.log(fo.predict_times(d, p, KIPYEGON.height_m, KIPYEGON.mass_kg)) - np.log(t)  # type: ignore[arg-type]

    r0 = resid(base)
    cols = []
    for name, h in (("sigma_w_kg", 1e-3), ("e0_j_kg", 0.1)):
        up = resid(base.with_changes(**{name: getattr(base, name) + h}))
        dn = resid(base.with_changes(**{name: getattr(base, name) - h}))
        cols.append((up - dn) / (2 * h))
    jac = np.column_stack(cols)
    cov = np.linalg.inv(jac.T @ jac) * float(r0 @ r0) / (len(t) - 2)
    assert kipyegon_fit.params_sd["sigma_w_kg"] == pytest.approx(math.sqrt(cov[0, 0]), rel=1e-3)
    assert kipyegon_fit.params_sd["e0_j_kg"] == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-3)


def test_envelope_jacobian_matches_finite_differences() -> None:
    """The envelope-theorem derivatives of each race's optimal objective, for every fittable parameter (the aerobic
    decay and the force limit included), against central differences of converged solves; and of its time, which
    the residuals use, to 0.1 % for all but the force limit."""
    courses = [fo.fit_course(d, 1.57, 42.0) for d in (800.0, 5000.0)]
    nlp = fo.RacesNLP(2, fo.FIT_N_INTERVALS)  # a private instance, not the cached one
    p = KELLER_1973.with_changes(sigma_w_kg=39.0, e0_j_kg=3400.0, sigma_decay=0.2)
    _, jac = nlp.solve(courses, p)
    steps = {"tau_s": 1e-3, "f_max_m_s2": 1e-2, "sigma_w_kg": 1e-2, "e0_j_kg": 1.0, "sigma_decay": 1e-3}
    for j, (name, h) in enumerate(steps.items()):
        t_up, _ = nlp.solve(courses, p.with_changes(**{name: getattr(p, name) + h}))
        v_up = nlp.last["objective"]  # type: ignore[index]
        t_dn, _ = nlp.solve(courses, p.with_changes(**{name: getattr(p, name) - h}))
        v_dn = nlp.last["objective"]  # type: ignore[index]
        np.testing.assert_allclose(jac[:, j], (v_up - v_dn) / (2 * h), rtol=1e-3, atol=5e-5, err_msg=name)
        if name != "f_max_m_s2":
            np.testing.assert_allclose(jac[:, j], (t_up - t_dn) / (2 * h), rtol=1e-3, err_msg=name)


def test_races_in_one_nlp_are_each_race_on_its_own() -> None:
    """The joint NLP's times are the single-race problem's, race by race (the races are independent)."""
    dists = [1500.0, 1609.344, 5000.0]
    p = KELLER_1973.with_changes(sigma_w_kg=39.2, e0_j_kg=3460.0)
    joint = fo.predict_times(dists, p, 1.57, 42.0)
    prob = get_problem(fo.FIT_N_INTERVALS)
    alone = [prob.solve(course_on_grid(fo.fit_course(d, 1.57, 42.0), fo.FIT_N_INTERVALS), p)["t"][-1] for d in dists]
    np.testing.assert_allclose(joint, alone, rtol=1e-7)


@pytest.mark.parametrize("free", [("sigma_w_kg", "e0_j_kg"), ("sigma_w_kg", "e0_j_kg", "sigma_decay")])
def test_fit_recovers_known_parameters(free: tuple[str, ...]) -> None:
    true = KELLER_1973.with_changes(sigma_w_kg=37.0, e0_j_kg=2800.0, sigma_decay=0.15 if len(free) == 3 else 0.0)
    dists = [800.0, 1500.0, 3000.0, 5000.0, 10000.0]
    times = fo.predict_times(dists, true, n_intervals=100)
    perfs = [Performance(distance_m=d, time_s=float(t)) for d, t in zip(dists, times, strict=True)]
    fit = fo.fit_optimal_control(perfs, free=free, n_intervals=100, loo=False)
    for name in free:
        assert fit.params[name] == pytest.approx(getattr(true, name), rel=1e-4, abs=1e-4), name
    assert fit.extra["sum_sq_log_residuals"] < 1e-14
    assert set(fit.params_sd) == set(fit.params)
    assert fit.to_dict()["free"] == list(free)


def test_oc_params_for_caches_on_disk(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    fo._fit_cached.cache_clear()
    args = (KIPYEGON.performances, KIPYEGON.height_m, KIPYEGON.mass_kg)
    first = fo.oc_params_for(*args)
    assert first.sigma_w_kg == pytest.approx(OLD_SIGMA, rel=1e-6) and "4 performances" in first.source
    files = list((tmp_path / "oc_fit").glob("*.json"))  # type: ignore[operator]
    assert len(files) == 1
    fo._fit_cached.cache_clear()

    def no_fit(*_a: object, **_k: object) -> None:
        raise AssertionError("the disk cache was not read")

    monkeypatch.setattr(fo, "fit_optimal_control", no_fit)
    assert fo.oc_params_for(*args) == first
    assert fo.oc_params_for(*args, aero_cost="metabolic") is fo.oc_params_for(*args)  # memory cache
    fo._fit_cached.cache_clear()


@pytest.mark.parametrize(
    "entry",
    [
        "{not json",  # a truncated or corrupt file
        "[1, 2]",  # JSON, not a record
        '{"params": {"tau_s": "fast"}}',  # no key, parameters that are not numbers
        "FOREIGN",  # a valid record of another fit, copied under this key
        "DEEP",  # JSON nested deeper than Python's recursion limit (json.loads raises RecursionError)
        "TRUE",  # this key, a boolean where a number belongs (bool is an int to Python)
        "HUGE",  # this key, a finite positive value no fit returns (e0 outside FIT_BOUNDS)
    ],
)
def test_a_corrupt_or_foreign_cache_entry_is_recomputed(
    entry: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    fo._fit_cached.cache_clear()
    perf_key = ((1500.0, 229.0), (5000.0, 845.0))
    key = fo._cache_key(perf_key, 1.57, 42.0, "metabolic")
    path = tmp_path / "oc_fit" / f"{key}.json"  # type: ignore[operator]
    path.parent.mkdir(parents=True)
    foreign = {"key": "0" * 64, "params": KELLER_1973.with_changes(sigma_w_kg=99.0).to_dict()}
    own = KELLER_1973.to_dict()
    special = {
        "FOREIGN": json.dumps(foreign),
        "DEEP": "[" * 100_000 + "]" * 100_000,
        "TRUE": json.dumps({"key": key, "params": {**own, "sigma_w_kg": True}}),
        "HUGE": json.dumps({"key": key, "params": {**own, "e0_j_kg": 1e308}}),
    }
    path.write_text(special.get(entry, entry), encoding="utf-8")
    fitted = KELLER_1973.with_changes(sigma_w_kg=37.5, e0_j_kg=2900.0)
    calls: list[int] = []

    def fit(perfs: object, **_k: object) -> FitResult:  # the fit is recomputed, not read from the entry
        calls.append(1)
        params = {"sigma_w_kg": 37.5, "e0_j_kg": 2900.0}
        return FitResult("optimal-control", params, {}, None, 2, extra={"free": list(params)})

    monkeypatch.setattr(fo, "fit_optimal_control", fit)
    p = fo.oc_params_for([Performance(distance_m=d, time_s=t) for d, t in perf_key], 1.57, 42.0)
    assert calls == [1] and (p.sigma_w_kg, p.e0_j_kg) == (fitted.sigma_w_kg, fitted.e0_j_kg)
    assert json.loads(path.read_text(encoding="utf-8"))["key"] == key  # stored again, readable next time
    fo._fit_cached.cache_clear()
    assert fo.oc_params_for([Performance(distance_m=d, time_s=t) for d, t in perf_key], 1.57, 42.0) == p
    assert calls == [1]
    fo._fit_cached.cache_clear()


def test_without_performances_keller_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="paceline.fit.optimal_control"):
        p = fo.oc_params_for([], 1.57, 42.0, "mechanical")
    assert p == KELLER_1973.with_changes(aero_cost="mechanical")
    assert "Keller" in caplog.text


def test_errors() -> None:
    with pytest.raises(ScenarioError, match="performances"):
        fo.fit_optimal_control([])
    with pytest.raises(ScenarioError, match="cannot be fitted"):
        fo.fit_optimal_control([Performance(distance_m=1500, time_s=230.0)], free=("speed",))
    with pytest.raises(ScenarioError, match="aero_cost"):
        fo.oc_params_for(KIPYEGON.performances, 1.57, 42.0, "free")


# --------------------------------------------------------------------------------------------------------------
# the bundled athletes' fits shipped as data (paceline.fit.oc_shipped)


def test_every_shipped_fit_is_a_bundled_athletes_and_each_has_one() -> None:
    # no stale entry (inputs that no bundled scenario has: a changed fit or athlete needs --write) and none missing
    from paceline.fit import oc_shipped
    from paceline.io.fitted import OC_FITS_FILE, _record

    shipped = _record(OC_FITS_FILE)["fits"]
    assert set(shipped) == set(oc_shipped.bundled_fit_inputs())
    assert all(entry["key"] == key for key, entry in shipped.items())


def test_a_shipped_fit_is_the_fit_computed_afresh(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # oracle: the fit run now on one bundled athlete's inputs; with an empty cache the chain takes the shipped one
    # and runs no fit
    from paceline.fit import oc_shipped
    from paceline.fit.athlete import athlete_params
    from paceline.io.fitted import shipped_oc_fit
    from paceline.io.scenario import load_scenario

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    key, inp = next((k, v) for k, v in oc_shipped.bundled_fit_inputs().items() if v["aero_cost"] == "metabolic")
    fresh = fo.fit_params(inp["perf_key"], inp["height_m"], inp["mass_kg"], inp["aero_cost"]).to_dict()
    stored = shipped_oc_fit(key)
    assert stored is not None
    for name, value in fresh.items():
        assert stored["params"][name] == (value if isinstance(value, str) else pytest.approx(value, rel=1e-6)), name
    fo._fit_cached.cache_clear()

    def no_fit(*_a: object, **_k: object) -> None:
        raise AssertionError("fitted although the fit ships")

    monkeypatch.setattr(fo, "fit_optimal_control", no_fit)
    for name in ("breaking4", "breaking2"):
        athlete_params(load_scenario(name), "optimal-control")
    assert not (tmp_path / "oc_fit").exists()  # type: ignore[operator]
    fo._fit_cached.cache_clear()


def test_a_foreign_or_broken_shipped_fit_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    from paceline.io import fitted

    monkeypatch.setenv(cache.CACHE_ENV, "off")
    key = next(iter(fitted._record(fitted.OC_FITS_FILE)["fits"]))
    for broken in ({"key": "0" * 64, "params": KELLER_1973.to_dict()}, {"key": key, "params": {"tau_s": "x"}}):
        monkeypatch.setattr(fitted, "shipped_oc_fit", lambda k, b=broken: dict(b) if k == key else None)
        assert fo._stored_params(key) is None  # then fitted afresh
    monkeypatch.undo()

    def missing(path: str) -> None:
        raise fitted.PacelineError(f"paceline/{path} is missing")

    monkeypatch.setattr(fitted, "_record", missing)
    assert fitted.shipped_oc_fit(key) is None  # a missing or unreadable file: computed, never an error


def test_the_shipped_fits_check_flags_a_difference() -> None:
    from paceline.fit import oc_shipped

    fits = {"k": {"key": "k", "params": {"tau_s": 0.9, "aero_cost": "metabolic"}}}
    same = {"fits": {"k": {"key": "k", "params": {"tau_s": 0.9 * (1 + 1e-9), "aero_cost": "metabolic"}}}}
    off = {"fits": {"k": {"key": "k", "params": {"tau_s": 0.91, "aero_cost": "metabolic"}}}}
    assert oc_shipped.differences({"fits": fits}, same) == []
    assert oc_shipped.differences({"fits": fits}, off) == ["k"]
    assert oc_shipped.differences({"fits": fits}, {"fits": {}}) == ["k"]
