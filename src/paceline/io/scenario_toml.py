"""Write a scenario as TOML that :func:`paceline.io.scenario.load_scenario` reads back to the same scenario.

The standard library reads TOML but does not write it; scenario data is plain (strings, numbers, booleans, lists
and tables), so a small writer is enough: top-level values first, then each table, then arrays of tables
(``[[pacers]]``, ``[[pacing]]``); lists of tables deeper down (a pacer's ``performances``) are inline tables.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from paceline.errors import ScenarioError

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k: str) -> str:
    return k if _BARE_KEY.match(k) else json.dumps(k)


def _inline(v: Any, where: str) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ScenarioError(f"{v!r} cannot be written to TOML; give a finite number", where)
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # JSON's escapes (\" \\ \n \uXXXX) are TOML basic-string escapes
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_inline(x, f"{where}[{i}]") for i, x in enumerate(v)) + "]"
    if isinstance(v, dict):
        body = ", ".join(f"{_key(k)} = {_inline(x, f'{where}.{k}')}" for k, x in v.items() if x is not None)
        return "{ " + body + " }" if body else "{}"
    raise ScenarioError(f"{type(v).__name__} cannot be written to TOML", where)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list | tuple) and len(v) > 0 and all(isinstance(x, dict) for x in v)


def _table(data: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in data.items() if v is not None and not isinstance(v, dict) and not _is_table_array(v)}
    for k, v in scalars.items():
        lines.append(f"{_key(k)} = {_inline(v, '.'.join([*path, k]))}")
    for k, v in data.items():
        if isinstance(v, dict):
            lines += ["", f"[{'.'.join(_key(p) for p in [*path, k])}]"]
            _table(v, [*path, k], lines)
    for k, v in data.items():
        if _is_table_array(v):
            for i, item in enumerate(v):
                lines += ["", f"[[{'.'.join(_key(p) for p in [*path, k])}]]"]
                for ik, iv in item.items():
                    if iv is not None:
                        lines.append(f"{_key(ik)} = {_inline(iv, f'{k}[{i}].{ik}')}")


def to_toml(data: dict[str, Any]) -> str:
    """TOML text of plain data (a scenario's ``model_dump(mode="json", exclude_none=True)``).

    Raises
    ------
    ScenarioError
        Naming the field that cannot be written (a non-finite number, an object that is not plain data).
    """
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def scenario_toml(data: dict[str, Any]) -> str:
    """Validate scenario data and write it as TOML, with a header saying how to run it.

    Raises
    ------
    ScenarioError
        Naming the first bad field (:func:`paceline.io.scenario.scenario_from_dict`).
    """
    from paceline.io.scenario import scenario_from_dict

    sc = scenario_from_dict(data, source="scenario")
    head = f"# paceline scenario {sc.name!r}: run it with `paceline plan FILE.toml` (units in every field name)\n"
    return head + to_toml(sc.model_dump(mode="json", exclude_none=True))
