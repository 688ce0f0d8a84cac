"""The one body rule: given values, the named athlete's, the median body of her sex, the generic body; and the bodies
it refuses."""

from __future__ import annotations

import csv
import statistics
from importlib import resources

import pytest

from paceline.errors import ScenarioError
from paceline.io.athletes import GENERIC_HEIGHT_M, body_for, sex_default_body


def _listed(sex: str) -> list[dict[str, str]]:
    text = (resources.files("paceline") / "data" / "performances" / "athlete_bodies.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))
    return [r for r in rows if r["sex"] == sex]


@pytest.mark.parametrize("sex", ["F", "M"])
def test_sex_default_is_the_median_of_the_listed_bodies(sex: str) -> None:
    rows = _listed(sex)
    assert all(r["source"].strip() for r in rows) and len(rows) >= 8
    body = sex_default_body(sex)
    assert body.height_m == pytest.approx(statistics.median(float(r["height_m"]) for r in rows))
    assert body.mass_kg == pytest.approx(statistics.median(float(r["mass_kg"]) for r in rows))
    assert "athlete_bodies.csv" in body.source


def test_order_of_the_rule() -> None:
    # Kipyegon's listed body (reference/athletes.csv): 1.57 m, 42 kg, whatever the sex flag says
    assert (body_for("Faith Kipyegon", sex="M").height_m, body_for("Faith Kipyegon").mass_kg) == (1.57, 42.0)
    assert body_for("Nobody", sex="F") == sex_default_body("F")
    assert body_for("Nobody").height_m == GENERIC_HEIGHT_M and "assumed" in body_for("Nobody").source
    both = body_for("Nobody", 1.80, 60.0, "M")
    assert (both.height_m, both.mass_kg, both.source) == (1.80, 60.0, "given")
    half = body_for("Nobody", height_m=1.80, sex="F")
    assert half.mass_kg == sex_default_body("F").mass_kg and half.source.startswith("height given")
    # women are listed shorter and lighter than men (a property of the data)
    assert sex_default_body("F").height_m < sex_default_body("M").height_m


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"height_m": 3.0}, "height_m"), ({"mass_kg": 15.0}, "mass_kg"), ({"sex": "X"}, "sex")],
)
def test_inhuman_body_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ScenarioError) as exc:
        body_for("Nobody", **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field


def test_a_listed_athlete_is_found_by_name_in_any_case() -> None:
    # data/performances/athlete_bodies.csv lists Eliud Kipchoge at 1.67 m and 52 kg (his infobox)
    from paceline.io.athletes import body_for, reference_sex

    for name in ("Eliud Kipchoge", "eliud kipchoge", "ELIUD KIPCHOGE"):
        body = body_for(name)
        assert (body.height_m, body.mass_kg) == (1.67, 52.0) and "listed body" in body.source
        assert reference_sex(name) == "M"
    assert body_for("faith kipyegon").height_m == 1.57  # the reference athlete, any case
    assert reference_sex("Nobody Listed") is None
    assert body_for("Nobody Listed").source.startswith("assumed generic body")


def test_pronouns_follow_the_athletes_sex_and_refuse_anything_else() -> None:
    from paceline.io.athletes import pronouns

    she, he = pronouns("F"), pronouns("M")
    assert (she.subject, she.object, she.possessive, she.absolute) == ("she", "her", "her", "hers")
    assert (he.subject, he.object, he.possessive, he.absolute) == ("he", "him", "his", "his")
    with pytest.raises(ScenarioError) as exc:
        pronouns("X")
    assert exc.value.field == "sex" and "F or M" in str(exc.value)
