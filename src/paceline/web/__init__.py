"""The web app: a FastAPI JSON API and a static page with the animated top-down replay and the scenario editor.

``create_app()`` builds the app (FastAPI is imported inside, so importing :mod:`paceline.web` stays light);
``resolve(scenario, model)`` is one editor change end to end (what ``benchmarks/bench.py`` times through
``POST /api/solve`` as ``web_edit_p95_ms``). Run it with ``paceline serve`` (127.0.0.1:8000 by default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from paceline.render.replay import replay_payload

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

__all__ = ["available_models", "create_app", "replay_payload", "resolve"]


def create_app(**kwargs: Any) -> FastAPI:
    """The FastAPI application (see :func:`paceline.web.app.create_app`)."""
    from paceline.web.app import create_app as _create

    return _create(**kwargs)


def available_models() -> list[str]:
    """Models this installation can solve (see :func:`paceline.web.schema.available_models`)."""
    from paceline.web.schema import available_models as _available

    return _available()


def resolve(scenario: Any, model: str = "equal-power") -> dict[str, Any]:
    """One editor change end to end (see :func:`paceline.web.races.resolve`)."""
    from paceline.web.races import resolve as _resolve

    return _resolve(scenario, model)
