"""The one table of models: each row's class owns its name and parameter type, its calibration returns that type,
and every name lookup goes through it (an unknown name is one ScenarioError naming the field)."""

from __future__ import annotations

import pytest

from paceline.chain import athlete_for, get_model, solve
from paceline.errors import ScenarioError
from paceline.fit.performances import FIT_MODELS, fit
from paceline.io.scenario import Performance, load_scenario
from paceline.models.athlete import AthleteParams
from paceline.models.registry import DEFAULT_MODEL, MODELS, model_spec
from paceline.studies.uncertainty.montecarlo import MC_MODELS


@pytest.mark.parametrize("name", list(MODELS))
def test_each_model_owns_its_name_type_and_calibration(name: str) -> None:
    spec = model_spec(name)
    model = get_model(name)
    assert model.name == spec.name == name and type(model).params_type is spec.params_type()
    assert issubclass(spec.params_type(), AthleteParams) and spec.params_type().model == name
    sc = load_scenario("breaking4")
    athlete = athlete_for(sc, model)  # the chain calls the row's calibration ...
    assert type(athlete) is spec.params_type()  # ... which returns the model's own parameters, nothing else
    assert spec.calibrate()(sc, aero_cost=getattr(model, "aero_cost", None)) == athlete


@pytest.mark.parametrize(("name", "other"), [("critical-speed", "equal-power"), ("equal-power", "critical-speed")])
def test_a_model_refuses_another_models_parameters(name: str, other: str) -> None:
    sc = load_scenario("breaking4")
    theirs = athlete_for(sc, get_model(other))
    wanted = model_spec(name).params_type().__name__
    with pytest.raises(ScenarioError, match=f"the {name} model needs {wanted}; .* for the {other} model") as exc:
        solve(sc, name, athlete=theirs)
    assert exc.value.field == "athlete"


def test_unknown_names_are_one_error_naming_the_field() -> None:
    with pytest.raises(ScenarioError, match="'fast' is not a model; allowed equal-power, critical-speed") as exc:
        get_model("fast")
    assert exc.value.field == "model"
    with pytest.raises(ScenarioError) as flag:
        model_spec("fast", "--model")
    assert flag.value.field == "--model"
    assert get_model(None).name == DEFAULT_MODEL == "equal-power"


def test_the_lists_of_models_come_from_the_table() -> None:
    assert set(FIT_MODELS) == {*MODELS, "performance"}
    assert MC_MODELS == ("equal-power", "optimal-control")
    assert [n for n, s in MODELS.items() if s.measured_drag_area] == ["equal-power"]


@pytest.mark.parametrize("name", ["critical-speed", "equal-power"])
def test_each_race_models_fit_of_performances_is_its_own(name: str) -> None:
    perfs = [Performance(distance_m=1500.0, time_s=229.0), Performance(distance_m=5000.0, time_s=845.0)]
    result = fit(perfs, name, height_m=1.57, mass_kg=42.0)
    assert result.model == name and result.n == 2


def test_the_scenario_schema_names_the_same_models() -> None:
    from typing import get_args

    from paceline.io.scenario import ModelName

    assert get_args(ModelName) == tuple(MODELS)  # pydantic's schema needs the literal; it must list the table
