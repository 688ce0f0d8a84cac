"""The optimal-control fits of the bundled scenarios' athletes, shipped as data (``data/fitted/optimal_control.json``).

A fit takes about half a second (:func:`paceline.fit.optimal_control.fit_params`); every bundled scenario's athlete
is fitted the same way in every new installation, so her fit ships with paceline under the content key of its inputs
(:func:`paceline.fit.optimal_control._cache_key`: performances, body, air cost, the fit's version and the physics it
reads) and is used only when a scenario's inputs hash to that key (:func:`paceline.io.fitted.shipped_oc_fit`).
Regenerate after a change of the fit or of a bundled athlete::

    python -m paceline.fit.oc_shipped --write    # refit every bundled athlete, write the data file
    python -m paceline.fit.oc_shipped --check    # refit and compare (exit 1 if the file is stale or differs)
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from typing import Any

from paceline.io.fitted import FORMAT_VERSION, OC_FITS_FILE

log = logging.getLogger(__name__)

#: Relative tolerance of ``--check`` between a refit's parameters and the shipped ones.
CHECK_RTOL = 1e-6


def bundled_fit_inputs() -> dict[str, dict[str, Any]]:
    """The fit inputs of every bundled scenario's athlete with performances, under each air cost, by content key:
    ``{key: {"athlete", "perf_key", "height_m", "mass_kg", "aero_cost"}}`` (no fit run)."""
    from paceline.fit import optimal_control as fo
    from paceline.fit.paced import solo_equivalents
    from paceline.io.scenario import bundled_scenario_names, load_scenario
    from paceline.models.keller import AERO_COSTS

    out: dict[str, dict[str, Any]] = {}
    for name in bundled_scenario_names():
        ath = load_scenario(name).athlete
        perfs = solo_equivalents(ath)
        if not perfs:
            continue
        pk = fo.perf_key(perfs)
        for aero_cost in AERO_COSTS:
            key = fo._cache_key(pk, float(ath.height_m), float(ath.mass_kg), aero_cost)
            out[key] = {
                "athlete": ath.name,
                "perf_key": pk,
                "height_m": float(ath.height_m),
                "mass_kg": float(ath.mass_kg),
                "aero_cost": aero_cost,
            }
    return out


def shipped_record() -> dict[str, Any]:
    """The data file's content: every bundled athlete's fit (:func:`bundled_fit_inputs`) computed afresh."""
    from paceline.fit.optimal_control import fit_params

    fits = {}
    for key, inp in sorted(bundled_fit_inputs().items()):
        params = fit_params(inp["perf_key"], inp["height_m"], inp["mass_kg"], inp["aero_cost"])
        fits[key] = {"key": key, "athlete": inp["athlete"], "params": params.to_dict()}
        log.info("%s (%s air cost): %s", inp["athlete"], inp["aero_cost"], key[:12])
    return {"format": FORMAT_VERSION, "made_by": "python -m paceline.fit.oc_shipped --write", "fits": fits}


def differences(refit: dict[str, Any], shipped: dict[str, Any]) -> list[str]:
    """Keys whose shipped fit is missing, stale (no bundled athlete's inputs) or differs from the refit."""
    a, b = refit["fits"], shipped.get("fits", {})
    out = sorted(set(a) ^ set(b))
    for key in set(a) & set(b):
        pa, pb = a[key]["params"], b[key]["params"]
        if set(pa) != set(pb) or any(
            pa[k] != pb[k] if isinstance(pa[k], str) else not math.isclose(pa[k], pb[k], rel_tol=CHECK_RTOL) for k in pa
        ):
            out.append(key)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m paceline.fit.oc_shipped [--write | --check] [--out PATH]``."""
    from paceline.fit.refit import refit_command

    return refit_command(
        argv,
        prog="python -m paceline.fit.oc_shipped",
        description=__doc__.splitlines()[0],
        data_file=OC_FITS_FILE,
        make_record=shipped_record,
        dumps=lambda r: json.dumps(r, indent=1, sort_keys=True) + "\n",
        differences=lambda new, old: [k[:12] for k in differences(new, old)],
        summary=lambda r: f"{len(r['fits'])} fits",
    )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
