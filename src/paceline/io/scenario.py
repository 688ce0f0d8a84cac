"""Scenario files: pydantic models of a paced record attempt, loading and validation.

A scenario is TOML (see ``paceline scenarios show breaking4``). Every field has its unit in its name; times are
accepted as ``"4:06.42"``, ``"1:02:03.4"`` or seconds. Every bad value becomes a :class:`ScenarioError` whose
message starts with the field's path, e.g. ``pacing[2].to_m: 1700 is beyond the race distance 1609.344``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from paceline.errors import ScenarioError
from paceline.io.cache import content_key
from paceline.io.formations import get_formation, parsed_formations
from paceline.io.limits import (
    DISTANCE_RANGE_M,
    MAX_FORMATIONS,
    MAX_PACERS,
    MAX_PERFORMANCES,
    MAX_PHASES,
    MAX_SPLITS,
    MAX_TEXT_CHARS,
    MEAN_SPEED_RANGE_M_S,
    check_depth,
    check_mean_speed,
    check_text,
    check_user_file,
    parse_toml,
    read_text,
)
from paceline.physics.aero import DRAG_AREA_RANGE_M2, drag_factor_range
from paceline.physics.air import REFERENCE_CONDITIONS, REFERENCE_CONDITIONS_TEXT
from paceline.physics.formation import Formation
from paceline.physics.track import STANDARD_TRACK, TrackGeometry
from paceline.timefmt import format_time, parse_time

ModelName = Literal["equal-power", "critical-speed", "optimal-control"]


def _clock_to_seconds(data: Any, key: str, seconds_key: str, field: str) -> Any:
    """A copy of ``data`` with a clock time (``"4:06.42"``) under ``key`` moved to ``seconds_key`` as seconds."""
    if isinstance(data, dict) and key in data:
        data = dict(data)
        data[seconds_key] = parse_time(data.pop(key), field)
    return data


class _Strict(BaseModel):
    """A frozen, validated value that knows its content digest.

    Every number finite, every text bounded (io.limits). ``digest`` is the SHA-256 of its canonical JSON
    (:func:`paceline.io.cache.content_key`), computed on first use and kept: the value is frozen, so it cannot go
    stale (a ``model_copy`` with changes computes its own).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, str_max_length=MAX_TEXT_CHARS)

    @functools.cached_property
    def digest(self) -> str:
        """SHA-256 of the value's canonical JSON [hex], computed once (not a field: equality and dumps ignore it)."""
        return content_key(self.model_dump(mode="json"))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (see pydantic's); with ``update``, its digest is its own, not this value's."""
        copied = super().model_copy(update=update, deep=deep)
        if update:
            copied.__dict__.pop("digest", None)
        return copied


class Performance(_Strict):
    """A race result used to fit or calibrate an athlete model."""

    distance_m: float = Field(
        ge=DISTANCE_RANGE_M[0], le=DISTANCE_RANGE_M[1], description="Race distance [m] (100 m to 100 km)."
    )
    time_s: float = Field(gt=0, description="Finishing time [s]; accepts 'time' as 'm:ss.xx'.")
    date: str | None = None
    note: str | None = None
    race: str | None = Field(
        None,
        description="The race scenario it was run in (bundled name or .toml): its pacing and weather. The fits "
        "convert a paced performance to a solo, still-air, sea-level time (paceline.fit.paced).",
    )
    formation: str | None = Field(None, description="A formation held the whole race (paced), when no race is given.")
    temperature_c: float | None = Field(None, ge=-20, le=45, description="Air temperature of the race [degC].")
    relative_humidity: float | None = Field(None, ge=0, le=1, description="Relative humidity of the race [0-1].")
    altitude_m: float | None = Field(None, ge=-400, le=4000, description="Altitude of the race [m].")
    wind_speed_m_s: float | None = Field(None, ge=0, le=15, description="Steady wind in the race [m/s].")

    @property
    def solo_still_sea_level(self) -> bool:
        """True when nothing says it was paced, windy, hot or high (taken as solo, still air, sea level)."""
        return all(
            v is None
            for v in (
                self.race,
                self.formation,
                self.temperature_c,
                self.relative_humidity,
                self.altitude_m,
                self.wind_speed_m_s,
            )
        )

    @model_validator(mode="before")
    @classmethod
    def _time(cls, data: Any) -> Any:
        return _clock_to_seconds(data, "time", "time_s", "time")

    @model_validator(mode="after")
    def _speed(self) -> Performance:
        check_mean_speed(self.distance_m, self.time_s, "time_s")
        return self


class Athlete(_Strict):
    """The athlete making the attempt."""

    name: str
    height_m: float = Field(ge=1.2, le=2.2, description="Body height [m].")
    mass_kg: float = Field(ge=30, le=120, description="Body mass [kg].")
    sex: Literal["F", "M"] = "F"
    drag_area_m2: float | None = Field(
        None,
        ge=DRAG_AREA_RANGE_M2[0],
        le=DRAG_AREA_RANGE_M2[1],
        description="Her own measured drag area CdA in ordinary race kit [m^2] (0.05-1.0); replaces Cd 0.9 x 0.266 x "
        "DuBois BSA (Pugh 1971) in this race and in her calibration race (equal-power model only). The kit's "
        "cda_factor still multiplies it.",
    )
    drag_area_sd_m2: float | None = Field(
        None,
        ge=0,
        description="Standard deviation of the measured drag_area_m2 [m^2] (>= 0, small enough that drag_area_m2 "
        "+- sqrt(3) SD stays within 0.05-1.0 m^2): the Monte Carlo and infer draw her drag area uniformly with this "
        "SD instead of Cd 0.8-1.0; default: taken as exact.",
    )
    performances: tuple[Performance, ...] = Field((), max_length=MAX_PERFORMANCES)
    id: str | None = Field(
        None,
        description="Her id (e.g. 'faith-kipyegon'), shared by her athlete file, races and scenarios; default: her "
        "name in lower case with dashes.",
    )
    calibration: str | None = Field(
        None,
        description="What sets her metabolic power: a race scenario (bundled name or .toml) that she ran (same id), "
        "'self' (this scenario's own [result]) or 'performances'; default: her performances.",
    )

    @model_validator(mode="after")
    def _drag_sd(self) -> Athlete:
        drag_factor_range(self.drag_area_m2, self.drag_area_sd_m2)  # ScenarioError naming drag_area_sd_m2
        return self


class Equipment(_Strict):
    """Shoes and clothing."""

    shoe_economy_gain: float = Field(0.0, ge=0.0, le=0.10, description="Fraction of metabolic cost saved [0-0.10].")
    cda_factor: float = Field(1.0, gt=0.5, le=1.5, description="Drag-area multiplier of the kit [-] (suit < 1).")
    note: str | None = None


#: Station pressure over the standard atmosphere's at the same altitude [-] that weather can give: the recorded
#: extremes of sea-level pressure, 870 hPa (Typhoon Tip, 1979) and 1083.8 hPa (Agata, Siberia, 1968; WMO archive of
#: weather and climate extremes), over 1013.25 hPa, widened to round numbers.
PRESSURE_RATIO_RANGE = (0.85, 1.08)


class Conditions(_Strict):
    """Weather on the night. Ranges (``*_range``) describe what is not known, for the uncertainty analysis."""

    temperature_c: float = Field(
        REFERENCE_CONDITIONS["temperature_c"], ge=-20, le=45, description="Air temperature [degC]."
    )
    relative_humidity: float = Field(
        REFERENCE_CONDITIONS["relative_humidity"], ge=0, le=1, description="Relative humidity [0-1]."
    )
    altitude_m: float = Field(REFERENCE_CONDITIONS["altitude_m"], ge=-400, le=4000, description="Altitude [m].")
    pressure_pa: float | None = Field(None, ge=50_000, le=110_000, description="Station pressure [Pa].")
    wind_speed_m_s: float = Field(
        REFERENCE_CONDITIONS["wind_speed_m_s"], ge=0, le=15, description="Steady wind speed [m/s]."
    )
    wind_from_deg: float = Field(0.0, ge=0, lt=360, description="Direction the wind blows from [deg, compass].")
    temperature_c_range: tuple[float, float] | None = None
    wind_speed_m_s_range: tuple[float, float] | None = None
    relative_humidity_range: tuple[float, float] | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ranges(self) -> Conditions:
        for name in ("temperature_c", "wind_speed_m_s", "relative_humidity"):
            rng = getattr(self, f"{name}_range")
            if rng is None:
                continue
            info = type(self).model_fields[name]
            low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
            high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
            if (low is not None and rng[0] < low) or (high is not None and rng[1] > high):
                # the Monte Carlo draws within the range: it must hold only values the field itself allows
                raise ScenarioError(f"{list(rng)} must lie within {low:g} to {high:g}, as {name} does", f"{name}_range")
            if not rng[0] <= getattr(self, name) <= rng[1]:
                raise ScenarioError(f"{list(rng)} must contain {name} = {getattr(self, name)}", f"{name}_range")
        if self.pressure_pa is not None:
            from paceline.physics.air import pressure_at_altitude_pa

            standard = float(pressure_at_altitude_pa(self.altitude_m))
            lo, hi = PRESSURE_RATIO_RANGE
            if not lo * standard <= self.pressure_pa <= hi * standard:
                raise ScenarioError(
                    f"{self.pressure_pa:g} Pa is no weather at altitude_m = {self.altitude_m:g} (standard atmosphere "
                    f"{standard:.0f} Pa; allowed {lo * standard:.0f} to {hi * standard:.0f} Pa, the recorded "
                    "extremes); give the station pressure there, or leave it out",
                    "pressure_pa",
                )
        return self


class TrackSpec(_Strict):
    """The track. ``oval`` is a standard 400 m track unless its dimensions are given; ``road`` has no bends."""

    kind: Literal["oval", "road"] = "oval"
    straight_m: float = Field(STANDARD_TRACK.straight_m, gt=0, le=500, description="Straight length [m].")
    kerb_radius_m: float = Field(36.50, gt=5, le=200)
    lanes: int = Field(8, ge=1, le=10)
    bearing_deg: float = Field(
        0.0,
        ge=0,
        lt=360,
        description="Compass bearing of the running direction on the home straight [deg].",
    )
    name: str | None = None

    def geometry(self) -> TrackGeometry:
        """The :class:`TrackGeometry` of this track."""
        return TrackGeometry(straight_m=self.straight_m, kerb_radius_m=self.kerb_radius_m, lanes=self.lanes)


class Pacer(_Strict):
    """A pacer on the roster and what they can run."""

    name: str
    sex: Literal["F", "M"] = "M"
    performances: tuple[Performance, ...] = Field(
        (),
        max_length=MAX_PERFORMANCES,
        description="Recent results (800 m to 3000 m) that set what the pacer can hold.",
    )
    starts_race: bool | None = Field(
        None,
        description="Starts the race (true) or enters from outside the track (false); default: true if "
        "their first stint begins at 0 m.",
    )
    note: str | None = None


class PacingPhase(_Strict):
    """A stretch of the race run in one formation with named pacers in its slots (in slot order)."""

    from_m: float = Field(ge=0, description="Start of the phase, race distance [m].")
    to_m: float = Field(gt=0, description="End of the phase, race distance [m].")
    formation: str = "solo"
    pacers: tuple[str, ...] = ()
    note: str | None = None


class Result(_Strict):
    """What happened, for a race that was run: splits at race distances and the finish."""

    time_s: float = Field(gt=0, description="Finishing time [s]; accepts 'time'.")
    splits: tuple[tuple[float, float], ...] = Field(
        (), max_length=MAX_SPLITS, description="(race distance [m], time [s]) pairs; times may be 'm:ss.xx'."
    )
    source: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _times(cls, data: Any) -> Any:
        data = _clock_to_seconds(data, "time", "time_s", "result.time")
        if isinstance(data, dict) and "splits" in data:
            data = {**data, "splits": _parse_splits(data["splits"])}
        return data


def _parse_splits(raw: Any) -> list[tuple[float, float]]:
    """``[[distance_m, time], ...]`` -> ``[(m, s), ...]``; a malformed pair is a ScenarioError naming it."""
    if not isinstance(raw, list | tuple):
        raise ScenarioError("must be a list of [race distance in m, time] pairs", "result.splits")
    if len(raw) > MAX_SPLITS:
        raise ScenarioError(f"{len(raw)} splits; at most {MAX_SPLITS}", "result.splits")
    out = []
    for i, pair in enumerate(raw):
        where = f"result.splits[{i}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ScenarioError(f"{pair!r} is not a [race distance in m, time] pair", where)
        d, t = pair
        if isinstance(d, bool) or not isinstance(d, int | float) or not math.isfinite(d):
            raise ScenarioError(f"{d!r} is not a race distance; give a finite number of metres", where)
        if not isinstance(t, str | int | float):
            raise ScenarioError(f"{t!r} is not a time; use seconds or 'm:ss.xx'", where)
        out.append((float(d), parse_time(t, where)))
    return out


class Scenario(_Strict):
    """A paced record attempt (or a race that was run), as read from a scenario file."""

    name: str
    description: str = ""
    distance_m: float = Field(
        ge=DISTANCE_RANGE_M[0], le=DISTANCE_RANGE_M[1], description="Race distance [m] (100 m to 100 km)."
    )
    target_s: float | None = Field(None, gt=0, description="Target time [s]; accepts 'target' as 'm:ss.xx'.")
    model: ModelName = "equal-power"
    eligibility: Literal["exhibition", "record"] = Field(
        "exhibition", description="'record': the plan is checked against the World Athletics pacing rules."
    )
    athlete: Athlete
    equipment: Equipment = Equipment()
    conditions: Conditions = Conditions()
    track: TrackSpec = TrackSpec()
    pacers: tuple[Pacer, ...] = Field((), max_length=MAX_PACERS)
    pacing: tuple[PacingPhase, ...] = Field((), max_length=MAX_PHASES)
    formations: dict[str, dict[str, Any]] = Field(default_factory=dict, max_length=MAX_FORMATIONS)
    result: Result | None = None
    sources: tuple[str, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _target(cls, data: Any) -> Any:
        return _clock_to_seconds(data, "target", "target_s", "target")

    # ---- derived views (no physics here) -------------------------------------------------------------------
    def own_formations(self) -> dict[str, Formation]:
        """Formations defined inline in this scenario (parsed once per ``formations`` table: a plan's cards ask for
        a formation per pacer per phase, and 64 pacers over 64 phases re-parsed them for minutes)."""
        return parsed_formations(self.formations)

    def formation(self, name: str) -> Formation:
        """A formation by name, the scenario's own first."""
        return get_formation(name, self.own_formations())

    def phases(self) -> list[PacingPhase]:
        """The pacing phases covering the whole race; a race with none is run solo."""
        if not self.pacing:
            return [PacingPhase(from_m=0.0, to_m=self.distance_m, formation="solo")]
        return list(self.pacing)


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


#: Plausible mean speeds of a running target [m/s] (:data:`paceline.io.limits.MEAN_SPEED_RANGE_M_S`).
TARGET_SPEED_RANGE_M_S = MEAN_SPEED_RANGE_M_S


def check_target(distance_m: float, target_s: float, field: str = "target") -> None:
    """Refuse a target time no runner could reach (or that is no race at all).

    Raises
    ------
    ScenarioError
        When the mean speed ``distance_m / target_s`` is outside :data:`TARGET_SPEED_RANGE_M_S`.
    """
    v = distance_m / target_s
    lo, hi = TARGET_SPEED_RANGE_M_S
    if not lo <= v <= hi:
        raise ScenarioError(
            f"{format_time(target_s)} for {distance_m:g} m is a mean speed of {v:.2f} m/s; a running target must be "
            f"between {lo:g} and {hi:g} m/s (the 100 m world record's mean speed)",
            field,
        )


def _check_consistency(sc: Scenario) -> None:
    """Cross-field checks that pydantic's per-field validation cannot express."""
    if sc.target_s is not None:
        check_target(sc.distance_m, sc.target_s)
    own = sc.own_formations()  # validates inline formations
    roster = {p.name for p in sc.pacers}
    if len(roster) != len(sc.pacers):
        raise ScenarioError("pacer names must be unique", "pacers")
    prev_to = 0.0
    for i, ph in enumerate(sc.pacing):
        path = f"pacing[{i}]"
        if ph.to_m > sc.distance_m + 1e-9:
            raise ScenarioError(f"{ph.to_m:g} is beyond the race distance {sc.distance_m:g}", f"{path}.to_m")
        if ph.to_m <= ph.from_m:
            raise ScenarioError(f"{ph.to_m:g} must be greater than from_m = {ph.from_m:g}", f"{path}.to_m")
        if abs(ph.from_m - prev_to) > 1e-6:
            raise ScenarioError(
                f"{ph.from_m:g} leaves a gap or overlap; phases must follow each other (expected {prev_to:g})",
                f"{path}.from_m",
            )
        prev_to = ph.to_m
        try:
            form = get_formation(ph.formation, own)
        except ScenarioError as exc:
            raise ScenarioError(str(exc).removeprefix("formation: "), f"{path}.formation") from None
        width_m = sc.track.geometry().lanes * sc.track.geometry().lane_width_m
        outermost_m = form.athlete_offset_m + max((sl.dy_m for sl in form.slots), default=0.0)
        if outermost_m > width_m:
            raise ScenarioError(
                f"formation {form.name!r} puts a runner {outermost_m:.2f} m from the kerb, beyond the outside of "
                f"lane {sc.track.lanes} ({width_m:.2f} m); allowed offsets lie within the lanes",
                f"{path}.formation",
            )
        if ph.pacers and len(ph.pacers) != form.n_pacers:
            raise ScenarioError(
                f"{len(ph.pacers)} pacers named for formation {form.name!r}, which has {form.n_pacers} slots",
                f"{path}.pacers",
            )
        for name in ph.pacers:
            if roster and name not in roster:
                raise ScenarioError(
                    f"{name!r} is not on the roster; allowed {', '.join(sorted(roster))}",
                    f"{path}.pacers",
                )
        if len(set(ph.pacers)) != len(ph.pacers):
            raise ScenarioError("a pacer cannot hold two slots at once", f"{path}.pacers")
    if sc.pacing and abs(prev_to - sc.distance_m) > 1e-6:
        raise ScenarioError(
            f"the phases end at {prev_to:g} m; they must cover the race to distance_m = {sc.distance_m:g}",
            f"pacing[{len(sc.pacing) - 1}].to_m",
        )
    if sc.result is not None:
        check_mean_speed(sc.distance_m, sc.result.time_s, "result.time_s")
        last_d, last_t = 0.0, 0.0
        for i, (d, t) in enumerate(sc.result.splits):
            if not 0 < d <= sc.distance_m + 1e-9:
                raise ScenarioError(f"{d:g} m is outside the race (0, {sc.distance_m:g}]", f"result.splits[{i}]")
            if d <= last_d or t <= last_t:
                raise ScenarioError("splits must increase in both distance and time", f"result.splits[{i}]")
            check_mean_speed(d - last_d, t - last_t, f"result.splits[{i}]", segment=True)
            last_d, last_t = d, t


def _short_repr(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut after ``limit`` characters with the value's size (a long list or string stays readable)."""
    text = repr(value)
    if len(text) <= limit:
        return text
    if isinstance(value, (list, tuple)):
        size = f"{len(value)} items"
    else:
        size = f"{len(value) if isinstance(value, str) else len(text)} characters"
    return f"{text[:limit]}... ({size})"


def _bad_field(exc: ValidationError, source: str, prefix: str = "") -> ScenarioError:
    """One pydantic error as a :class:`ScenarioError` naming the field (under ``prefix``) and what is allowed."""
    err = exc.errors()[0]
    loc = _format_loc(tuple(err["loc"]))
    if prefix:
        loc = f"{prefix}.{loc}" if loc else prefix
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ScenarioError):  # raised by our own validators: keep its field, under this model's path
        field = cause.field or ""
        if loc and field and not field.startswith(loc.split(".")[0]) and not loc.endswith(field):
            field = f"{loc}.{field}"
        return ScenarioError(str(cause).removeprefix(f"{cause.field}: "), field or loc or source)
    value = err.get("input")
    shown = "" if isinstance(value, dict) else f"{_short_repr(value)}: "
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling; every field carries its unit, e.g. distance_m)"
        shown = ""
    elif err["type"] == "missing":
        msg = "is required"
    return ScenarioError(f"{shown}{msg}", loc or source)


