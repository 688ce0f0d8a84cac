"""What the web API takes: the client's scenario type, the request bodies, and the answers documented besides 200.

A scenario a client posts is parsed here, at the edge, into a :class:`ClientScenario`: the scenario's own type with
every field that can name something narrowed to bundled names and the scenario's own inline data. There is no file
reference in it at all: a performance's ``race`` is a bundled scenario, its ``formation`` a bundled formation, a pacing
phase's ``formation`` a bundled one or one of the scenario's inline ``formations``, ``athlete.calibration`` a bundled
scenario, ``self`` or ``performances``, and there is no ``athlete.file`` (the scenario type has none; only a TOML file
read by the command line may say ``file``). Anything else is 422 naming the field, before anything is read. Every
route and every background job gets its scenario through this type (the request bodies below), so the code that
reads a user's files (:func:`paceline.io.scenario.load_scenario` on a path,
:func:`paceline.io.formations.load_formation_file`, :func:`paceline.io.athlete_files.read_athlete_file`) is never
given a name that leads to it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from paceline.errors import ScenarioError
from paceline.io.formations import formation_names
from paceline.io.limits import MAX_PACERS, MAX_PERFORMANCES, MAX_PHASES
from paceline.io.scenario import (
    Athlete,
    Pacer,
    PacingPhase,
    Performance,
    Scenario,
    bundled_scenario_names,
    scenario_from_dict,
)
from paceline.models.registry import model_names

#: Calibration keywords besides a bundled scenario's name.
CALIBRATION_KEYWORDS = ("self", "performances")


def _enum(values: list[str]) -> dict[str, Any]:
    """The JSON schema's ``enum`` of a name field (the OpenAPI document lists what is allowed)."""
    return {"enum": list(values)}


def _one_of(value: str, allowed: list[str], what: str) -> str:
    """``value`` if it is in ``allowed``; else an error that lists them and says nothing of any file."""
    if value not in allowed:
        raise ScenarioError(
            f"{value[:80]!r} is not {what}; this server reads no file a client names: allowed {', '.join(allowed)}"
        )
    return value


class ClientPerformance(Performance):
    """A performance as a client sends it: ``race`` and ``formation`` are bundled names only."""

    race: str | None = Field(
        None,
        description="The bundled race scenario it was run in (its pacing and weather).",
        json_schema_extra=_enum(bundled_scenario_names()),
    )
    formation: str | None = Field(
        None,
        description="A bundled formation held the whole race, when no race is given.",
        json_schema_extra=_enum(formation_names()),
    )

    @field_validator("race")
    @classmethod
    def _race(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, bundled_scenario_names(), "a bundled scenario")

    @field_validator("formation")
    @classmethod
    def _formation(cls, value: str | None) -> str | None:
        return None if value is None else _one_of(value, formation_names(), "a bundled formation")


class ClientAthlete(Athlete):
    """The athlete as a client sends her: performances of :class:`ClientPerformance`, a bundled calibration."""

    performances: tuple[ClientPerformance, ...] = Field((), max_length=MAX_PERFORMANCES)
    calibration: str | None = Field(
        None,
        description="What sets her metabolic power: a bundled race scenario she ran, 'self' (this scenario's own "
        "result) or 'performances'; default: her performances.",
        json_schema_extra=_enum([*bundled_scenario_names(), *CALIBRATION_KEYWORDS]),
    )

    @field_validator("calibration")
    @classmethod
    def _calibration(cls, value: str | None) -> str | None:
        allowed = [*bundled_scenario_names(), *CALIBRATION_KEYWORDS]
        return None if value is None else _one_of(value, allowed, "a bundled scenario, 'self' or 'performances'")


class ClientPacer(Pacer):
    """A pacer as a client sends them: performances of :class:`ClientPerformance`."""

    performances: tuple[ClientPerformance, ...] = Field((), max_length=MAX_PERFORMANCES)


