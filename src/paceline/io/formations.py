"""Formations as data: pacer slots in along-track / lateral coordinates relative to the athlete.

A formation file (TOML, bundled in ``paceline/data/formations`` or written inline in a scenario) lists slots::

    name = "front-back"
    description = "one pacer ahead, one behind"
    source = "da Silva et al. (2025), R. Soc. Open Sci. 12:241564"
    [[slots]]
    name = "front"
    dx_m = 1.2     # along-track gap, centre to centre [m]; positive ahead of the athlete
    dy_m = 0.0     # lateral offset [m]; positive outward (away from the kerb)

Slots are held in track coordinates through the bends (see :mod:`paceline.physics.lines`). The dataclasses
:class:`~paceline.physics.formation.Slot` and :class:`~paceline.physics.formation.Formation` live in the physics
layer; this module reads and writes them.
"""

from __future__ import annotations

import functools
import json
import threading
import tomllib
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from typing import Any

from paceline.errors import ScenarioError
from paceline.io.limits import (
    MAX_SLOTS,
    MAX_TEXT_CHARS,
    check_finite,
    check_text,
    check_user_file,
    parse_toml,
    read_text,
)
from paceline.physics.formation import Formation, Slot

#: Largest lateral offset of the athlete from the kerb [m]: the outside of lane 8 of a standard track (8 x 1.22 m).
MAX_ATHLETE_OFFSET_M = 9.76

__all__ = [
    "bundled_formations",
    "formation_from_dict",
    "formation_names",
    "formation_to_toml",
    "get_formation",
    "load_formation_file",
]


def formation_from_dict(data: dict[str, Any], name: str | None = None, where: str = "formation") -> Formation:
    """Build a :class:`Formation` from a parsed TOML table, with errors that name the field.

    Parameters
    ----------
    data : dict
        Keys ``name``, ``slots`` (list of ``{name, dx_m, dy_m}``), optional ``description``, ``source``,
        ``athlete_offset_m``, ``assumptions``.
    name : str, optional
        Name to use when ``data`` has none.
    where : str
        Field path for error messages (``formations.my-pocket``).
    """
    allowed = {"name", "slots", "description", "source", "athlete_offset_m", "assumptions"}
    if not isinstance(data, dict):
        raise ScenarioError(f"must be a table with keys {sorted(allowed)}", where)
    unknown = set(data) - allowed
    if unknown:
        raise ScenarioError(f"unknown keys {sorted(unknown)}; allowed {sorted(allowed)}", where)
    fname = str(data.get("name", name or ""))
    if not fname:
        raise ScenarioError("a formation needs a name", f"{where}.name")
    for key in ("name", "description", "source"):
        if key in data and (not isinstance(data[key], str) or len(data[key]) > MAX_TEXT_CHARS):
            raise ScenarioError(f"must be text of at most {MAX_TEXT_CHARS} characters", f"{where}.{key}")
    raw_slots = data.get("slots", [])
    if not isinstance(raw_slots, list):
        raise ScenarioError("must be a list of {name, dx_m, dy_m} tables", f"{where}.slots")
    if len(raw_slots) > MAX_SLOTS:
        raise ScenarioError(f"{len(raw_slots)} slots; a formation has at most {MAX_SLOTS}", f"{where}.slots")
    slots = []
    for i, s in enumerate(raw_slots):
        path = f"{where}.slots[{i}]"
        if not isinstance(s, dict):
            raise ScenarioError("must be a table {name, dx_m, dy_m}", path)
        extra = set(s) - {"name", "dx_m", "dy_m"}
        if extra:
            raise ScenarioError(f"unknown keys {sorted(extra)}; allowed name, dx_m, dy_m", path)
        try:
            dx, dy = (check_finite(_number(s[k]), path, "m") for k in ("dx_m", "dy_m"))
        except KeyError as exc:
            raise ScenarioError(f"missing {exc.args[0]}; every slot needs dx_m and dy_m [m]", path) from None
        except (TypeError, ValueError):
            raise ScenarioError("dx_m and dy_m must be finite numbers [m]", path) from None
        if not isinstance(s.get("name", ""), str) or len(s.get("name", "")) > MAX_TEXT_CHARS:
            raise ScenarioError(f"name must be text of at most {MAX_TEXT_CHARS} characters", path)
        if abs(dx) > 50 or abs(dy) > 10:
            raise ScenarioError(
                f"({dx}, {dy}) m is too far to be a pacer slot; allowed |dx| <= 50, |dy| <= 10",
                path,
            )
        if abs(dx) < 0.3 and abs(dy) < 0.3:
            raise ScenarioError(f"({dx}, {dy}) m puts a pacer on top of the athlete; keep 0.3 m apart", path)
        slots.append(Slot(str(s.get("name", f"slot-{i + 1}")), dx, dy))
    min_dy = min((s.dy_m for s in slots), default=0.0)
    default_offset = max(0.30, 0.30 - min_dy)
    try:
        offset = check_finite(_number(data.get("athlete_offset_m", default_offset)), f"{where}.athlete_offset_m", "m")
    except (TypeError, ValueError):
        raise ScenarioError("must be a number [m] from the kerb", f"{where}.athlete_offset_m") from None
    if not 0.0 <= offset <= MAX_ATHLETE_OFFSET_M:
        raise ScenarioError(
            f"{offset:g} m is off the track; allowed 0 m (the kerb) to {MAX_ATHLETE_OFFSET_M:g} m (outside lane 8)",
            f"{where}.athlete_offset_m",
        )
    for i, s in enumerate(slots):
        if offset + s.dy_m < 0.0:
            raise ScenarioError(
                f"slot {s.name!r} would run {offset + s.dy_m:.2f} m from the kerb, inside it; move it outward "
                f"or set athlete_offset_m >= {-s.dy_m:.2f}",
                f"{where}.slots[{i}]",
            )
    return Formation(
        name=fname,
        slots=tuple(slots),
        description=str(data.get("description", "")),
        source=str(data.get("source", "")),
        athlete_offset_m=offset,
        assumptions=_texts(data.get("assumptions", []), f"{where}.assumptions"),
    )


