"""The replay: a solved race turned into what the web page draws (no web framework here, and no solve: the web
app's :func:`paceline.web.resolve` solves and calls this).

:func:`replay_payload` turns a :class:`~paceline.models.race.Race` into positions on the track plane (from
:func:`paceline.physics.track.position`) at a uniform time step, for the athlete, every pacer and the pacing-light
front, plus the chart series and the track drawing.

Coordinates are the track frame of :mod:`paceline.physics.track`: metres from the infield centre, x along the straights,
the home straight at ``y < 0`` run towards ``+x``, runners anticlockwise.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.physics import track as trk

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario, TrackSpec
    from paceline.models.race import Race

log = logging.getLogger(__name__)

#: Time step of the replay frames [s].
FRAME_DT_S = 0.25
#: Most frames in one replay: a longer race gets a longer time step (the page interpolates between frames), so the
#: payload stays bounded (a 2-hour race at 0.25 s was 36 MB; the web app answers at most 8 MB).
MAX_FRAMES = 4000
#: Samples of the chart series sent to the page.
CHART_SAMPLES = 400
#: How long a pacer who leaves the race stays drawn while drifting out and slowing [s].
LEAVE_SHOWN_S = 5.0
#: Lateral offset of the pacing-light rail from the kerb [m] (inside the kerb, on the infield side).
LIGHT_RAIL_OFFSET_M = -0.25


def scenario_to_dict(sc: Scenario) -> dict[str, Any]:
    """A scenario as JSON-ready data that :func:`paceline.io.scenario.scenario_from_dict` reads back unchanged."""
    return sc.model_dump(mode="json", exclude_none=True)


# ---- geometry ----------------------------------------------------------------------------------------------------
def _xy(s_ref: NDArray[np.float64], offset_m: NDArray[np.float64] | float, geom: trk.TrackGeometry) -> list[Any]:
    x, y, _, _ = trk.position(s_ref, offset_m, geom)
    return [np.round(x, 2), np.round(y, 2)]


def track_drawing(sc: Scenario, n: int = 160) -> dict[str, Any]:
    """Polylines of the kerb, the lane lines and the light rail, and the start and finish lines.

    All from :func:`paceline.physics.track.position`, so the page draws exactly the geometry the physics uses. The
    drawing depends on the track and the distance only (an editor's change of weather or pacers does not redraw
    it): it is made once per track and distance, and each call returns its own copy.
    """
    import copy

    return copy.deepcopy(_track_drawing(sc.track, float(sc.distance_m), n))


@functools.lru_cache(maxsize=32)
def _track_drawing(spec: TrackSpec, distance_m: float, n: int) -> dict[str, Any]:
    """:func:`track_drawing` of a track (a frozen, hashable :class:`~paceline.io.scenario.TrackSpec`) and distance."""
    geom = spec.geometry()
    s = np.linspace(0.0, geom.lap_m, n, endpoint=False)
    lanes = []
    for k in range(geom.lanes + 1):
        x, y = _xy(s, k * geom.lane_width_m, geom)
        lanes.append({"offset_m": round(k * geom.lane_width_m, 3), "x_m": x, "y_m": y})
    rx, ry = _xy(s, LIGHT_RAIL_OFFSET_M, geom)
    start_s = trk.start_position_m(distance_m, geom) if spec.kind == "oval" else 0.0

    def across(s_ref: float) -> dict[str, Any]:
        x, y = _xy(np.array([s_ref, s_ref]), np.array([0.0, geom.outer_edge_m]), geom)
        return {"s_ref_m": round(s_ref, 3), "x_m": x, "y_m": y}

    return {
        "kind": spec.kind,
        "name": spec.name or "",
        "lap_m": geom.lap_m,
        "straight_m": geom.straight_m,
        "kerb_radius_m": geom.kerb_radius_m,
        "lane_width_m": geom.lane_width_m,
        "lanes": lanes,
        "light_rail": {"offset_m": LIGHT_RAIL_OFFSET_M, "x_m": rx, "y_m": ry},
        "finish": across(0.0),
        "start": across(start_s),
    }


def wind_arrow(sc: Scenario) -> dict[str, Any]:
    """The wind as an arrow in the track frame: speed [m/s] and the direction it blows towards [rad]."""
    c = sc.conditions
    # track frame angle = track bearing - compass bearing (compass turns clockwise); wind blows towards from + 180
    towards = math.radians(sc.track.bearing_deg - (c.wind_from_deg + 180.0))
    return {
        "speed_m_s": c.wind_speed_m_s,
        "from_deg": c.wind_from_deg,
        "towards_rad": round(math.atan2(math.sin(towards), math.cos(towards)), 5),
    }


# ---- pacers ------------------------------------------------------------------------------------------------------
def pacer_roles(race: Race, sc: Scenario | None) -> list[dict[str, Any]]:
    """Who holds which slot over which stretch: ``race.pacers`` when the model filled them, else the scenario's phases.

    Each role is ``{name, slot, dx_m, dy_m, enter_m, leave_m}``.
    """
    if race.pacers:
        return [dict(p) for p in race.pacers]
    if sc is None:
        return []
    roles = []
    for i, ph in enumerate(sc.phases()):
        form = sc.formation(ph.formation)
        for k, slot in enumerate(form.slots):
            name = ph.pacers[k] if k < len(ph.pacers) else f"P{i + 1}.{k + 1}"
            roles.append(
                {
                    "name": name,
                    "slot": slot.name,
                    "dx_m": slot.dx_m,
                    "dy_m": slot.dy_m,
                    "enter_m": ph.from_m,
                    "leave_m": ph.to_m,
                }
            )
    return roles


def _pacer_tracks(
    roles: list[dict[str, Any]],
    t: NDArray[np.float64],
    x_ath: NDArray[np.float64],
    s_ath: NDArray[np.float64],
    off_ath: NDArray[np.float64],
    v_ath: NDArray[np.float64],
    distance_m: float,
    geom: trk.TrackGeometry,
) -> list[dict[str, Any]]:
    """Positions of each named pacer at the frame times (NaN while not on the track); every pacer's positions in one
    :func:`paceline.physics.track.position` call."""
    names = list(dict.fromkeys(r["name"] for r in roles))
    s_all = np.full((len(names), t.size), np.nan)
    off_all = np.full((len(names), t.size), np.nan)
    all_slots = []
    for s, off, name in zip(s_all, off_all, names, strict=True):  # rows of s_all / off_all, filled in place
        slots = []
        for r in (r for r in roles if r["name"] == name):
            leave = float(r["leave_m"])
            to_finish = leave >= distance_m - 1e-6
            on = (x_ath >= float(r["enter_m"])) & ((x_ath < leave) | (to_finish & (x_ath <= leave)))
            s[on] = s_ath[on] + float(r["dx_m"])
            off[on] = off_ath[on] + float(r["dy_m"])
            slots.append({"slot": r["slot"], "enter_m": r["enter_m"], "leave_m": leave})
            if leave < distance_m - 1e-6:  # steps off: drifts out towards lane 3 and slows, then is gone
                i = int(np.searchsorted(x_ath, leave))
                if i < t.size:
                    s0, d0, v0, t0 = s_ath[i] + float(r["dx_m"]), off_ath[i] + float(r["dy_m"]), v_ath[i], t[i]
                    dt = t - t0
                    after = (dt >= 0) & (dt < LEAVE_SHOWN_S) & np.isnan(s)
                    s[after] = s0 + v0 * dt[after] - 0.5 * 1.2 * dt[after] ** 2
                    off[after] = np.minimum(d0 + 0.8 * dt[after], max(d0, 3.0))
        all_slots.append(slots)
    x = np.full_like(s_all, np.nan)
    y = np.full_like(s_all, np.nan)
    ok = ~np.isnan(s_all)
    if ok.any():
        x[ok], y[ok], _, _ = trk.position(s_all[ok], off_all[ok], geom)
    x, y, off_all = np.round(x, 2), np.round(y, 2), np.round(off_all, 2)
    race_m = np.round(s_all - (s_ath - x_ath), 2)
    return [
        {"name": name, "slots": slots, "x_m": x[i], "y_m": y[i], "race_m": race_m[i], "off_m": off_all[i]}
        for i, (name, slots) in enumerate(zip(names, all_slots, strict=True))
    ]


# ---- lights ------------------------------------------------------------------------------------------------------
def _light_rows(sc: Scenario, race: Race) -> list[dict[str, Any]]:
    """Every train's light schedule at the replay's 5 m spacing (:func:`light_schedule`), once per replay."""
    from paceline.studies.planning.plan import TRAINS, light_schedule

    return light_schedule(sc, race, spacing_m=5.0, trains=TRAINS)


def light_front_m(
    sc: Scenario | None, race: Race, t: NDArray[np.float64], rows: list[dict[str, Any]] | None = None
) -> tuple[NDArray[np.float64], str]:
    """Race distance of the pacing-light front at times ``t`` [m], and where the schedule comes from.

    The front follows the plan's light schedule (:func:`paceline.studies.planning.plan.light_schedule`): the ``target``
    train when the scenario has a target, else the ``plan`` train (the predicted race). Without a scenario it runs the
    predicted time at even pace. ``rows``: the schedule of every train (:func:`_light_rows`) if already made.
    """
    if sc is None or sc.track.kind != "oval":
        front = np.minimum(t * race.distance_m / race.finish_s, race.distance_m)
        return front, f"even pace at {race.finish_s:.2f} s"
    train = "target" if sc.target_s else "plan"
    rows = [r for r in (_light_rows(sc, race) if rows is None else rows) if r["train"] == train]
    times = np.array([0.0] + [r["time_s"] for r in rows])
    dist = np.array([0.0] + [r["race_distance_m"] for r in rows])
    front = np.interp(t, times, dist)
    return front, f"the {train} train of the light schedule ({times[-1]:.2f} s)"


def light_trains(
    sc: Scenario, race: Race, t: NDArray[np.float64], rows: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Every light train of the plan (:data:`paceline.studies.planning.plan.TRAINS`) as the race distance of its front
    at the frame times [m], with its name and colour; none on a road (no rail). ``rows``: as :func:`light_front_m`."""
    if sc.track.kind != "oval":
        return []
    from paceline.studies.planning.plan import TRAIN_COLOURS, TRAINS, train_label

    out = []
    rows = _light_rows(sc, race) if rows is None else rows
    for train in TRAINS:
        tr = [r for r in rows if r["train"] == train]
        if not tr:
            continue
        times = np.array([0.0] + [r["time_s"] for r in tr])
        dist = np.array([0.0] + [r["race_distance_m"] for r in tr])
        out.append(
            {
                "train": train,
                "label": train_label(sc, race, train),
                "colour": TRAIN_COLOURS[train],
                "finish_s": round(float(times[-1]), 3),
                "race_m": np.round(np.interp(t, times, dist), 2),
            }
        )
    return out


