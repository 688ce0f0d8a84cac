"""Formations compared: each one's shelter of the athlete with its range over the drafting draws and the drag it saves
her at 4:00 mile pace, and a formation designed (:func:`paceline.studies.planning.design.design_formation`) beside
the named ones, as ``paceline formations`` and ``paceline formations design`` show them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from paceline.physics.drafting import DraftParams
    from paceline.physics.formation import Formation
    from paceline.studies.planning.design import DesignResult

log = logging.getLogger(__name__)

__all__ = [
    "AIR_DENSITY_KG_M3",
    "DRAG_ATHLETE",
    "MILE_4_00_M_S",
    "FormationDesign",
    "design_and_compare",
    "formation_summary",
]

#: 4:00 mile pace [m/s], the athlete whose drag the figures show (her body from reference/athletes.csv through the
#: one body rule) and the air (model_anchors.md: Kipyegon, rho 1.20 kg/m^3, about 8.9 N solo).
MILE_4_00_M_S = 1609.344 / 240.0
DRAG_ATHLETE = "Faith Kipyegon"
AIR_DENSITY_KG_M3 = 1.20


def formation_summary(form: Formation, params: DraftParams, draws: Sequence[DraftParams]) -> dict[str, Any]:
    """A formation's shelter of the athlete (best fit, 5th and 95th percentiles over ``draws``) and the drag and power
    it saves :data:`DRAG_ATHLETE` at :data:`MILE_4_00_M_S` in air of :data:`AIR_DENSITY_KG_M3`.

    Returns
    -------
    dict
        ``name``, ``pacers``, ``shelter``, ``shelter_low``, ``shelter_high`` [-], ``athlete_offset_m``,
        ``athlete_extra_per_lap_m`` [m], ``drag_solo_n``, ``drag_saved_n`` [N], ``power_saved_w`` [W], ``description``.
    """
    from paceline.io.athletes import body_for
    from paceline.physics import aero, drafting
    from paceline.physics import track as trk

    best, lo, hi = drafting.formation_shelter_range(form, params, draws)
    body = body_for(DRAG_ATHLETE)
    drag = float(aero.drag_force(MILE_4_00_M_S, AIR_DENSITY_KG_M3, aero.drag_area(body.height_m, body.mass_kg)))
    return {
        "name": form.name,
        "pacers": form.n_pacers,
        "shelter": round(best, 4),
        "shelter_low": round(lo, 4),
        "shelter_high": round(hi, 4),
        "athlete_offset_m": form.athlete_offset_m,
        "athlete_extra_per_lap_m": round(float(trk.extra_distance_per_lap_m(form.athlete_offset_m)), 3),
        "drag_solo_n": round(drag, 3),
        "drag_saved_n": round(best * drag, 3),
        "power_saved_w": round(best * drag * MILE_4_00_M_S, 2),
        "description": form.description,
    }


@dataclass(frozen=True)
class FormationDesign:
    """A designed formation, its slots' lines and the named formations beside it.

    Attributes
    ----------
    result : DesignResult
        The design (formation, shelter and its range, the maximised quantile, the closest spacing).
    min_spacing_m : float
        The spacing asked for [m] (``result.min_spacing_m`` is the closest two runners of the design).
    lanes : int
        Lanes the formation may use.
    slots : list of dict
        Each pacer's line: ``name``, ``dx_m``, ``dy_m``, ``offset_m`` [m] from the kerb, ``speed_ratio_bend`` [-].
    compare : list of dict
        The named formations with pacers (:func:`formation_summary` and ``shelter_pessimistic``, the same quantile
        over the same draws), most pessimistic shelter first.
    """

    result: DesignResult
    min_spacing_m: float
    lanes: int
    slots: list[dict[str, Any]]
    compare: list[dict[str, Any]]

    @property
    def formation(self) -> Formation:
        """The designed formation."""
        return self.result.formation

    def to_dict(self) -> dict[str, Any]:
        """The design as the JSON object of ``paceline formations design --json`` (without ``out``)."""
        res, form = self.result, self.result.formation
        return {
            "name": form.name,
            "pacers": form.n_pacers,
            "min_spacing_m": self.min_spacing_m,
            "lanes": self.lanes,
            "quantile": res.quantile,
            "shelter": round(res.shelter, 4),
            "shelter_low": round(res.shelter_low, 4),
            "shelter_high": round(res.shelter_high, 4),
            "shelter_pessimistic": round(res.shelter_pessimistic, 4),
            "athlete_offset_m": form.athlete_offset_m,
            "closest_spacing_m": round(res.min_spacing_m, 3),
            "slots": self.slots,
            "compare": [
                {k: r[k] for k in ("name", "pacers", "shelter", "shelter_low", "shelter_high", "shelter_pessimistic")}
                for r in self.compare
            ],
        }


def design_and_compare(
    n_pacers: int,
    min_spacing_m: float = 0.9,
    lanes: int = 2,
    quantile: float = 0.10,
    seed: int = 0,
    name: str | None = None,
) -> FormationDesign:
    """Design a formation of ``n_pacers`` (:func:`~paceline.studies.planning.design.design_formation` on the shipped
    drafting draws) and compare it with the named formations at the same ``quantile`` of their shelter.

    Raises
    ------
    ScenarioError
        An input out of range, naming the parameter (``n_pacers``, ``min_spacing_m``, ``lanes``, ``quantile``,
        ``seed``).
    """
    from paceline.io.fitted import drafting_draws, drafting_params
    from paceline.io.formations import bundled_formations
    from paceline.physics import drafting
    from paceline.physics.lines import pacer_lines
    from paceline.physics.track import STANDARD_TRACK
    from paceline.studies.planning.design import design_formation

    params, draws = drafting_params(), drafting_draws()
    res = design_formation(
        n_pacers, min_spacing_m=min_spacing_m, lanes=lanes, quantile=quantile, seed=seed, name=name, draws=draws
    )
    slots = [
        {
            "name": pl.slot,
            "dx_m": pl.dx_m,
            "dy_m": pl.dy_m,
            "offset_m": round(pl.offset_m, 3),
            "speed_ratio_bend": round(pl.speed_ratio_bend, 5),
        }
        for pl in pacer_lines(res.formation, 0.0, STANDARD_TRACK.lap_m, lanes=lanes)
    ]
    named = [f for f in bundled_formations().values() if f.n_pacers > 0]
    compare = [formation_summary(f, params, draws) for f in named]
    for r, f in zip(compare, named, strict=True):
        r["shelter_pessimistic"] = round(float(np.quantile(drafting.formation_shelter_draws(f, draws), quantile)), 4)
    compare.sort(key=lambda r: -r["shelter_pessimistic"])
    return FormationDesign(res, min_spacing_m, lanes, slots, compare)
