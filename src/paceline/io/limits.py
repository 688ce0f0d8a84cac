"""Ranges and caps of every input, in one place, and the guarded readers that apply them.

Everything a user (or a web client) hands paceline passes through here or through the pydantic models that use
these constants: numbers are finite and inside a physical range stated in the error, text files are read as
UTF-8 with a size cap, parsed tables have a depth cap, and counts (draws, sweep points, lights, splits, slots) have
caps; the caps of work a user asks for on purpose (draws, sweep points) can be raised by a flag. :data:`LIMITS`
is the table the README's "Limits and guarantees" section shows (``paceline.io.limits.limits_table()``).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paceline.errors import ScenarioError

#: Race distances [m]: a 100 m dash to a 100 km ultra.
DISTANCE_RANGE_M = (100.0, 100_000.0)
#: Mean speed of any time given for a distance (targets, performances, results, splits) [m/s]: above a slow walk,
#: below the 100 m world record's mean speed (9.58 s, 10.44 m/s).
MEAN_SPEED_RANGE_M_S = (1.0, 10.44)
#: Mean speed over one split segment [m/s]: a segment may be faster than any whole race, up to the fastest
#: measured sprint speed (12.4 m/s, Bolt, Berlin 2009 World Championships biomechanics report), rounded up.
SEGMENT_SPEED_RANGE_M_S = (1.0, 13.0)
#: Largest input file (scenario, formation, split CSV, performances CSV) [bytes].
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of tables/arrays in a scenario or a request body.
MAX_DEPTH = 16
#: Longest text field (names, descriptions, notes, sources) [characters].
MAX_TEXT_CHARS = 2000
#: Splits of one race (a 10 km race split every 50 m is 200; a marathon split every kilometre 42). The race
#: analysis of 200 splits takes about 3 s and 0.4 GB; of 300 splits, 38 s and 1 GB (measured on this machine).
MAX_SPLITS = 200
#: Slots of one formation; inline formations, pacers and pacing phases of one scenario.
MAX_SLOTS = 32
MAX_FORMATIONS = 16
MAX_PACERS = 64
MAX_PHASES = 64
#: Performances of one athlete or pacer.
MAX_PERFORMANCES = 64
#: Monte Carlo draws and sweep points (raise with ``--max-draws`` / ``--max-points``).
MAX_DRAWS = 1_000_000
MAX_SWEEP_POINTS = 100_000
#: Lights on a rail (race distance / spacing) and the spacing [m].
MAX_LIGHTS = 200_000
LIGHT_SPACING_RANGE_M = (0.1, 100.0)
#: Largest seed (numpy's SeedSequence takes any non-negative integer; this keeps seeds printable).
MAX_SEED = 2**63 - 1

#: (quantity, allowed, where it is checked): the README's table of ranges and caps.
LIMITS: tuple[tuple[str, str, str], ...] = (
    ("every number", "finite (no nan, inf)", "scenario fields, CSV cells, options"),
    ("race distance", f"{DISTANCE_RANGE_M[0]:g} m to {DISTANCE_RANGE_M[1]:g} m", "distance_m, event_m, performances"),
    (
        "any time for a distance",
        f"a mean speed of {MEAN_SPEED_RANGE_M_S[0]:g} to {MEAN_SPEED_RANGE_M_S[1]:g} m/s",
        "target, performances, result",
    ),
    (
        "a split segment",
        f"a mean speed of {SEGMENT_SPEED_RANGE_M_S[0]:g} to {SEGMENT_SPEED_RANGE_M_S[1]:g} m/s",
        "result.splits, split CSVs",
    ),
    ("lateral offsets", "on the track: 0 m (the kerb) to the outside of the last lane", "athlete_offset_m, slots"),
    ("pacer slot", "|dx_m| <= 50 m, |dy_m| <= 10 m, at least 0.3 m from the athlete", "formations"),
    ("spreads, seeds", "spreads >= 0, seeds 0 to 2^63-1", "--shelter-spread, --seed"),
    ("input files", f"UTF-8 text, at most {MAX_FILE_BYTES // 1024} kB, nesting at most {MAX_DEPTH} deep", "all"),
    ("text fields", f"at most {MAX_TEXT_CHARS} characters, printed as text (never markup)", "names, notes"),
    (
        "counts in a scenario",
        f"{MAX_PACERS} pacers, {MAX_PHASES} phases, {MAX_FORMATIONS} inline formations of {MAX_SLOTS} slots, "
        f"{MAX_PERFORMANCES} performances, {MAX_SPLITS} splits",
        "scenario, split CSVs",
    ),
    ("Monte Carlo draws", f"1 to {MAX_DRAWS:,} (--max-draws raises the cap)", "montecarlo -n"),
    ("sweep points", f"1 to {MAX_SWEEP_POINTS:,} (--max-points raises the cap)", "sweep --vary / --samples"),
    (
        "pacing lights",
        f"spacing {LIGHT_SPACING_RANGE_M[0]:g} to {LIGHT_SPACING_RANGE_M[1]:g} m, at most {MAX_LIGHTS:,} lights",
        "lights --spacing-m",
    ),
)


def limits_table() -> list[dict[str, str]]:
    """:data:`LIMITS` as rows ``{quantity, allowed, where}``."""
    return [{"quantity": q, "allowed": a, "where": w} for q, a, w in LIMITS]


def check_finite(value: float, field: str, unit: str = "") -> float:
    """``value`` as a float, refusing nan and infinities.

    Raises
    ------
    ScenarioError
        Naming ``field``.
    """
    v = float(value)
    if not math.isfinite(v):
        raise ScenarioError(f"{value!r} is not allowed; give a finite number{f' [{unit}]' if unit else ''}", field)
    return v


def check_range(value: float, low: float, high: float, field: str, unit: str = "") -> float:
    """``value`` if it is finite and within ``[low, high]``; otherwise a :class:`ScenarioError` stating the range."""
    v = check_finite(value, field, unit)
    if not low <= v <= high:
        u = f" {unit}" if unit else ""
        raise ScenarioError(f"{v:g}{u} is outside the allowed range {low:g} to {high:g}{u}", field)
    return v


def check_count(value: int, low: int, high: int, field: str, raise_with: str | None = None) -> int:
    """An integer count within ``[low, high]``; the error says which flag raises the cap."""
    if not low <= value <= high:
        hint = f" (raise the cap with {raise_with})" if raise_with and value > high else ""
        raise ScenarioError(f"{value:,} is not allowed; allowed {low:,} to {high:,}{hint}", field)
    return value


def check_seed(seed: int, field: str = "seed", bits: int = 63) -> int:
    """A seed in ``[0, 2^bits-1]`` (63 by default, :data:`MAX_SEED`; 32 where a legacy NumPy ``RandomState`` or
    SciPy's optimisers take it)."""
    if not 0 <= seed <= min(MAX_SEED, 2**bits - 1):
        raise ScenarioError(f"{seed} is not allowed; a seed is an integer from 0 to 2^{bits}-1", field)
    return seed


def check_mean_speed(distance_m: float, time_s: float, field: str, segment: bool = False) -> None:
    """Refuse a time for a distance whose mean speed is no running speed: outside :data:`MEAN_SPEED_RANGE_M_S` for a
    race, :data:`SEGMENT_SPEED_RANGE_M_S` for a split segment (``segment=True``)."""
    from paceline.timefmt import format_time

    lo, hi = SEGMENT_SPEED_RANGE_M_S if segment else MEAN_SPEED_RANGE_M_S
    why = "a walk to the fastest measured sprint speed" if segment else "a walk to the 100 m world record's mean speed"
    v = distance_m / time_s
    if not lo <= v <= hi:
        shown = format_time(time_s) if time_s < 1e9 else f"{time_s:.3g} s"
        raise ScenarioError(
            f"{shown} for {distance_m:g} m is a mean speed of {v:.3g} m/s; allowed {lo:g} to {hi:g} m/s ({why})",
            field,
        )


#: Characters no text field may hold: the C0 controls but tab and newline, DEL and the C1 controls (an escape
#: sequence in a shared scenario's name would reach the terminal that prints it: colours, titles, cursor moves).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def check_text(data: Any, field: str = "") -> None:
    """Refuse a control character (:data:`CONTROL_CHARACTERS`) in any text, key or value, of parsed data, naming the
    field it is in (under ``field``); iterative (call after :func:`check_depth`)."""
    stack: list[tuple[Any, str]] = [(data, field)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, str):
            hit = CONTROL_CHARACTERS.search(node)
            if hit:
                raise ScenarioError(
                    f"holds the control character U+{ord(hit.group()):04X}; text may hold no control characters "
                    "(tab and newline aside)",
                    path or "text",
                )
        elif isinstance(node, dict):
            for key, value in node.items():
                stack.append((key, path))
                stack.append((value, f"{path}.{key}" if path else str(key)))
        elif isinstance(node, list | tuple):
            stack.extend((value, f"{path}[{i}]") for i, value in enumerate(node))


def check_depth(data: Any, field: str, max_depth: int = MAX_DEPTH) -> None:
    """Refuse tables or arrays nested deeper than ``max_depth`` (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth >= max_depth:
            raise ScenarioError(f"tables and arrays are nested more than {max_depth} deep", field)
        stack.extend((c, depth + 1) for c in children)


def read_text(path: str | Path, field: str, what: str = "file", max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of a user's file: at most ``max_bytes``, UTF-8, with one clear error otherwise.

    Parameters
    ----------
    path : str or Path
        The file.
    field : str
        Field or option that named the file (for the error).
    what : str
        What the file should be (``"a scenario .toml"``), for the error.
    max_bytes : int
        Size cap [bytes].
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise ScenarioError(f"{str(p)!r} is a folder; give {what}", field) from None
    except FileNotFoundError:
        raise ScenarioError(f"cannot read {str(p)!r}: no such file; give {what}", field) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read {str(p)!r}: {exc.strerror}", field) from None
    if len(raw) > max_bytes:
        raise ScenarioError(f"{str(p)!r} is larger than {max_bytes // 1024} kB; {what} is a small text file", field)
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Excel's "CSV UTF-8") is dropped
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{str(p)!r} is not UTF-8 text (byte {exc.start}); save {what} as UTF-8", field) from None
    if "\x00" in text:
        raise ScenarioError(f"{str(p)!r} holds NUL bytes: it is binary, not {what}", field)
    return text


def parse_toml(text: str, where: str, field: str) -> dict[str, Any]:
    """Parse TOML text with the depth cap; every failure is a :class:`ScenarioError` naming ``field``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where} is not valid TOML: {exc}", field) from None
    except RecursionError:
        raise ScenarioError(f"{where}: tables and arrays are nested more than {MAX_DEPTH} deep", field) from None
    check_depth(data, field)
    return data


#: False while serving a web client: no file named by the input may be read (only bundled data).
_USER_FILES: contextvars.ContextVar[bool] = contextvars.ContextVar("paceline_user_files", default=True)


@contextlib.contextmanager
def no_user_files() -> Iterator[None]:
    """Within this context (and threads started with its context, e.g. a web request's), a name in the input may
    only be a bundled formation, race or scenario: :func:`check_user_file` refuses every path."""
    token = _USER_FILES.set(False)
    try:
        yield
    finally:
        _USER_FILES.reset(token)


def check_user_file(name: str, field: str) -> None:
    """Refuse to read the file ``name`` the input names while :func:`no_user_files` is in force.

    Raises
    ------
    ScenarioError
        Naming ``field``; the message does not say whether the file exists.
    """
    if not _USER_FILES.get():
        raise ScenarioError(
            f"{name[:80]!r} is not allowed here: this server reads no file a client names; give a bundled name or "
            "an inline definition",
            field,
        )
