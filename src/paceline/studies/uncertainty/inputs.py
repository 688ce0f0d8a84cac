"""The uncertain inputs of the Monte Carlo, as one table (:data:`INPUTS`): name, law, parameters, unit and source.

The sampler (:func:`paceline.studies.uncertainty.draws.draw_inputs`) reads the table: it draws every input of a
parametric law from its parameters, in the table's order, and the structural ones (the drafting pool, the pacers'
jitter, the calibration race's pacer gap, the cost curve) by their law's own rule; the one-at-a-time sensitivity
rows, the labels of the sensitivity table, the distributions the output lists and the README's table
(``python docs/montecarlo_inputs_table.py``, :func:`markdown_table`) all come from the same rows.

Laws
    ``uniform``    U(a, b), drawn even when a = b.
    ``range``      uniform within a condition's ``*_range`` (nominal, low, high); fixed at the nominal value, and
                   no number drawn, without a range.
    ``normal``     N(mean, SD).
    ``lognormal``  exp(N(mu, sigma)): a factor on power.
    ``pool``       one member of the pool of drafting-parameter refits.
    ``jitter``     every pacer's slot moved by N(0, SD) along and across, the shelter recomputed.
    ``shift``      the calibration race's pacers ahead moved together by N(0, SD), the nearest never under a floor.
    ``choice``     one of a list, equally likely.

Stages
    ``calibration``  drawn once per member of the calibration pool (whose power is solved exactly); each draw picks
                     a member. ``draw``: drawn per Monte Carlo draw. ``both``: in both races.

References
----------
Hopkins, W. G. (2005). Competitive performance of elite track-and-field athletes: variability and smallest
worthwhile enhancements. Sportscience 9, 17-20.
Hopkins, W. G. & Hewson, D. J. (2001). Variability of competitive performance of distance runners. Med. Sci.
Sports Exerc. 33, 1588-1592.
Bertschy, M., Wilkie, E., Rodrigo-Carranza, V. et al. (2024). Advanced footwear technology spikes improve
middle-distance running speed (about 2 %, 1.8-3.1 %). J. Sport Health Sci.
Pugh, L. G. C. E. (1971). The influence of wind resistance in running and walking. J. Physiol. 213, 255-276.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paceline.fit.effort import FORM_CV
from paceline.io.athletes import pronouns
from paceline.physics import aero
from paceline.physics.air import REFERENCE_CONDITIONS
from paceline.studies.uncertainty.montecarlo_problem import CURVE_NAMES, range_of

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.uncertainty.montecarlo_problem import Problem

#: Standard deviation of the kit's drag factor relative to the scenario's ``cda_factor`` [-] (assumed).
KIT_CDA_SD = 0.03

#: Standard deviation of the shoes' economy gain relative to the calibration race's shoes [-] (assumed).
SHOE_GAIN_SD = 0.005

#: Number of drafting-parameter draws (refits of the surrogate) in the pool.
DRAFT_POOL = 200

#: Number of exactly calibrated (drafting member, Cd, calibration weather) combinations.
CALIBRATION_POOL = 1000

#: Standard deviation of a pacer's position in their slot, along and across the track [m] (assumed: no published
#: measurement of how well pacers hold a formation; a third of a stride).
SLOT_SD_M = 0.3

#: Standard deviation of the calibration race's pacers' distance ahead of her [m] (assumed: the reports' figures
#: for Monaco 2023 differ by up to 0.9 m (T&FN v WA split differences) and the splits' rounding alone is +-0.3 m).
CALIBRATION_GAP_SD_M = 1.0

#: Closest the calibration race's nearest pacer ahead can be drawn [m] (the lower end of ``infer``'s prior).
MIN_GAP_M = 1.0

#: Laws whose numbers come from two or three parameters (the rest are drawn by their own rule).
PARAMETRIC = ("uniform", "range", "normal", "lognormal")


@dataclass
class Setting:
    """What the table's parameters read for one scenario: the problem, the sampler's options and the figures
    derived from them.

    Attributes
    ----------
    problem : Problem
        The target and calibration races.
    pool, shelter_spread, slot_sd_m, gap_sd_m, vary_curve
        The options of :func:`paceline.studies.uncertainty.draws.draw_inputs`.
    sd_form, sd_calibration : float
        SD of the log power factor of form on the day and of the calibration race (time CV / elasticity).
    gapped : bool
        The calibration race has pacers ahead (its gap can be drawn).
    nominal_gap_m : float
        Its nearest pacer ahead in the scenario [m].
    """

    problem: Problem
    pool: int = DRAFT_POOL
    shelter_spread: float = 1.0
    slot_sd_m: float = SLOT_SD_M
    gap_sd_m: float = CALIBRATION_GAP_SD_M
    vary_curve: bool = True
    sd_form: float = float("nan")
    sd_calibration: float = float("nan")
    gapped: bool = False
    nominal_gap_m: float = 0.0

    @property
    def calibration_name(self) -> str:
        cal = self.problem.calibration.scenario
        return cal.name if cal is not None else "-"


@dataclass(frozen=True)
class UncertainInput:
    """One uncertain input: a row of :data:`INPUTS`.

    Attributes
    ----------
    key : str
        Its name in the draws (``Draws.report``, the one-at-a-time rows).
    label, unit : str
        For the sensitivity table.
    law : str
        How it is drawn (see the module).
    stage : str
        ``calibration``, ``draw`` or ``both`` (see the module).
    distribution : str
        The law in words, for any scenario (the README's table).
    source : str
        Citation or reasoning.
    target : bool
        The target race reads its value per draw (else it enters through the calibration pool's power).
    params : callable, optional
        A parametric law's parameters for a scenario: (a, b) of ``uniform``, (nominal, low, high) of ``range``,
        (mean, SD) of ``normal``, (mu, sigma) of ``lognormal``.
    nominal : callable, optional
        Its value in the nominal row (default: the law's centre: the range's nominal, the mean, exp(mu)).
    describe : callable, optional
        The law and its source for a scenario, in words (the distributions the output lists).
    applies : callable, optional
        Whether it is drawn for a scenario at all (default: always).
    """

    key: str
    label: str
    unit: str
    law: str
    stage: str
    distribution: str
    source: str
    target: bool = False
    params: Callable[[Setting], tuple[float, ...]] | None = None
    nominal: Callable[[Setting], float] | None = None
    describe: Callable[[Setting], tuple[str, str]] | None = None
    applies: Callable[[Setting], bool] | None = None

    def drawn(self, s: Setting) -> bool:
        """True if the input is drawn for this setting."""
        return self.applies is None or self.applies(s)

    def centre(self, s: Setting) -> float:
        """The input's nominal value for this setting."""
        if self.nominal is not None:
            return self.nominal(s)
        assert self.params is not None, self.key
        p = self.params(s)
        return float(p[0]) if self.law in ("range", "normal") else math.exp(p[0])

    def words(self, s: Setting) -> tuple[str, str]:
        """The law and its source for this setting."""
        if self.describe is not None:
            return self.describe(s)
        assert self.params is not None, self.key
        return range_text(self.params(s), self.unit), self.source


def range_text(trip: tuple[float, ...], unit: str) -> str:
    """``U(low, high) unit``, or ``fixed nominal unit`` for an empty range."""
    text = f"U({trip[1]:g}, {trip[2]:g})" if trip[2] > trip[1] else f"fixed {trip[0]:g}"
    return f"{text} {unit}" if unit not in ("", "-") else text


def _weather(name: str) -> Callable[[Setting], tuple[float, ...]]:
    return lambda s: range_of(s.problem.scenario.conditions, name)


def _calibration_weather(name: str) -> Callable[[Setting], tuple[float, ...]]:
    """The calibration race's (nominal, low, high) of a condition; the reference conditions (fixed) for a
    calibration without a race."""

    def params(s: Setting) -> tuple[float, ...]:
        cc = s.problem.calibration_conditions
        return cc[name] if cc else (REFERENCE_CONDITIONS[name],) * 3

    return params


def _cd_words(s: Setting) -> tuple[str, str]:
    ath = s.problem.scenario.athlete
    text, source = aero.drag_factor_text(ath.drag_area_m2, ath.drag_area_sd_m2)
    return f"{text}, both races", source


_WEATHER_SOURCE = "the scenario file"
_CALIBRATION_WEATHER = "the calibration race's scenario file (the reference conditions for fitted performances)"
_HOPKINS = "Hopkins (2005) Sportscience 9:17; Hopkins & Hewson (2001) MSSE 33:1588"


def _weather_row(key: str, label: str, unit: str, what: str) -> UncertainInput:
    return UncertainInput(
        key,
        label,
        unit,
        "range",
        "draw",
        f"uniform within the scenario's `conditions.{key}_range` ({what}; fixed at `{key}` without one)",
        _WEATHER_SOURCE,
        target=True,
        params=_weather(key),
        describe=lambda s: (range_text(_weather(key)(s), unit), "scenario"),
    )


def _calibration_weather_row(key: str, label: str, unit: str) -> UncertainInput:
    return UncertainInput(
        f"calibration_{key}",
        label,
        unit,
        "range",
        "calibration",
        f"uniform within the calibration race's `conditions.{key}_range`",
        _CALIBRATION_WEATHER,
        params=_calibration_weather(key),
        describe=lambda s: (range_text(_calibration_weather(key)(s), unit), f"scenario {s.calibration_name}"),
        applies=lambda s: bool(s.problem.calibration_conditions),
    )


#: The uncertain inputs, in the order they are drawn from the one generator (changing the order changes the numbers
#: a seed gives).
INPUTS: tuple[UncertainInput, ...] = (
    UncertainInput(
        "drafting",
        "drafting (shelter model)",
        "mean shelter",
        "pool",
        "calibration",
        f"the {DRAFT_POOL} shipped refits of the shelter surrogate (`io.fitted.drafting_draws`: bootstrap over the "
        'studies + a new "study effect"), in the attempt *and* in the calibration race',
        "the 50-89 % spread of the published studies (paceline.fit.drafting)",
        describe=lambda s: (
            f"{s.pool} refits of the shelter surrogate (io.fitted.drafting_draws), spread x {s.shelter_spread:g}, "
            "in the target and the calibration race",
            "paceline.fit.drafting: bootstrap over the studies + a new study effect",
        ),
    ),
    UncertainInput(
        "cd_factor",
        *aero.drag_factor_label(None),
        "uniform",
        "calibration",
        f"{aero.drag_factor_text(None, None)[0]}, the same body in both races; a measured drag area "
        "(`athlete.drag_area_m2`) is drawn uniformly with its own SD `athlete.drag_area_sd_m2` instead (fixed when "
        "none is given)",
        f"{aero.drag_factor_text(None, None)[1]}, `aero.py`; the athlete's measurement",
        target=True,
        params=lambda s: aero.drag_factor_range(
            s.problem.scenario.athlete.drag_area_m2, s.problem.scenario.athlete.drag_area_sd_m2
        ),
        nominal=lambda s: 1.0,
        describe=_cd_words,
    ),
    _weather_row("temperature_c", "temperature", "degC", "air temperature"),
    _weather_row("relative_humidity", "relative humidity", "-", "humidity"),
    _weather_row("wind_speed_m_s", "wind speed", "m/s", "wind speed; the direction is the scenario's"),
    UncertainInput(
        "kit_factor",
        "kit drag factor",
        "x cda_factor",
        "normal",
        "draw",
        f"the scenario's `cda_factor` x N(1, {KIT_CDA_SD:g})",
        "assumed: no drag figure was published for race kit or the suit (skin suits in cycling gain a few per "
        "cent); symmetric, so that the median assumes no benefit",
        target=True,
        params=lambda s: (1.0, KIT_CDA_SD),
        describe=lambda s: (
            f"cda_factor {s.problem.scenario.equipment.cda_factor:g} x N(1, {KIT_CDA_SD:g})",
            "assumed: no published drag figure for race kit",
        ),
    ),
    UncertainInput(
        "shoe_gain",
        "shoe economy",
        "fraction",
        "normal",
        "draw",
        f"the scenario's `shoe_economy_gain` + N(0, {SHOE_GAIN_SD:g}), relative to the calibration race's spikes",
        "advanced vs traditional spikes: about 2 % of speed (Bertschy et al. 2024); two generations of advanced "
        "spikes taken to differ by a quarter of that",
        target=True,
        params=lambda s: (s.problem.scenario.equipment.shoe_economy_gain, SHOE_GAIN_SD),
        describe=lambda s: (
            f"{s.problem.scenario.equipment.shoe_economy_gain:g} + N(0, {SHOE_GAIN_SD:g})",
            "assumed, relative to the calibration race's spikes (Bertschy et al. 2024: about 2 % between advanced "
            "and traditional spikes)",
        ),
    ),
    UncertainInput(
        "form",
        "form on the day",
        "power factor",
        "lognormal",
        "draw",
        f"log-normal factor on metabolic power giving a {100 * FORM_CV:g} % CV of time",
        f"within-athlete race-to-race variability, better half of elite runners up to 1500 m: {100 * FORM_CV:g} % "
        "(1.0 % for all; Hopkins 2005, Sportscience 9:17); 1.2-1.9 % for the fastest road runners (Hopkins & "
        "Hewson 2001, MSSE 33:1588)",
        target=True,
        params=lambda s: (0.0, s.sd_form),
        describe=lambda s: (f"log-normal power factor, time CV {FORM_CV:.1%} (power SD {s.sd_form:.2%})", _HOPKINS),
    ),
    UncertainInput(
        "calibration_form",
        "calibration race form",
        "power factor",
        "lognormal",
        "draw",
        f"the same {100 * FORM_CV:g} % again: the calibration race was one day's form (a calibration from fitted "
        "performances uses the larger of the fit's leave-one-out error and its prediction's own 90 % interval, the "
        "only measure with one performance)",
        "Hopkins (2005)",
        target=True,
        params=lambda s: (0.0, s.sd_calibration),
        describe=lambda s: (
            f"log-normal power factor, time CV {s.problem.calibration_cv:.1%} (power SD {s.sd_calibration:.2%})",
            f"calibration: {s.problem.calibration.source}; one race is one day's form (Hopkins 2005)",
        ),
    ),
    _calibration_weather_row("temperature_c", "calibration race temperature", "degC"),
    _calibration_weather_row("relative_humidity", "calibration race humidity", "-"),
    _calibration_weather_row("wind_speed_m_s", "calibration race wind", "m/s"),
    UncertainInput(
        "slot_jitter",
        "slot holding (pacers' jitter)",
        "mean shelter change",
        "jitter",
        "both",
        f"every pacer's position in their slot + N(0, {SLOT_SD_M:g} m) along and across, per draw and formation, in "
        "both races; the shelter recomputed with that draw's drafting parameters",
        "assumed: nothing published measures how well pacers hold a formation",
        describe=lambda s: (
            f"each pacer's dx and dy + N(0, {s.slot_sd_m:g} m), per draw and formation, in the target and the "
            "calibration race; shelter recomputed with that draw's drafting parameters",
            "assumed: no published measurement of how well pacers hold their slots",
        ),
    ),
    UncertainInput(
        "calibration_gap_m",
        "calibration race pacer gap",
        "m",
        "shift",
        "calibration",
        f"the calibration race's pacers ahead moved together by N(0, {CALIBRATION_GAP_SD_M:g} m), the nearest never "
        f"under {MIN_GAP_M:g} m",
        "assumed: Monaco 2023's gaps are read from split differences, and the reports differ by up to 0.9 m",
        describe=lambda s: (
            f"the calibration race's pacers ahead moved by N(0, {s.gap_sd_m:g} m) together (nearest "
            f"{s.nominal_gap_m:g} m ahead in the scenario, never under {MIN_GAP_M:g} m)",
            f"assumed, for calibration race {s.calibration_name}: Monaco 2023's gap comes from split differences "
            "and its reports differ by up to 0.9 m",
        ),
        applies=lambda s: s.gapped,
    ),
    UncertainInput(
        "cost_curve",
        "cost curve (treadmill study)",
        "W/kg at race pace",
        "choice",
        "calibration",
        f"one of the {len(CURVE_NAMES)} bundled treadmill curves, equally likely; her power calibrated and the race "
        "run under the same curve",
        "the curves disagree (see The 3:59.37 reproduction); equal weights assumed",
        describe=lambda s: (
            f"one of {', '.join(CURVE_NAMES)}, equally likely; "
            f"{pronouns(s.problem.scenario.athlete.sex).possessive} power calibrated and the race run under the same "
            "curve",
            "the bundled treadmill studies (paceline.physics.metabolic.COST_CURVES); equal weights assumed",
        ),
        applies=lambda s: s.vary_curve,
    ),
)

#: The rows by key.
BY_KEY: dict[str, UncertainInput] = {inp.key: inp for inp in INPUTS}

#: The inputs reported in the sensitivity ranking: key -> (label, unit).
INPUT_LABELS: dict[str, tuple[str, str]] = {inp.key: (inp.label, inp.unit) for inp in INPUTS}


def distributions(s: Setting) -> list[dict[str, str]]:
    """What each input drawn for this setting is and why (the output's list)."""
    rows = []
    for inp in INPUTS:
        if inp.drawn(s):
            text, source = inp.words(s)
            rows.append({"input": inp.key, "distribution": text, "source": source})
    return rows


#: How often each stage draws, in words (the README's table).
_STAGE_WORDS = {"calibration": "per calibration-pool member", "draw": "per draw", "both": "per member and per draw"}


def markdown_table() -> str:
    """The README's table of the Monte Carlo's inputs (``python docs/montecarlo_inputs_table.py``)."""
    lines = ["| input [unit] | law | drawn | distribution | source / reasoning |", "|---|---|---|---|---|"]
    for inp in INPUTS:
        unit = f" [{inp.unit}]" if inp.unit not in ("", "-") else ""
        drawn = _STAGE_WORDS[inp.stage]
        lines.append(f"| {inp.label}{unit} | {inp.law} | {drawn} | {inp.distribution} | {inp.source} |")
    return "\n".join(lines)
