"""The problem a Monte Carlo solves: rows of input values in, finishing times out.

:class:`Problem` holds the target race and the effort that calibrates her power, both reduced to the one equal-power
kernel (:class:`~paceline.models.equal_power.RaceKernel`, a few quadrature nodes per formation in the unit-wind
profile; exact to about 1 ms), and turns rows of inputs (the draws of
:func:`paceline.studies.uncertainty.draws.draw_inputs`)
into the kernels' solver inputs: her calibrated power carried to the race's air, the drag of each formation, the
wind, the shoes and the cost curve. :func:`finish_times` solves those rows at equal metabolic power, grouped by cost
curve (:func:`paceline.physics.metabolic.speed_at_power`); :func:`build_problem` builds the problem of a scenario,
and :func:`calibration_cv` says how much one calibration effort tells of her ability.

References
----------
Hopkins, W. G. (2005). Competitive performance of elite track-and-field athletes: variability and smallest
worthwhile enhancements. Sportscience 9, 17-20.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.fit.effort import FORM_CV
from paceline.models.equal_power import QUAD_NODES, RaceKernel, build_kernel, segment_powers
from paceline.physics import aero, air
from paceline.physics.metabolic import COST_CURVES, DEFAULT_CURVE

if TYPE_CHECKING:  # pragma: no cover
    from paceline.fit.athlete import CalibrationEffort
    from paceline.io.scenario import Scenario
    from paceline.models.course import Course

#: Coefficient of variation of the calibration race's time as a measure of her ability [-]: one day's form, the
#: same figure as the form on the race day (:data:`~paceline.fit.effort.FORM_CV`, Hopkins 2005).
CALIBRATION_CV = FORM_CV


#: The bundled treadmill cost curves a draw chooses among, equally likely (``curve`` inputs index this tuple).
CURVE_NAMES: tuple[str, ...] = tuple(COST_CURVES)


def range_of(c: Any, name: str) -> tuple[float, float, float]:
    """A condition of ``c`` as (nominal, low, high): its ``<name>_range``, else the nominal value three times."""
    nominal = float(getattr(c, name))
    rng = getattr(c, f"{name}_range")
    return (nominal, float(rng[0]), float(rng[1])) if rng is not None else (nominal, nominal, nominal)


@dataclass
class Problem:
    """Everything needed to turn input values into finishing times (picklable; built once, shipped to workers).

    The target race and the calibration effort are both the one equal-power kernel
    (:class:`~paceline.models.equal_power.RaceKernel`), reduced to ``QUAD_NODES`` nodes per formation; the
    calibration is its inverse (:func:`~paceline.models.equal_power.segment_powers`), as in
    :mod:`paceline.fit.athlete`.

    Attributes
    ----------
    scenario : Scenario
        The target scenario.
    kernel : RaceKernel
        The target race reduced to nodes.
    calibration : CalibrationEffort
        The effort that calibrates her power (:func:`paceline.fit.athlete.calibration_effort`).
    calibration_kernel : RaceKernel
        That effort reduced to nodes, cut at its splits.
    calibration_conditions : dict or None
        Nominal weather and ranges of the calibration race (``temperature_c``, ``relative_humidity``,
        ``wind_speed_m_s`` as (nominal, lo, hi), ``altitude_m``, ``pressure_pa``); None for a solo reference.
    calibration_cv : float
        Coefficient of variation of the calibration effort as a measure of her ability [-].
    drag_area_m2 : float
        Her drag area at Cd 0.9 with the scenario's kit [m^2].
    calibration_drag_area_m2 : float
        Her drag area at Cd 0.9 with the calibration race's kit [m^2].
    target_shelter_best, calibration_shelter_best : ndarray
        Shelter of each formation with the best-fit drafting parameters [-] (from the courses).
    """

    scenario: Scenario
    kernel: RaceKernel
    calibration: CalibrationEffort
    calibration_kernel: RaceKernel
    calibration_conditions: dict[str, Any] | None
    calibration_cv: float
    drag_area_m2: float
    calibration_drag_area_m2: float
    target_shelter_best: NDArray[np.float64]
    calibration_shelter_best: NDArray[np.float64]
    _curve_kernels: dict[str, tuple[RaceKernel, RaceKernel]] = field(default_factory=dict, repr=False)

    @property
    def curve_index(self) -> int:
        """Index in :data:`CURVE_NAMES` of the problem's own cost curve (the central row's)."""
        return CURVE_NAMES.index(self.kernel.curve)

    def kernels(self, curve: str) -> tuple[RaceKernel, RaceKernel]:
        """The target and the calibration kernel under a cost curve (``dataclasses.replace``; cached)."""
        if curve == self.kernel.curve:
            return self.kernel, self.calibration_kernel
        if curve not in self._curve_kernels:
            self._curve_kernels[curve] = (
                replace(self.kernel, curve=curve),
                replace(self.calibration_kernel, curve=curve),
            )
        return self._curve_kernels[curve]

    def target_kernels(self) -> tuple[RaceKernel, ...]:
        """The target kernel under each of :data:`CURVE_NAMES` (what the workers receive)."""
        return tuple(self.kernels(c)[0] for c in CURVE_NAMES)

    @property
    def group_share(self) -> NDArray[np.float64]:
        """Share of the race distance run in each target formation [-]."""
        return self.kernel.group_share

    def time(self, inputs: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Finishing time [s] of each row of inputs (see :func:`paceline.studies.uncertainty.draws.draw_inputs` for
        the keys)."""
        return finish_times(self.target_kernels(), self.solver_inputs(inputs))

    def times(self, rows: Sequence[dict[str, NDArray[np.float64]]]) -> NDArray[np.float64]:
        """Finishing time [s] of each of ``rows`` (one-row inputs of :meth:`time`: the nominal row, the one-at-a-time
        rows), stacked and solved in one vectorised call rather than one call each. A row without ``curve`` runs
        under the problem's own cost curve, as in :meth:`time`.

        Raises
        ------
        ValueError
            If the rows do not hold the same inputs (``curve`` aside).
        """
        keys = set().union(*rows)
        if any(set(r) | {"curve"} != keys | {"curve"} for r in rows):
            raise ValueError("rows: every row must hold the same inputs")
        own = np.array([float(self.curve_index)])
        return self.time({k: np.concatenate([r.get(k, own) if k == "curve" else r[k] for r in rows]) for k in keys})

    def solver_inputs(self, inputs: dict[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
        """What the kernels read: ``power_w_kg``, ``k_drag`` (n, groups), ``wind_m_s``, ``shoe_gain`` and ``curve``
        (index in :data:`CURVE_NAMES`; the problem's own curve for rows without one); see :func:`finish_times`."""
        power = self.calibration_power(inputs) * inputs["form"] * inputs["calibration_form"]
        power = power * self.environment_ratio(inputs)
        c = self.scenario.conditions
        rho = np.asarray(
            air.air_density(inputs["temperature_c"], inputs["relative_humidity"], c.altitude_m, c.pressure_pa),
            dtype=float,
        )
        cda = self.drag_area_m2 * inputs["cd_factor"] * inputs["kit_factor"]
        k = np.asarray(aero.drag_coefficient_n_s2_m2(rho[:, None], cda[:, None], inputs["target_shelter"]))
        curve = inputs.get("curve")
        return {
            "power_w_kg": power,
            "k_drag": k,
            "wind_m_s": np.asarray(inputs["wind_speed_m_s"], dtype=float),
            "shoe_gain": np.asarray(inputs["shoe_gain"], dtype=float),
            "curve": np.full(power.shape, float(self.curve_index)) if curve is None else np.asarray(curve, float),
        }

    def environment_ratio(self, inputs: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Altitude and heat: power here over power in the calibration effort, with each row's drawn weather
        (:func:`paceline.fit.athlete.environment_ratio`, the rule the single prediction uses)."""
        from paceline.fit.athlete import environment_ratio

        n = np.shape(inputs["temperature_c"])
        cal_t = inputs.get("calibration_temperature_c")
        cal_rh = inputs.get("calibration_relative_humidity")
        ratio = environment_ratio(
            self.scenario,
            self.calibration,
            inputs["temperature_c"],
            inputs["relative_humidity"],
            cal_t if self.calibration_conditions is not None else None,
            cal_rh if self.calibration_conditions is not None else None,
        )
        return np.broadcast_to(np.asarray(ratio, dtype=float), n)

    def calibration_power(self, inputs: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        """Calibrated power [W/kg] of each row (unless given as ``calibration_power_w_kg``)."""
        if "calibration_power_w_kg" in inputs:
            return inputs["calibration_power_w_kg"]
        return self.calibration_rows(
            inputs["calibration_shelter"],
            inputs["cd_factor"],
            inputs["calibration_temperature_c"],
            inputs["calibration_relative_humidity"],
            inputs["calibration_wind_speed_m_s"],
            inputs.get("curve"),
        )

    def calibration_rows(
        self,
        shelter: NDArray[np.float64],
        cd_factor: NDArray[np.float64],
        temperature_c: NDArray[np.float64],
        relative_humidity: NDArray[np.float64],
        wind_m_s: NDArray[np.float64],
        curve: NDArray[np.float64] | None = None,
    ) -> NDArray[np.float64]:
        """Calibrated power [W/kg] for rows of calibration-race inputs: the time-weighted mean of the split
        segments' powers (:func:`paceline.models.equal_power.segment_powers`), each row under its cost curve
        (``curve``: index in :data:`CURVE_NAMES`; None: the problem's own)."""
        cc = self.calibration_conditions
        course = self.calibration.course
        if cc is None:
            rho = np.full(cd_factor.shape, float(course.air_density_kg_m3))
        else:
            rho = np.asarray(
                air.air_density(temperature_c, relative_humidity, cc["altitude_m"], cc["pressure_pa"]), dtype=float
            )
        cda = cd_factor * self.calibration_drag_area_m2
        k = np.asarray(aero.drag_coefficient_n_s2_m2(rho[:, None], cda[:, None], shelter))
        shoe = np.full(cd_factor.shape, course.shoe_economy_gain)
        d = self.calibration.durations_s
        idx = np.full(cd_factor.shape, self.curve_index) if curve is None else np.asarray(curve).astype(int)
        out = np.empty(cd_factor.shape)
        for c in sorted(set(idx.tolist())):  # (np.unique imports numpy.ma)
            rows = idx == c
            p = segment_powers(self.kernels(CURVE_NAMES[c])[1], d, k[rows], wind_m_s[rows], shoe[rows])
            out[rows] = p @ d / d.sum()
        return out


def finish_times(kernels: Sequence[RaceKernel], solver: dict[str, NDArray[np.float64]]) -> NDArray[np.float64]:
    """Finishing times [s] of rows of solver inputs, each under its cost curve's kernel.

    Parameters
    ----------
    kernels : sequence of RaceKernel
        The target kernel under each of :data:`CURVE_NAMES` (:meth:`Problem.target_kernels`).
    solver : dict of str to ndarray
        :meth:`Problem.solver_inputs`; the rows are grouped by ``curve`` and each group solved vectorised.

    Returns
    -------
    ndarray, shape (n,)
    """
    idx = np.asarray(solver["curve"]).astype(int)
    args = {k: v for k, v in solver.items() if k != "curve"}
    out = np.empty(idx.shape)
    for c in sorted(set(idx.tolist())):  # (np.unique imports numpy.ma)
        rows = idx == c
        out[rows] = kernels[c].finish_time(**{k: np.asarray(v)[rows] for k, v in args.items()})
    return out


def _group_shelter(course: Course, kernel: RaceKernel) -> NDArray[np.float64]:
    """Shelter of each kernel group on a course [-] (the course's own, from the drafting model's best fit)."""
    phase = [course.formations.index(g) for g in kernel.groups]
    return np.array([course.shelter[int(np.argmax(course.phase_index == ph))] for ph in phase], dtype=float)


def _conditions_of(scenario: Scenario) -> dict[str, Any]:
    c = scenario.conditions
    return {
        "temperature_c": range_of(c, "temperature_c"),
        "relative_humidity": range_of(c, "relative_humidity"),
        "wind_speed_m_s": range_of(c, "wind_speed_m_s"),
        "altitude_m": c.altitude_m,
        "pressure_pa": c.pressure_pa,
    }


def calibration_cv(effort: CalibrationEffort) -> float:
    """Coefficient of variation of a calibration effort as a measure of her ability [-]: one race is one day's form
    (:data:`CALIBRATION_CV`); a fit of performances has the larger of its leave-one-out error (mean absolute error x
    sqrt(pi/2) = SD) and the SD of its predicted time at this distance (its 90 % interval's half-width in ln t over
    1.645; the only measure when she gave one performance), never less than one race."""
    if effort.kind == "race":
        return CALIBRATION_CV
    from paceline.fit.performance_model import Z90

    cvs = [CALIBRATION_CV]
    if effort.loo_error_pct is not None:
        cvs.append(1.2533 * effort.loo_error_pct / 100.0)
    if effort.interval_s is not None:
        low, high = effort.interval_s
        cvs.append(float(np.log(high / low)) / (2.0 * Z90))
    return max(cvs)


def build_problem(scenario: Scenario, curve: str = DEFAULT_CURVE) -> Problem:
    """The target kernel and the calibration of a scenario (the equal-power model's course, its sample spacing)."""
    from paceline.chain import course_for, get_model
    from paceline.fit.athlete import calibration_effort

    course = course_for(scenario, get_model("equal-power"))
    kernel = build_kernel(course, curve, None, QUAD_NODES)
    effort = calibration_effort(scenario)
    cal_kernel = effort.kernel(curve, QUAD_NODES)
    conditions: dict[str, Any] | None = None
    if effort.kind == "race":
        conditions = _conditions_of(effort.scenario)  # type: ignore[arg-type]
    cv = calibration_cv(effort)
    return Problem(
        scenario=scenario,
        kernel=kernel,
        calibration=effort,
        calibration_kernel=cal_kernel,
        calibration_conditions=conditions,
        calibration_cv=cv,
        drag_area_m2=float(course.drag_area_m2),
        calibration_drag_area_m2=float(effort.course.drag_area_m2),
        target_shelter_best=_group_shelter(course, kernel),
        calibration_shelter_best=_group_shelter(effort.course, cal_kernel),
    )
