"""The one conversion of a vectorised result back to what the caller gave: a float for scalar inputs, else the
array (every physics function takes a float or an array and returns the same kind)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def scalar_or_array(a: Any) -> NDArray[np.float64] | float:
    """``a`` as a Python float when it is 0-dimensional (a number, a numpy scalar or a 0-d array), else as it is.

    Parameters
    ----------
    a : float or array
        A result computed with numpy from float-or-array inputs.

    Returns
    -------
    float or array
        ``float(a)`` for a scalar, ``a`` itself otherwise (not copied).
    """
    return float(a) if np.ndim(a) == 0 else a


def percentile(values: Any, q_pct: float) -> float:
    """The ``q_pct``-th percentile of ``values``, numpy's default (``linear``) method to the bit.

    ``np.percentile`` partitions through ``np.unique``, which imports ``numpy.ma`` (about 9 ms, once per process):
    for a command whose only percentiles are a few (``paceline formations``) that is a tenth of its start. This sorts
    and interpolates as numpy does; values that are not all finite (or none) go to ``np.percentile`` itself.

    Parameters
    ----------
    values : array_like
        The sample (flattened).
    q_pct : float
        Percentile, 0 to 100.

    Returns
    -------
    float
    """
    a = np.sort(np.asarray(values, dtype=float).ravel())
    if a.size == 0 or not 0.0 <= q_pct <= 100.0 or not bool(np.all(np.isfinite(a))):
        return float(np.percentile(a, q_pct))
    v = (a.size - 1) * (q_pct / 100.0)  # numpy's virtual index of the linear method
    lo = min(int(np.floor(v)), a.size - 1)
    hi = min(lo + 1, a.size - 1)
    left, right, gamma = float(a[lo]), float(a[hi]), v - lo
    diff = right - left
    return right - diff * (1.0 - gamma) if gamma >= 0.5 else left + diff * gamma  # numpy's _lerp


def median(values: Any) -> float:
    """The median of ``values``, ``np.median``'s to the bit (the middle value, or the mean of the two middle ones),
    without importing ``numpy.ma`` (see :func:`percentile`); values that are not all finite (or none) go to
    ``np.median`` itself."""
    a = np.sort(np.asarray(values, dtype=float).ravel())
    if a.size == 0 or not bool(np.all(np.isfinite(a))):
        return float(np.median(a))
    m = a.size // 2
    return float(a[m]) if a.size % 2 else (float(a[m - 1]) + float(a[m])) / 2.0
