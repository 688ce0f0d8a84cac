"""The answer cache: a stored answer is the computed one, is used only while nothing it depends on changed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bad_input import run_cli
from paceline.cli import answers
from paceline.io import cache


@pytest.fixture
def cache_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("PACELINE_CACHE_DIR", str(root))
    monkeypatch.setenv(answers.ANSWER_ENV, "on")
    return root


def _stored(root: Path) -> list[Path]:
    return sorted((root / answers.KIND).glob("*.json")) if (root / answers.KIND).is_dir() else []


def _fail(*args: object, **kwargs: object) -> None:
    raise AssertionError("computed although the answer was stored")


def test_a_stored_answer_is_the_computed_one_and_nothing_is_computed(
    cache_on: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = run_cli("plan", "breaking4")
    assert first.code == 0 and len(_stored(cache_on)) == 1
    monkeypatch.setattr("paceline.studies.planning.plan.make_plan", _fail)
    again = run_cli("plan", "breaking4")
    assert again.code == 0 and again.stdout == first.stdout and again.stderr == ""
    # another option is another question: it computes (and here fails loudly)
    assert run_cli("plan", "breaking4", "--json").code == 1


def test_off_switch_computes_every_time(cache_on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(answers.ANSWER_ENV, "off")
    assert run_cli("predict", "breaking4", "--json").code == 0
    assert _stored(cache_on) == []


def test_an_edited_scenario_or_a_file_it_refers_to_is_a_new_question(cache_on: Path, tmp_path: Path) -> None:
    perfs = tmp_path / "perfs.csv"
    perfs.write_text("distance_m,time\n1500,3:49.04\n5000,14:05.20\n")
    ath = tmp_path / "fk.toml"
    assert (
        run_cli(
            "athlete", "new", "--performances", str(perfs), "--name", "Faith K", "--sex", "F", "--out", str(ath)
        ).code
        == 0
    )
    sc = tmp_path / "mile.toml"
    sc.write_text('name = "m"\ndistance_m = 1609.344\n[athlete]\nfile = "fk.toml"\n')
    before = run_cli("predict", str(sc), "--json")
    assert before.code == 0
    [record] = _stored(cache_on)
    assert str(ath.resolve()) in cache.load(answers.KIND, record.stem)["reads"]  # type: ignore[index]
    assert run_cli("predict", str(sc), "--json").stdout == before.stdout
    # the athlete file (read through the scenario, not named on the command line) gets a slower 5000 m
    perfs.write_text("distance_m,time\n1500,3:49.04\n5000,14:35.20\n")
    ath.unlink()
    assert (
        run_cli(
            "athlete", "new", "--performances", str(perfs), "--name", "Faith K", "--sex", "F", "--out", str(ath)
        ).code
        == 0
    )
    after = run_cli("predict", str(sc), "--json")
    assert after.code == 0 and after.stdout != before.stdout
    sc.write_text('name = "m"\ndistance_m = 1500\n[athlete]\nfile = "fk.toml"\n')
    assert run_cli("predict", str(sc), "--json").stdout != after.stdout


def test_a_relinked_athlete_file_is_a_new_question(cache_on: Path, tmp_path: Path) -> None:
    # the scenario reaches her file through a link; pointing the link elsewhere changes the answer
    perfs = tmp_path / "perfs.csv"
    for mass, folder in (("42", "v1"), ("60", "v2")):
        (tmp_path / folder).mkdir()
        perfs.write_text("distance_m,time\n1500,3:49.04\n5000,14:05.20\n")
        out = tmp_path / folder / "a.toml"
        args = (
            "athlete",
            "new",
            "--performances",
            str(perfs),
            "--name",
            "Faith K",
            "--sex",
            "F",
            "--mass-kg",
            mass,
            "--out",
            str(out),
        )
        assert run_cli(*args).code == 0
    link = tmp_path / "cur.toml"
    link.symlink_to(tmp_path / "v1" / "a.toml")
    sc = tmp_path / "mile.toml"
    sc.write_text('name = "m"\ndistance_m = 1609.344\n[athlete]\nfile = "cur.toml"\n')
    first = run_cli("predict", str(sc), "--json")
    link.unlink()
    link.symlink_to(tmp_path / "v2" / "a.toml")
    again = run_cli("predict", str(sc), "--json")
    assert '"mass_kg": 42' in first.stdout and '"mass_kg": 60' in again.stdout


def test_a_tampered_record_is_not_replayed(cache_on: Path) -> None:
    key = answers.answer_key("paceline.cli.plan_cmds.plan", {})
    assert not answers._fresh({"stdout": "x", "reads": {"/no/such/file": None}})
    assert not answers._fresh({"stdout": 5, "reads": {}})
    assert answers._fresh({"stdout": "x", "reads": {}}) and len(key) == 64


def test_failures_warnings_and_stderr_are_never_stored(cache_on: Path) -> None:
    assert run_cli("plan", "no-such-scenario").code == 2
    assert _stored(cache_on) == []

    calls: list[int] = []

    @answers.cached_answer()
    def warns(x: int = 1) -> None:
        calls.append(x)
        logging.getLogger("paceline.test").warning("a warning is shown every time")
        print("answer")

    warns(1)
    warns(1)
    assert calls == [1, 1] and _stored(cache_on) == []

    @answers.cached_answer()
    def quiet(x: int = 1) -> None:
        calls.append(x)
        print("answer")

    quiet(2)
    quiet(2)
    quiet(3)
    assert calls == [1, 1, 2, 3] and len(_stored(cache_on)) == 2


def test_the_key_covers_code_and_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    files = answers._package_files()
    assert any(p.endswith("equal_power.py") for p, _, _ in files)
    assert not any("__pycache__" in p for p, _, _ in files)
    key = answers.answer_key("c", {"x": 1})
    assert answers.answer_key("c", {"x": 1}) == key
    assert answers.answer_key("c", {"x": 2}) != key
    monkeypatch.setenv("COLUMNS", "47")
    assert answers.answer_key("c", {"x": 1}) != key
    monkeypatch.delenv("COLUMNS")
    edited = [(p, size + 1 if p.endswith("equal_power.py") else size, t) for p, size, t in files]
    monkeypatch.setattr(answers, "_package_files", lambda: edited)
    assert answers.answer_key("c", {"x": 1}) != key


def test_only_the_newest_answers_are_kept(cache_on: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(answers, "KEEP", 3)

    @answers.cached_answer()
    def echo(x: int = 1) -> None:
        print(x)

    for x in range(5):
        echo(x)
    assert len(_stored(cache_on)) == 3
    calls: list[int] = []
    monkeypatch.setattr("builtins.print", lambda *a, **k: calls.append(1))
    echo(4)  # kept: replayed, nothing printed through print()
    echo(0)  # pruned: computed again
    assert calls == [1]
