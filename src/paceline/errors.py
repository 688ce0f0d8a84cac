"""One exception hierarchy for paceline.

Every error a user can fix derives from :class:`PacelineError`; the command line turns it into one line on
stderr and exit code 2. Messages say what was wrong *and* what is allowed.
"""

from __future__ import annotations


class PacelineError(Exception):
    """Base class of every error paceline raises on purpose."""


class ScenarioError(PacelineError, ValueError):
    """A bad input: a scenario field, a command-line value or a data file.

    Parameters
    ----------
    message : str
        What is wrong and what is allowed.
    field : str, optional
        The dotted path of the offending field (``pacing[2].to_m``); it prefixes the message.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class InfeasibleError(PacelineError):
    """The problem is well formed but has no solution (an impossible target, pacers too slow)."""


class SolverError(PacelineError):
    """A numerical solver failed; the message carries the solver's own status."""
