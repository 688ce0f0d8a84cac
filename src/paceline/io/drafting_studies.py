"""The published drafting studies (``data/reference/drafting_studies.csv``) with each configuration as slots.

Each row of the CSV is one published drag reduction for one configuration of runners. :data:`STUDY_GEOMETRY` turns
every configuration into ``(dx, dy)`` positions of the other runners relative to the sheltered one [m], with every
geometric assumption written down and whether the distances are the study's or assumed here. The weights used by
the fit (:mod:`paceline.fit.drafting`) are set here: status "checked" 1.0, "unverified" 0.3; a configuration whose
distances the study does not give counts 0.6 of that.

References
----------
See :mod:`paceline.physics.drafting` and the CSV's rows.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import resources

from paceline.errors import ScenarioError
from paceline.jsonable import content_key

__all__ = [
    "STUDIES_CSV",
    "STUDY_GEOMETRY",
    "Study",
    "load_studies",
    "studies_csv_sha256",
    "studies_sha256",
]

#: Where the studies live inside the package.
STUDIES_CSV = "data/reference/drafting_studies.csv"
#: Weight of a study row by its status in drafting_studies.csv.
STATUS_WEIGHT: dict[str, float] = {"checked": 1.0, "unverified": 0.3}
#: Extra factor on the weight of a row whose distances the study does not give (geometry assumed here).
ASSUMED_GEOMETRY_WEIGHT = 0.6


@dataclass(frozen=True)
class Study:
    """One row of drafting_studies.csv with the configuration built as slots.

    Attributes
    ----------
    study, year, method, configuration, status, note : str
        As in the CSV.
    gap_m : float or None
        Gap to the nearest runner ahead given by the study [m].
    reduction : float
        Published drag reduction [-].
    slots : tuple of (dx_m, dy_m)
        Other runners relative to the sheltered runner [m].
    geometry : str
        Where the slots come from (every assumption).
    geometry_assumed : bool
        True when the study gives no distances and they are assumed here.
    weight : float
        Least-squares weight: status weight times ``ASSUMED_GEOMETRY_WEIGHT`` when the geometry is assumed.
    """

    study: str
    year: str
    method: str
    configuration: str
    gap_m: float | None
    reduction: float
    status: str
    note: str
    slots: tuple[tuple[float, float], ...]
    geometry: str
    geometry_assumed: bool
    weight: float

    @property
    def label(self) -> str:
        """Short label for plots and tables."""
        return f"{self.study} {self.year}: {self.configuration}".strip()


#: Lateral half-spacing of two runners abreast [m] (shoulder to shoulder, arms free: centres about 1.2 m apart).
ABREAST_HALF_M = 0.6
#: Spacing of runners in line when a study gives none [m] (about two strides at race pace, Polidori et al. 2020).
INLINE_GAP_M = 1.3


def _inline(n_ahead: int, gap: float = INLINE_GAP_M) -> tuple[tuple[float, float], ...]:
    return tuple((gap * (i + 1), 0.0) for i in range(n_ahead))


_INEOS = ((1.3, 0.0), (2.3, -0.8), (2.3, 0.8), (3.3, -1.6), (3.3, 1.6), (-1.0, -0.9), (-1.0, 0.9))
_INEOS_NOTE = (
    "INEOS 1:59 (2019): five pacers ahead in an inverted V whose point is 1.3 m ahead of the athlete, arms 1.0 m "
    "apart along the track and 0.8 m apart laterally per step; two pacers 1.0 m behind at +-0.9 m (assumed from "
    "photographs and press descriptions; the studies give no distances)"
)

#: Configuration of every study row as (dx, dy) slots, keyed by (study, configuration) as in the CSV,
#: with the geometric assumptions written out and whether the distances are assumed.
STUDY_GEOMETRY: dict[tuple[str, str], tuple[tuple[tuple[float, float], ...], str, bool]] = {
    ("Pugh", "one runner directly ahead"): (((1.0, 0.0),), "one runner 1.0 m ahead (gap from the study)", False),
    ("Polidori et al.", "one runner directly ahead"): (((1.3, 0.0),), "one runner 1.3 m ahead (study)", False),
    ("Polidori et al.", "two runners abreast ahead"): (
        ((1.3, -ABREAST_HALF_M), (1.3, ABREAST_HALF_M)),
        "behind the gap between two pacers abreast 1.3 m ahead (study); pacer centres 1.2 m apart (assumed)",
        False,
    ),
    ("Beaumont et al.", "two runners ahead"): (
        ((1.3, -ABREAST_HALF_M), (1.3, ABREAST_HALF_M)),
        "two pace makers abreast ahead, as in the same group's Polidori et al. (2020) set-up: 1.3 m ahead, "
        "centres 1.2 m apart (assumed; the on-track test gives no distances)",
        True,
    ),
    ("Schickhofer and Hanson", "best of four formations"): (
        ((1.0, 0.0), (2.0, 0.0)),
        "best formation taken as two pacers in line ahead, 1.0 m and 2.0 m (assumed: the abstract says more than "
        "70 % comes from fairly simple formations and runners on the sides hurt)",
        True,
    ),
    ("Schickhofer and Hanson", "one runner directly ahead"): (
        ((1.0, 0.0),),
        "one runner 1.0 m ahead (gap from the forum citation)",
        False,
    ),
    ("Schickhofer and Hanson", "one ahead and one behind"): (
        ((1.0, 0.0), (-1.0, 0.0)),
        "one runner 1.0 m ahead, one 1.0 m behind (gap from the forum citation; behind assumed equal)",
        False,
    ),
    ("Li et al.", "one runner directly ahead (2 runners)"): (
        ((1.0, 0.0),),
        "one pacer 1.0 m ahead (assumed: the abstract says the best value is at minimal longitudinal spacing)",
        True,
    ),
    ("Li et al.", "one ahead and one behind"): (
        ((1.0, 0.0), (-1.0, 0.0)),
        "pacers 1.0 m ahead and 1.0 m behind (assumed, minimal spacing as above)",
        True,
    ),
    ("Li et al.", "three ahead in a V (4 runners)"): (
        ((1.0, 0.0), (1.5, -0.6), (1.5, 0.6)),
        "V of three ahead, its point 1.0 m ahead of the athlete, two wings 0.5 m further ahead at +-0.6 m "
        "(assumed: 'directly behind the three pacemakers in a V-shaped formation with close longitudinal spacing')",
        True,
    ),
    ("Li et al.", "Kipchoge 2019 formation (5 V ahead + 2 behind)"): (_INEOS, _INEOS_NOTE, True),
    ("Marro et al.", "Kipchoge 2019 formation (5 V ahead + 2 behind)"): (_INEOS, _INEOS_NOTE, True),
    ("Marro et al.", "best of three new 6-7 pacer formations"): (
        ((1.3, 0.0), (2.6, -0.6), (2.6, 0.6), (3.9, 0.0), (5.2, 0.0), (-1.0, -0.9), (-1.0, 0.9)),
        "'swordfish' / lower-case t: five pacers ahead (one 1.3 m ahead, a pair abreast 1.3 m further at +-0.6 m, "
        "two in line ahead of the pair, 1.3 m apart) plus two behind as in the INEOS formation (assumed from the "
        "press description)",
        True,
    ),
    ("(in-line CFD)", "2 runners in line (last runner)"): (
        _inline(1),
        "runners in line 1.3 m apart (assumed)",
        True,
    ),
    ("(in-line CFD)", "3 runners in line (last runner)"): (
        _inline(2),
        "runners in line 1.3 m apart (assumed)",
        True,
    ),
    ("(in-line CFD)", "4 runners in line (last runner)"): (
        _inline(3),
        "runners in line 1.3 m apart (assumed)",
        True,
    ),
}


def _read_studies_csv() -> list[dict[str, str]]:
    text = _studies_csv_text()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


@functools.cache
def load_studies() -> tuple[Study, ...]:
    """The published drafting studies with their configurations as slots.

    Rows with a gap in the CSV put the nearest runner ahead at that gap (the runners ahead of the geometry table's
    configuration are moved along the track together).

    Returns
    -------
    tuple of Study
        One entry per row of ``data/reference/drafting_studies.csv``.
    """
    out = []
    for i, row in enumerate(_read_studies_csv()):
        key = (row["study"].strip(), row["configuration"].strip())
        if key not in STUDY_GEOMETRY:
            raise ScenarioError(f"no geometry for study row {key}; add it to STUDY_GEOMETRY", f"drafting_studies[{i}]")
        slots, note, assumed = STUDY_GEOMETRY[key]
        gap = float(row["gap_m"]) if row["gap_m"].strip() else None
        if gap is not None:
            # the CSV's gap wins: shift the runners ahead so the nearest one is at that gap
            shift = gap - min(dx for dx, _ in slots if dx > 0)
            if abs(shift) > 1e-12:
                slots = tuple((dx + shift if dx > 0 else dx, dy) for dx, dy in slots)
                note = f"{note}; runners ahead moved to the row's gap of {gap:g} m"
        status = row["status"].strip()
        weight = STATUS_WEIGHT.get(status, STATUS_WEIGHT["unverified"]) * (ASSUMED_GEOMETRY_WEIGHT if assumed else 1.0)
        out.append(
            Study(
                study=key[0],
                year=row["year"].strip(),
                method=row["method"].strip(),
                configuration=key[1],
                gap_m=gap,
                reduction=float(row["reduction"]),
                status=status,
                note=row.get("note", "") or "",
                slots=slots,
                geometry=note,
                geometry_assumed=assumed,
                weight=weight,
            )
        )
    return tuple(out)


def _studies_csv_bytes() -> bytes:
    return resources.files("paceline").joinpath(*STUDIES_CSV.split("/")).read_bytes()


def _studies_csv_text() -> str:
    return _studies_csv_bytes().decode("utf-8")


def studies_csv_sha256() -> str:
    """SHA-256 of ``drafting_studies.csv`` as shipped (hex), the input the shipped fit records."""
    return hashlib.sha256(_studies_csv_bytes()).hexdigest()


def studies_sha256(studies: Sequence[Study]) -> str:
    """SHA-256 (hex) of the studies as fitted: the CSV's values with the geometry and weights set here.

    The CSV's hash misses a change of :data:`STUDY_GEOMETRY` or of the weights; this one does not.
    """
    return content_key([asdict(s) for s in studies])
