"""One exception hierarchy for paceline.

Every error a user can fix derives from :class:`PacelineError`; the command line turns it into one line on
stderr and exit code 2. Messages say what was wrong *and* what is allowed.
"""

from __future__ import annotations


class PacelineError(Exception):
    """Base class of every error paceline raises on purpose."""


#: Longest message a :class:`ScenarioError` carries [characters]; a longer one (a huge bad value echoed) keeps its
#: start and its end (what is allowed) around a note of what was left out.
MAX_MESSAGE_CHARS = 1000


def _elide(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` cut to at most about ``limit`` characters by leaving out its middle."""
    if len(text) <= limit:
        return text
    head, tail = limit // 2, limit // 3
    return f"{text[:head]} ...[{len(text) - head - tail} characters left out]... {text[-tail:]}"


class ScenarioError(PacelineError, ValueError):
    """A bad input: a scenario field, a command-line value or a data file.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    field : str, optional
        The dotted path of the offending field (``pacing[2].to_m``); it prefixes the message.

    Notes
    -----
    A message over :data:`MAX_MESSAGE_CHARS` loses its middle, so a huge value echoed back stays one short line.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(_elide(f"{field}: {message}" if field else message))


class InfeasibleError(PacelineError):
    """The problem is well formed but has no solution (an impossible target, pacers too slow)."""


class SolverError(PacelineError):
    """A numerical solver failed; the message carries the solver's own status."""
