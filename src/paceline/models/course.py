"""The course: what the athlete meets at every metre of the race (shelter, wind, bends, air, her drag area).

:func:`build_course` turns a :class:`~paceline.io.scenario.Scenario` into a :class:`Course`: arrays sampled along the
race distance that every energetics model reads. It composes the physics modules and adds no physics of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.models.race import Assumption
from paceline.physics import aero, air, track

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.physics.drafting import DraftParams

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Course:
    """The race as the athlete meets it, sampled at race distances ``x_m``.

    Attributes
    ----------
    distance_m : float
        Race distance on the lane-1 running line [m].
    x_m : ndarray
        Sample points [m], from 0 to ``distance_m``.
    shelter : ndarray
        Fraction of her drag removed by pacers at each sample [0-1).
    wind_along_m_s : ndarray
        Tailwind component along her running direction [m/s].
    line_scale : ndarray
        Metres she actually runs per metre of race distance (> 1 where she runs wide on a bend).
    curvature_1_m : ndarray
        Curvature of her line [1/m] (0 on the straights).
    offset_m : ndarray
        Her lateral offset from the kerb [m].
    track_pos_m : ndarray
        Track coordinate of each sample [m] (see :mod:`paceline.physics.track`).
    air_density_kg_m3 : float
        Air density [kg/m^3].
    drag_area_m2 : float
        Her drag area with the kit's factor applied [m^2].
    mass_kg : float
        Body mass [kg].
    shoe_economy_gain : float
        Fraction of metabolic cost saved by the shoes [0-1).
    phase_index : ndarray of int
        Index of the pacing phase at each sample.
    assumptions : list of Assumption
        The inputs used, with their sources.
    name : str
        Name of the scenario the course comes from (the Race carries it).
    formations : tuple of str
        Formation of each pacing phase (``phase_index`` points into it).
    unit_wind : ndarray
        Tailwind along her running direction for a 1 m/s wind from the scenario's direction [-]; the wind field
        ``wind_along_m_s`` is ``wind_speed_m_s * unit_wind`` (zero on a road).
    wind_speed_m_s : float
        Wind speed [m/s].
    """

    distance_m: float
    x_m: NDArray[np.float64]
    shelter: NDArray[np.float64]
    wind_along_m_s: NDArray[np.float64]
    line_scale: NDArray[np.float64]
    curvature_1_m: NDArray[np.float64]
    offset_m: NDArray[np.float64]
    track_pos_m: NDArray[np.float64]
    air_density_kg_m3: float
    drag_area_m2: float
    mass_kg: float
    shoe_economy_gain: float = 0.0
    phase_index: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    assumptions: list[Assumption] = field(default_factory=list)
    name: str = ""
    formations: tuple[str, ...] = ("solo",)
    unit_wind: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    wind_speed_m_s: float = 0.0

    @property
    def segment_m(self) -> NDArray[np.float64]:
        """Length of race distance [m] between consecutive samples."""
        return np.diff(self.x_m)

    def midpoints(self, name: str) -> NDArray[np.float64]:
        """A per-sample array averaged onto the segments between samples."""
        a = np.asarray(getattr(self, name), dtype=float)
        return 0.5 * (a[1:] + a[:-1])

    def with_changes(self, **changes: Any) -> Course:
        """A copy with some fields replaced (for what-if comparisons)."""
        return replace(self, **changes)

    def with_wind(self, wind_speed_m_s: float) -> Course:
        """A copy with another wind speed [m/s] from the same direction (the wind field scales with it)."""
        return replace(self, wind_speed_m_s=float(wind_speed_m_s), wind_along_m_s=wind_speed_m_s * self.unit_wind)


#: Width of the step at a phase boundary [m]: the sample just before a boundary still belongs to the earlier phase.
BOUNDARY_EPS_M = 1e-3


def _grid(distance_m: float, step_m: float, breaks: list[float], phase_breaks: list[float]) -> NDArray[np.float64]:
    n = max(2, int(np.ceil(distance_m / step_m)) + 1)
    x = np.linspace(0.0, distance_m, n)
    extra = np.array([b for b in breaks if 0 < b < distance_m], dtype=float)
    steps = np.array([b for b in phase_breaks if 0 < b < distance_m], dtype=float)
    x = np.concatenate([x, extra, steps, steps - BOUNDARY_EPS_M])
    x = np.sort(x)  # (not np.unique, which imports numpy.ma: 16 ms of every command's start)
    # keep samples at least 2 eps apart except the deliberate boundary pairs (repeats included)
    keep = np.concatenate([[True], np.diff(x) > 0.5 * BOUNDARY_EPS_M])
    return x[keep]


def build_course(
    scenario: Scenario,
    step_m: float = 1.0,
    draft_params: DraftParams | None = None,
    air_density_kg_m3: float | None = None,
    breaks_m: list[float] | None = None,
) -> Course:
    """Sample a scenario's environment along the race.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    step_m : float
        Sample spacing [m]; phase boundaries are always samples.
    draft_params : DraftParams, optional
        Parameters of the shelter model (default: its best fit to the literature).
    air_density_kg_m3 : float, optional
        Override of the air density [kg/m^3] (default: from the scenario's conditions).
    breaks_m : list of float, optional
        Further race distances [m] that must be samples (split points).

    Returns
    -------
    Course
        Arrays along the race distance.
    """
    from paceline.io.fitted import drafting_params
    from paceline.physics import drafting

    sc = scenario
    geom = sc.track.geometry()
    phases = sc.phases()
    x = _grid(sc.distance_m, step_m, list(breaks_m or []), [p.from_m for p in phases])
    idx = np.searchsorted([p.to_m for p in phases], x, side="right")
    idx = np.minimum(idx, len(phases) - 1).astype(np.int64)

    shelters, offsets = [], []
    for ph in phases:
        form = sc.formation(ph.formation)
        shelters.append(float(drafting.formation_shelter(form, draft_params or drafting_params())))
        offsets.append(form.athlete_offset_m)
    shelter = np.asarray(shelters)[idx]
    offset = np.asarray(offsets)[idx]

    c = sc.conditions
    rho = (
        float(air_density_kg_m3)
        if air_density_kg_m3 is not None
        else float(air.air_density(c.temperature_c, c.relative_humidity, c.altitude_m, c.pressure_pa))
    )
    measured = sc.athlete.drag_area_m2
    cda = float(
        aero.drag_area(
            sc.athlete.height_m, sc.athlete.mass_kg, cda_factor=sc.equipment.cda_factor, drag_area_m2=measured
        )
    )

    if sc.track.kind == "oval":
        s_ref = track.start_position_m(sc.distance_m, geom) + x
        _, _, _, curvature = track.position(s_ref, offset, geom)
        scale = track.line_scale(s_ref, offset, geom)
        unit_wind = air.wind_along_track(s_ref, 1.0, c.wind_from_deg, sc.track.bearing_deg, offset, geom)
    else:  # a road loop without bends: wind along the course is taken as a headwind/tailwind average of zero
        s_ref = x.copy()
        curvature = np.zeros_like(x)
        scale = np.ones_like(x)
        unit_wind = np.zeros_like(x)
    unit_wind = np.asarray(unit_wind, dtype=float)

    assumptions = [
        Assumption("air_density", round(rho, 4), "kg/m^3", "moist-air formula (air.air_density) from the conditions"),
        Assumption("drag_area", round(cda, 4), "m^2", f"{aero.drag_area_source(measured)} x kit cda_factor"),
        Assumption("cda_factor", sc.equipment.cda_factor, "", "scenario equipment"),
        Assumption("shoe_economy_gain", sc.equipment.shoe_economy_gain, "", "scenario equipment"),
        Assumption("wind_speed", c.wind_speed_m_s, "m/s", f"scenario conditions, from {c.wind_from_deg:g} deg"),
        Assumption(
            "mean_shelter",
            round(float(np.mean(shelter)), 4),
            "",
            "drafting model (paceline.physics.drafting), by phase",
        ),
    ]
    return Course(
        distance_m=sc.distance_m,
        x_m=x,
        shelter=shelter,
        wind_along_m_s=c.wind_speed_m_s * unit_wind,
        line_scale=np.asarray(scale, dtype=float),
        curvature_1_m=np.asarray(curvature, dtype=float),
        offset_m=offset,
        track_pos_m=s_ref,
        air_density_kg_m3=rho,
        drag_area_m2=cda,
        mass_kg=sc.athlete.mass_kg,
        shoe_economy_gain=sc.equipment.shoe_economy_gain,
        phase_index=idx,
        assumptions=assumptions,
        name=sc.name,
        formations=tuple(ph.formation for ph in phases),
        unit_wind=unit_wind,
        wind_speed_m_s=float(c.wind_speed_m_s),
    )
