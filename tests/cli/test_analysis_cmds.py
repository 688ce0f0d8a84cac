"""``paceline analyze`` and ``paceline compare`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import run_here as run


def test_analyze_json_and_plot(tmp_path: Path) -> None:
    fig = tmp_path / "b4.png"
    r = run("analyze", "breaking4_2025", "--json", "--plot", str(fig))
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["race_id"] == "breaking4_2025"
    # Breaking4, Paris 2025: 60.20, 2:00.75, 3:01.84, 4:06.42 (reference/races.csv)
    assert out["finish_s"] == pytest.approx(246.42)
    assert [lap["time_s"] for lap in out["laps"]] == pytest.approx([60.20, 60.55, 61.09, 64.58])
    assert set(out["laps"][0]) >= {"lap", "from_m", "to_m", "time_s", "speed_m_s", "shelter", "drag_power_w"}
    assert out["profile_max_split_error_s"] < 1e-6
    assert [a["cause"] for a in out["attribution"]] == out["attribution_order"]
    assert out["plot"] == str(fig)
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_new_csv_same_format_prints_the_assumed_body(tmp_path: Path) -> None:
    p = tmp_path / "my_race.csv"
    p.write_text(
        "# a club runner's mile, splits from a stopwatch\n"
        "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,409.344,1:12.5,at the line\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,809.344,2:24.0,\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,1209.344,3:37.9,\n"
        "club_mile,J. Doe,2024-05-01,Local track,1609.344,1609.344,4:48.0,\n"
    )
    r = run("analyze", str(p), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["race_id"] == "club_mile" and out["finish_s"] == pytest.approx(288.0)
    body = {i["name"]: i for i in out["inputs"]}["athlete_body"]
    assert body["value"] == "1.7 m, 55 kg" and "assumed" in body["source"]
    r = run("analyze", str(p), "--plot", str(tmp_path / "x.svg"))
    assert r.returncode == 0, r.stderr
    assert "assumed generic body" in r.stdout
    assert (tmp_path / "x.svg").read_text().lstrip().startswith("<?xml")


def test_compare_json() -> None:
    r = run("compare", "monaco_2023", "breaking4_2025", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # 4:07.64 - 4:06.42 (reference/races.csv)
    assert out["difference_s"] == pytest.approx(1.22, abs=1e-6)
    assert list(out["attribution"]) == out["attribution_order"]


def test_errors_name_the_flags() -> None:
    r = run("analyze", "breaking4_2025", "--plot", "fig.gif")
    assert r.returncode == 2
    assert r.stderr.startswith("paceline: error: --plot: 'fig.gif'")
    r = run("analyze", "breaking4_2025", "--scenario", "breaking2")
    assert r.returncode == 2
    assert r.stderr.startswith("paceline: error: --scenario: scenario 'breaking2' is 42195 m")


def _first_header_cell(text: str) -> str:
    """The first column's header of the first table printed (rich box drawing; a wrapped header ends lowest)."""
    cells = []
    for line in text.splitlines():
        if line.startswith("┃"):
            cells.append(line.strip("┃").split("┃")[0].strip())
        elif line.startswith("┡"):
            break
    return " ".join(c for c in cells if c)


def test_analyze_names_km_splits_splits_not_laps(tmp_path: Path) -> None:
    # a 5000 m timed every 1000 m (Tsegay's 14:00.21 world record, Eugene 2023; leader's splits to 3000 m, World
    # Athletics report): the segments are 2.5 laps long, so the table must not call them laps
    p = tmp_path / "five_k.csv"
    head = "race_id,athlete,date,venue,event_m,split_m,time_s,note\n"
    rows = [(1000, 168.08), (2000, 337.24), (3000, 506.03), (4000, 676.89), (5000, 840.21)]
    body = "".join(f"t5k,Gudaf Tsegay,2023-09-17,Eugene,5000,{d},{t},\n" for d, t in rows)
    p.write_text(head + body, encoding="utf-8")
    r = run("analyze", str(p))
    assert r.returncode == 0, r.stderr
    assert _first_header_cell(r.stdout) == "split"
    mile = run("analyze", "monaco_2023")
    assert mile.returncode == 0, mile.stderr
    assert _first_header_cell(mile.stdout) == "lap"


def test_attribution_header_keeps_its_unit() -> None:
    r = run("analyze", "monaco_2023")
    assert r.returncode == 0, r.stderr
    assert "Shapley [s]" in r.stdout  # not swallowed as rich markup
