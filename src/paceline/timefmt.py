"""Parse and format race times at the edges of the program ("4:06.42" <-> 246.42 s)."""

from __future__ import annotations

import math
import re

from paceline.errors import ScenarioError

_TIME_RE = re.compile(r"^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)\s*$")


def parse_time(value: str | float | int, field: str = "time") -> float:
    """Parse a race time into seconds.

    Parameters
    ----------
    value : str or float
        ``"4:06.42"`` (m:ss.xx), ``"1:02:03.4"`` (h:mm:ss.x), ``"246.42"`` or a number of seconds.
    field : str
        Name of the field, used in the error message.

    Returns
    -------
    float
        Time [s].

    Raises
    ------
    ScenarioError
        If the value is not a time or is not positive.
    """
    if isinstance(value, bool):
        raise ScenarioError(f"{value!r} is not a time; use seconds or 'm:ss.xx'", field)
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _TIME_RE.match(str(value))
        if not m:
            raise ScenarioError(
                f"{value!r} is not a time; use seconds ('246.42'), 'm:ss.xx' ('4:06.42') or 'h:mm:ss.x' ('1:02:03.4')",
                field,
            )
        first, second, sec = m.groups()
        if second is not None:  # h:mm:ss
            hours, minutes = int(first), int(second)
        elif first is not None:  # m:ss
            hours, minutes = 0, int(first)
        else:
            hours, minutes = 0, 0
        if (first is not None) and float(sec) >= 60:
            raise ScenarioError(f"{value!r} has {sec} seconds; seconds must be below 60", field)
        if second is not None and minutes >= 60:
            raise ScenarioError(f"{value!r} has {minutes} minutes; minutes must be below 60", field)
        seconds = hours * 3600.0 + minutes * 60.0 + float(sec)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ScenarioError(f"{value!r} must be a positive, finite time", field)
    return seconds


def format_time(seconds: float, decimals: int = 2) -> str:
    """Format seconds as a race time: ``246.42 -> "4:06.42"``, ``7225 -> "2:00:25.00"``.

    Parameters
    ----------
    seconds : float
        Time [s], non-negative.
    decimals : int
        Digits after the decimal point.

    Returns
    -------
    str
        ``"ss.xx"`` below a minute, ``"m:ss.xx"`` below an hour, ``"h:mm:ss.xx"`` above.
    """
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"cannot format {seconds!r} as a time")
    total = round(seconds, decimals)  # correctly rounded (seconds * 100 can land on an exact half and round down)
    hours = int(total // 3600)
    minutes = int((total - 3600 * hours) // 60)
    sec = total - 3600 * hours - 60 * minutes
    width = 3 + decimals if decimals else 2
    sec_str = f"{sec:0{width}.{decimals}f}"
    if hours:
        return f"{hours}:{minutes:02d}:{sec_str}"
    if minutes:
        return f"{minutes}:{sec_str}"
    return f"{sec:.{decimals}f}"