def athlete_from_dict(data: dict[str, Any], source: str = "athlete") -> Athlete:
    """Validate an ``[athlete]`` table (of an athlete file).

    Raises
    ------
    ScenarioError
        Naming the first bad field as ``athlete.<field>``.
    """
    try:
        return Athlete.model_validate(data)
    except ValidationError as exc:
        raise _bad_field(exc, source, "athlete") from None


def scenario_from_dict(data: dict[str, Any], source: str = "scenario", kind: type[Scenario] = Scenario) -> Scenario:
    """Validate a parsed scenario table.

    Parameters
    ----------
    data : dict
        The parsed table.
    source : str
        Where it came from, for an error about the whole table.
    kind : type
        :class:`Scenario` or a subclass that narrows its fields (the web app's
        :class:`~paceline.web.schema.ClientScenario`, whose names can only be bundled ones).

    Raises
    ------
    ScenarioError
        Naming the first bad field, its value and what is allowed.
    """
    if not isinstance(data, dict):
        raise ScenarioError("a scenario is a table of fields (name, distance_m, athlete, ...)", source)
    check_depth(data, source)
    check_text(data)
    try:
        sc = kind.model_validate(data)
    except ValidationError as exc:
        raise _bad_field(exc, source) from None
    _check_consistency(sc)
    return sc