class ClientScenario(Scenario):
    """A scenario as a web client sends it: the scenario with bundled names and inline data only (see the module)."""

    athlete: ClientAthlete
    pacers: tuple[ClientPacer, ...] = Field((), max_length=MAX_PACERS)
    pacing: tuple[PacingPhase, ...] = Field(
        (),
        max_length=MAX_PHASES,
        description="Phases in order; each phase's formation is a bundled one or one of `formations` (inline).",
    )

    @model_validator(mode="after")
    def _formations_are_named(self) -> ClientScenario:
        allowed = sorted({*formation_names(), *self.formations})
        for i, ph in enumerate(self.pacing):
            if ph.formation not in allowed:
                try:
                    _one_of(ph.formation, allowed, "a formation (bundled or inline)")
                except ScenarioError as exc:
                    raise ScenarioError(str(exc), f"pacing[{i}].formation") from None
        return self


def client_scenario(data: Any) -> ClientScenario:
    """Parse a client's scenario JSON into a :class:`ClientScenario`.

    Raises
    ------
    ScenarioError
        Naming the first bad field (a name that is not bundled or inline included); nothing is read before.
    """
    if isinstance(data, ClientScenario):
        return data
    sc = scenario_from_dict(data, source="scenario", kind=ClientScenario)
    assert isinstance(sc, ClientScenario)
    return sc


def available_models() -> list[str]:
    """Models the installed paceline can solve (:data:`paceline.models.registry.MODELS` whose module exists)."""
    import importlib.util

    from paceline.models.registry import MODELS

    return [n for n, spec in MODELS.items() if importlib.util.find_spec(spec.model_class.partition(":")[0])]


def model_name(model: str) -> str:
    """``model`` if this installation can solve it (the one check of a requested model's name).

    Raises
    ------
    ScenarioError
        Field ``model``, listing the models available.
    """
    if model not in available_models():
        raise ScenarioError(f"{model[:80]!r} is not available; allowed {', '.join(available_models())}", "model")
    return model


def bundled_name(name: str) -> str:
    """``name`` if it is a bundled scenario's.

    Raises
    ------
    ScenarioError
        Field ``name``, listing the bundled scenarios.
    """
    if name not in bundled_scenario_names():
        raise ScenarioError(
            f"{name[:80]!r} is not a bundled scenario; allowed {', '.join(bundled_scenario_names())}", "name"
        )
    return name


_MODEL = Field(
    "equal-power",
    description="equal-power (fast), critical-speed, or optimal-control (GET /api/models lists those installed).",
    json_schema_extra=_enum(list(model_names())),
)


class ScenarioBody(BaseModel):
    """A client's scenario (the ``scenario`` of ``GET /api/scenarios/{name}``, edited) and the model."""

    model_config = ConfigDict(extra="forbid")

    scenario: ClientScenario = Field(..., description="A scenario as JSON: bundled names and inline data only.")
    model: str = _MODEL

    @field_validator("scenario", mode="before")
    @classmethod
    def _scenario(cls, value: Any) -> ClientScenario:
        return client_scenario(value)

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        return model_name(value)


class SolveRequest(BaseModel):
    """Body of ``POST /api/solve``: a client's scenario, or the name of a bundled one, and the model."""

    model_config = ConfigDict(extra="forbid")

    scenario: ClientScenario | None = Field(
        None, description="A scenario as JSON (the `scenario` of GET /api/scenarios/{name}, edited)."
    )
    name: str | None = Field(
        None,
        description="Name of a bundled scenario, instead of `scenario`.",
        examples=bundled_scenario_names()[:1],
    )
    model: str = _MODEL

    @field_validator("scenario", mode="before")
    @classmethod
    def _scenario(cls, value: Any) -> ClientScenario | None:
        return None if value is None else client_scenario(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else bundled_name(value)

    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        return model_name(value)

    @model_validator(mode="after")
    def _one(self) -> SolveRequest:
        if (self.scenario is None) == (self.name is None):
            raise ScenarioError("give exactly one of 'scenario' (JSON) or 'name' (a bundled scenario)", "scenario")
        return self


def _error_schema(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {}}}}},
    }


BAD_REQUEST = _error_schema("The body is not JSON, or the Host is not served.")
NOT_FOUND = _error_schema("No such bundled scenario or race.")
TOO_LARGE = _error_schema("Request body over the limit.")
UNPROCESSABLE = _error_schema("A bad scenario or request: `field` names the field, `message` says what is allowed.")
SOLVED = {
    "description": "The race: finish_s, splits, chart series and replay frames.",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
