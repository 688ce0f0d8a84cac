"""paceline athlete new / show: the athlete file, a scenario that uses it, her profile with intervals."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path

import pytest

from cli_runner import run_here as run


def _csv(tmp_path: Path) -> Path:
    f = tmp_path / "perfs.csv"
    f.write_text("distance_m,time,race\n1500,3:49.04,\n1609.344,4:07.64,monaco2023\n5000,14:05.20,\n")
    return f


def test_new_writes_a_file_a_scenario_uses(tmp_path: Path) -> None:
    out = tmp_path / "fk.toml"
    r = run("athlete", "new", "--performances", str(_csv(tmp_path)), "--name", "Faith Kipyegon", "--out", str(out))
    assert r.returncode == 0, r.stderr
    table = tomllib.loads(out.read_text())["athlete"]
    assert table["id"] == "faith-kipyegon" and table["height_m"] == 1.57 and len(table["performances"]) == 3
    assert table["performances"][1]["race"] == "monaco2023"
    sc = tmp_path / "mile.toml"
    sc.write_text('name = "m"\ndistance_m = 1609.344\n[athlete]\nfile = "fk.toml"\n')
    pred = json.loads(run("predict", str(sc), "--json").stdout)
    assert pred["athlete"]["name"] == "Faith Kipyegon" and 240 < pred["time_s"] < 260


def test_show_predicts_every_standard_distance_with_an_interval(tmp_path: Path) -> None:
    out = tmp_path / "fk.toml"
    run("athlete", "new", "--performances", str(_csv(tmp_path)), "--name", "Faith Kipyegon", "--out", str(out))
    shown = json.loads(run("athlete", "show", str(out), "--json").stdout)
    assert shown["sex"] == "F" and "reference/athletes.csv" in shown["body_source"]  # what the file says
    rows = shown["predictions"]
    assert [r["distance_m"] for r in rows] == sorted(r["distance_m"] for r in rows) and len(rows) == 8
    assert all(r["low_s"] < r["time_s"] < r["high_s"] for r in rows)
    assert all(a["time_s"] < b["time_s"] for a, b in itertools.pairwise(rows))
    # the paced Monaco mile enters as its solo equivalent (slower than 4:07.64)
    assert shown["solo_equivalents"][1]["time_s"] > 247.64


def test_bad_athlete_inputs_are_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("distance_m,time\n1500,3:49.04\n5000,3:40.00\n")
    r = run("athlete", "new", "--performances", str(bad), "--name", "X")
    assert r.returncode == 2 and "bad.csv line 3: time" in r.stderr
    r = run("athlete", "new", "--performances", str(_csv(tmp_path)), "--name", "X", "--height-m", "2.9")
    assert r.returncode == 2 and "--height-m" in r.stderr
    sc = tmp_path / "s.toml"
    sc.write_text('name = "m"\ndistance_m = 1609.344\n[athlete]\nfile = "missing.toml"\n')
    r = run("predict", str(sc))
    assert r.returncode == 2 and "athlete.file" in r.stderr


def test_show_of_an_athlete_file_with_a_bad_field_is_exit_2_naming_it(tmp_path: Path) -> None:
    out = tmp_path / "fk.toml"
    run("athlete", "new", "--performances", str(_csv(tmp_path)), "--name", "Faith Kipyegon", "--out", str(out))
    text = out.read_text()
    for line, field in (
        ("drag_area_m2 = 0.33\ndrag_area_sd_m2 = 0.19", "athlete.drag_area_sd_m2"),  # draws would leave 0.05-1 m^2
        ("drag_area_sd_m2 = 0.01", "athlete.drag_area_sd_m2"),  # an SD of no measurement
        ("sex = 3", "athlete.sex"),
    ):
        bad = tmp_path / "bad.toml"
        bad.write_text(text.replace("[athlete]\n", f"[athlete]\n{line}\n", 1).replace('sex = "F"\n', "", 1))
        r = run("athlete", "show", str(bad))
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith(f"paceline: error: {field}") and r.stderr.count("\n") == 1


def test_new_needs_a_sex_for_an_unlisted_athlete_and_never_writes_one_nobody_gave(tmp_path: Path) -> None:
    out = tmp_path / "x.toml"
    r = run("athlete", "new", "--performances", str(_csv(tmp_path)), "--name", "Unlisted Runner", "--out", str(out))
    assert r.returncode == 2 and r.stderr.startswith("paceline: error: --sex") and not out.exists()
    r = run("athlete", "new", "--performances", str(_csv(tmp_path)), "--name", "eliud kipchoge", "--out", str(out))
    assert r.returncode == 0, r.stderr
    table = tomllib.loads(out.read_text())["athlete"]
    assert table["sex"] == "M" and table["height_m"] == 1.67  # his listed body, found in any case


def test_show_gives_riegel_exponent_over_her_span_and_takes_one_performance(tmp_path: Path) -> None:
    # a club runner's 5 km 20:00 and 10 km 41:30 run at Riegel's exponent ln(2490/1200)/ln 2 = 1.053; the model's
    # curve over her span, fitted to those two, shows about that (the population's b before its bend does not);
    # one performance is enough for the performance model
    import math

    two = tmp_path / "club.csv"
    two.write_text("distance_m,time\n5000,20:00\n10000,41:30\n")
    shown = json.loads(run("athlete", "show", str(two), "--json").stdout)
    own = math.log(2490.0 / 1200.0) / math.log(2.0)
    assert shown["span_exponent"] == pytest.approx(own, abs=0.01)
    assert abs(shown["exponent"] - own) > 0.03
    one = tmp_path / "one.csv"
    one.write_text("distance_m,time\n5000,20:00\n")
    r = run("athlete", "show", str(one), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["span_exponent"] is None and json.loads(r.stdout)["loo_mean_abs_error_pct"] is None


def test_show_of_a_csv_gives_no_sex_it_was_not_told(tmp_path: Path) -> None:
    # a CSV of performances has no sex column: `athlete show` printed "sex F" (the Athlete model's default) for the
    # README's club runner, whom `predict --sex M` calls "he"; an athlete file keeps the sex it was written with
    csv = tmp_path / "club.csv"
    csv.write_text("distance_m,time\n5000,20:00\n10000,41:30\n")
    shown = json.loads(run("athlete", "show", str(csv), "--json").stdout)
    assert shown["sex"] is None
    text = run("athlete", "show", str(csv)).stdout
    assert "not given" in text
    out = tmp_path / "club-runner.toml"
    r = run("athlete", "new", "--performances", str(csv), "--name", "Club Runner", "--sex", "M", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(run("athlete", "show", str(out), "--json").stdout)["sex"] == "M"