@functools.cache
def bundled_scenario_names() -> list[str]:
    """Names of the scenarios shipped with paceline."""
    folder = resources.files("paceline") / "data" / "scenarios"
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def bundled_scenario_text(name: str) -> str:
    """The TOML text of a bundled scenario."""
    if name not in bundled_scenario_names():
        raise ScenarioError(
            f"{name!r} is not a bundled scenario; allowed {', '.join(bundled_scenario_names())} or a .toml path",
            "scenario",
        )
    return (resources.files("paceline") / "data" / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=64)
def bundled_scenario(name: str) -> Scenario:
    """A scenario shipped with paceline, by name: reads nothing outside the package (what the web app serves), and
    is validated once per process (the shipped files do not change; a Scenario is frozen).

    Raises
    ------
    ScenarioError
        Field ``scenario``: not a bundled name (the allowed ones are listed).
    """
    return scenario_from_dict(parse_toml(bundled_scenario_text(name), name, "scenario"), source=name)


def load_scenario(name_or_path: str | Path = "breaking4") -> Scenario:
    """Load and validate a scenario: a bundled name (``breaking4``) or a path to a TOML file.

    Parameters
    ----------
    name_or_path : str or Path
        Bundled scenario name or file path.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        If the file is missing, is not TOML, or has a bad field.
    """
    where = str(name_or_path)
    if where in bundled_scenario_names():  # a bundled name never touches the file system outside the package
        return bundled_scenario(where)
    check_user_file(where, "scenario")  # before anything is looked up on disk
    path = Path(name_or_path)
    if path.suffix != ".toml" and not path.exists():
        bundled_scenario_text(where)  # an unknown name: the error lists the bundled ones (or asks for a .toml path)
    if not path.is_file():
        raise ScenarioError(f"no such file {str(path)!r}; give a .toml path or a bundled name", "scenario")
    return _scenario_from_text(read_text(path, "scenario", "a scenario .toml"), path, where)


