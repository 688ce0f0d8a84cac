import pytest
from hypothesis import given
from hypothesis import strategies as st

from paceline.errors import ScenarioError
from paceline.timefmt import format_time, parse_time


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4:06.42", 246.42),
        ("1:02:03.4", 3723.4),
        ("246.42", 246.42),
        ("3:59.37", 239.37),
        ("2:00:25", 7225.0),
    ],
)
def test_parse_known_times(text: str, seconds: float) -> None:
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["4:6x", "", "abc", "4:61.0", "1:60:00", "-3", "0", True])
def test_parse_rejects_bad_times_naming_the_field(bad: object) -> None:
    with pytest.raises(ScenarioError, match="target"):
        parse_time(bad, "target")  # type: ignore[arg-type]


def test_format_known_times() -> None:
    assert format_time(246.42) == "4:06.42"
    assert format_time(7225) == "2:00:25.00"
    assert format_time(59.999) == "1:00.00"  # rounding carries into the minutes
    assert format_time(12.3) == "12.30"


@given(st.floats(min_value=0.01, max_value=20_000, allow_nan=False))
def test_round_trip(seconds: float) -> None:
    assert parse_time(format_time(seconds)) == pytest.approx(round(seconds, 2), abs=1e-6)
