"""Every benchmark figure (:mod:`paceline.studies.uncertainty.bench`, the implementation ``paceline bench`` runs too).

Run ``python benchmarks/bench.py [--quick] [--json] [--no-write]``. It prints the figures and merges them into
``benchmarks/results.json`` (read-modify-write: keys other scripts write are kept).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from paceline.cli.uncertainty_cmds import web_resolve_ms
from paceline.studies.uncertainty.bench import publish, run

RESULTS = Path(__file__).with_name("results.json")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and draws")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-write", action="store_true", help="do not update results.json")
    args = ap.parse_args()
    out = run(args.quick, probes={"web_resolve_ms": web_resolve_ms})
    publish(out, RESULTS, write=not args.no_write, as_json=args.json)


if __name__ == "__main__":
    main()
