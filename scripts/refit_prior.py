"""Refit the performance model's population prior on the shipped tables and write it into the source tree
(``src/paceline/data/performances/prior.json``): a maintainer's step after editing a table of
``data/performances`` (``tests/fit/test_performance_model.py`` says when the stored prior is stale). The library
never writes into its own package; at run time a stale or missing prior is refitted in memory.

Usage: ``python scripts/refit_prior.py``
"""

from __future__ import annotations

import json
from pathlib import Path

from paceline.fit.performance_model import prior_record
from paceline.io.outputs import write_text_atomic
from paceline.io.performance_tables import PRIOR_FILE

TARGET = Path(__file__).resolve().parents[1] / "src" / "paceline" / "data" / "performances" / PRIOR_FILE

if __name__ == "__main__":
    print(write_text_atomic(TARGET, json.dumps(prior_record(), indent=2) + "\n", "prior"))
