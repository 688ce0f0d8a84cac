"""What a plan search tried, as table rows (the CLI prints them; :meth:`SearchResult.to_dict` is the JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.planning.plan_search import SearchResult

__all__ = ["FORMATION_HEAD", "TRIED_HEAD", "formation_rows", "tried_rows"]

FORMATION_HEAD = ["formation", "pacers", "athlete from kerb [m]", "whole race (screen)", "status"]
TRIED_HEAD = ["#", "plan (formation from-to m)", "screen", "median", "P(target)", "min margin", "status"]


def formation_rows(result: SearchResult) -> list[list[str]]:
    """One row per formation considered, fastest over the whole race first (left-out ones last)."""
    rows = sorted(result.formations, key=lambda r: (r["whole_race_s"] is None, r["whole_race_s"] or 0.0))
    return [
        [
            r["name"],
            str(r["n_pacers"]),
            f"{r['athlete_offset_m']:.2f}",
            format_time(r["whole_race_s"]) if r["whole_race_s"] is not None else "-",
            r["status"],
        ]
        for r in rows
    ]


def tried_rows(result: SearchResult, limit: int = 20) -> list[list[str]]:
    """The short list and the first ``limit`` candidates by screened time (the rest are counted, not shown)."""
    shown = [c for c in result.tried if c.median_s is not None]
    shown += [c for c in result.tried[:limit] if c.median_s is None]
    shown.sort(key=lambda c: result.tried.index(c))
    out = []
    for c in shown:
        mark = " (best)" if c is result.best else ""
        out.append(
            [
                str(result.tried.index(c) + 1),
                c.label + mark,
                format_time(c.screen_s),
                format_time(c.median_s) if c.median_s is not None else "",
                f"{100 * c.p_target:.1f} %" if c.p_target is not None else "",
                f"{100 * c.min_margin:+.1f} %" if c.min_margin is not None else "",
                c.status,
            ]
        )
    return out