def jump_marks(sc: Scenario, race: Race) -> list[dict[str, Any]]:
    """Where the page's jump buttons go: on a track each lap line (the finish line: 9.344 m, 409.344 m, ... for a
    mile) and the finish; on a road every 5 km and the finish. ``{label, distance_m, time_s}``."""
    from paceline.timefmt import format_time

    if sc.track.kind == "oval":
        pts = race.split_points()
    else:
        pts = np.append(np.arange(5000.0, race.distance_m - 1.0, 5000.0), race.distance_m)
    out = [{"label": "start", "distance_m": 0.0, "time_s": 0.0}]
    for d in pts:
        t = float(race.time_at(float(d)))
        last = d >= race.distance_m - 1e-9
        label = f"finish {format_time(t)}" if last else f"{d:.0f} m" if sc.track.kind == "oval" else f"{d / 1000:g} km"
        out.append({"label": label, "distance_m": float(d), "time_s": t})
    return out


# ---- payload -----------------------------------------------------------------------------------------------------
def chart_series(race: Race, n: int = CHART_SAMPLES) -> dict[str, Any]:
    """Series for the charts against distance, resampled on ``n`` evenly spaced distances."""
    x = np.linspace(0.0, race.distance_m, n)
    out: dict[str, Any] = {
        "x_m": np.round(x, 2),
        "t_s": np.round(np.interp(x, race.x_m, race.t_s), 3),
        "v_m_s": np.round(np.interp(x, race.x_m, race.v_m_s), 4),
        "energy_kj_kg": np.round(np.interp(x, race.x_m, race.energy_spent_j_kg()) / 1000.0, 4),
    }
    for name in ("shelter", "drag_power_w", "dprime_balance_m"):
        if name in race.series:
            out[name] = np.round(np.interp(x, race.x_m, np.asarray(race.series[name], dtype=float)), 4)
    if "shelter" not in out:
        out["shelter"] = np.zeros_like(x)
    return out


