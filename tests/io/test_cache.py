"""The content-addressed caches: content_key hashes arrays by content, Memo keeps the most recently used values."""

from __future__ import annotations

import threading

import numpy as np

from paceline.io.cache import Memo, content_key


def test_content_key_reads_arrays_by_content() -> None:
    a = np.linspace(0.0, 1.0, 2001)
    assert content_key({"x": a}) == content_key({"x": a.copy()})  # equal content, another object
    strided = np.repeat(a, 2)[::2]  # the same values in a view that is not contiguous
    assert not strided.flags.c_contiguous and content_key({"x": strided}) == content_key({"x": a})
    b = a.copy()
    b[1000] += 1e-12  # numpy's str() of the array would not show this change: the bytes do
    assert content_key({"x": b}) != content_key({"x": a})
    assert content_key({"x": a.astype(np.float32)}) != content_key({"x": a})
    assert content_key({"x": a.reshape(3, 667)}) != content_key({"x": a})
    assert content_key({"v": np.float64(0.5)}) == content_key({"v": 0.5})


def test_memo_keeps_the_most_recently_used() -> None:
    memo = Memo(maxsize=2)
    computed: list[str] = []

    def value(key: str) -> str:
        return memo.get(key, lambda: computed.append(key) or key.upper())

    assert [value(k) for k in ("a", "b", "a", "c", "a", "b")] == ["A", "B", "A", "C", "A", "B"]
    assert computed == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
    assert (memo.hits, memo.misses, len(memo)) == (2, 4, 2)
    memo.clear()
    assert (memo.hits, memo.misses, len(memo)) == (0, 0, 0)


def test_memo_from_many_threads_stays_within_its_size() -> None:
    memo = Memo(maxsize=8)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for i in range(500):
                k = (offset + i) % 20
                assert memo.get(k, lambda k=k: k * k) == k * k
        except BaseException as exc:  # pragma: no cover - a failure is reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(j,)) for j in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(memo) <= 8 and memo.hits + memo.misses == 8 * 500
