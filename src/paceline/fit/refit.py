"""The one maintainer's command for fitted data the package ships: refit and write it, or refit and compare.

``python -m paceline.fit.drafting`` and ``python -m paceline.fit.oc_shipped`` both run :func:`refit_command`:
``--write`` refits and writes the data file whole (:func:`paceline.io.outputs.write_text_atomic`), ``--check``
refits and compares with it (exit 1 when they differ), ``--out PATH`` names another file than the package's own.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def package_path(data_file: str) -> Path:
    """The path of ``data_file`` (``data/...``, ``/``-separated) inside the installed package."""
    return Path(str(resources.files("paceline").joinpath(*data_file.split("/"))))


def refit_command(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str,
    data_file: str,
    make_record: Callable[[], dict[str, Any]],
    dumps: Callable[[dict[str, Any]], str],
    differences: Callable[[dict[str, Any], dict[str, Any]], list[str]],
    summary: Callable[[dict[str, Any]], str],
) -> int:
    """Parse ``argv``, refit with ``make_record`` and write (``dumps``) or compare (``differences``: the names of what
    differs, empty when the file matches). Returns the exit code: 0, or 1 when ``--check`` finds a difference."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="refit and write the data file")
    mode.add_argument("--check", action="store_true", help="refit and compare with the data file (exit 1 if not)")
    parser.add_argument("--out", type=Path, default=None, help=f"data file (default: the package's {data_file})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = args.out or package_path(data_file)
    record = make_record()
    if args.write:
        from paceline.io.outputs import write_text_atomic

        write_text_atomic(path, dumps(record), "--out")
        log.info("wrote %s (%s)", path, summary(record))
        return 0
    diff = differences(record, json.loads(path.read_text(encoding="utf-8")))
    if diff:
        log.error("%s differs from a refit in: %s; rerun with --write", path, ", ".join(diff))
        return 1
    log.info("%s matches a refit", path)
    return 0
