"""Athletes known to paceline, and the one rule for the body of an athlete nobody described.

``data/reference/athletes.csv`` lists athletes with their height, mass, sex and performances, each with a source in
the file's header. :func:`body_for` is the only place that decides which body to use when a command or a race file
gives none: the named athlete's from that file, else a generic body that is marked as an assumption. Every caller
prints the :class:`Body`'s ``source`` next to the result.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

#: Body assumed for an athlete that is not in the reference data [m], [kg]. An assumption, not a measurement: the
#: middle of the range of elite middle-distance runners' listed heights and masses; every output that uses it says so.
GENERIC_HEIGHT_M = 1.70
GENERIC_MASS_KG = 55.0


@dataclass(frozen=True)
class Body:
    """An athlete's height [m] and mass [kg], and where they come from."""

    height_m: float
    mass_kg: float
    source: str

    @property
    def label(self) -> str:
        """``1.57 m, 42 kg (source)`` for tables."""
        return f"{self.height_m:g} m, {self.mass_kg:g} kg ({self.source})"


@functools.cache
def reference_athletes() -> dict[str, dict[str, Any]]:
    """Athletes in ``data/reference/athletes.csv`` by name: ``name``, ``height_m``, ``mass_kg``, ``sex`` and
    ``performances`` (a list of ``{distance_m, time_s[, date]}``)."""
    text = (resources.files("paceline") / "data" / "reference" / "athletes.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out: dict[str, dict[str, Any]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        a = out.setdefault(
            row["athlete"],
            {
                "name": row["athlete"],
                "height_m": float(row["height_m"]),
                "mass_kg": float(row["mass_kg"]),
                "sex": row["sex"],
                "performances": [],
            },
        )
        perf: dict[str, Any] = {"distance_m": float(row["event_m"]), "time_s": float(row["time_s"])}
        if row.get("date"):
            perf["date"] = row["date"]
        a["performances"].append(perf)
    return out


def body_for(name: str | None = None, height_m: float | None = None, mass_kg: float | None = None) -> Body:
    """The body to use for an athlete: what is given, else the named reference athlete's, else the generic body.

    Parameters
    ----------
    name : str, optional
        The athlete's name, looked up in ``data/reference/athletes.csv``.
    height_m, mass_kg : float, optional
        Given values [m], [kg]; each one given wins over the looked-up or generic value.

    Returns
    -------
    Body
        Height, mass and a ``source`` that says which of the three each came from.
    """
    known = reference_athletes().get(name or "")
    if known is not None:
        h0, m0, src = known["height_m"], known["mass_kg"], f"{name}, reference/athletes.csv"
    else:
        h0, m0, src = GENERIC_HEIGHT_M, GENERIC_MASS_KG, "assumed generic body (athlete not in the reference data)"
    if height_m is not None and mass_kg is not None:
        return Body(float(height_m), float(mass_kg), "given")
    if height_m is None and mass_kg is None:
        return Body(h0, m0, src)
    return Body(
        float(height_m if height_m is not None else h0),
        float(mass_kg if mass_kg is not None else m0),
        f"{'height' if height_m is not None else 'mass'} given, the other from the {src}",
    )
