"""Shared test fixtures: the published reference data, parsed from the package's own copies."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from importlib import resources

import pytest


def read_reference_csv(name: str) -> list[dict[str, str]]:
    """Rows of a reference CSV bundled in ``paceline/data/reference`` (comment lines skipped)."""
    text = (resources.files("paceline") / "data" / "reference" / name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@pytest.fixture(scope="session")
def track_reference() -> list[dict[str, str]]:
    return read_reference_csv("track_standard_400m.csv")


@pytest.fixture(scope="session")
def air_reference() -> list[dict[str, str]]:
    return read_reference_csv("air_density_checks.csv")


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fits cached on disk (paceline.io.cache) go to a fresh directory, not the user's; subprocesses inherit it."""
    new = {"PACELINE_CACHE_DIR": str(tmp_path_factory.mktemp("paceline-cache"))}
    old = {k: os.environ.get(k) for k in new}
    os.environ.update(new)
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
