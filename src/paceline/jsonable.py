"""The one conversion of results to strict JSON (numpy scalars and arrays, non-finite floats as ``null``): the
CLI's ``--json``, :meth:`Race.to_json` and the web API all use it; and the one content hash of JSON-ready data
(:func:`content_key`): the disk cache, the web's race ids, sweep rows and the drafting fit's provenance all use it."""

from __future__ import annotations

import hashlib
import json
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


def to_json_bytes(obj: Any) -> bytes:
    """``obj`` as compact strict JSON bytes: the value :func:`to_jsonable` gives, serialised.

    With ``orjson`` installed (the ``web`` extra) numpy arrays are written by it directly, NaN and infinities as
    ``null`` as here, and a 0.4 MB replay takes about 2 ms instead of about 27 ms (:func:`to_jsonable`'s walk, then
    :func:`json.dumps`); without it, the standard library writes the same values.
    """
    try:
        import orjson
    except ImportError:
        return json.dumps(to_jsonable(obj), separators=(",", ":"), allow_nan=False).encode("utf-8")
    return orjson.dumps(obj, default=to_jsonable, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def content_key(data: Any) -> str:
    """SHA-256 (hex) of ``data`` as canonical JSON: sorted keys, no spaces, floats as Python prints them, a numpy
    array by its dtype, shape and the SHA-256 of its bytes (a numpy scalar as its value), anything else JSON cannot
    hold as its ``str``.

    Parameters
    ----------
    data : JSON-ready value
        Dicts, lists, strings, numbers (what :func:`to_jsonable` returns).

    Returns
    -------
    str
        64 hex digits; equal data (whatever its key order) give equal keys. Callers that need a short id take a
        prefix.
    """
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    """What :func:`content_key` writes for a value JSON has no form for: a numpy array (or scalar) by its content
    (``str`` of an array would abbreviate it and round its numbers), anything else by ``str``."""
    if hasattr(value, "dtype") and hasattr(value, "tobytes"):
        if getattr(value, "ndim", 0) == 0:
            return value.item()
        data = value.tobytes(order="C")  # (a copy only for an array that is not contiguous)
        return {"dtype": value.dtype.str, "shape": list(value.shape), "sha256": hashlib.sha256(data).hexdigest()}
    return str(value)
