"""Geometry of a standard 400 m athletics track.

Coordinates
-----------
The origin is the centre of the infield, x along the straights, y across them. Runners go anticlockwise.
The home straight is at ``y < 0`` and is run in the ``+x`` direction; the finish line is at its end,
``x = +straight_m / 2``, just before bend 1.

Positions round the oval are given as the *track coordinate* ``s_ref`` [m]: the distance along the lane-1
running line (0.30 m outside the kerb) from the finish line, wrapping every lap. A runner at any lateral offset
from the kerb is at the point of their own line with the same angle on the bends and the same x on the straights,
so formations held "in track coordinates" keep their shape through the bends while the outer runners run further.

References
----------
World Athletics, *Track and Field Facilities Manual* (2019), standard 400 m track: straights 84.39 m, kerb radius
36.50 m, lanes 1.22 m; the running line is 0.30 m outside the kerb in lane 1 and 0.20 m outside the inner lane
line in lanes 2-8 (Competition Rules 17.2 / C2.1 160.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paceline.errors import ScenarioError
from paceline.physics.arrays import scalar_or_array

#: World Athletics event distances [m] with the names the command line accepts.
EVENTS_M: dict[str, float] = {
    "800m": 800.0,
    "1000m": 1000.0,
    "1500m": 1500.0,
    "mile": 1609.344,
    "2000m": 2000.0,
    "3000m": 3000.0,
    "5000m": 5000.0,
    "10000m": 10000.0,
}


@dataclass(frozen=True)
class TrackGeometry:
    """Dimensions of an oval track (defaults: the World Athletics standard 400 m track).

    Attributes
    ----------
    straight_m : float
        Length of each straight [m]. The standard value, quoted as 84.39 m, is taken as
        ``200 - pi * 36.80`` = 84.3894 m so that the lane-1 lap is exactly 400 m and the mile starts exactly
        9.344 m before the finish line (with 84.39 m the lap would be 400.0012 m).
    kerb_radius_m : float
        Radius of the kerb on the bends [m].
    lane_width_m : float
        Lane width [m].
    lanes : int
        Number of lanes.
    lane1_line_m : float
        Running line of lane 1, outside the kerb [m].
    lane_line_m : float
        Running line of lanes 2 and above, outside their inner lane line [m].
    """

    straight_m: float = 200.0 - math.pi * 36.80  # 84.3894 m: makes lane 1 exactly 400.000 m
    kerb_radius_m: float = 36.50
    lane_width_m: float = 1.22
    lanes: int = 8
    lane1_line_m: float = 0.30
    lane_line_m: float = 0.20

    @property
    def reference_radius_m(self) -> float:
        """Radius of the lane-1 running line on the bends [m]."""
        return self.kerb_radius_m + self.lane1_line_m

    @property
    def lap_m(self) -> float:
        """Length of a lap on the lane-1 running line [m] (400.00 for the standard track)."""
        return 2.0 * self.straight_m + 2.0 * math.pi * self.reference_radius_m

    @property
    def bend_m(self) -> float:
        """Length of one bend on the lane-1 running line [m]."""
        return math.pi * self.reference_radius_m

    @property
    def outer_edge_m(self) -> float:
        """Lateral distance from the kerb to the outside of the last lane [m]."""
        return self.lanes * self.lane_width_m


STANDARD_TRACK = TrackGeometry()


def lane_offset_m(lane: int, track: TrackGeometry = STANDARD_TRACK) -> float:
    """Lateral offset of a lane's running line from the kerb.

    Parameters
    ----------
    lane : int
        Lane number, 1 to ``track.lanes``.
    track : TrackGeometry
        Track dimensions.

    Returns
    -------
    float
        Offset of the running line from the kerb [m] (lane 1: 0.30, lane 2: 1.42).
    """
    if not 1 <= lane <= track.lanes:
        raise ScenarioError(f"{lane} is not a lane; allowed 1 to {track.lanes}", "lane")
    if lane == 1:
        return track.lane1_line_m
    return (lane - 1) * track.lane_width_m + track.lane_line_m


def lap_length_m(offset_m: ArrayLike, track: TrackGeometry = STANDARD_TRACK) -> NDArray[np.float64] | float:
    """Length of one lap run at a constant lateral offset from the kerb.

    Parameters
    ----------
    offset_m : float or array
        Lateral offset of the runner's line from the kerb [m], >= 0.
    track : TrackGeometry
        Track dimensions.

    Returns
    -------
    float or array
        Lap length [m]: ``2 straight + 2 pi (kerb radius + offset)``.
    """
    d = np.asarray(offset_m, dtype=float)
    out = 2.0 * track.straight_m + 2.0 * np.pi * (track.kerb_radius_m + d)
    return scalar_or_array(out)


def lane_lap_length_m(lane: int, track: TrackGeometry = STANDARD_TRACK) -> float:
    """Length of a lap on a lane's running line [m] (lane 1: 400.00 m, lane 8: 453.03 m)."""
    return float(np.asarray(lap_length_m(lane_offset_m(lane, track), track)))


