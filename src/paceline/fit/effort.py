"""A calibration effort: a race (or a solo time) run on its course, and the metabolic power that runs it.

:class:`CalibrationEffort` is a course cut at the effort's splits with the time of each segment;
:func:`calibrated_power` is the equal-power kernel's inverse on it (:func:`paceline.models.equal_power.segment_powers`).
Used by the calibration rule (:mod:`paceline.fit.athlete`) and by the solo equivalents of paced performances
(:mod:`paceline.fit.paced`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.errors import ScenarioError
from paceline.models.equal_power import STEP_M as EQUAL_POWER_STEP_M
from paceline.physics.metabolic import DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course
    from paceline.models.equal_power import RaceKernel
    from paceline.physics.drafting import DraftParams

__all__ = ["CALIBRATION_STEP_M", "CalibrationEffort", "calibrated_power", "race_effort"]

#: Sample spacing of calibration courses [m]: the equal-power model's own.
CALIBRATION_STEP_M = EQUAL_POWER_STEP_M
#: Coefficient of variation of an elite runner's race time from race to race [-] (Hopkins 2005: 0.8 % for the
#: better half of elite athletes in running events up to 1500 m; 1.0 % for all): one race is one day's form.
FORM_CV = 0.008


@dataclass(frozen=True)
class CalibrationEffort:
    """The effort that sets the athlete's metabolic power.

    Attributes
    ----------
    kind : str
        ``"race"`` (a race that was run, with its splits) or ``"performances"`` (a solo time from her fit).
    source : str
        What it is, for the table of inputs.
    course : Course
        Its course, with a sample at every split.
    segments : tuple of (float, float)
        Race distances [m] of the split segments.
    durations_s : ndarray
        Time of each segment [s].
    scenario : Scenario or None
        The calibration race's scenario (its formations and weather ranges); None for performances.
    loo_error_pct : float or None
        Leave-one-out error of the performance fit [%] (performances only).
    interval_s : (float, float) or None
        90 % interval of the solo time the performances predict [s] (performances only).
    """

    kind: str
    source: str
    course: Course
    segments: tuple[tuple[float, float], ...]
    durations_s: NDArray[np.float64]
    scenario: Scenario | None = None
    loo_error_pct: float | None = None
    interval_s: tuple[float, float] | None = None

    def kernel(self, curve: str, n_nodes: int | None = None) -> RaceKernel:
        """Its course as the equal-power kernel, cut at the splits (exact, or reduced to ``n_nodes``)."""
        from paceline.models.equal_power import build_kernel

        return build_kernel(self.course, curve, self.segments, n_nodes)


def race_effort(ref: Scenario, draft_params: DraftParams | None) -> CalibrationEffort:
    """The effort of a race that was run: its course (pacing, weather, track) cut at its splits, with their times."""
    from paceline.models.course import build_course

    if ref.result is None:
        raise ScenarioError(f"scenario {ref.name!r} has no [result] to calibrate on", "athlete.calibration")
    splits = list(ref.result.splits)
    if not splits or abs(splits[-1][0] - ref.distance_m) > 1e-6:
        splits.append((ref.distance_m, ref.result.time_s))
    course = build_course(ref, step_m=CALIBRATION_STEP_M, draft_params=draft_params, breaks_m=[d for d, _ in splits])
    edges = [0.0, *[d for d, _ in splits]]
    times = [0.0, *[t for _, t in splits]]
    return CalibrationEffort(
        kind="race",
        source=f"{ref.name} ({ref.result.time_s:.2f} s as raced)",
        course=course,
        segments=tuple(itertools.pairwise(edges)),
        durations_s=np.diff(times),
        scenario=ref,
    )


#: Version of the calibrated powers kept on disk (the equal-power kernel's inverse): a change is a new key.
CALIBRATION_VERSION = "ep-calibration-1"


def calibrated_power(effort: CalibrationEffort, curve: str = DEFAULT_CURVE) -> tuple[float, NDArray[np.float64]]:
    """Metabolic power [W/kg] of an effort (time-weighted over its segments) and each segment's power [W/kg].

    Kept in the disk cache (:mod:`paceline.io.cache`, kind ``calibration``) by the content of what it is solved
    from: the effort's course (every array), segments and times, the cost curve's coefficients and
    :data:`CALIBRATION_VERSION`; a new process calibrating on the same race reads it instead of solving. An entry that
    is not a finite power of this effort's segments (corrupt, foreign) is ignored and the power solved again.
    """
    import dataclasses

    from paceline.io import cache
    from paceline.physics.metabolic import get_curve

    key = cache.content_key(
        {
            "version": CALIBRATION_VERSION,
            "curve": dataclasses.asdict(get_curve(curve)),
            "course": {f.name: getattr(effort.course, f.name) for f in dataclasses.fields(effort.course)},
            "segments": effort.segments,
            "durations_s": effort.durations_s,
        }
    )
    segs = _stored_powers(cache.load("calibration", key), key)
    if segs is not None and segs.shape == effort.durations_s.shape and np.all(np.isfinite(segs) & (segs > 0)):
        d = effort.durations_s
        return float(segs @ d / d.sum()), segs
    power, segs = _solved_power(effort, curve)
    cache.store("calibration", key, {"key": key, "segment_powers_w_kg": [float(x) for x in segs]})
    return power, segs


def _stored_powers(stored: dict[str, Any] | None, key: str) -> NDArray[np.float64] | None:
    """The segment powers of a disk-cache entry stored under ``key``, or None (absent, foreign, not numbers)."""
    if stored is None or stored.get("key") != key:
        return None
    try:
        return np.asarray(stored["segment_powers_w_kg"], dtype=float)
    except (KeyError, TypeError, ValueError):
        return None


def _solved_power(effort: CalibrationEffort, curve: str) -> tuple[float, NDArray[np.float64]]:
    """:func:`calibrated_power` solved: the equal-power kernel's inverse on the effort's segments."""
    from paceline.models.equal_power import group_drag_k, segment_powers

    kernel = effort.kernel(curve)
    c = effort.course
    p = segment_powers(kernel, effort.durations_s, group_drag_k(c, kernel), [c.wind_speed_m_s], [c.shoe_economy_gain])[
        0
    ]
    d = effort.durations_s
    return float(p @ d / d.sum()), p
