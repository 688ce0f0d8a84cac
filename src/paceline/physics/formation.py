"""Formations: pacer slots in along-track / lateral coordinates relative to the athlete (pure data).

A slot ``(dx, dy)`` puts a pacer ``dx`` metres ahead of the athlete along the track (centre to centre; negative:
behind) and ``dy`` metres further from the kerb (negative: nearer). Slots are held in track coordinates through the
bends (see :mod:`paceline.physics.lines`), so a formation keeps its shape all the way round.

Loading formations from files and writing them lives in :mod:`paceline.io.formations`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

__all__ = ["Formation", "Slot", "with_slots"]


@dataclass(frozen=True)
class Slot:
    """One pacer position relative to the athlete.

    Attributes
    ----------
    name : str
        Label of the slot ("front", "left-1").
    dx_m : float
        Along-track gap, centre to centre [m]; positive: ahead of the athlete.
    dy_m : float
        Lateral offset [m]; positive: further from the kerb than the athlete.
    """

    name: str
    dx_m: float
    dy_m: float


@dataclass(frozen=True)
class Formation:
    """A named set of slots with where its geometry comes from.

    Attributes
    ----------
    name : str
        Formation name.
    slots : tuple of Slot
        Pacer slots (empty for ``solo``).
    description : str
        What it is.
    source : str
        Citation, or the assumptions behind the geometry.
    athlete_offset_m : float
        The athlete's lateral offset from the kerb [m] while in this formation.
    assumptions : tuple of str
        Each assumption made where the literature gives no number.
    """

    name: str
    slots: tuple[Slot, ...]
    description: str = ""
    source: str = ""
    athlete_offset_m: float = 0.30
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def n_pacers(self) -> int:
        """Number of pacer slots."""
        return len(self.slots)


def with_slots(formation: Formation, slots: Sequence[Slot]) -> Formation:
    """A copy of ``formation`` with other slots (same name, offset and provenance).

    Parameters
    ----------
    formation : Formation
        The formation to copy.
    slots : sequence of Slot
        The new slots.

    Returns
    -------
    Formation
    """
    return replace(formation, slots=tuple(slots))