def extra_distance_per_lap_m(offset_m: ArrayLike, track: TrackGeometry = STANDARD_TRACK) -> NDArray[np.float64] | float:
    """Extra distance per lap [m] at an offset from the kerb, against the lane-1 running line.

    ``2 pi (offset - 0.30)``: 4.40 m per lap at 1 m from the kerb.
    """
    d = np.asarray(offset_m, dtype=float)
    out = 2.0 * np.pi * (d - track.lane1_line_m)
    return scalar_or_array(out)


def start_before_finish_m(event_m: float, track: TrackGeometry = STANDARD_TRACK) -> float:
    """Distance of an event's start line before the finish line, along the lane-1 running line [m].

    The mile (1609.344 m) starts 9.344 m before the finish line, the 1500 m 300 m before it (100 m after it),
    the 800 m, 2000 m and 10 000 m on it.
    """
    if not (event_m > 0 and math.isfinite(event_m)):
        raise ScenarioError(f"{event_m} is not allowed; an event distance must be positive", "event_m")
    rem = math.fmod(event_m, track.lap_m)
    if rem < 1e-9 or track.lap_m - rem < 1e-9:
        return 0.0
    return rem


def start_position_m(event_m: float, track: TrackGeometry = STANDARD_TRACK) -> float:
    """Track coordinate ``s_ref`` of an event's start [m], in ``[0, lap)`` (mile: 390.656 m)."""
    before = start_before_finish_m(event_m, track)
    return (track.lap_m - before) % track.lap_m


def _bend_angle_before(s_ref: NDArray[np.float64], track: TrackGeometry) -> NDArray[np.float64]:
    """Bend angle [rad] covered from track coordinate 0 to ``s_ref`` (any real, wraps every lap)."""
    lap, bend, straight = track.lap_m, track.bend_m, track.straight_m
    laps = np.floor(s_ref / lap)
    p = s_ref - laps * lap
    in_bend1 = np.minimum(np.maximum(p, 0.0), bend)  # np.clip's result, without its wrapper's cost (a plan calls
    in_bend2 = np.minimum(np.maximum(p - bend - straight, 0.0), bend)  # this for every pacer and stretch)
    return (laps * 2.0 * bend + in_bend1 + in_bend2) / track.reference_radius_m


def bend_angle_between(
    s0_ref: ArrayLike, s1_ref: ArrayLike, track: TrackGeometry = STANDARD_TRACK
) -> NDArray[np.float64] | float:
    """Angle turned on the bends [rad] between two track coordinates ``s0_ref <= s1_ref`` [m].

    A whole lap is ``2 pi``; the 42.2 % of a lap on the straights adds nothing.
    """
    a = _bend_angle_before(np.asarray(s1_ref, dtype=float), track) - _bend_angle_before(
        np.asarray(s0_ref, dtype=float), track
    )
    return scalar_or_array(a)


