"""The web app's solve step: a scenario and a model -> the replay payload, and the solved races kept for
``GET /api/races/{id}``.

:func:`resolve` is the whole work of one editor change (parse the client's scenario, solve it, build the replay with
:func:`paceline.render.replay.replay_payload`); ``benchmarks/bench.py`` times it through ``POST /api/solve`` as
``web_edit_p95_ms``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from paceline.errors import ScenarioError
from paceline.jsonable import content_key
from paceline.render.replay import scenario_to_dict
from paceline.web.schema import client_scenario, model_name

if TYPE_CHECKING:  # pragma: no cover
    from paceline.io.scenario import Scenario

#: Solved races kept for ``GET /api/races/{id}``, and the bytes they may hold.
MAX_RACES = 64
MAX_CACHE_BYTES = 64 * 1024 * 1024
#: Largest response of one solve [bytes] (Breaking4's replay is about 0.3 MB).
MAX_RESPONSE_BYTES = 8 * 1024 * 1024


def race_id(data: dict[str, Any], model: str) -> str:
    """A short stable id of a (scenario data, model) pair."""
    return content_key({"scenario": data, "model": model})[:12]


def resolve(scenario: Scenario | dict[str, Any], model: str = "equal-power") -> dict[str, Any]:
    """Solve a scenario and build its replay: one editor change, end to end.

    Parameters
    ----------
    scenario : Scenario or dict
        A scenario (a bundled one, or a client's already parsed), or a client's scenario as JSON (the shape of
        ``GET /api/scenarios/{name}``'s ``scenario``), parsed here as a
        :class:`~paceline.web.schema.ClientScenario`.
    model : str
        Model name (the fast ``equal-power`` for editor changes).

    Returns
    -------
    dict
        The replay payload (see :func:`paceline.render.replay.replay_payload`), with its ``id``.

    Raises
    ------
    ScenarioError
        Naming the bad field; also for a model this installation cannot solve.
    """
    model = model_name(model)
    sc = client_scenario(scenario) if isinstance(scenario, dict) else scenario
    return _replay(sc, model, race_id(scenario_to_dict(sc), model))


def _replay(sc: Scenario, model: str, rid: str) -> dict[str, Any]:
    """Solve ``sc`` by ``model`` and build its replay payload with the id ``rid``."""
    from paceline.chain import solve
    from paceline.render.replay import replay_payload

    race = solve(sc, model)
    out = replay_payload(race, sc)
    out["id"] = rid
    return out


class RaceCache:
    """The last solved races as JSON bytes, bounded by count and by bytes; safe across request threads."""

    def __init__(self, max_items: int = MAX_RACES, max_bytes: int = MAX_CACHE_BYTES) -> None:
        self.max_items, self.max_bytes = max_items, max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The race's JSON, or None."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        """Keep ``body``, dropping the oldest races beyond the caps."""
        with self._lock:
            if key in self._items:
                self._bytes -= len(self._items.pop(key))
            self._items[key] = body
            self._bytes += len(body)
            while self._items and (len(self._items) > self.max_items or self._bytes > self.max_bytes):
                self._bytes -= len(self._items.popitem(last=False)[1])

    @property
    def n_bytes(self) -> int:
        """Bytes held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


def solve_and_keep(races: RaceCache, sc: Scenario, model: str) -> bytes:
    """The race of ``sc`` by ``model`` as JSON bytes, from ``races`` or solved (:func:`resolve`) and kept there.

    Raises
    ------
    ScenarioError
        Field ``scenario`` when the replay is over :data:`MAX_RESPONSE_BYTES`.
    """
    from paceline.jsonable import to_json_bytes

    rid = race_id(scenario_to_dict(sc), model)
    body = races.get(rid)
    if body is not None:
        return body
    payload = _replay(sc, model, rid)
    body = to_json_bytes(payload)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ScenarioError(
            f"the race's replay is {len(body) / 2**20:.1f} MB; this server answers at most "
            f"{MAX_RESPONSE_BYTES / 2**20:.0f} MB (fewer pacers or a shorter race)",
            "scenario",
        )
    races.put(rid, body)
    return body
