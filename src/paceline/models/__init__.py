"""Race models: each turns a course and a calibrated athlete into a :class:`~paceline.models.race.Race`.

Every model has the same interface, ``model.solve(course, athlete) -> Race``, a ``name``, the type of athlete
parameters it runs (``params_type``) and a ``step_m`` (the sample spacing of the course it wants); the one table of
models, with their calibrations, is :mod:`paceline.models.registry`. Models never load files, fit or calibrate:
:mod:`paceline.chain` builds their inputs.
"""
