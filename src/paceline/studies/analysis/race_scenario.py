"""The scenario of a real race: given, named in its split file, or a minimal one built from the data.

A race file may name the bundled scenario that describes it (``# scenario: NAME``: formation by phase, conditions,
athlete, kit). Without one, :func:`minimal_scenario` runs the race solo in still air at 20 degC on a standard track,
with the athlete's body by the one rule for an undescribed athlete (:func:`paceline.io.athletes.body_for`); every
such choice comes back as an :class:`~paceline.models.race.Assumption`, the body with its source, so it is printed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paceline.errors import ScenarioError
from paceline.models.race import Assumption

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from paceline.io.races import RaceSplits
    from paceline.io.scenario import Scenario


def scenario_for_race(splits: RaceSplits, scenario: str | Path | None = None) -> tuple[Scenario, list[Assumption]]:
    """The scenario describing a race: given, named in the race file, or a minimal one built from the data.

    A minimal scenario runs the race solo in still air at 20 degC on a standard track (a road course above
    10 000 m); the athlete's body is :func:`paceline.io.athletes.body_for` her name (the reference athlete's, else the
    generic body) and her performances, if she is a reference athlete, come with it. Every such choice is returned
    as an assumption, with the body's source.

    Parameters
    ----------
    splits : RaceSplits
        The race.
    scenario : str or Path, optional
        Bundled scenario name or TOML path; default: the one the race file names.

    Returns
    -------
    Scenario, list of Assumption
        The scenario and the choices made to get it.

    Raises
    ------
    ScenarioError
        If the scenario's distance differs from the race's, or it describes another athlete (field ``scenario``).
    """
    from paceline.io.scenario import load_scenario, scenario_from_dict

    name = scenario if scenario is not None else splits.scenario
    if name is not None:
        sc = load_scenario(name)
        if abs(sc.distance_m - splits.event_m) > 1e-6:
            raise ScenarioError(
                f"scenario {sc.name!r} is {sc.distance_m:g} m but race {splits.race_id!r} is {splits.event_m:g} m",
                "scenario",
            )
        if splits.athlete:
            from paceline.io.athletes import athlete_id

            ran, described = athlete_id(splits.athlete), athlete_id(sc.athlete.name, sc.athlete.id)
            if ran != described:  # another athlete's body would read her splits as another power
                raise ScenarioError(
                    f"scenario {sc.name!r} describes {sc.athlete.name} (id {described!r}) but race "
                    f"{splits.race_id!r} was run by {splits.athlete} (id {ran!r}); give a scenario of that athlete (or "
                    f"athlete.id = {ran!r}), or none",
                    "scenario",
                )
        return sc, [Assumption("scenario", sc.name, "", "race file" if scenario is None else "given")]
    data, notes = minimal_scenario(splits)
    return scenario_from_dict(data, source=splits.race_id), notes


def minimal_scenario(splits: RaceSplits) -> tuple[dict[str, Any], list[Assumption]]:
    """Scenario data for a race nobody described: solo, still air, 20 degC, the athlete's body by the one rule.

    Returns
    -------
    dict, list of Assumption
        Scenario fields (for :func:`paceline.io.scenario.scenario_from_dict`) and the assumptions they make.
    """
    from paceline.io.athletes import body_for, reference_athletes
    from paceline.io.scenario import default_track_kind

    body = body_for(splits.athlete)
    athlete: dict[str, Any] = {"name": splits.athlete or "athlete", "height_m": body.height_m, "mass_kg": body.mass_kg}
    known = reference_athletes().get(splits.athlete)
    if known is not None:
        athlete.update(sex=known["sex"], performances=known["performances"])
    road = default_track_kind(splits.event_m) == "road"
    data: dict[str, Any] = {
        "name": splits.race_id,
        "description": f"{splits.athlete}, {splits.venue}, {splits.date} (minimal scenario: solo, still air)",
        "distance_m": splits.event_m,
        "athlete": athlete,
        "track": {"kind": "road" if road else "oval"},
    }
    notes = [
        Assumption("athlete_body", f"{body.height_m:g} m, {body.mass_kg:g} kg", "", body.source),
        Assumption("pacing", "solo", "", "assumed: no scenario with the formation was given"),
        Assumption("conditions", "20 degC, 50 % RH, sea level, still air", "", "assumed: no scenario given"),
        Assumption("track", "road, no bends" if road else "standard 400 m oval", "", "assumed from the distance"),
    ]
    return data, notes
