"""Generate the README's screenshots: ``docs/replay.png`` (the web app) and ``docs/report.png`` (the HTML report).

Runs the web app on a free loopback port and drives Debian's Chromium through Playwright (no network access)::

    python docs/screenshots.py            # writes docs/replay.png and docs/report.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def main(out_dir: Path = HERE) -> list[Path]:
    """Write both screenshots into ``out_dir`` and return their paths."""
    from playwright.sync_api import sync_playwright

    from live_server import CHROMIUM, CHROMIUM_ARGS, live_server
    from paceline.render.report import write_report
    from paceline.studies.analysis.report_inputs import report_inputs

    replay_png, report_png = out_dir / "replay.png", out_dir / "report.png"
    with tempfile.TemporaryDirectory() as tmp:
        report_html = Path(tmp) / "report.html"
        write_report(report_inputs("breaking4"), report_html)
        with live_server() as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
                # Breaking4 as predicted, Monaco 2023 as the ghost, 100 s into the race, paused
                page.goto(f"{base}/?scenario=breaking4&ghost=monaco2023&t=100")
                page.wait_for_function("document.body.dataset.ready === '1'")
                page.wait_for_timeout(300)
                page.screenshot(path=str(replay_png), full_page=True)
                page.goto(report_html.as_uri())
                page.set_viewport_size({"width": 1100, "height": 1500})
                page.screenshot(path=str(report_png), full_page=False)
            finally:
                browser.close()
    return [replay_png, report_png]


if __name__ == "__main__":
    for p in main():
        print(p)
