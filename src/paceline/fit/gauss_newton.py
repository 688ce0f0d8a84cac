"""Bounded nonlinear least squares by Gauss-Newton with Levenberg-Marquardt damping, for small problems.

For fits whose residuals come with their exact Jacobian and are expensive to evaluate (each evaluation of the
optimal-control fit's residuals is an Ipopt solve): no finite differences, one evaluation per step.

References
----------
Nocedal, J. & Wright, S. J. (2006). Numerical Optimization, 2nd ed. Springer, section 10.3 (Gauss-Newton,
Levenberg-Marquardt).
Marquardt, D. W. (1963). An algorithm for least-squares estimation of nonlinear parameters. J. SIAM 11, 431-441.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import PacelineError

log = logging.getLogger(__name__)

Residuals = Callable[[NDArray[np.float64]], tuple[NDArray[np.float64], NDArray[np.float64]]]


def gauss_newton(
    fun: Residuals,
    theta0: NDArray[np.float64],
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    max_iter: int = 50,
    xtol: float = 1e-8,
    ftol: float = 1e-9,
) -> dict[str, Any]:
    """Bounded nonlinear least squares ``min |r(theta)|^2``: Gauss-Newton with Levenberg-Marquardt damping.

    Parameters
    ----------
    fun : callable
        ``theta -> (r, J)``: the residuals and their exact Jacobian.
    theta0 : ndarray
        Starting point (inside the bounds).
    lo, hi : ndarray
        Bounds.
    max_iter : int
        Maximum number of evaluations of ``fun``.
    xtol : float
        Stop when no parameter moves by more than ``xtol`` relative to its size (or 1e-2) ...
    ftol : float
        ... or when the next step promises (by the linearised residuals) to lower the sum of squares by less than
        ``ftol`` times itself (the inner solves' own accuracy is about 1e-8 of it).

    Returns
    -------
    dict
        ``theta``, ``r``, ``J`` at the solution, ``evaluations``, ``status``, and ``last_accepted`` (whether the
        last evaluation of ``fun`` was at the solution).

    Notes
    -----
    Marquardt's scaling ``diag(J^T J)``; a step that leaves the bounds is clipped, and a parameter at a bound whose
    gradient points outward is held there; a clipped step that promises no decrease is damped further (not taken for
    convergence). A step whose evaluation fails (the solver finds no race) counts as a
    rejected step.

    References
    ----------
    Nocedal, J. & Wright, S. J. (2006). Numerical Optimization, 2nd ed., section 10.3.
    """
    theta = np.clip(np.asarray(theta0, dtype=float), lo, hi)
    r, jac = fun(theta)
    cost, mu, evals, accepted = float(r @ r), 1e-6, 1, True
    status = f"maximum of {max_iter} evaluations reached"
    while evals < max_iter:
        grad = jac.T @ r
        held = ((theta <= lo) & (grad > 0)) | ((theta >= hi) & (grad < 0))
        free = ~held
        if not free.any():
            status = "every parameter held at a bound"
            break
        a = jac[:, free].T @ jac[:, free]
        step = np.zeros_like(theta)
        step[free] = np.linalg.solve(a + mu * np.diag(np.maximum(np.diag(a), 1e-12)), -grad[free])
        trial = np.clip(theta + step, lo, hi)
        predicted = cost - float(np.sum((r + jac @ (trial - theta)) ** 2))  # decrease the linear model promises
        if predicted <= ftol * cost:
            if np.any(trial != theta + step) and mu < 1e8:
                # the bounds cut the step into one that promises nothing: damp it (towards the projected gradient)
                # and try again, rather than call the start a solution
                mu *= 10.0
                continue
            status = "converged: the Gauss-Newton step promises a negligible decrease of the sum of squares"
            break
        evals += 1
        try:
            r_new, jac_new = fun(trial)
            cost_new = float(r_new @ r_new)
        except PacelineError as exc:
            log.debug("Gauss-Newton trial %s failed: %s", trial, exc)
            cost_new = math.inf
        moved = np.max(np.abs(trial - theta) / np.maximum(np.abs(theta), 1e-2))
        accepted = cost_new <= cost
        if accepted:
            theta, r, jac, cost = trial, r_new, jac_new, cost_new
            mu = max(mu / 10.0, 1e-12)
            if moved < xtol:
                status = f"converged: relative step below {xtol:g}"
                break
        elif mu > 1e8 or moved < xtol:
            status = "converged: no step lowers the sum of squares"
            break
        else:
            mu *= 10.0
    return {"theta": theta, "r": r, "J": jac, "evaluations": evals, "status": status, "last_accepted": accepted}
