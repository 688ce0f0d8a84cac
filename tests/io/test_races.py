"""Race split files: the bundled races, and every kind of bad file rejected with the line and column named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cli_runner import run_here as run
from paceline.errors import ScenarioError
from paceline.io.races import COLUMNS, bundled_race_names, load_race, parse_races

HEADER = ",".join(COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join(["# test race", HEADER, *rows]) + "\n"


def row(split_m: str, time_s: str, race_id: str = "t1", event_m: str = "1609.344") -> str:
    return f"{race_id},A. Runner,2024-01-01,Somewhere,{event_m},{split_m},{time_s},"


def test_bundled_races_present() -> None:
    names = bundled_race_names()
    for name in ("breaking4_2025", "monaco_2023", "breaking2_2017", "ineos159_2019", "florence_2023"):
        assert name in names


def test_breaking4_published_splits() -> None:
    # reference/races.csv (World Athletics report, 26 June 2025): 60.20, 2:00.75, 3:01.84, 4:06.42
    r = load_race("breaking4_2025")
    assert r.event_m == 1609.344
    np.testing.assert_allclose(r.split_m, [400, 800, 1200, 1609.344])
    np.testing.assert_allclose(r.time_s, [60.20, 120.75, 181.84, 246.42])
    assert r.segments()[-1][2] == pytest.approx(64.58, abs=1e-9)  # "final 409 m in 64.58"
    assert r.scenario == "breaking4"
    assert any("World Athletics" in s for s in r.sources)


def test_monaco_and_clock_times() -> None:
    # Monaco 2023 world record 4:07.64 (reference/races.csv)
    assert load_race("monaco_2023").finish_s == pytest.approx(247.64)
    # INEOS 1:59 Challenge, clock-style times: 1:59:40.2 (The Running Plan / The Sports Examiner)
    ineos = load_race("ineos159_2019")
    assert ineos.finish_s == pytest.approx(7180.2)
    assert ineos.time_s[1] == pytest.approx(28 * 60 + 20)  # 10 km in 28:20
    # Florence 2023 1500 m world record 3:49.11 (World Athletics report)
    assert load_race("florence_2023").finish_s == pytest.approx(229.11)


def test_every_bundled_race_cites_a_source() -> None:
    for name in bundled_race_names():
        r = load_race(name)
        assert r.sources, name
        assert np.all(np.diff(r.split_m) > 0) and np.all(np.diff(r.time_s) > 0)
        assert r.split_m[-1] == r.event_m


def test_several_races_in_one_file(tmp_path: Path) -> None:
    p = tmp_path / "two.csv"
    p.write_text(csv_text(row("400", "61"), row("1609.344", "250"), row("1609.344", "251", race_id="t2")))
    with pytest.raises(ScenarioError, match="holds 2 races"):
        load_race(p)
    assert load_race(p, "t2").finish_s == 251.0


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ((row("800", "121"), row("400", "60"), row("1609.344", "250")), r"line 4, split_m: .*sorted"),
        ((row("400", "60"), row("400", "61"), row("1609.344", "250")), r"line 4, split_m: .*sorted"),
        ((row("400", "60"), row("1700", "250")), r"line 4, split_m: 1700 m is beyond the finish"),
        ((row("400", "60"), row("800", "59"), row("1609.344", "250")), r"line 4, time_s: .*must increase"),
        ((row("400", "60"), row("800", "2:01.0"), row("1609.344", "250")), r"line 4, time_s: .*mixed units"),
        ((row("400", "1:00.x"), row("1609.344", "250")), r"line 3, time_s: .*not a time"),
        ((row("400m", "60"), row("1609.344", "250")), r"line 3, split_m: .*no units"),
        ((row("400", "60"), row("1200", "185")), r"no finish split"),
        ((row("400", "60"), row("1609.344", "250", event_m="1500")), r"line 4, event_m"),
        ((row("400", "-3"), row("1609.344", "250")), r"line 3, time_s"),
    ],
)
def test_bad_files(rows: tuple[str, ...], match: str) -> None:
    with pytest.raises(ScenarioError, match=match):
        parse_races(csv_text(*rows), "bad.csv")


def test_missing_column() -> None:
    text = "race_id,athlete,date,venue,event_m,split_m,note\nt1,A,2024,X,1609.344,1609.344,\n"
    with pytest.raises(ScenarioError, match=r"missing column.*time_s"):
        parse_races(text, "bad.csv")


def test_empty_file() -> None:
    with pytest.raises(ScenarioError, match="no header"):
        parse_races("# only comments\n", "bad.csv")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (csv_text(row("800", "121"), row("400", "60"), row("1609.344", "250")), "split_m"),
        (csv_text(row("400", "60"), row("1700", "250")), "beyond the finish"),
        (csv_text(row("400", "60"), row("800", "59"), row("1609.344", "250")), "time_s"),
        (csv_text(row("400", "60"), row("800", "2:01.0"), row("1609.344", "250")), "mixed units"),
        ("race_id,athlete,date,venue,event_m,split_m,note\nt1,A,2024,X,1609.344,1609.344,\n", "time_s"),
    ],
)
def test_bad_files_exit_2(tmp_path: Path, body: str, needle: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(body)
    r = run("analyze", str(p), "--json")
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    assert needle in r.stderr and "bad.csv" in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_race_exit_2() -> None:
    r = run("analyze", "no_such_race")
    assert r.returncode == 2
    assert "breaking4_2025" in r.stderr  # lists what is allowed


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_scenario_or_a_solved_race_is_not_splits(tmp_path: Path, suffix: str) -> None:
    # `paceline analyze breaking4.toml` said "line 3: missing column(s) race_id, ..." of the TOML read as CSV
    from paceline.io.scenario import bundled_scenario_text

    path = tmp_path / f"breaking4{suffix}"
    path.write_text(bundled_scenario_text("breaking4") if suffix == ".toml" else "{}", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^race: .* is not a race's splits; give a bundled race .*--scenario"):
        load_race(path)


def test_a_control_character_in_a_race_file_names_the_line() -> None:
    text = "race_id,athlete,date,venue,event_m,split_m,time_s,note\nr,A\x1b[2J,2025-01-01,V,1500,1500,230,\n"
    with pytest.raises(ScenarioError, match=r"^x.csv line 2: holds the control character U\+001B"):
        parse_races(text, source="x.csv")
