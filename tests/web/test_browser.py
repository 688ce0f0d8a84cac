"""The replay page in a real Chromium (Debian's /usr/bin/chromium through Playwright), against a live server.

These tests fail (never skip) when Chromium is missing: ``.ci/run`` installs it. Screenshots of each step are saved
under ``$PACELINE_TEST_ARTIFACTS`` (default: a pytest temporary folder).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_server import CHROMIUM, CHROMIUM_ARGS, live_server

pytestmark = pytest.mark.browser


class Session:
    """A page on the live server, with every request and console error it made."""

    def __init__(self, base: str, page: Any, shots: Path) -> None:
        self.base = base
        self.page = page
        self.shots = shots
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"))

    def athlete(self) -> dict[str, float]:
        pos = self.page.evaluate("window.paceline.athlete()")
        assert pos is not None
        return pos

    def clock(self) -> float:
        return float(self.page.evaluate("window.paceline.state.t"))

    def text(self, selector: str) -> str:
        return str(self.page.locator(selector).inner_text())


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("PACELINE_TEST_ARTIFACTS") or tmp_path_factory.mktemp("browser-shots"))
    shots.mkdir(parents=True, exist_ok=True)
    with live_server() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            s = Session(base, page, shots)
            page.goto(f"{base}/?scenario=breaking4")
            page.wait_for_function("document.body.dataset.ready === '1'")
            yield s
            context.close()
        finally:
            browser.close()


@pytest.fixture(scope="module")
def api_race(session: Session) -> dict[str, Any]:
    with httpx.Client(base_url=session.base, timeout=60) as c:
        data = c.get("/api/scenarios/breaking4").json()["scenario"]
        return c.post("/api/solve", json={"scenario": data}).json()


def test_page_shows_the_prediction(session: Session, api_race: dict[str, Any]) -> None:
    session.shot("01-loaded")
    assert session.text("#predicted") == api_race["finish"]
    assert session.text("#target") == "3:59.99"
    assert session.text("#actual") == "4:06.42"
    assert session.text("#clock") == "0.00"


def test_play_moves_the_runners_and_pause_stops_them(session: Session) -> None:
    page = session.page
    page.select_option("#speed", "20")
    page.click("#play")
    page.wait_for_function("window.paceline.state.t > 2")
    a1, t1 = session.athlete(), session.clock()
    page.wait_for_function(f"window.paceline.state.t > {t1 + 2}")
    a2 = session.athlete()
    session.shot("02-playing")
    assert (a1["x"], a1["y"]) != (a2["x"], a2["y"])
    assert session.text("#play") == "Pause"

    page.click("#play")  # pause
    assert session.text("#play") == "Play"
    p1, c1 = session.athlete(), session.clock()
    page.wait_for_timeout(400)  # several animation frames
    p2, c2 = session.athlete(), session.clock()
    session.shot("03-paused")
    assert (p1, c1) == (p2, c2)


def test_scrub_to_the_end_shows_the_finish(session: Session, api_race: dict[str, Any]) -> None:
    page = session.page
    page.locator("#scrub").evaluate("el => { el.value = el.max; el.dispatchEvent(new Event('input')); }")
    session.shot("04-finish")
    assert session.text("#clock") == api_race["finish"]
    assert "finish" in session.text("#split")
    # on the finish line (x = straight / 2 on the home straight)
    assert session.athlete()["x"] == pytest.approx(api_race["frames"]["athlete"]["x_m"][-1], abs=0.05)


def test_jump_to_a_lap(session: Session, api_race: dict[str, Any]) -> None:
    page = session.page
    page.get_by_role("button", name="809 m").click()
    split = next(s for s in api_race["splits"] if round(s["distance_m"]) == 809)
    assert session.clock() == pytest.approx(split["time_s"], abs=1e-6)
    assert page.evaluate("window.paceline.distance()") == pytest.approx(809.344, abs=0.5)


def test_editor_resolves_and_updates_the_prediction(session: Session, api_race: dict[str, Any]) -> None:
    page = session.page
    before = session.text("#predicted")
    solves = page.evaluate("window.paceline.state.solves")
    page.select_option("#formation-0", "solo")
    page.wait_for_function(f"window.paceline.state.solves > {solves} && !window.paceline.state.solving")
    after = session.text("#predicted")
    session.shot("05-edited-solo")
    assert after != before
    assert page.evaluate("window.paceline.state.race.finish_s") > api_race["finish_s"]  # alone is slower
    # a weather slider: a strong wind changes the time again
    solves = page.evaluate("window.paceline.state.solves")
    page.locator("#wind_speed_m_s").evaluate("el => { el.value = '5'; el.dispatchEvent(new Event('input')); }")
    page.wait_for_function(f"window.paceline.state.solves > {solves} && !window.paceline.state.solving")
    assert session.text("#predicted") != after
    assert session.text("#error") == ""
    page.click("#reset")
    page.wait_for_function(f"document.getElementById('predicted').textContent === '{api_race['finish']}'")


def test_ghost_race_runs_beside(session: Session) -> None:
    page = session.page
    page.select_option("#ghost", "monaco2023")
    page.wait_for_function("window.paceline.state.ghost !== null")
    assert "monaco2023" in session.text("#ghost-time")
    page.evaluate("window.paceline.setTime(60)")
    session.shot("06-ghost")
    # at the same race time the ghost (Monaco 2023, slower) is behind: less distance covered
    ghost_x = page.evaluate(
        "(() => { const g = window.paceline.state.ghost, f = g.frames; return f.x_m[Math.round(60 / f.dt_s)]; })()"
    )
    assert ghost_x < page.evaluate("window.paceline.distance()")


def settle(page: Any) -> None:
    """Wait until no solve is running or queued."""
    page.wait_for_function("!window.paceline.state.solving && !window.paceline.state.pending")


def test_legend_names_every_light_train_and_each_is_drawn(session: Session, api_race: dict[str, Any]) -> None:
    page = session.page
    trains = api_race["frames"]["trains"]
    assert [t["train"] for t in trains] == ["target", "plan", "lead-pacer"]
    legend = " | ".join(page.locator("#legend li").all_inner_texts())
    for tr in trains:
        assert tr["label"] in legend
    assert "Faith Kipyegon" in legend and "pacers" in legend
    page.evaluate("window.paceline.setTime(100)")
    front = {t["train"]: page.evaluate(f"window.paceline.trainFront('{t['train']}')") for t in trains}
    session.shot("07-trains")
    # at 100 s the target train (even pace to 3:59.99) is ahead of the slower plan; the lead pacer's lights run ahead
    # of the plan's by the lead slot's gap
    assert front["target"] > front["plan"] and front["lead-pacer"] > front["plan"]
    gap = front["lead-pacer"] - front["plan"]
    assert 0.5 < gap < 10.0


def test_keyboard_space_arrows_and_home(session: Session) -> None:
    page = session.page
    page.locator("#track").click()  # focus on the page, not on a control
    page.evaluate("window.paceline.setTime(50)")
    page.keyboard.press("ArrowRight")
    assert session.clock() == pytest.approx(51.0)
    page.keyboard.press("Shift+ArrowRight")
    assert session.clock() == pytest.approx(61.0)
    page.keyboard.press("ArrowLeft")
    assert session.clock() == pytest.approx(60.0)
    page.keyboard.press("Home")
    assert session.clock() == 0.0
    page.keyboard.press(" ")
    assert page.evaluate("window.paceline.state.playing") is True
    page.wait_for_function("window.paceline.state.t > 0.5")
    page.keyboard.press(" ")
    assert page.evaluate("window.paceline.state.playing") is False
    page.click("#restart")
    assert session.clock() == 0.0


def assert_labels_clean(session: Session) -> list[dict[str, Any]]:
    boxes = session.page.evaluate("window.paceline.labels()")
    width, height = session.page.evaluate(
        "[document.getElementById('track').width, document.getElementById('track').height]"
    )
    for b in boxes:
        bd = b["bounds"]
        assert b["x"] >= 0 and b["x"] + b["w"] <= width and b["y"] >= 0 and b["y"] + b["h"] <= height, b
        assert bd["x"] <= b["x"] and b["x"] + b["w"] <= bd["x"] + bd["w"], b
        assert bd["y"] <= b["y"] and b["y"] + b["h"] <= bd["y"] + bd["h"], b
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a, b)
    return boxes


def test_labels_never_overlap_or_leave_the_canvas(session: Session, api_race: dict[str, Any]) -> None:
    page = session.page
    for t in (0.0, 3.0, 30.0, 121.0, 200.0, api_race["finish_s"]):
        page.evaluate(f"window.paceline.setTime({t})")
        boxes = assert_labels_clean(session)
        assert "Faith Kipyegon" in {b["text"] for b in boxes}  # her whole name, not cut at the edge
    session.shot("08-labels")


def test_a_solve_over_200_ms_shows_progress(session: Session) -> None:
    page = session.page
    shown = page.evaluate("window.paceline.state.busyShown")
    page.route("**/api/solve", lambda route: (time.sleep(0.6), route.continue_()))
    try:
        page.locator("#wind_speed_m_s").evaluate("el => { el.value = '2'; el.dispatchEvent(new Event('input')); }")
        page.wait_for_function(f"window.paceline.state.busyShown > {shown}")
        session.shot("09-busy")
        settle(page)
    finally:
        page.unroute("**/api/solve")
    assert page.locator("#busy").is_hidden()
    page.click("#reset")
    settle(page)


def test_p_target_and_interval_from_a_quick_monte_carlo(session: Session) -> None:
    page = session.page
    runs = page.evaluate("window.paceline.state.mcRuns")
    page.locator("#temperature_c").evaluate("el => { el.value = '18'; el.dispatchEvent(new Event('input')); }")
    page.wait_for_function("!document.getElementById('mc-progress').hidden")  # the progress bar while it runs
    page.wait_for_function(f"window.paceline.state.mcRuns > {runs}", timeout=60_000)
    mc = page.evaluate("window.paceline.state.mc")
    assert session.text("#p-target") == f"{100 * mc['p_target']:.0f} %"
    assert re.fullmatch(r"\d:\d\d\.\d\d–\d:\d\d\.\d\d", session.text("#interval"))
    assert mc["p05_s"] < page.evaluate("window.paceline.state.race.finish_s") < mc["p95_s"]
    page.click("#reset")
    settle(page)


def test_editor_download_toml_plans_to_the_same_time(session: Session, tmp_path: Path) -> None:
    from cli_runner import run_here as run

    page = session.page
    for selector, value in (("#mass_kg", "44"), ("#target-time", "3:58.00"), ("#to-0", "700")):
        page.fill(selector, value)
        page.locator(selector).dispatch_event("change")
        settle(page)
    assert session.text("#error") == ""
    assert session.text("#target") == "3:58.00"
    with page.expect_download() as dl:
        page.click("#download-toml")
    text = Path(dl.value.path()).read_text()
    assert "mass_kg = 44.0" in text and "target_s = 238.0" in text and "to_m = 700.0" in text
    path = tmp_path / dl.value.suggested_filename
    path.write_text(text)
    r = run("plan", str(path), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["finish_s"] == pytest.approx(
        page.evaluate("window.paceline.state.race.finish_s"), abs=0.01
    )
    with page.expect_download() as dl:
        page.click("#make-plan")
    z = zipfile.ZipFile(io.BytesIO(Path(dl.value.path()).read_bytes()))
    names = {n.split("/", 1)[1] for n in z.namelist()}
    assert {
        "plan.json",
        "splits.csv",
        "lights.csv",
        "lights.html",
        "cards.html",
        "report.html",
        "scenario.toml",
    } <= names
    plan = json.loads(z.read(next(n for n in z.namelist() if n.endswith("/plan.json"))))
    assert plan["finish_s"] == pytest.approx(page.evaluate("window.paceline.state.race.finish_s"), abs=0.01)
    session.shot("10-edited")
    page.click("#reset")
    settle(page)


def test_a_road_race_is_drawn_as_a_road(session: Session) -> None:
    page = session.page
    page.select_option("#ghost", "")
    page.select_option("#scenario", "breaking2")
    page.wait_for_function("window.paceline.state.race && window.paceline.state.race.scenario === 'breaking2'")
    settle(page)
    assert page.evaluate("window.paceline.state.race.track.kind") == "road"
    assert page.evaluate("window.paceline.state.race.frames.trains") == []
    assert "road race: no pacing lights" in " ".join(page.locator("#legend li").all_inner_texts())
    laps = page.locator("#laps button").all_inner_texts()
    assert laps[:3] == ["start", "5 km", "10 km"] and len(laps) < 12  # not 106 laps of an oval
    marks = page.evaluate("window.paceline.state.race.marks")
    page.get_by_role("button", name="10 km", exact=True).click()
    assert session.clock() == pytest.approx(marks[2]["time_s"], abs=1e-6)
    assert page.evaluate("window.paceline.distance()") == pytest.approx(10000.0, abs=5.0)
    assert_labels_clean(session)
    session.shot("11-road")
    page.select_option("#scenario", "breaking4")
    page.wait_for_function("window.paceline.state.race.scenario === 'breaking4'")
    settle(page)


@pytest.mark.parametrize("scenario", ["breaking4", "breaking4-optimal", "kram2025"])
def test_printed_sheet_is_one_page_and_each_card_one_page(session: Session, scenario: str) -> None:
    # printed by the same Chromium: the lights operator's sheet fits one A4 page; the cards one page per pacer, then
    # the handover table
    from paceline.io.scenario import load_scenario
    from paceline.render.plan_files import plan_files
    from paceline.studies.planning.plan import make_plan

    files = plan_files(make_plan(load_scenario(scenario)))
    page = session.page.context.new_page()
    try:
        pages = {}
        for name in ("lights.html", "cards.html"):
            page.set_content(files[name])
            pdf = page.pdf(format="A4", prefer_css_page_size=True)
            pages[name] = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    finally:
        page.close()
    n_cards = sum(1 for k in files if k.startswith("cards/"))
    assert pages["lights.html"] == 1
    assert pages["cards.html"] == n_cards + 1


def test_no_request_leaves_the_server_and_no_console_error(session: Session) -> None:
    assert session.requests, "the page made no request at all"
    outside = [u for u in session.requests if not (u.startswith(session.base + "/") or u.startswith("data:"))]
    assert outside == []
    assert session.errors == []
