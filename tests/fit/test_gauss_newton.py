"""The bounded Gauss-Newton / Levenberg-Marquardt of the optimal-control fit (``paceline.fit.gauss_newton``)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from paceline.fit.gauss_newton import gauss_newton

# r(theta) = A theta - b, nearly collinear columns, unconstrained optimum (-100, 60) far outside the box [0, 30]^2.
A = np.array([[1.0, 1.0], [1.0, 1.1]])
B = A @ np.array([-100.0, 60.0])
LO, HI = np.zeros(2), np.full(2, 30.0)


def _linear(theta: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return A @ theta - B, A


def test_a_clipped_step_that_promises_nothing_is_damped_not_taken_for_convergence() -> None:
    theta0 = np.array([1.0, 1.0])
    start_cost = float(np.sum(_linear(theta0)[0] ** 2))
    out = gauss_newton(_linear, theta0, LO, HI)
    # the full Gauss-Newton step, clipped to the box, lands at (0, 30) where the cost is 3x the start's; the bounded
    # optimum is the corner (0, 0) (both residuals fall as either parameter falls), cost |b|^2
    assert float(np.sum(out["r"] ** 2)) < start_cost
    np.testing.assert_allclose(out["theta"], [0.0, 0.0], atol=1e-6)
    assert np.isclose(float(out["r"] @ out["r"]), float(B @ B))


def test_an_interior_optimum_is_found() -> None:
    b = A @ np.array([3.0, 4.0])
    out = gauss_newton(lambda th: (A @ th - b, A), np.array([1.0, 1.0]), LO, HI)
    np.testing.assert_allclose(out["theta"], [3.0, 4.0], atol=1e-6)
    assert out["status"].startswith("converged")
