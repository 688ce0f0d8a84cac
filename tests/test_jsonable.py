"""The one canonical-JSON content hash."""

from __future__ import annotations

import hashlib

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
