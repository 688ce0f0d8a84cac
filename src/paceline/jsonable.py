"""The one conversion of results to strict JSON (numpy scalars and arrays, non-finite floats as ``null``): the
CLI's ``--json``, :meth:`Race.to_json` and the web API all use it."""

from __future__ import annotations

import math
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Return ``obj`` with numpy values turned into Python ones and NaN/inf into ``None``."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "biu" or (obj.dtype.kind == "f" and bool(np.all(np.isfinite(obj)))):
            return obj.tolist()  # plain numbers all the way down: no per-element work
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
