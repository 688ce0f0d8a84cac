"""The Race: the result of solving a scenario with any model, and its tables.

Everything downstream of a model (splits, plans, reports, the replay) reads only a :class:`Race`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from paceline.jsonable import to_jsonable
from paceline.physics.arrays import scalar_or_array
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


@dataclass(frozen=True)
class Assumption:
    """One input that shaped a result, with its value and where it comes from."""

    name: str
    value: Any
    unit: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """As a plain dict."""
        return {"name": self.name, "value": self.value, "unit": self.unit, "source": self.source}


@dataclass
class Race:
    """A race as a time series along the distance, from any model.

    Attributes
    ----------
    scenario : str
        Name of the scenario solved.
    model : str
        Model that produced it (``equal-power``, ``critical-speed``, ``optimal-control``, ``reconstruction``).
    distance_m : float
        Race distance [m].
    x_m : ndarray
        Race distance of each sample [m], from 0 to ``distance_m``, increasing.
    t_s : ndarray
        Time at each sample [s], from 0, increasing.
    v_m_s : ndarray
        Running speed over the ground at each sample [m/s].
    series : dict of str to ndarray
        Further quantities on the same samples, with units in their names: ``shelter``, ``drag_n``,
        ``wind_along_m_s``, ``metabolic_power_w_kg``, ``energy_j_kg``, ``track_pos_m`` ...
    pacers : list of dict
        Pacer roles: ``{name, slot, dx_m, dy_m, enter_m, leave_m}``.
    assumptions : list of Assumption
        Every input that shaped the result, with its source.
    citations : list of str
        The references actually used.
    meta : dict
        Anything else a model reports (calibration values, solver statistics).
    """

    scenario: str
    model: str
    distance_m: float
    x_m: NDArray[np.float64]
    t_s: NDArray[np.float64]
    v_m_s: NDArray[np.float64]
    series: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    pacers: list[dict[str, Any]] = field(default_factory=list)
    assumptions: list[Assumption] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.x_m = np.asarray(self.x_m, dtype=float)
        self.t_s = np.asarray(self.t_s, dtype=float)
        self.v_m_s = np.asarray(self.v_m_s, dtype=float)
        n = self.x_m.size
        if self.t_s.size != n or self.v_m_s.size != n:
            raise ValueError("x_m, t_s and v_m_s must have the same length")
        for k, arr in self.series.items():
            if np.asarray(arr).size != n:
                raise ValueError(f"series {k!r} has {np.asarray(arr).size} samples, expected {n}")
        if n < 2 or np.any(np.diff(self.x_m) <= 0) or np.any(np.diff(self.t_s) <= 0):
            raise ValueError("x_m and t_s must increase strictly")

    # ---- scalar views ----------------------------------------------------------------------------------------
    @property
    def finish_s(self) -> float:
        """Finishing time [s]."""
        return float(self.time_at(self.distance_m))

    @property
    def finish(self) -> str:
        """Finishing time as ``m:ss.xx``."""
        return format_time(self.finish_s)

    @property
    def mean_speed_m_s(self) -> float:
        """Average speed over the race [m/s]."""
        return self.distance_m / self.finish_s

    def time_at(self, distance_m: float | NDArray[np.float64]) -> NDArray[np.float64] | float:
        """Time [s] at race distances [m], interpolated on the samples."""
        out = np.interp(distance_m, self.x_m, self.t_s)
        return scalar_or_array(out)

    def value_at(self, name: str, distance_m: float | NDArray[np.float64]) -> NDArray[np.float64] | float:
        """A series (or ``v_m_s``/``t_s``) interpolated at race distances [m]."""
        y = self.v_m_s if name == "v_m_s" else self.t_s if name == "t_s" else self.series[name]
        out = np.interp(distance_m, self.x_m, y)
        return scalar_or_array(out)

    def energy_spent_j_kg(self) -> NDArray[np.float64]:
        """Cumulative energy spent at each sample [J/kg].

        The time integral of ``metabolic_power_w_kg`` (equal-power and critical-speed models), else of
        ``propulsive_power_w_kg`` (optimal control, in Keller's units); zeros when the model reports neither.
        (The optimal-control series ``energy_j_kg`` is the anaerobic energy *left*, not this.)
        """
        for name in ("metabolic_power_w_kg", "propulsive_power_w_kg"):
            if name in self.series:
                p = np.asarray(self.series[name], dtype=float)
                return np.concatenate([[0.0], np.cumsum(0.5 * (p[1:] + p[:-1]) * np.diff(self.t_s))])
        return np.zeros_like(self.t_s)

    # ---- tables ----------------------------------------------------------------------------------------------
    def split_points(self, every_m: float | None = None, lap_m: float = 400.0) -> NDArray[np.float64]:
        """Race distances of the splits [m].

        With ``every_m`` None: at every crossing of the finish line (the lap lines; a mile: 9.344, 409.344, ...),
        then the finish. With ``every_m``: every ``every_m`` metres from the start, then the finish; a last stretch
        shorter than half an interval joins the one before (a mile's 400 m splits end with 409.344 m, as reported).
        """
        if every_m is None:
            first = math.fmod(self.distance_m, lap_m)
            pts = np.arange(first if first > 1e-9 else lap_m, self.distance_m - 1e-9, lap_m)
        else:
            if not every_m > 0:
                raise ValueError("every_m must be positive")
            pts = np.arange(every_m, self.distance_m - 1e-9, every_m)
            if pts.size and self.distance_m - pts[-1] < 0.5 * every_m:
                pts = pts[:-1]
        return np.append(np.round(pts, 6), self.distance_m)  # race distances to the micrometre (no fmod noise)

    def split_rows(self, every_m: float | None = None, lap_m: float = 400.0) -> list[dict[str, Any]]:
        """The split table, one dict per split (see :meth:`split_points`); the one place splits are computed.

        Keys: ``distance_m``, ``time_s`` (cumulative), ``time`` (formatted from the unrounded seconds),
        ``segment_s``, ``segment_m``, ``speed_m_s`` and ``pace_s_per_400m`` of the segment ending there.
        """
        d = self.split_points(every_m, lap_m)
        t = np.atleast_1d(np.asarray(self.time_at(d), dtype=float))
        seg_d = np.diff(np.concatenate([[0.0], d]))
        seg_t = np.diff(np.concatenate([[0.0], t]))
        return [
            {
                "distance_m": float(di),
                "time_s": float(ti),
                "time": format_time(float(ti)),
                "segment_s": float(st),
                "segment_m": float(sd),
                "speed_m_s": float(sd / st),
                "pace_s_per_400m": float(400.0 * st / sd),
            }
            for di, ti, sd, st in zip(d, t, seg_d, seg_t, strict=True)
        ]

    def splits(self, every_m: float | None = None, lap_m: float = 400.0) -> list[dict[str, float]]:
        """Cumulative splits ``[{distance_m, time_s}]`` (the first two columns of :meth:`split_rows`)."""
        return [{"distance_m": r["distance_m"], "time_s": r["time_s"]} for r in self.split_rows(every_m, lap_m)]

    def split_table(self, every_m: float | None = None, lap_m: float = 400.0) -> pd.DataFrame:
        """:meth:`split_rows` as a pandas table."""
        import pandas as pd

        return pd.DataFrame(self.split_rows(every_m, lap_m))

    def to_dataframe(self) -> pd.DataFrame:
        """Every sample as a row: ``x_m``, ``t_s``, ``v_m_s`` and each series."""
        import pandas as pd

        cols: dict[str, Any] = {"x_m": self.x_m, "t_s": self.t_s, "v_m_s": self.v_m_s}
        cols.update({k: np.asarray(v) for k, v in self.series.items()})
        return pd.DataFrame(cols)

    def summary(self) -> dict[str, Any]:
        """The headline numbers and every assumption, JSON-ready."""
        return {
            "scenario": self.scenario,
            "model": self.model,
            "distance_m": self.distance_m,
            "time_s": self.finish_s,
            "time": self.finish,
            "splits": self.splits(),
            "inputs": [a.to_dict() for a in self.assumptions],
            "citations": list(self.citations),
            "meta": self.meta,
        }

    def to_dict(self, max_samples: int | None = 2000) -> dict[str, Any]:
        """Summary plus the time series (down-sampled to ``max_samples``), JSON-ready."""
        n = self.x_m.size
        idx = (
            np.arange(n)
            if (max_samples is None or n <= max_samples)
            else np.unique(np.linspace(0, n - 1, max_samples).round().astype(int))
        )
        out = self.summary()
        out["pacers"] = self.pacers
        out["series"] = {"x_m": self.x_m[idx], "t_s": self.t_s[idx], "v_m_s": self.v_m_s[idx]}
        out["series"].update({k: np.asarray(v)[idx] for k, v in self.series.items()})
        return out

    def to_json(self, max_samples: int | None = 2000) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(to_jsonable(self.to_dict(max_samples)))
