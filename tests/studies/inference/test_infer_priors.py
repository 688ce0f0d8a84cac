"""One-parameter priors of the inference, and a known (fixed) parameter: a measured drag area without an SD."""

from __future__ import annotations

import numpy as np
import pytest

from paceline.studies.inference import infer as inf
from paceline.studies.inference.infer_priors import Prior


def test_a_fixed_prior_maps_every_free_value_to_it_with_a_proper_density() -> None:
    p = Prior("cd_factor", "uniform", 1.0, 1.0, "-", "measured")
    x = np.linspace(-30.0, 30.0, 20001)
    theta, log_jac = p.from_free(x)
    assert np.all(theta == 1.0)
    # the density of x is the logistic one: it integrates to 1, so the sampler cannot wander off in x
    assert np.trapezoid(np.exp(log_jac), x) == pytest.approx(1.0, abs=1e-6)
    assert np.all(p.logpdf(theta) == 0.0) and np.all(p.to_free(theta) == 0.0)


def test_convergence_skips_a_fixed_parameter() -> None:
    rng = np.random.default_rng(0)
    chain = np.stack([rng.standard_normal((2000, 16)), np.ones((2000, 16))], axis=2)
    diag = inf.convergence(chain, ["moving", "fixed"])
    moving, fixed = diag["parameters"]
    assert moving["rhat"] == pytest.approx(1.0, abs=0.01) and moving["converged"]
    assert fixed["converged"] and fixed["rhat"] == 1.0