def _number(value: object) -> float:
    """A TOML/JSON number as float; text and booleans are not numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return float(value)


def _texts(value: object, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(a, str) and len(a) <= MAX_TEXT_CHARS for a in value):
        raise ScenarioError(f"must be a list of texts of at most {MAX_TEXT_CHARS} characters", field)
    return tuple(value)


#: Inline formation tables parsed, by the identity of the table (held, so the identity is not reused), newest last.
_PARSED: OrderedDict[int, tuple[dict[str, dict[str, Any]], dict[str, Formation]]] = OrderedDict()
_PARSED_LOCK = threading.Lock()
_PARSED_MAX = 256


def parsed_formations(tables: dict[str, dict[str, Any]]) -> dict[str, Formation]:
    """The formations of a scenario's ``formations`` table (name -> table), parsed once per table object: a frozen
    scenario and its copies share the table; a copy with other formations holds another. (A plan's cards ask for a
    formation per pacer per phase: 64 pacers over 64 phases re-parsed 16 inline formations for minutes.)"""
    with _PARSED_LOCK:
        hit = _PARSED.get(id(tables))
        if hit is not None and hit[0] is tables:
            _PARSED.move_to_end(id(tables))
            return dict(hit[1])
    parsed = {name: formation_from_dict(table, name=name, where=f"formations.{name}") for name, table in tables.items()}
    with _PARSED_LOCK:
        _PARSED[id(tables)] = (tables, parsed)
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return dict(parsed)


@functools.cache
def bundled_formations() -> dict[str, Formation]:
    """Every formation bundled in ``paceline/data/formations``, by name."""
    out: dict[str, Formation] = {}
    folder = resources.files("paceline") / "data" / "formations"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            f = formation_from_dict(data, where=f"formation file {entry.name}")
            out[f.name] = f
    return out


def formation_names() -> list[str]:
    """Names of the bundled formations."""
    return list(bundled_formations())


def load_formation_file(path: str | Path) -> Formation:
    """A formation from a TOML file (as written by ``paceline formations design --out``).

    Parameters
    ----------
    path : str or Path
        Path of the ``.toml`` file.
    """
    p = Path(path)
    data = parse_toml(read_text(p, "formation", "a formation .toml"), repr(str(p)), "formation")
    check_text(data, f"formation file {p.name}")
    return formation_from_dict(data, name=p.stem, where=f"formation file {p.name}")


def get_formation(name: str, extra: dict[str, Formation] | None = None) -> Formation:
    """A formation by name, from ``extra`` (a scenario's own), the bundled set, or a path ending in ``.toml``."""
    if extra and name in extra:
        return extra[name]
    known = bundled_formations()
    if name not in known and name.endswith(".toml"):
        check_user_file(name, "formation")
        return load_formation_file(name)
    if name not in known:
        allowed = sorted(set(known) | set(extra or {}))
        raise ScenarioError(f"{name!r} is not a formation; allowed {', '.join(allowed)}", "formation")
    return known[name]


def _toml_str(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and non-ASCII characters stay literal (valid UTF-8 TOML)."""
    return json.dumps(text, ensure_ascii=False)


def formation_to_toml(formation: Formation) -> str:
    """A formation as TOML text, loadable by :func:`formation_from_dict`, :func:`load_formation_file` or a scenario.

    Parameters
    ----------
    formation : Formation
        The formation to write.

    Returns
    -------
    str
        TOML text (numbers with ``%g``: slots in centimetres round-trip exactly).
    """
    lines = [
        f"name = {_toml_str(formation.name)}",
        f"description = {_toml_str(formation.description)}",
        f"source = {_toml_str(formation.source)}",
        "assumptions = [",
        *[f"  {_toml_str(a)}," for a in formation.assumptions],
        "]",
        f"athlete_offset_m = {formation.athlete_offset_m:g}",
    ]
    for s in formation.slots:
        lines += ["[[slots]]", f"name = {_toml_str(s.name)}", f"dx_m = {s.dx_m:g}", f"dy_m = {s.dy_m:g}"]
    return "\n".join(lines) + "\n"
