"""``paceline report --help`` names every source the README shows it taking: a real race (bundled or a CSV of
splits) as well as a scenario and a saved Race (the help left out races, which the README's second example uses)."""

from __future__ import annotations

from typer.testing import CliRunner

from paceline.cli import app


def test_report_help_names_races_and_csv() -> None:
    r = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "200", "TERM": "dumb"})
    assert r.exit_code == 0, r.output
    for text in ("scenario .toml", "breaking4_2025", "CSV of splits", "Race.to_json"):
        assert text in r.output, (text, r.output)
