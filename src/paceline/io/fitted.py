"""Fitted parameters that ship as data (``paceline/data/fitted``), loaded once and never refitted at run time.

``drafting.json`` holds the fit of the drafting surrogate to the published studies and its 200 bootstrap draws,
with the hash of its inputs and the code that made it (:mod:`paceline.fit.drafting` writes it:
``python -m paceline.fit.drafting --write``). Loading it reads JSON only (no scipy), once per process.
``optimal_control.json`` holds the optimal-control fits of the bundled scenarios' athletes, each under the content
key of its inputs (performances, body, air cost, the fit's version and physics: what the disk cache keys it by), so
a changed input or fitting code is a different key and is fitted afresh (:mod:`paceline.fit.oc_shipped` writes it).
"""

from __future__ import annotations

import copy
import functools
import json
import logging
from importlib import resources
from typing import Any

import numpy as np

from paceline.errors import PacelineError, ScenarioError
from paceline.physics.drafting import DraftParams

log = logging.getLogger(__name__)

__all__ = [
    "DRAFTING_FILE",
    "FORMAT_VERSION",
    "OC_FITS_FILE",
    "drafting_draws",
    "drafting_fit_info",
    "drafting_params",
    "shipped_oc_fit",
]

#: The shipped drafting fit, inside the package.
DRAFTING_FILE = "data/fitted/drafting.json"
#: The optimal-control fits of the bundled scenarios' athletes, by the content key of their inputs
#: (``python -m paceline.fit.oc_shipped --write``).
OC_FITS_FILE = "data/fitted/optimal_control.json"
#: Version of the file layout this code reads.
FORMAT_VERSION = 1
_REGENERATE = "regenerate it with `python -m paceline.fit.drafting --write` (or reinstall paceline)"


@functools.cache
def _record(path: str) -> dict[str, Any]:
    """The parsed file at ``path`` inside the package; a clear error when it is missing or unreadable."""
    try:
        text = resources.files("paceline").joinpath(*path.split("/")).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PacelineError(f"the fitted parameters file paceline/{path} is missing; {_REGENERATE}") from None
    try:
        data: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PacelineError(f"paceline/{path} is not valid JSON ({exc}); {_REGENERATE}") from None
    if data.get("format") != FORMAT_VERSION:
        raise PacelineError(
            f"paceline/{path} has format {data.get('format')!r}, this paceline reads {FORMAT_VERSION}; {_REGENERATE}"
        )
    return data


@functools.cache
def drafting_params() -> DraftParams:
    """The best fit of the drafting surrogate to the published studies (study effect 1: a typical study).

    Returns
    -------
    DraftParams
        The parameters stored in ``data/fitted/drafting.json`` (see :func:`paceline.fit.drafting.fit`).
    """
    return DraftParams(**_record(DRAFTING_FILE)["fit"]["params"])


@functools.cache
def _stored_draws() -> tuple[DraftParams, ...]:
    d = _record(DRAFTING_FILE)["draws"]
    names = d["names"]
    return tuple(DraftParams(**dict(zip(names, row, strict=True))) for row in d["values"])


@functools.cache
def drafting_draws(n: int = 200, seed: int = 0) -> tuple[DraftParams, ...]:
    """Parameter draws of the drafting surrogate that keep the spread of the studies (shipped, not refitted).

    The file holds 200 bootstrap refits made with seed 0 (:func:`paceline.fit.drafting.parameter_draws`). With
    ``seed`` 0 the first ``n`` of them are returned, exactly the draws a refit with that seed gives; another seed
    picks ``n`` of the 200 at random (without replacement) with ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    n : int
        Number of draws, 1 to the number stored (200).
    seed : int
        Seed (0: the stored order).

    Returns
    -------
    tuple of DraftParams
    """
    stored = _stored_draws()
    stored_seed = int(_record(DRAFTING_FILE)["draws"]["seed"])
    if not 1 <= n <= len(stored):
        raise ScenarioError(
            f"{n} drafting draws is not allowed; 1 to {len(stored)} ship with paceline (refit more with "
            f"paceline.fit.drafting.parameter_draws)",
            "n",
        )
    if seed == stored_seed:
        return stored[:n]
    pick = np.random.default_rng(seed).choice(len(stored), size=n, replace=False)
    return tuple(stored[int(i)] for i in pick)


def drafting_fit_info() -> dict[str, Any]:
    """What the shipped drafting fit says about itself: provenance, inputs' hashes, errors, study effects.

    Returns
    -------
    dict
        The file without its draws (a copy): ``provenance``, ``made_by``, ``inputs``, ``fit`` (``params``,
        ``params_sd``, ``n`` studies, ``rms_error``, ``loo_mean_abs_error_pct``, ``study_effects``, ``studies``)
        and ``n_draws``.
    """
    data = _record(DRAFTING_FILE)
    out = {k: copy.deepcopy(v) for k, v in data.items() if k != "draws"}
    out["n_draws"] = len(data["draws"]["values"])
    return out


def shipped_oc_fit(key: str) -> dict[str, Any] | None:
    """The shipped optimal-control fit whose inputs have the content key ``key`` (``{"key", "params"}``, a copy), or
    None: not shipped, or the file is missing or unreadable (the fit is then computed; never an error)."""
    try:
        entry = _record(OC_FITS_FILE).get("fits", {}).get(key)
    except PacelineError as exc:
        log.debug("no shipped optimal-control fits: %s", exc)
        return None
    return copy.deepcopy(entry) if isinstance(entry, dict) else None
