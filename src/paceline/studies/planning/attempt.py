"""A paced attempt planned as ``paceline plan`` plans it: optionally the pacer rotation proposed first
(:func:`paceline.studies.planning.rotation.optimise_rotation`), then the plan of the scenario
(:func:`paceline.studies.planning.plan.make_plan`), with every table the command shows.

The plan adds no physics of its own: every time comes from the race's one split table
(:meth:`paceline.models.race.Race.split_rows`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.race import Race
    from paceline.studies.planning.plan import Plan
    from paceline.studies.planning.rotation import RotationResult

log = logging.getLogger(__name__)

__all__ = ["Attempt", "plan_attempt", "splits_200_400"]

#: A last stretch of the 400 m table shorter than this [m] (a 5000 m's last 200 m) gets its last 400 m instead.
SHORT_TAIL_M = 300.0


@dataclass
class Attempt:
    """A planned attempt: the plan, and the rotation it was made with (when proposed).

    Attributes
    ----------
    plan : Plan
        The plan (race, pacer roles, lights, rules, notes); a proposed rotation's notes come first.
    rotation : RotationResult or None
        The pacer assignment proposed by ``--optimise-rotation``, else None.
    """

    plan: Plan
    rotation: RotationResult | None = None

    @property
    def scenario(self) -> Scenario:
        """The scenario planned (with the proposed rotation, when there is one)."""
        return self.plan.scenario

    @property
    def race(self) -> Race:
        """The predicted race."""
        return self.plan.race

    def splits_200_400(self) -> list[dict[str, Any]]:
        """The race's 200 m splits with its last 400 m at every 400 m mark (see :func:`splits_200_400`)."""
        return splits_200_400(self.race)

    def to_dict(self) -> dict[str, Any]:
        """The plan as the JSON object of ``paceline plan --json`` (:meth:`Plan.to_dict`, and the ``rotation``)."""
        data = self.plan.to_dict()
        if self.rotation is not None:
            data["rotation"] = self.rotation.to_dict()
        return data


def splits_200_400(race: Race) -> list[dict[str, Any]]:
    """Every 200 m split, with the time of the last 400 m where a 400 m split ends.

    Parameters
    ----------
    race : Race
        The race.

    Returns
    -------
    list of dict
        One row per 200 m split (:meth:`Race.split_rows` with ``every_m=200``: ``distance_m``, ``time_s``, ``time``,
        ``segment_s``, ...) plus ``last_400_s`` [s]: at the marks of the 400 m table, its segment's time, or (a
        last stretch under :data:`SHORT_TAIL_M`, such as a 5000 m's last 200 m) the time of the last 400 m run;
        None between them. A mile's last 400 m row is its 409.344 m stretch, as the 400 m table reports it.
    """
    by_400 = {round(r["distance_m"], 3): r for r in race.split_rows(every_m=400.0)}
    rows = []
    for r in race.split_rows(every_m=200.0):
        mark = by_400.get(round(r["distance_m"], 3))
        if mark is None:
            last = None
        elif mark["segment_m"] < SHORT_TAIL_M:
            last = r["time_s"] - float(race.time_at(max(r["distance_m"] - 400.0, 0.0)))
        else:
            last = mark["segment_s"]
        rows.append({**r, "last_400_s": last})
    return rows


def plan_attempt(scenario: Scenario, model: str | None = None, optimise_rotation: bool = False) -> Attempt:
    """Plan a paced attempt.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    model : str, optional
        Model name (default: the scenario's).
    optimise_rotation : bool
        First propose the pacer assignment that keeps the best shelter longest
        (:func:`~paceline.studies.planning.rotation.optimise_rotation`) and plan with it; its notes lead the plan's.

    Raises
    ------
    InfeasibleError
        ``optimise_rotation`` with no pacer whose capability can be checked.
    """
    from paceline.studies.planning.plan import make_plan

    rotation = None
    if optimise_rotation:
        from paceline.studies.planning.rotation import optimise_rotation as optimise

        rotation = optimise(scenario)
        scenario = rotation.scenario
    plan = make_plan(scenario, model)
    if rotation is not None:
        plan.notes[:0] = [f"rotation: {n}" for n in rotation.notes]
    return Attempt(plan, rotation)
