"""The one fit-result type of the fit layer: fitted parameters, their spread, and how well they fit.

Used by the athlete fits (:mod:`paceline.fit.performances`, the optimal-control fit) and by the drafting fit
(:mod:`paceline.fit.drafting`); anything particular to one fit goes in ``extra``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["FitResult"]


@dataclass
class FitResult:
    """Fitted parameters of a model.

    Attributes
    ----------
    model : str
        Model name (``critical-speed``, ``equal-power``, ``optimal-control``, ``drafting-surrogate``).
    params : dict
        Parameter name (with unit) -> value.
    params_sd : dict
        Parameter name -> standard deviation (None when the fit has no degrees of freedom left or gives none).
    loo_mean_abs_error_pct : float or None
        Mean absolute leave-one-out error [%] (of the predicted time for an athlete; None with fewer than 3
        performances or when not computed).
    n : int
        Number of data points fitted (performances, published study values).
    residuals_pct : list of float
        In-sample error of each performance's predicted time [%] (empty when the residuals are not relative:
        see ``rms_error``).
    extra : dict
        Anything else the fit reports (JSON-ready values).
    rms_error : float or None
        (Weighted) RMS of predicted - observed in the units of the fitted quantity, when that is reported.
    """

    model: str
    params: dict[str, float]
    params_sd: dict[str, float | None]
    loo_mean_abs_error_pct: float | None
    n: int
    residuals_pct: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    rms_error: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (``rms_error`` only when set)."""
        out: dict[str, Any] = {
            "model": self.model,
            "params": self.params,
            "params_sd": self.params_sd,
            "loo_mean_abs_error_pct": self.loo_mean_abs_error_pct,
            "n": self.n,
            "residuals_pct": self.residuals_pct,
        }
        if self.rms_error is not None:
            out["rms_error"] = self.rms_error
        return {**out, **self.extra}
