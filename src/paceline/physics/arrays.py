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
