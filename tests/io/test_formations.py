"""Bundled formations as data, and the ``paceline formations`` commands run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cli_runner import run_here as run
from paceline.errors import ScenarioError
from paceline.io.fitted import drafting_params
from paceline.io.formations import (
    bundled_formations,
    formation_from_dict,
    formation_names,
    formation_to_toml,
    get_formation,
    load_formation_file,
)
from paceline.io.scenario import load_scenario
from paceline.physics import drafting
from paceline.physics.formation import Formation, Slot
from paceline.physics.lines import check_slots

REQUIRED = {
    "solo",
    "single",
    "front-back",
    "line-2",
    "line-3",
    "breaking2-arrowhead",
    "ineos-v",
    "breaking4-pocket",
    "monaco-2023",
}


def test_required_formations_are_bundled() -> None:
    assert set(formation_names()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_formation_is_documented_and_runnable(name: str) -> None:
    f = get_formation(name)
    assert f.description and f.source
    check_slots(f)  # nobody inside the kerb or beyond lane 8
    pts = np.array([(0.0, 0.0)] + [(s.dx_m, s.dy_m) for s in f.slots])
    if len(pts) > 1:
        d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        d[np.diag_indices_from(d)] = np.inf
        assert d.min() >= 0.75, name  # nobody overlaps anybody


def test_pacer_counts_from_the_reports() -> None:
    # races.csv / model_anchors.md: Breaking2 six pacers, INEOS 5 in a V + 2 behind, Monaco one pacer at a time
    assert get_formation("breaking2-arrowhead").n_pacers == 6
    assert get_formation("ineos-v").n_pacers == 7
    assert get_formation("monaco-2023").n_pacers == 1
    assert get_formation("front-back").n_pacers == 2
    # the bundled breaking4 scenario names seven pacers per phase in the pocket
    assert get_formation("breaking4-pocket").n_pacers == 7


def test_assumed_geometries_list_their_assumptions() -> None:
    for name in ("breaking4-pocket", "monaco-2023", "breaking2-arrowhead", "ineos-v"):
        assert len(get_formation(name).assumptions) >= 2, name


def test_pocket_far_from_the_optimum_the_2025_paper_assumed() -> None:
    # model_anchors.md: experts called the pocket wide open, shelter far from the 70-76 % of one pacer ahead and
    # one behind that da Silva et al. (2025) assumed
    p = drafting_params()
    pocket = drafting.formation_shelter(get_formation("breaking4-pocket"), p)
    assert pocket < drafting.formation_shelter(get_formation("front-back"), p)
    assert pocket < drafting.formation_shelter(get_formation("line-2"), p)


def test_monaco_little_shelter() -> None:
    # races.csv: one pacer about two strides ahead; da Silva et al. (2025) credit her with "little" shelter
    assert 0.0 < drafting.formation_shelter(get_formation("monaco-2023"), drafting_params()) < 0.2


def test_the_bundled_breaking4_start_is_the_bundled_pocket_plus_six() -> None:
    # breaking4.toml: "the pocket's [slot positions] are those of the bundled breaking4-pocket formation"; 13 pacers
    # at the start (races.csv), 7 of them in the pocket; the two copies must not drift apart
    pocket = get_formation("breaking4-pocket")
    start = load_scenario("breaking4").formation("breaking4-13")
    assert start.slots[: pocket.n_pacers] == pocket.slots and start.n_pacers == 13
    assert start.athlete_offset_m == pocket.athlete_offset_m


def test_inline_formation_error_names_the_slot() -> None:
    bad = {"name": "x", "athlete_offset_m": 0.3, "slots": [{"name": "hugger", "dx_m": 1.0, "dy_m": -0.6}]}
    with pytest.raises(ScenarioError, match=r"hugger.*inside"):
        formation_from_dict(bad)


def test_toml_round_trip_keeps_every_field(tmp_path: Path) -> None:
    form = Formation(
        'Ålesund "pocket"',
        (Slot("front", 1.25, 0.0), Slot("wide-ü", 2.6, 0.65), Slot("back", -1.0, -0.1)),
        description="accents and quotes survive",
        source="test",
        athlete_offset_m=0.4,
        assumptions=("one", "two: with a colon"),
    )
    path = tmp_path / "rt.toml"
    path.write_text(formation_to_toml(form), encoding="utf-8")
    assert load_formation_file(path) == form


def test_unknown_formation_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        get_formation(str(tmp_path / "missing.toml"))


# ---- command line --------------------------------------------------------------------------------------------------


def test_cli_formations_json() -> None:
    r = run("formations", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    rows = {row["name"]: row for row in out["formations"]}
    assert set(rows) == set(bundled_formations())
    for row in rows.values():
        assert {"name", "pacers", "shelter", "shelter_low", "shelter_high"} <= set(row)
        assert 0.0 <= row["shelter_low"] <= row["shelter_high"] < 1.0
    assert rows["solo"]["shelter"] == 0.0
    # the command shows the library's best fit (shipped parameters), rounded to 4 places
    single = drafting.formation_shelter(get_formation("single"), drafting_params())
    assert rows["single"]["shelter"] == round(single, 4)
    assert out["draws"] == 200
    assert rows["solo"]["drag_solo_n"] == pytest.approx(8.9, abs=0.15)  # model_anchors.md: about 8.9 N at 4:00 pace


def test_cli_show_writes_a_diagram(tmp_path: Path) -> None:
    svg = tmp_path / "pocket.svg"
    r = run("formations", "show", "breaking4-pocket", "--svg", str(svg), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert len(out["slots"]) == 7
    assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    assert run("formations", "show", "no-such-formation").returncode == 2


def test_cli_design_writes_a_usable_formation(tmp_path: Path) -> None:
    path = tmp_path / "designed.toml"
    r = run("formations", "design", "--pacers", "2", "--lanes", "1", "--json", "--out", str(path))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["pacers"] == 2 and out["closest_spacing_m"] >= 0.9 - 1e-9
    assert out["shelter_low"] <= out["shelter"] <= out["shelter_high"]
    assert any(c["name"] == "front-back" for c in out["compare"])
    form = get_formation(str(path))
    assert form.n_pacers == 2
    check_slots(form, lanes=1)
    bad = run("formations", "design", "--pacers", "0")
    assert bad.returncode == 2 and "--pacers" in bad.stderr
