"""What ``plan``, ``lights``, ``brief``, ``montecarlo`` and ``report`` say of the athlete: his words for a man, hers
for a woman (``athlete.sex``), never the other's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cli_runner import run_here as run

# One mile in two phases, so that the text says where the pacers are against the athlete every way it can: a lead
# pacer in line ahead and one outside (phase 1), a fresh pacer in line ahead (phase 2), a rival behind throughout,
# a handover at 800 m. The bests are from data/performances/athlete_bests.csv: Ingebrigtsen 1500 m 3:26.73 and mile
# 3:43.73 (Eugene 2023, european-athletics.com), Kipyegon 1500 m 3:49.04 (Paris 2024) and mile 4:07.64 (Monaco 2023).
SCENARIO = """
name = "{name}"
distance_m = 1609.344
target = "{target}"
[athlete]
name = "{athlete}"
height_m = {height_m}
mass_kg = {mass_kg}
sex = "{sex}"
calibration = "performances"
performances = [{{ distance_m = 1500, time = "{t1500}" }}, {{ distance_m = 1609.344, time = "{tmile}" }}]
[formations.lead-and-side]
slots = [
  {{ name = "lead", dx_m = 2.6, dy_m = 0.0 }},
  {{ name = "side", dx_m = 1.3, dy_m = 1.0 }},
  {{ name = "rival", dx_m = -1.5, dy_m = 0.0 }},
]
[formations.one-ahead]
slots = [{{ name = "front", dx_m = 1.3, dy_m = 0.0 }}, {{ name = "rival", dx_m = -1.5, dy_m = 0.0 }}]
[[pacers]]
name = "A"
[[pacers]]
name = "B"
[[pacers]]
name = "C"
[[pacers]]
name = "R"
[[pacing]]
from_m = 0
to_m = 800
formation = "lead-and-side"
pacers = ["A", "B", "R"]
[[pacing]]
from_m = 800
to_m = 1609.344
formation = "one-ahead"
pacers = ["C", "R"]
"""

ATHLETES = {
    "M": {"athlete": "Jakob Ingebrigtsen", "height_m": 1.755, "mass_kg": 58.5, "t1500": "3:26.73", "tmile": "3:43.73"},
    "F": {"athlete": "Faith Kipyegon", "height_m": 1.57, "mass_kg": 42, "t1500": "3:49.04", "tmile": "4:07.64"},
}
#: The words of the other sex, never printed for this one.
FORBIDDEN = {"M": {"she", "her", "hers", "herself"}, "F": {"he", "him", "his", "himself"}}


def _scenario(tmp_path: Path, sex: str) -> Path:
    a = ATHLETES[sex]
    target = "3:43.00" if sex == "M" else "4:05.00"
    path = tmp_path / f"mile-{sex}.toml"
    path.write_text(SCENARIO.format(name=f"mile-{sex}", target=target, sex=sex, **a), encoding="utf-8")
    return path


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


@pytest.mark.parametrize("sex", ["M", "F"])
def test_every_output_uses_the_athletes_own_pronouns(tmp_path: Path, sex: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps its tables at the terminal's width: one line per row
    path = _scenario(tmp_path, sex)
    other_words = FORBIDDEN[sex]
    texts = {}
    for cmd in (
        ["plan", str(path)],
        ["lights", str(path)],
        ["brief", str(path)],
        ["montecarlo", str(path), "-n", "40", "--seed", "0", "--pool", "2", "--workers", "1"],
    ):
        r = run(*cmd)
        assert r.returncode == 0, (cmd, r.stderr)
        texts[cmd[0]] = r.stdout
        found = _words(r.stdout)
        assert not found & other_words, (cmd[0], sorted(found & other_words))
    # where each command speaks of the athlete, it uses the right word
    her, him = ("her", "her") if sex == "F" else ("his", "him")
    subject = "she" if sex == "F" else "he"
    assert f"{her} power" in texts["plan"]
    assert f"ahead of {him} to 800 m, then 1.3 m ahead" in " ".join(texts["lights"].split())
    brief = texts["brief"]
    for phrase in (
        f"directly in line with {him}",
        f"while {subject} covers",
        f"| {her} [m] |",
        f"outside {him}",
        f"behind {him}",
        f"({her} 800 m)",
    ):
        assert phrase in brief, phrase
    best = ATHLETES[sex]["tmile"]
    assert f"P(under {her} best {best}, performance" in texts["montecarlo"]
    out = tmp_path / "report.html"
    r = run("report", str(path), "-o", str(out))
    assert r.returncode == 0, r.stderr
    page = re.sub(r"<script.*?</script>|<[^>]+>", " ", out.read_text(encoding="utf-8"), flags=re.S)
    assert FORBIDDEN["F" if sex == "M" else "M"] & _words(page) and not _words(page) & other_words
