"""paceline: plan and analyse paced record attempts in middle-distance running.

The Python API: :func:`load_scenario`, :func:`solve`, :class:`Race`, and the physics modules
(:mod:`paceline.physics.track`, :mod:`paceline.physics.air`, :mod:`paceline.physics.aero`, ...). Heavy parts are
imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paceline.errors import InfeasibleError, PacelineError, ScenarioError, SolverError
from paceline.version import __version__

__all__ = [
    "InfeasibleError",
    "PacelineError",
    "Race",
    "ScenarioError",
    "SolverError",
    "__version__",
    "load_scenario",
    "solve",
]

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import load_scenario
    from paceline.models.race import Race


def __getattr__(name: str) -> Any:
    if name == "load_scenario":
        from paceline.io.scenario import load_scenario

        return load_scenario
    if name == "Race":
        from paceline.models.race import Race

        return Race
    if name == "solve":
        from paceline.chain import solve

        return solve
    raise AttributeError(f"module 'paceline' has no attribute {name!r}")
