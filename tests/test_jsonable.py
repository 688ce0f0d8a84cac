"""The one canonical-JSON content hash."""

from __future__ import annotations

import hashlib

import pytest

from paceline.jsonable import content_key


def test_content_key_is_sha256_of_sorted_compact_json() -> None:
    # sha256 of the bytes '{"a":1,"b":[1.5,"x"]}' whatever the order of the keys
    expected = hashlib.sha256(b'{"a":1,"b":[1.5,"x"]}').hexdigest()
    assert content_key({"b": [1.5, "x"], "a": 1}) == expected == content_key({"a": 1, "b": [1.5, "x"]})
    assert content_key({"a": 1}) != content_key({"a": 1.5})


def test_the_caches_and_the_web_and_sweep_ids_are_the_one_hash() -> None:
    from paceline.io import cache
    from paceline.studies.uncertainty.sweep import point_key
    from paceline.web.races import race_id

    assert cache.content_key is content_key
    assert race_id({"x": 1}, "equal-power") == content_key({"scenario": {"x": 1}, "model": "equal-power"})[:12]
    assert (
        point_key({"x": 1}, "m", {"v": 2}) == content_key({"scenario": {"x": 1}, "model": "m", "values": {"v": 2}})[:16]
    )


def _awkward() -> dict[object, object]:
    import numpy as np

    a = np.array([[1.5, np.nan], [1e-5, np.inf]])
    return {
        "finite": np.round(np.linspace(0.0, 1.0, 7), 2),
        "nan_inf": a,
        "strided": a[:, 0],  # not C-contiguous
        "ints": np.arange(3, dtype=np.int64),
        "scalars": [np.float64(2.5), np.int32(3), np.bool_(True), float("-inf")],
        1: ("tuple", None),  # a key that is not a str
    }


def test_json_bytes_hold_the_values_to_jsonable_gives() -> None:
    # oracle: the standard library's strict JSON of to_jsonable's value; NaN and infinities null, numpy as Python
    import json

    from paceline.jsonable import to_json_bytes, to_jsonable

    data = _awkward()
    expected = json.loads(json.dumps(to_jsonable(data), allow_nan=False))
    assert json.loads(to_json_bytes(data)) == expected
    assert expected["nan_inf"] == [[1.5, None], [1e-05, None]] and expected["1"] == ["tuple", None]


def test_json_bytes_without_orjson_are_the_same_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import sys

    from paceline.jsonable import to_json_bytes

    with_orjson = to_json_bytes(_awkward())
    monkeypatch.setitem(sys.modules, "orjson", None)  # import orjson now raises ImportError
    without = to_json_bytes(_awkward())
    assert json.loads(without) == json.loads(with_orjson) and b"NaN" not in without and b" " not in without
