"""The package's version (one place; the facade and the web app read it here)."""

from __future__ import annotations

__version__ = "0.1.0"