def distance_run_m(
    event_m: float, offset_m: ArrayLike, track: TrackGeometry = STANDARD_TRACK
) -> NDArray[np.float64] | float:
    """Distance actually run for an event at a constant lateral offset from the kerb [m].

    The event is measured on the lane-1 running line; every radian of bend run at offset ``d`` adds
    ``d - 0.30`` metres. A mile 1 m from the kerb is about 1626.9 m.

    Parameters
    ----------
    event_m : float
        Event distance on the lane-1 running line [m].
    offset_m : float or array
        Lateral offset from the kerb [m].
    track : TrackGeometry
        Track dimensions.
    """
    d = np.asarray(offset_m, dtype=float)
    if np.any(d < 0):
        raise ScenarioError(f"{offset_m} is inside the kerb; an offset must be >= 0 m", "offset_m")
    s0 = start_position_m(event_m, track)
    angle = bend_angle_between(s0, s0 + event_m, track)
    out = event_m + (d - track.lane1_line_m) * angle
    return scalar_or_array(out)


def position(
    s_ref: ArrayLike, offset_m: ArrayLike = 0.30, track: TrackGeometry = STANDARD_TRACK
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Position, heading and curvature at a track coordinate and lateral offset.

    Parameters
    ----------
    s_ref : float or array
        Track coordinate [m]: distance along the lane-1 running line from the finish line (wraps every lap).
    offset_m : float or array
        Lateral offset from the kerb [m] (0.30 = lane-1 running line).
    track : TrackGeometry
        Track dimensions.

    Returns
    -------
    x, y : array
        Position [m], origin at the infield centre, x along the straights, finish line at ``x = straight/2``.
    heading : array
        Running direction [rad], anticlockwise from +x (0 on the home straight, pi on the back straight).
    curvature : array
        Curvature of the runner's line [1/m] (``1 / (kerb radius + offset)`` on the bends, 0 on the straights).
    """
    s = np.asarray(s_ref, dtype=float)
    d = np.asarray(offset_m, dtype=float)
    s, d = np.broadcast_arrays(s, d)
    lap, bend, straight = track.lap_m, track.bend_m, track.straight_m
    r0 = track.reference_radius_m
    radius = track.kerb_radius_m + d
    p = np.mod(s, lap)
    half = straight / 2.0

    x = np.empty_like(p)
    y = np.empty_like(p)
    heading = np.empty_like(p)
    curvature = np.zeros_like(p)

    b1 = p < bend
    st_back = (p >= bend) & (p < bend + straight)
    b2 = (p >= bend + straight) & (p < 2 * bend + straight)
    st_home = p >= 2 * bend + straight

    phi = -np.pi / 2 + p / r0  # bend 1, centre (+half, 0)
    x[b1] = half + radius[b1] * np.cos(phi[b1])
    y[b1] = radius[b1] * np.sin(phi[b1])
    heading[b1] = phi[b1] + np.pi / 2
    curvature[b1] = 1.0 / radius[b1]

    x[st_back] = half - (p[st_back] - bend)
    y[st_back] = radius[st_back]
    heading[st_back] = np.pi

    phi2 = np.pi / 2 + (p - bend - straight) / r0  # bend 2, centre (-half, 0)
    x[b2] = -half + radius[b2] * np.cos(phi2[b2])
    y[b2] = radius[b2] * np.sin(phi2[b2])
    heading[b2] = phi2[b2] + np.pi / 2
    curvature[b2] = 1.0 / radius[b2]

    x[st_home] = -half + (p[st_home] - 2 * bend - straight)
    y[st_home] = -radius[st_home]
    heading[st_home] = 0.0

    return x, y, np.mod(heading, 2 * np.pi), curvature


def line_scale(s_ref: ArrayLike, offset_m: ArrayLike, track: TrackGeometry = STANDARD_TRACK) -> NDArray[np.float64]:
    """Metres run on a runner's own line per metre of track coordinate (1 on straights, > 1 outside on bends).

    A pacer holding a slot at offset ``d`` beside an athlete on the lane-1 line must run ``line_scale`` times
    her speed through the bends.
    """
    _, _, _, curvature = position(s_ref, offset_m, track)
    d = np.broadcast_to(np.asarray(offset_m, dtype=float), curvature.shape)
    return np.where(curvature > 0, (track.kerb_radius_m + d) / track.reference_radius_m, 1.0)
