"""``paceline infer`` as a user runs it: exit codes, one line on stderr, the JSON keys, the corner plot."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from cli_runner import run
from paceline.cli import main
from readme_checks import README, directive_checks, run_once


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


def test_json_and_plot_of_a_short_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # what the command makes of an inference, on a chain too short to converge (the full run is the slow test
    # below): the convergence check is lifted here only, so that a 100-step chain reaches the JSON and the plot
    from paceline.studies.inference import infer as inf

    monkeypatch.setattr(inf, "infer", functools.partial(inf.infer, require_convergence=False))
    png = tmp_path / "corner.png"
    with pytest.raises(SystemExit) as exc:
        main(["infer", "breaking4_2025", "monaco_2023", "--draws", "100", "--json", "--plot", str(png)])
        raise SystemExit(0)
    stdout, stderr = capsys.readouterr()
    assert (exc.value.code or 0) == 0, stderr
    out = json.loads(stdout)
    assert list(out) == ["races", "draws", "posterior", "diagnostics", "predictive"]
    assert out["races"] == ["breaking4_2025", "monaco_2023"] and out["draws"] == 100
    for p in out["posterior"]:
        assert set(p) == {"name", "prior_p05", "prior_p95", "median", "p05", "p95"}
        assert p["p05"] <= p["median"] <= p["p95"] or p["name"].startswith("p_curve_")
    assert {p["scenario"] for p in out["predictive"]} == {"kram2025", "breaking4-optimal"}
    for p in out["predictive"]:
        assert set(p) == {"scenario", "median_s", "p05_s", "p95_s", "p_target"}
        assert p["p05_s"] < p["median_s"] < p["p95_s"]
    curves = [p["median"] for p in out["posterior"] if p["name"].startswith("p_curve_")]
    assert sum(curves) == pytest.approx(1.0)
    diag = out["diagnostics"]
    assert {d["name"] for d in diag["parameters"]} == {p["name"] for p in out["posterior"][: len(diag["parameters"])]}
    assert diag["converged"] is False  # 100 steps: the flag tells, even when the check is lifted
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│").split("│")]


@pytest.mark.slow
def test_default_run_converges() -> None:
    # the README's own command (its figures are checked by tests/test_readme.py from this same run: the full chain
    # runs once a session, readme_checks.run_once)
    checks = directive_checks(README.read_text(encoding="utf-8"))
    (check,) = [c for c in checks if c.command.startswith("paceline infer")]
    assert check.command == "paceline infer breaking4_2025 monaco_2023"  # the defaults: --draws 3500, --seed 0
    code, stdout, stderr = run_once(check.command)
    assert code == 0, stderr
    names = {_cells(ln)[0] for ln in stdout.split("convergence:")[0].splitlines() if ln.startswith("│")}
    assert {"shelter_breaking4_2025_0-800m", "form_breaking4_2025", "cd_factor", "pacer_gap_monaco_2023_m"} <= names
    title, table = stdout.split("convergence:")[1].split("posterior predictive")[0].split("\n", 1)
    kept = int(title.split()[0])
    rows = [_cells(ln) for ln in table.splitlines() if ln.startswith("│")]
    assert {r[0] for r in rows} == names - {""} - {n for n in names if n.startswith(("mean_", "p_curve_"))}
    for name, rhat, tau, ess, converged in rows:
        assert converged == "yes", name
        assert float(ess) >= 400 and (float(rhat) <= 1.01 or float(tau) < kept / 50), name
