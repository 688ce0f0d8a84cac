"""``paceline infer`` as a user runs it: exit codes, one line on stderr, the JSON keys, the corner plot."""

from __future__ import annotations

import json

import pytest

from cli_runner import run


def test_unknown_race_is_exit_2_in_one_line() -> None:
    p = run("infer", "no_such_race_2099", "--draws", "200")
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "races" in p.stderr and "breaking4_2025" in p.stderr


def test_a_race_with_one_split_is_exit_2(tmp_path) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text(
        "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"
        "one_2024,Faith Kipyegon,2024-01-01,somewhere,1609.344,1609.344,250.0,\n"
    )
    p = run("infer", str(csv))
    assert p.returncode == 2 and "at least 2" in p.stderr and p.stdout == ""


def test_a_chain_too_short_is_exit_2_naming_draws() -> None:
    p = run("infer", "breaking4_2025", "monaco_2023", "--draws", "100", "--json")
    assert p.returncode == 2
    assert p.stdout == "" and p.stderr.count("\n") == 1 and "--draws" in p.stderr and "converge" in p.stderr


def test_draws_out_of_range_names_the_flag() -> None:
    p = run("infer", "breaking4_2025", "--draws", "5")
    assert p.returncode == 2 and "--draws" in p.stderr


def test_a_bad_plot_suffix_is_refused_before_the_work(tmp_path) -> None:
    p = run("infer", "breaking4_2025", "monaco_2023", "--plot", str(tmp_path / "x.gif"))
    assert p.returncode == 2 and "png" in p.stderr


@pytest.mark.slow
def test_default_run_converges_with_the_documented_json_and_a_plot(tmp_path) -> None:
    png = tmp_path / "corner.png"
    p = run("infer", "breaking4_2025", "monaco_2023", "--json", "--plot", str(png))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert list(out) == ["races", "draws", "posterior", "diagnostics", "predictive"]
    assert out["diagnostics"]["converged"] is True
    for d in out["diagnostics"]["parameters"]:
        assert d["ess"] >= 400 and (d["rhat"] <= 1.01 or d["tau_steps"] < out["diagnostics"]["kept_steps"] / 50)
    names = {q["name"] for q in out["posterior"]}
    assert {"shelter_breaking4_2025_0-800m", "form_breaking4_2025", "cd_factor", "pacer_gap_monaco_2023_m"} <= names
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
