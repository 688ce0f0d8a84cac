"""The shipped performance tables: the issue's minimum content, sources on every row, times that make sense."""

from __future__ import annotations

import itertools

from paceline.io.performance_tables import performance_tables


def test_tables_meet_the_minimum_the_benchmark_needs() -> None:
    tables = performance_tables()
    kinds = [t.kind for t in tables.values()]
    assert {t.sex for t in tables.values() if t.kind == "world"} == {"F", "M"}
    assert kinds.count("national") >= 3
    assert kinds.count("athlete") >= 20
    assert all(len(t.rows) >= 3 for t in tables.values())


def test_every_row_has_a_source_and_times_increase_with_distance() -> None:
    for t in performance_tables().values():
        assert all(r.source.strip() for r in t.rows), t.name
        d, s = t.distances_m, t.times_s
        assert len(set(d)) == len(d), t.name
        assert all(b > a for a, b in itertools.pairwise(s)), t.name
        # mean speeds of elite runners, 800 m to the marathon: below the 400 m world record's 9.26 m/s,
        # above 4.5 m/s (a 2:36 marathon)
        assert all(4.5 < di / ti < 9.26 for di, ti in zip(d, s, strict=True)), t.name


def test_a_row_copied_as_printed() -> None:
    # infoplease, 2000 Women's World Running Records: 1500 m 3:50.46 (Qu Yunxia)
    row = next(r for r in performance_tables()["world-2000-women"].rows if r.distance_m == 1500)
    assert row.time_s == 230.46 and row.who == "Qu Yunxia"


def test_data_readme_counts_the_rows_of_each_file() -> None:
    # the data README's "rows" column is each file's count of data rows (comments and header excluded)
    from importlib import resources

    folder = resources.files("paceline") / "data" / "performances"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for name in ("world_records.csv", "national_records.csv", "athlete_bests.csv"):
        lines = [ln for ln in (folder / name).read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
        row = next(ln for ln in readme.splitlines() if ln.startswith(f"| {name} |"))
        assert row.rstrip(" |").rsplit("|", 1)[-1].strip() == str(len(lines) - 1), name
