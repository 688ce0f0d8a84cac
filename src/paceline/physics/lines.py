"""Pacer lines through the bends: the distance and speed each pacer needs to hold its slot.

Formations are held in track coordinates (:mod:`paceline.physics.formation`): on a bend of kerb radius ``R`` a pacer
at lateral offset ``d`` from the kerb beside an athlete at ``a`` runs ``(R + d) / (R + a)`` times her speed, and over
a stretch ``(d - a) x (bend angle covered)`` metres more (2 pi (d - a) per lap: 6.28 m per lap for 1 m further
out). On the straights both run the same speed.

References
----------
World Athletics Track and Field Facilities Manual (2019): running-line lengths.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from paceline.errors import ScenarioError
from paceline.physics.formation import Formation, Slot
from paceline.physics.track import STANDARD_TRACK, TrackGeometry, bend_angle_between

__all__ = ["PacerLine", "check_slots", "pacer_lines"]


@dataclass(frozen=True)
class PacerLine:
    """The line a pacer runs to hold a slot through the bends.

    Attributes
    ----------
    slot : str
        Slot name.
    dx_m, dy_m : float
        Slot relative to the athlete [m].
    offset_m : float
        The pacer's lateral offset from the kerb [m].
    distance_m : float
        Distance the pacer runs between the two track coordinates [m].
    extra_m : float
        Extra distance against the athlete's own line over the same stretch [m].
    speed_ratio : float
        Mean speed needed relative to the athlete over the stretch [-].
    speed_ratio_bend : float
        Speed ratio needed on the bends [-] (1 on the straights).
    laps : tuple of (float, float, float, float)
        Per lap (or part lap): track coordinates from and to [m], extra distance [m], mean speed ratio [-].
    """

    slot: str
    dx_m: float
    dy_m: float
    offset_m: float
    distance_m: float
    extra_m: float
    speed_ratio: float
    speed_ratio_bend: float
    laps: tuple[tuple[float, float, float, float], ...]

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (for JSON)."""
        d = asdict(self)
        d["laps"] = [
            {"from_m": a, "to_m": b, "extra_m": round(e, 4), "speed_ratio": round(r, 5)} for a, b, e, r in self.laps
        ]
        return d


def check_slots(formation: Formation, track: TrackGeometry = STANDARD_TRACK, lanes: int | None = None) -> None:
    """Raise :class:`ScenarioError` naming the slot if a runner is inside the kerb or beyond the allowed lanes.

    Parameters
    ----------
    formation : Formation
        Slots and the athlete's offset from the kerb.
    track : TrackGeometry
        Track dimensions.
    lanes : int, optional
        Number of lanes the formation may use (default: every lane of the track).
    """
    n_lanes = track.lanes if lanes is None else lanes
    if not 1 <= n_lanes <= track.lanes:
        raise ScenarioError(f"{n_lanes} lanes is not allowed; 1 to {track.lanes}", "lanes")
    outer = n_lanes * track.lane_width_m
    a = formation.athlete_offset_m
    if not 0.0 <= a <= outer:
        raise ScenarioError(
            f"the athlete would run {a:.2f} m from the kerb; allowed 0 to {outer:.2f} m ({n_lanes} lanes)",
            f"{formation.name}.athlete_offset_m",
        )
    for i, s in enumerate(formation.slots):
        d = a + s.dy_m
        if d < 0.0:
            raise ScenarioError(
                f"slot {s.name!r} would run {d:.2f} m from the kerb, inside it; move it outward by {-d:.2f} m or "
                f"move the athlete out",
                f"{formation.name}.slots[{i}]",
            )
        if d > outer:
            raise ScenarioError(
                f"slot {s.name!r} would run {d:.2f} m from the kerb, beyond the {n_lanes} allowed lanes "
                f"({outer:.2f} m); move it inward by {d - outer:.2f} m",
                f"{formation.name}.slots[{i}]",
            )


def pacer_lines(
    formation: Formation,
    s_ref_start: float,
    s_ref_end: float,
    track: TrackGeometry = STANDARD_TRACK,
    lanes: int | None = None,
) -> list[PacerLine]:
    """Distance and speed each pacer needs to hold its slot between two track coordinates.

    Slots are held in track coordinates: a pacer at lateral offset ``d`` from the kerb beside an athlete at
    ``a`` runs ``(R + d) / (R + a)`` times her speed on the bends (``R`` the kerb radius) and her speed on the
    straights; over a stretch it runs ``(d - a) x (bend angle covered)`` metres more.

    Parameters
    ----------
    formation : Formation
        Slots and the athlete's offset.
    s_ref_start, s_ref_end : float
        Track coordinates of the athlete at the start and end of the stretch [m] (lane-1 line from the finish
        line; may exceed a lap). The pacer's stretch is shifted by its ``dx``.
    track : TrackGeometry
        Track dimensions.
    lanes : int, optional
        Lanes the formation may use (default: all); a slot beyond them or inside the kerb is an error.

    Returns
    -------
    list of PacerLine
        One per slot, in slot order.

    References
    ----------
    World Athletics Track and Field Facilities Manual (2019): running-line lengths.
    """
    if not s_ref_end >= s_ref_start:
        raise ScenarioError(f"end {s_ref_end} is before start {s_ref_start}; allowed end >= start", "s_ref_end")
    check_slots(formation, track, lanes)
    edges = _lap_edges(s_ref_start, s_ref_end, track.lap_m)
    return [_slot_line(s, formation.athlete_offset_m, edges, track) for s in formation.slots]


def _lap_edges(s_ref_start: float, s_ref_end: float, lap_m: float) -> list[float]:
    """The stretch cut at every finish-line crossing [m]."""
    edges = [s_ref_start]
    k = math.floor(s_ref_start / lap_m) + 1
    while k * lap_m < s_ref_end - 1e-9:
        edges.append(k * lap_m)
        k += 1
    edges.append(s_ref_end)
    return edges


def _slot_line(slot: Slot, athlete_offset_m: float, edges: list[float], track: TrackGeometry) -> PacerLine:
    """The line of one slot over the stretch cut at ``edges`` (athlete at ``athlete_offset_m`` from the kerb)."""
    a = athlete_offset_m
    d = a + slot.dy_m
    laps = []
    total_extra = 0.0
    total_ath = 0.0
    starts, ends = np.asarray(edges[:-1], dtype=float), np.asarray(edges[1:], dtype=float)
    angles = np.atleast_1d(bend_angle_between(starts + slot.dx_m, ends + slot.dx_m, track))  # one call per stretch
    angles_ath = np.atleast_1d(bend_angle_between(starts, ends, track))
    for (s0, s1), ang, ang_ath in zip(itertools.pairwise(edges), angles.tolist(), angles_ath.tolist(), strict=True):
        ath = (s1 - s0) + (a - track.lane1_line_m) * ang_ath
        pac = (s1 - s0) + (d - track.lane1_line_m) * ang
        extra = pac - ath
        laps.append((s0, s1, extra, pac / ath if ath > 0 else 1.0))
        total_extra += extra
        total_ath += ath
    return PacerLine(
        slot=slot.name,
        dx_m=slot.dx_m,
        dy_m=slot.dy_m,
        offset_m=d,
        distance_m=total_ath + total_extra,
        extra_m=total_extra,
        speed_ratio=(total_ath + total_extra) / total_ath if total_ath > 0 else 1.0,
        speed_ratio_bend=(track.kerb_radius_m + d) / (track.kerb_radius_m + a),
        laps=tuple(laps),
    )