def _scenario_from_text(text: str, path: Path, where: str) -> Scenario:
    data = parse_toml(text, where, "scenario")
    athlete = data.get("athlete")
    if isinstance(athlete, dict) and "file" in athlete:
        from paceline.io.athlete_files import read_athlete_file

        base = path.parent if path.suffix == ".toml" else Path.cwd()
        data = {
            **data,
            "athlete": {
                **read_athlete_file(base / str(athlete["file"])),
                **{k: v for k, v in athlete.items() if k != "file"},
            },
        }
    return scenario_from_dict(data, source=where)


#: Races longer than this [m] default to the road (no bends) when nothing says where they were run.
ROAD_ABOVE_M = 10_000.0


def default_track_kind(distance_m: float) -> Literal["oval", "road"]:
    """``road`` for a race longer than :data:`ROAD_ABOVE_M` (half marathons, marathons), else ``oval``."""
    return "road" if distance_m > ROAD_ABOVE_M else "oval"


def solo_scenario(
    performances: list[Performance],
    distance_m: float,
    height_m: float,
    mass_kg: float,
    formation: str = "solo",
    name: str = "athlete",
    sex: str = "F",
    drag_area_m2: float | None = None,
) -> Scenario:
    """A scenario for an athlete known only by performances: still air at 20 degC, one formation for the race, on a
    standard oval or (over 10 km) the road.

    Parameters
    ----------
    performances : list of Performance
        Her results (at least 2 for the models to calibrate).
    distance_m : float
        Race distance [m].
    height_m, mass_kg : float
        Body height [m] and mass [kg].
    formation : str
        Bundled formation held for the whole race (``solo``: no pacers).
    name : str
        Athlete's name.
    sex : str
        ``F`` or ``M``.
    drag_area_m2 : float, optional
        Her measured drag area [m^2] (``athlete.drag_area_m2``; default: from height and mass, Pugh 1971).
    """
    data: dict[str, Any] = {
        "name": f"{name}-{distance_m:g}m",
        "description": f"{name} over {distance_m:g} m, formation {formation}, {REFERENCE_CONDITIONS_TEXT}",
        "distance_m": distance_m,
        "athlete": {
            "name": name,
            "height_m": height_m,
            "mass_kg": mass_kg,
            "sex": sex,
            "performances": [p.model_dump(exclude_none=True) for p in performances],
            **({} if drag_area_m2 is None else {"drag_area_m2": drag_area_m2}),
        },
        "conditions": dict(REFERENCE_CONDITIONS),
        "pacing": [{"from_m": 0.0, "to_m": distance_m, "formation": formation}],
        "track": {"kind": default_track_kind(distance_m)},
    }
    return scenario_from_dict(data, source="performances")
