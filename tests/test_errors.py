from __future__ import annotations

from paceline.errors import MAX_MESSAGE_CHARS, ScenarioError


def test_a_short_message_is_kept_whole() -> None:
    assert str(ScenarioError("must be positive", "distance_m")) == "distance_m: must be positive"


def test_a_huge_message_keeps_its_start_and_what_is_allowed() -> None:
    # any message echoing a huge client value (a web 422, a CLI line) stays short; its end says what is allowed
    message = f"{'y' * 100_000!r} is not a formation; allowed a, b, c"
    text = str(ScenarioError(message, "pacing[0].formation"))
    assert len(text) < MAX_MESSAGE_CHARS + 60
    assert text.startswith("pacing[0].formation: 'yyy")
    assert text.endswith("is not a formation; allowed a, b, c")
    assert "characters left out" in text
    assert len(text.splitlines()) == 1
