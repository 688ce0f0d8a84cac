"""Priors of ``paceline infer`` (:mod:`paceline.studies.inference.infer_model`): densities, draws, and the unconstrained
coordinates the sampler moves in."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


def logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log(p / (1 - p))``, with ``p`` kept off 0 and 1."""
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.log(q / (1 - q)), dtype=float)


@dataclass(frozen=True)
class Prior:
    """A one-parameter prior.

    Attributes
    ----------
    name : str
        Parameter name.
    kind : str
        ``uniform`` or ``loguniform`` (``a``, ``b``: bounds), ``lognormal`` (``a``, ``b``: mean and SD of the log)
        or ``logitnormal`` (``a``, ``b``: mean and SD of the logit).
    a, b : float
        Its two numbers.
    unit : str
        Unit of the parameter.
    source : str
        Where the prior comes from.
    """

    name: str
    kind: str
    a: float
    b: float
    unit: str
    source: str

    def logpdf(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log density at ``x`` (-inf outside the support), up to a constant."""
        x = np.asarray(x, dtype=float)
        if self.kind == "uniform":
            return np.where((x >= self.a) & (x <= self.b), 0.0, -np.inf)
        if self.kind == "loguniform":
            inside = (x >= self.a) & (x <= self.b)
            return np.where(inside, -np.log(np.where(inside, x, 1.0)), -np.inf)
        if self.kind == "lognormal":
            with np.errstate(divide="ignore", invalid="ignore"):
                z = (np.log(np.where(x > 0, x, np.nan)) - self.a) / self.b
                return np.where(x > 0, -0.5 * z**2 - np.log(np.where(x > 0, x, 1.0)), -np.inf)
        inside = (x > 0) & (x < 1)
        xs = np.where(inside, x, 0.5)
        z = (np.log(xs / (1 - xs)) - self.a) / self.b
        return np.where(inside, -0.5 * z**2 - np.log(xs * (1 - xs)), -np.inf)

    def from_free(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The parameter from an unconstrained value (logit of the bounded, log of the positive, logit of a
        fraction) and ``log |d theta / d x|`` (the sampler moves in ``x``, where the posterior is rounder)."""
        x = np.asarray(x, dtype=float)
        log_sig = -np.logaddexp(0.0, -x)  # log sigmoid(x)
        log_1m = -np.logaddexp(0.0, x)  # log (1 - sigmoid(x))
        sig = np.exp(log_sig)
        if self.kind == "uniform":
            # a zero-width uniform (a fixed value) keeps the logistic density in x: proper, and flat in theta
            width = math.log(self.b - self.a) if self.b > self.a else 0.0
            return self.a + (self.b - self.a) * sig, width + log_sig + log_1m
        if self.kind == "loguniform":
            la, lb = math.log(self.a), math.log(self.b)
            theta = np.exp(la + (lb - la) * sig)
            return theta, math.log(lb - la) + log_sig + log_1m + np.log(theta)
        if self.kind == "lognormal":
            return np.exp(x), x
        return sig, log_sig + log_1m

    def to_free(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """The inverse of :meth:`from_free`."""
        t = np.asarray(theta, dtype=float)
        if self.kind == "uniform":
            if self.b == self.a:  # a fixed value: every x maps to it; 0 is the middle of its logistic density
                return np.zeros_like(t)
            return logit((t - self.a) / (self.b - self.a))
        if self.kind == "loguniform":
            la, lb = math.log(self.a), math.log(self.b)
            return logit((np.log(t) - la) / (lb - la))
        return np.log(t) if self.kind == "lognormal" else logit(t)

    @property
    def fixed(self) -> bool:
        """A zero-width uniform: the parameter is known (a measured value without an uncertainty)."""
        return self.kind == "uniform" and self.b == self.a

    def sample(self, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """``n`` draws from the prior."""
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b, n)
        if self.kind == "loguniform":
            return np.exp(rng.uniform(math.log(self.a), math.log(self.b), n))
        z = rng.normal(self.a, self.b, n)
        return np.exp(z) if self.kind == "lognormal" else 1.0 / (1.0 + np.exp(-z))
