"""Physical constants, SI units."""

from __future__ import annotations

#: Standard gravity [m/s^2] (CGPM 1901; ISO 80000-3).
G = 9.80665
