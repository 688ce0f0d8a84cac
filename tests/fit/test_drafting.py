"""The drafting fit ships as data: the stored file is what a refit from the CSV gives, and loading it is cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from paceline.errors import PacelineError, ScenarioError
from paceline.fit import drafting as fit_drafting
from paceline.fit.result import FitResult
from paceline.io import fitted
from paceline.io.drafting_studies import load_studies, studies_csv_sha256, studies_sha256
from paceline.physics.drafting import DraftParams, combined_shelter


def _shipped() -> dict[str, Any]:
    text = resources.files("paceline").joinpath(*fitted.DRAFTING_FILE.split("/")).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# ---- the stored file matches its inputs and a refit -----------------------------------------------------------------


def test_stored_inputs_hash_matches_the_csv_and_the_studies_as_fitted() -> None:
    inputs = fitted.drafting_fit_info()["inputs"]
    assert inputs["studies_csv_sha256"] == studies_csv_sha256()
    assert inputs["studies_sha256"] == studies_sha256(load_studies())


def test_refit_writes_the_stored_file(tmp_path: Path) -> None:
    # python -m paceline.fit.drafting --write, into a temporary file: the same numbers as the shipped file
    out = tmp_path / "drafting.json"
    assert fit_drafting.main(["--write", "--out", str(out)]) == 0
    new, old = json.loads(out.read_text(encoding="utf-8")), _shipped()
    assert fit_drafting._differences(new, old) == []
    assert new["fit"]["params"] == pytest.approx(old["fit"]["params"], rel=1e-6)
    # and --check agrees with the shipped file
    assert fit_drafting.main(["--check"]) == 0


def test_check_fails_on_a_changed_file(tmp_path: Path) -> None:
    data = _shipped()
    data["fit"]["params"]["peak_shelter"] *= 1.001
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert fit_drafting.main(["--check", "--out", str(path)]) == 1


def test_the_comparison_catches_changed_draws_but_not_a_few_resettled_ones() -> None:
    old = _shipped()
    rng = np.random.default_rng(1)
    values = np.asarray(old["draws"]["values"])
    # two near-degenerate resamples settled elsewhere (as after a scipy upgrade): the same record
    resettled = values.copy()
    resettled[[89, 194], 4] = 0.4 - resettled[[89, 194], 4]
    same = {**old, "draws": {**old["draws"], "values": resettled.tolist()}}
    assert fit_drafting._differences(same, old) == []
    # other draws (another seed: every row moves) or another seed recorded: different
    shuffled = values[rng.permutation(len(values))]
    other = {**old, "draws": {**old["draws"], "values": shuffled.tolist()}}
    assert fit_drafting._differences(other, old) == ["draws.values"]
    reseeded = {**old, "draws": {**old["draws"], "seed": 1}}
    assert fit_drafting._differences(reseeded, old) == ["draws (n, seed or names)"]


def test_stored_predictions_are_the_surrogate_with_the_stored_params() -> None:
    # the kernel and the stored fit agree (a change of the surrogate without a refit fails here)
    info = fitted.drafting_fit_info()
    p = fitted.drafting_params()
    for row, s in zip(info["fit"]["studies"], load_studies(), strict=True):
        assert row["configuration"] == s.configuration
        pred = combined_shelter([a for a, _ in s.slots], [b for _, b in s.slots], p)
        assert pred == pytest.approx(row["predicted"], abs=5e-5), s.label


def test_stored_fit_figures() -> None:
    fit = fitted.drafting_fit_info()["fit"]
    assert fit["model"] == "drafting-surrogate" and fit["n"] == len(load_studies()) == 17
    # weighted RMS of predicted - published over the 17 published values, and the leave-one-out error in
    # percentage points of shelter (each value predicted by a fit to the other 16)
    assert fit["rms_error"] == pytest.approx(0.0560, abs=5e-4)
    assert fit["loo_mean_abs_error_pct"] == pytest.approx(100 * np.mean(np.abs(fit["loo_errors"])), abs=0.01)
    assert fit["loo_mean_abs_error_pct"] > 100 * fit["rms_error"] * 0.5  # out of sample is not better than in
    assert set(fit["params_sd"]) == set(DraftParams.names())


# ---- loading -------------------------------------------------------------------------------------------------------


def test_loading_needs_no_scipy() -> None:
    code = (
        "import sys\n"
        "from paceline.io.fitted import drafting_draws, drafting_params\n"
        "drafting_params(); drafting_draws()\n"
        "bad = [m for m in ('scipy', 'pandas', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


def test_draws_seed_zero_are_the_stored_order_and_other_seeds_a_subset() -> None:
    all200 = fitted.drafting_draws()
    assert len(all200) == 200 and len(set(all200)) == 200
    assert fitted.drafting_draws(20) == all200[:20]
    a, b = fitted.drafting_draws(20, seed=3), fitted.drafting_draws(20, seed=4)
    assert a == fitted.drafting_draws(20, seed=3)
    assert a != b and set(a) <= set(all200) and len(set(a)) == 20
    assert len({d.strength for d in a}) > 10  # the study effect varies


@pytest.mark.parametrize("n", [0, 201])
def test_draw_count_out_of_range_names_n(n: int) -> None:
    with pytest.raises(ScenarioError, match=r"^n: "):
        fitted.drafting_draws(n)


def test_missing_file_says_how_to_regenerate_it() -> None:
    with pytest.raises(PacelineError, match=r"missing; regenerate it with `python -m paceline\.fit\.drafting --write`"):
        fitted._record("data/fitted/no-such-fit.json")


# ---- the fit itself ------------------------------------------------------------------------------------------------


def test_one_fit_result_type() -> None:
    from paceline.fit.performances import FitResult as AthleteFitResult

    assert AthleteFitResult is FitResult
    res = fit_drafting.fit()
    assert isinstance(res, FitResult)
    # the refit is the shipped fit (to the last digits another scipy or BLAS may move)
    refit, shipped = fit_drafting.best_params(res), fitted.drafting_params()
    assert [getattr(refit, nm) for nm in DraftParams.names()] == pytest.approx(
        [getattr(shipped, nm) for nm in DraftParams.names()], rel=1e-6
    )
    assert "rms_error" in res.to_dict() and "study_effects" in res.to_dict()


def test_refitted_draws_are_deterministic_per_seed() -> None:
    a = fit_drafting.parameter_draws(10, seed=3)
    assert a == fit_drafting.parameter_draws(10, seed=3)
    assert a != fit_drafting.parameter_draws(10, seed=4)
    with pytest.raises(ScenarioError, match=r"^n: "):
        fit_drafting.parameter_draws(0)
