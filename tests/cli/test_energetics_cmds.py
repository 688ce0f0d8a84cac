"""``paceline predict`` and ``paceline fit`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import run_here as run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_predict_kram2025_json() -> None:
    r = run("predict", "kram2025", "--model", "equal-power", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"time_s", "time", "model", "splits", "inputs"} <= set(out)
    assert out["time_s"] == pytest.approx(239.37, abs=1.5)  # da Silva et al. 2025: 3:59.37
    assert [s["distance_m"] for s in out["splits"]] == pytest.approx([9.344, 409.344, 809.344, 1209.344, 1609.344])
    assert all(i["source"] for i in out["inputs"])


def test_predict_from_performances_with_formation() -> None:
    perfs = str(EXAMPLES / "kipyegon_performances.csv")
    base = ("predict", "--performances", perfs, "--distance-m", "1500", "--model", "critical-speed", "--json")
    solo = json.loads(run(*base).stdout)
    paced = json.loads(run(*base, "--formation", "front-back").stdout)
    assert paced["time_s"] < solo["time_s"]
    assert solo["time_s"] == pytest.approx(229.1, abs=1.5)  # her 1500 m records: 3:49.04 and 3:49.11


def test_fit_json_keys() -> None:
    r = run("fit", str(EXAMPLES / "kipyegon_performances.csv"), "--model", "critical-speed", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"model", "params", "params_sd", "loo_mean_abs_error_pct"} <= set(out)
    assert out["params"]["cs_m_s"] == pytest.approx(5.68, abs=0.02)
    assert 0 < out["loo_mean_abs_error_pct"] < 3


def test_fit_equal_power_view() -> None:
    # oracle: P(D/t) = P_c + W'/t is linear in 1/t, so an ordinary least-squares line through each performance's
    # solo power against 1/t (numpy.polyfit) must give the same P_c and W' as the fit (which weighs the residuals
    # in time) to within the fit's own standard deviations
    import numpy as np

    from paceline.models.critical_speed import power_of_solo_speed

    out = json.loads(run("fit", str(EXAMPLES / "kipyegon_performances.csv"), "--model", "equal-power", "--json").stdout)
    d = np.array([1500.0, 1500.0, 1609.344, 5000.0])  # the example file's performances
    t = np.array([229.11, 229.04, 247.64, 845.20])
    wprime, pc = np.polyfit(1.0 / t, power_of_solo_speed(d / t, out["body"]["height_m"], out["body"]["mass_kg"]), 1)
    params, sd = out["params"], out["params_sd"]
    assert params["critical_power_w_kg"] == pytest.approx(pc, abs=sd["critical_power_w_kg"])
    assert params["wprime_j_kg"] == pytest.approx(wprime, abs=sd["wprime_j_kg"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("distance,time\n1500,3:49.04\n", "required: distance_m and time"),
        ("distance_m,time\n1500,3:4x.04\n5000,14:05.20\n", "line 2: time"),
        ("distance_m,time\n1500,3:49.04\n", "give performances at 2 or more"),
        ("distance_m,time\n-1500,3:49.04\n5000,14:05.20\n", "must be positive"),
        ("", "empty"),
    ],
)
def test_fit_bad_files(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "perfs.csv"
    f.write_text(content)
    r = run("fit", str(f), "--json")
    assert r.returncode == 2
    assert message in r.stderr and r.stdout == ""


def test_predict_bad_model_and_missing_file(tmp_path: Path) -> None:
    r = run("predict", "--model", "magic")
    assert r.returncode == 2 and "--model" in r.stderr
    r = run("predict", "--performances", str(tmp_path / "none.csv"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_predict_shows_the_body_and_where_it_came_from(tmp_path: Path) -> None:
    f = tmp_path / "perfs.csv"
    f.write_text("distance_m,time\n1500,3:35.00\n5000,13:10.00\n")
    out = json.loads(run("predict", "--performances", str(f), "--distance-m", "3000", "--sex", "M", "--json").stdout)
    assert "elite men" in out["athlete"]["body_source"]
    given = json.loads(
        run(
            "predict",
            "--performances",
            str(f),
            "--distance-m",
            "3000",
            "--height-m",
            "1.8",
            "--mass-kg",
            "60",
            "--json",
        ).stdout
    )
    assert (given["athlete"]["height_m"], given["athlete"]["body_source"]) == (1.8, "given")
    lo, hi = given["performance_model"]["solo_interval_90_s"]
    assert lo < given["performance_model"]["solo_time_s"] < hi
    lo, hi = given["performance_model"]["interval_90_s"]
    assert lo < given["time_s"] < hi
    scenario = run("predict", "breaking4")
    assert "body" in scenario.stdout and "(scenario)" in scenario.stdout


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--height-m", "3"), "--height-m"),
        (("--mass-kg", "300"), "--mass-kg"),
        (("--sex", "X"), "--sex"),
        (("--drag-area-m2", "3"), "--drag-area-m2"),
    ],
)
def test_inhuman_body_is_exit_2_naming_the_flag(tmp_path: Path, flags: tuple[str, str], named: str) -> None:
    f = tmp_path / "perfs.csv"
    f.write_text("distance_m,time\n1500,3:35.00\n5000,13:10.00\n")
    r = run("predict", "--performances", str(f), *flags)
    assert r.returncode == 2 and r.stderr.startswith(f"paceline: error: {named}:")


def test_fit_performance_model_reads_paced_rows_as_solo(tmp_path: Path) -> None:
    f = tmp_path / "perfs.csv"
    f.write_text("distance_m,time,race\n1500,3:49.04,\n1609.344,4:07.64,monaco2023\n5000,14:05.20,\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("distance_m,time\n1500,3:49.04\n1609.344,4:07.64\n5000,14:05.20\n")
    args = ("--model", "performance", "--athlete", "Faith Kipyegon", "--json")
    paced = json.loads(run("fit", str(f), *args).stdout)
    solo = json.loads(run("fit", str(plain), *args).stdout)
    # the paced Monaco mile is worth a slower solo mile: her in-sample mile residual changes sign
    assert paced["residuals_pct"][1] < solo["residuals_pct"][1]
    assert {"level_ln_s_at_1500m", "exponent"} <= set(paced["params"])


def test_a_measured_drag_area_matters_where_pacers_shelter_her() -> None:
    # Calibrated solo from her performances and predicted solo, her drag area nearly cancels; behind pacers, the
    # larger it is, the more of her power the shelter gives back (a physical property, not a published figure).
    perfs = str(EXAMPLES / "kipyegon_performances.csv")
    base = ("predict", "--performances", perfs, "--distance-m", "1609.344", "--json")

    def t(*extra: str) -> float:
        r = run(*base, *extra)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert out["athlete"]["drag_area_m2"] == (float(extra[-1]) if "--drag-area-m2" in extra else None)
        return float(out["time_s"])

    assert t("--drag-area-m2", "0.2") == pytest.approx(t("--drag-area-m2", "0.4"), abs=0.2)
    paced_small = t("--formation", "front-back", "--drag-area-m2", "0.2")
    paced_large = t("--formation", "front-back", "--drag-area-m2", "0.4")
    assert paced_large < paced_small - 0.5


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_read(tmp_path) -> None:
    plain, marked = tmp_path / "plain.csv", tmp_path / "marked.csv"
    text = "distance_m,time\n1500,3:35.00\n5000,13:10.00\n"
    plain.write_text(text, encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # Excel's "CSV UTF-8"
    a, b = (
        run("predict", "--performances", str(f), "--distance-m", "3000", "--sex", "M", "--json")
        for f in (plain, marked)
    )
    assert b.returncode == 0, b.stderr
    assert json.loads(a.stdout)["time_s"] == json.loads(b.stdout)["time_s"]


def test_one_performance_predicts_with_the_population_exponent(tmp_path: Path) -> None:
    # the performance model carries one time to any distance (its population prior); its interval is wider than
    # with a second distance, and the printed exponent from her 5000 m carries that 5000 m to the prediction
    # (Riegel's law, a round trip); critical speed has two parameters and still needs two distances
    from paceline.fit import calculators as calc

    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    one.write_text("distance_m,time\n5000,20:00\n")
    two.write_text("distance_m,time\n5000,20:00\n10000,41:30\n")
    args = ("--distance-m", "1609.344", "--sex", "M", "--json")
    r = run("predict", "--performances", str(one), *args)
    assert r.returncode == 0, r.stderr
    pm1 = json.loads(r.stdout)["performance_model"]
    pm2 = json.loads(run("predict", "--performances", str(two), *args).stdout)["performance_model"]
    width = [p["solo_interval_90_s"][1] / p["solo_interval_90_s"][0] for p in (pm1, pm2)]
    assert width[0] > width[1] > 1.0
    assert pm1["nearest_distance_m"] == 5000.0
    assert pm1["extrapolated"].startswith("extrapolated: 1609.34 m is shorter than the shortest performance (5000 m)")
    inside = json.loads(run("predict", "--performances", str(two), *args[:1], "7000", *args[2:]).stdout)
    assert inside["performance_model"]["extrapolated"] is None
    assert calc.riegel_time(1200.0, 5000.0, 1609.344, pm1["exponent_from_nearest"]) == pytest.approx(
        pm1["solo_time_s"], rel=1e-9
    )
    r = run("predict", "--performances", str(one), *args, "--model", "critical-speed")
    assert r.returncode == 2 and "give performances at 2 or more" in r.stderr


def test_a_scenario_calibrated_on_one_performance_carries_its_interval_to_the_monte_carlo() -> None:
    # with one performance there is no leave-one-out error: the ability CV is the prediction's own interval
    # (half-width in ln t over 1.645), wider than one race's day-to-day 0.8 % (Hopkins 2005) for a 5000 m carried
    # to a mile
    import math

    from paceline.fit.athlete import calibration_effort
    from paceline.fit.performance_model import Z90
    from paceline.io.scenario import Performance, solo_scenario
    from paceline.studies.uncertainty.montecarlo_problem import CALIBRATION_CV, calibration_cv

    sc = solo_scenario([Performance(distance_m=5000.0, time_s=1200.0)], 1609.344, 1.75, 60.0, "solo", sex="M")
    effort = calibration_effort(sc)
    assert effort.kind == "performances" and effort.loo_error_pct is None and effort.interval_s is not None
    assert "extrapolated: 1609.34 m is shorter than the shortest performance (5000 m)" in effort.source
    low, high = effort.interval_s
    assert calibration_cv(effort) == pytest.approx(math.log(high / low) / (2 * Z90), rel=1e-12)
    assert calibration_cv(effort) > CALIBRATION_CV
