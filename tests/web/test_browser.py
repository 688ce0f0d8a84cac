"""The replay page in a real Chromium (Debian's /usr/bin/chromium through Playwright), against a live server.

These tests fail (never skip) when Chromium is missing: ``.ci/run`` installs it. Screenshots of each step are saved
under ``$PACELINE_TEST_ARTIFACTS`` (default: a pytest temporary folder).
"""

from __future__ import annotations

import os
import shutil
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


def test_no_request_leaves_the_server_and_no_console_error(session: Session) -> None:
    assert session.requests, "the page made no request at all"
    outside = [u for u in session.requests if not (u.startswith(session.base + "/") or u.startswith("data:"))]
    assert outside == []
    assert session.errors == []
