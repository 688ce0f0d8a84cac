"""The HTML report: one self-contained file (inline CSS, inline SVG plots, no script, no link) that opens offline.

``write_report(inputs, path)`` writes the report of :class:`~paceline.studies.analysis.report_inputs.ReportInputs`,
the results :func:`~paceline.studies.analysis.report_inputs.report_inputs` gathers (the race, the plan, the time-lost
attribution of a real race, P(target) from the Monte Carlo). Rendering only reads those results: it never solves a
race or draws a sample.

Sections: summary, splits, race profile (speed, shelter, drag power, energy against distance), formations, lights,
pacers and briefings, time lost (real races), assumptions, citations.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paceline.io.outputs import write_text_atomic
from paceline.render.report_html import SECTIONS, render_report
from paceline.timefmt import format_time

if TYPE_CHECKING:  # pragma: no cover
    from paceline.studies.analysis.report_inputs import ReportInputs

log = logging.getLogger(__name__)


def write_report(inp: ReportInputs, path: str | Path) -> dict[str, Any]:
    """Write the self-contained HTML report of results already gathered.

    Parameters
    ----------
    inp : ReportInputs
        What the report shows (:func:`paceline.studies.analysis.report_inputs.report_inputs`).
    path : str or Path
        HTML file to write (written whole or not at all).

    Returns
    -------
    dict
        ``{path, bytes, scenario, model, kind, time_s, time, p_target, sections, notes}``.
    """
    text = render_report(inp)
    out = write_text_atomic(path, text, "output")
    time_s = float(inp.analysis.finish_s) if inp.kind == "real race" and inp.analysis is not None else inp.race.finish_s
    info = {
        "path": str(out),
        "bytes": out.stat().st_size,
        "scenario": inp.race.scenario,
        "model": inp.race.model,
        "kind": inp.kind,
        "time_s": round(time_s, 3),
        "time": format_time(time_s),
        "p_target": inp.p_target,
        "sections": list(SECTIONS),
        "notes": inp.notes,
    }
    log.info("report written to %s (%d bytes)", out, info["bytes"])
    return info


__all__ = ["SECTIONS", "render_report", "write_report"]
