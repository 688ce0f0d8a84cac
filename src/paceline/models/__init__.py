"""Race models: each turns a course and a calibrated athlete into a :class:`~paceline.models.race.Race`.

Every model has the same interface, ``model.solve(course, athlete) -> Race``, and a ``step_m`` (the sample spacing
of the course it wants). Models never load files, fit or calibrate: :mod:`paceline.chain` builds their inputs.
"""

from __future__ import annotations

#: The models, by name.
MODELS = ("equal-power", "critical-speed", "optimal-control")