def replay_payload(race: Race, sc: Scenario | None = None, frame_dt_s: float = FRAME_DT_S) -> dict[str, Any]:
    """Everything the replay page needs for one race, JSON-ready (numpy arrays; NaN where a runner is absent).

    Parameters
    ----------
    race : Race
        The solved race (needs ``track_pos_m`` and ``offset_m`` series for the positions).
    sc : Scenario, optional
        Its scenario (pacers, track, wind, target); without it the athlete runs alone on a standard track.
    frame_dt_s : float
        Time step of the frames [s]; longer when the race would need more than :data:`MAX_FRAMES` frames.
    """
    from paceline.io.athletes import body_for
    from paceline.io.scenario import Scenario as _Scenario
    from paceline.timefmt import format_time

    if sc is None:  # an athlete nobody named: the one default-body rule (her body does not enter the drawing)
        body = body_for()
        sc = _Scenario.model_validate(
            {
                "name": race.scenario,
                "distance_m": race.distance_m,
                "athlete": {"name": "athlete", "height_m": body.height_m, "mass_kg": body.mass_kg},
            }
        )
    geom = sc.track.geometry()
    finish = race.finish_s
    frame_dt_s = max(frame_dt_s, finish / MAX_FRAMES)
    t = np.arange(0.0, finish, frame_dt_s)
    t = np.append(t, finish)
    x_ath = np.interp(t, race.t_s, race.x_m)
    v_ath = np.interp(t, race.t_s, race.v_m_s)
    start_s = trk.start_position_m(race.distance_m, geom)
    s_series = race.series.get("track_pos_m")
    s_ath = np.interp(t, race.t_s, s_series) if s_series is not None else start_s + x_ath
    off_series = race.series.get("offset_m")
    off_ath = np.interp(t, race.t_s, off_series) if off_series is not None else np.full_like(t, geom.lane1_line_m)
    ax, ay, _, _ = trk.position(s_ath, off_ath, geom)
    roles = pacer_roles(race, sc)
    rows = _light_rows(sc, race) if sc.track.kind == "oval" else None
    lights_m, lights_source = light_front_m(sc, race, t, rows)
    lx, ly, _, _ = trk.position(start_s + lights_m, LIGHT_RAIL_OFFSET_M, geom)
    splits = race.splits()
    out: dict[str, Any] = {
        "scenario": race.scenario,
        "description": sc.description,
        "athlete": sc.athlete.name,
        "model": race.model,
        "distance_m": race.distance_m,
        "finish_s": round(finish, 3),
        "finish": format_time(finish),
        "target_s": sc.target_s,
        "target": format_time(sc.target_s) if sc.target_s else None,
        "actual_s": sc.result.time_s if sc.result is not None else None,
        "actual": format_time(sc.result.time_s) if sc.result is not None else None,
        "splits": splits,
        "lap_m": geom.lap_m,
        "start_s_ref_m": round(start_s, 3),
        "phases": [
            {"from_m": p.from_m, "to_m": p.to_m, "formation": p.formation, "pacers": list(p.pacers)}
            for p in sc.phases()
        ],
        "series": chart_series(race),
        "frames": {
            "dt_s": frame_dt_s,
            "t_s": np.round(t, 3),
            "x_m": np.round(x_ath, 2),
            "athlete": {"x_m": np.round(ax, 2), "y_m": np.round(ay, 2)},
            "pacers": _pacer_tracks(roles, t, x_ath, s_ath, off_ath, v_ath, race.distance_m, geom),
            "lights": {"x_m": np.round(lx, 2), "y_m": np.round(ly, 2), "race_m": np.round(lights_m, 2)},
            "trains": light_trains(sc, race, t, rows),
            "athlete_off_m": np.round(off_ath, 2),
        },
        "marks": jump_marks(sc, race),
        "lights_source": lights_source,
        "roles": roles,
        "wind": wind_arrow(sc),
        "track": track_drawing(sc),
        "assumptions": [a.to_dict() for a in race.assumptions],
        "citations": list(race.citations),
    }
    return out
