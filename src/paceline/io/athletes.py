"""Athletes known to paceline, and the one rule for the body of an athlete nobody described.

``data/reference/athletes.csv`` lists athletes with their height, mass, sex and performances, each with a source in
the file's header. :func:`body_for` is the only place that decides which body to use when a command or a race file
gives none: the named athlete's from that file, else (when her sex is known) the median listed body of elite runners
of that sex (``data/performances/athlete_bodies.csv``, every row with its source), else a generic body that is marked
as an assumption. Given values outside human ranges are refused. Every caller
prints the :class:`Body`'s ``source`` next to the result.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

from paceline.errors import ScenarioError

#: Body assumed for an athlete that is not in the reference data [m], [kg]. An assumption, not a measurement: the
#: middle of the range of elite middle-distance runners' listed heights and masses; every output that uses it says so.
GENERIC_HEIGHT_M = 1.70
GENERIC_MASS_KG = 55.0
#: Bodies accepted as human [m], [kg] (the scenario file's limits).
HEIGHT_RANGE_M = (1.2, 2.2)
MASS_RANGE_KG = (30.0, 120.0)


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


@functools.cache
def listed_bodies() -> dict[str, Body]:
    """Listed bodies of elite runners (``data/performances/athlete_bodies.csv``) by name in lower case (casefolded),
    each with its source."""
    out: dict[str, Body] = {}
    for r in _listed_rows():
        out[r["athlete"].casefold()] = Body(
            float(r["height_m"]),
            float(r["mass_kg"]),
            f"{r['athlete']}'s listed body (data/performances/athlete_bodies.csv: {r['source']})",
        )
    return out


@functools.cache
def _listed_rows() -> tuple[dict[str, str], ...]:
    text = (resources.files("paceline") / "data" / "performances" / "athlete_bodies.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return tuple(csv.DictReader(io.StringIO("\n".join(lines))))


def _reference(name: str | None) -> dict[str, Any] | None:
    """The reference athlete of that name, matched without regard to case."""
    if not name:
        return None
    by_case = {k.casefold(): v for k, v in reference_athletes().items()}
    return by_case.get(name.casefold())


def reference_sex(name: str | None) -> str | None:
    """Sex of a named athlete of the reference data or the listed bodies (any case), else None (unknown)."""
    known = _reference(name)
    if known is not None:
        return str(known["sex"])
    for r in _listed_rows():
        if name and r["athlete"].casefold() == name.casefold():
            return r["sex"]
    return None


@dataclass(frozen=True)
class Pronouns:
    """The words user-facing text uses for the athlete: ``subject`` (she/he), ``object`` (her/him),
    ``possessive`` (her/his, before a noun) and ``absolute`` (hers/his, standing alone)."""

    subject: str
    object: str
    possessive: str
    absolute: str


_PRONOUNS = {"F": Pronouns("she", "her", "her", "hers"), "M": Pronouns("he", "him", "his", "his")}


def pronouns(sex: str) -> Pronouns:
    """The pronouns of an athlete of sex ``F`` or ``M`` (a scenario's ``athlete.sex``) for outputs that name her or
    him, e.g. ``pronouns("M").possessive`` is ``his``.

    Raises
    ------
    ScenarioError
        ``sex``: not ``F`` or ``M``.
    """
    try:
        return _PRONOUNS[sex]
    except KeyError:
        raise ScenarioError(f"{sex!r} is not allowed; use F or M", "sex") from None


@functools.cache
def sex_default_body(sex: str) -> Body:
    """The median listed height and mass of the elite runners of one sex in ``data/performances/athlete_bodies.csv``.

    Raises
    ------
    ScenarioError
        If ``sex`` is not ``F`` or ``M``.
    """
    if sex not in ("F", "M"):
        raise ScenarioError(f"{sex!r} is not allowed; use F or M", "sex")
    rows = [r for r in _listed_rows() if r["sex"] == sex]
    h = sorted(float(r["height_m"]) for r in rows)
    m = sorted(float(r["mass_kg"]) for r in rows)

    def median(v: list[float]) -> float:
        n = len(v)
        return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])

    who = "women" if sex == "F" else "men"
    return Body(
        round(median(h), 3),
        round(median(m), 2),
        f"median of {len(rows)} elite {who}'s listed bodies (data/performances/athlete_bodies.csv)",
    )


def _check_human(height_m: float | None, mass_kg: float | None) -> None:
    for value, (lo, hi), field, unit in (
        (height_m, HEIGHT_RANGE_M, "height_m", "m"),
        (mass_kg, MASS_RANGE_KG, "mass_kg", "kg"),
    ):
        if value is not None and not lo <= value <= hi:
            raise ScenarioError(f"{value:g} {unit} is not a human body; allowed {lo:g} to {hi:g} {unit}", field)


def body_for(
    name: str | None = None, height_m: float | None = None, mass_kg: float | None = None, sex: str | None = None
) -> Body:
    """The body to use for an athlete: what is given, else the named reference athlete's, else her listed body
    (``data/performances/athlete_bodies.csv``), else the median body of her sex (when given), else the generic body.
    Names match without regard to case.

    Parameters
    ----------
    name : str, optional
        The athlete's name, looked up in ``data/reference/athletes.csv`` and ``data/performances/athlete_bodies.csv``.
    height_m, mass_kg : float, optional
        Given values [m], [kg]; each one given wins over the looked-up or default value.
    sex : str, optional
        ``F`` or ``M``: picks the default body (:func:`sex_default_body`) of an athlete not in the reference data.

    Returns
    -------
    Body
        Height, mass and a ``source`` that says which of these each came from.

    Raises
    ------
    ScenarioError
        A given height or mass outside :data:`HEIGHT_RANGE_M` / :data:`MASS_RANGE_KG` (field ``height_m`` /
        ``mass_kg``), or a sex other than F or M (field ``sex``).
    """
    _check_human(height_m, mass_kg)
    known = _reference(name)
    listed = listed_bodies().get((name or "").casefold())
    if known is not None:
        h0, m0, src = known["height_m"], known["mass_kg"], f"{known['name']}, reference/athletes.csv"
    elif listed is not None:
        h0, m0, src = listed.height_m, listed.mass_kg, listed.source
    elif sex is not None:
        default = sex_default_body(sex)
        h0, m0, src = default.height_m, default.mass_kg, default.source
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


def athlete_id(name: str, given_id: str | None = None) -> str:
    """An athlete's id: the one given, else her name in lower case with runs of other characters as one dash
    (``Faith Kipyegon`` -> ``faith-kipyegon``). Scenarios, races and athlete files refer to her by it."""
    import re

    if given_id:
        return given_id
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
