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

import argparse
import json
import logging
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
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
    parser = argparse.ArgumentParser(prog="python -m paceline.fit.oc_shipped", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="refit and write the data file")
    mode.add_argument("--check", action="store_true", help="refit and compare with the data file (exit 1 if not)")
    parser.add_argument("--out", type=Path, default=None, help=f"data file (default: the package's {OC_FITS_FILE})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = args.out or Path(str(resources.files("paceline").joinpath(*OC_FITS_FILE.split("/"))))
    record = shipped_record()
    if args.write:
        path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        log.info("wrote %s (%d fits)", path, len(record["fits"]))
        return 0
    diff = differences(record, json.loads(path.read_text(encoding="utf-8")))
    if diff:
        log.error("%s differs from a refit at: %s; rerun with --write", path, ", ".join(k[:12] for k in diff))
        return 1
    log.info("%s matches a refit", path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
