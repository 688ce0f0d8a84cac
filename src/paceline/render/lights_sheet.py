"""The lights operator's sheet (one printable HTML page) and the machine file of the light schedule (CSV).

The sheet's data comes from :func:`paceline.studies.planning.marks.lights_sheet`; the machine file's rows from
:func:`paceline.studies.planning.plan.light_schedule`. Times are formatted once, from the unrounded seconds.
"""

from __future__ import annotations

import csv
import html
import io
from typing import Any

from paceline.timefmt import format_time

#: Columns of the machine file, with their meaning (the documented schema of ``lights.csv``).
LIGHTS_CSV_SCHEMA: dict[str, str] = {
    "train": "which light train: target (even pace to the target), plan (the predicted race), lead-pacer (the plan "
    "shifted ahead by the lead slot's gap)",
    "colour": "the colour the train's lights show (target green, plan blue, lead-pacer white)",
    "light_index": "the light on the rail, 0 on the finish line, counted in the running direction",
    "rail_pos_m": "where that light is [m of the lane-1 running line past the finish line, 0 to lap length]",
    "lap": "the lap the front is in (lap 0: from the start to the first finish-line crossing; lap k: from the k-th "
    "crossing to the next)",
    "race_distance_m": "the athlete's race distance when the front passes the light [m]",
    "time_s": "race clock when the train's front passes the light [s, 3 decimals]",
}


def lights_csv(rows: list[dict[str, Any]]) -> str:
    """The light schedule as CSV text: one row per light passed per train, columns :data:`LIGHTS_CSV_SCHEMA`."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(LIGHTS_CSV_SCHEMA), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow(
            {
                **r,
                "rail_pos_m": f"{r['rail_pos_m']:.3f}",
                "race_distance_m": f"{r['race_distance_m']:.3f}",
                "time_s": f"{r['time_s']:.3f}",
            }
        )
    return buf.getvalue()


def _pace(v: float | None) -> str:
    return "" if v is None else f"{v:.2f}"


def sheet_rows(sheet: dict[str, Any], compact: bool = False) -> tuple[list[str], list[list[str]]]:
    """The sheet's main table: one row per mark, for each train its clock and the pace per 400 m of the 100 m
    ending there. Returns (column headers, rows of text); ``compact`` (a terminal) leaves out the race distance."""
    trains = sheet["trains"]
    head = ["lap", "mark"] if compact else ["lap", "mark", "race [m]"]
    for tr in trains:
        head += [tr["train"], "s/400m"] if compact else [f"{tr['train']} clock", f"{tr['train']} s/400 m"]
    rows = []
    for i, m in enumerate(trains[0]["marks"] if trains else []):
        row = [
            str(m["lap"]),
            m["mark"].removesuffix(" mark").replace("finish line", "line" if compact else "finish line"),
        ]
        if not compact:
            row.append(f"{m['race_distance_m']:.1f}")
        for tr in trains:
            tm = tr["marks"][i]
            row += [format_time(tm["time_s"]), _pace(tm["pace_s_per_400m"])]
        rows.append(row)
    return head, rows


def lap_rows(sheet: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """One row per lap line: for each train the clock and the lap time."""
    trains = sheet["trains"]
    head = ["lap", "at [m]"]
    for tr in trains:
        head += [tr["train"], "lap [s]"]
    rows = []
    for i, lp in enumerate(trains[0]["laps"] if trains else []):
        row = [str(lp["lap"]), f"{lp['race_distance_m']:.1f}"]
        for tr in trains:
            tl = tr["laps"][i]
            row += [format_time(tl["time_s"]), f"{tl['lap_s']:.2f}"]
        rows.append(row)
    return head, rows


def change_rows(sheet: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Where the pacing changes, one row per place (a phase boundary is the same place for every train): the lap,
    the mark, the race distance, each train's clock there, and why."""
    trains = [tr["train"] for tr in sheet["trains"]]
    places: dict[float, dict[str, Any]] = {}
    for tr in sheet["trains"]:
        for c in tr["changes"]:
            row = places.setdefault(
                round(c["race_distance_m"], 1), {"lap": c["lap"], "mark": c["mark"], "clock": {}, "why": []}
            )
            row["clock"][tr["train"]] = format_time(c["time_s"])
            why = c["why"] if c["why"].startswith(("formation", "fresh")) else f"{tr['train']}: {c['why']}"
            if why not in row["why"]:
                row["why"].append(why)
    head = ["lap", "where", "race [m]", *trains, "why"]
    rows = [
        [str(r["lap"]), r["mark"], f"{x:.1f}", *[r["clock"].get(t, "") for t in trains], "; ".join(r["why"])]
        for x, r in sorted(places.items())
    ]
    return head, rows


_CSS = """
@page { size: A4 portrait; margin: 10mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #000; margin: 0; }
h1 { font-size: 13pt; margin: 0 0 2pt; } h2 { font-size: 10pt; margin: 6pt 0 2pt; }
p { margin: 2pt 0; } table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #666; padding: 0.5pt 3pt; text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
td.why { white-space: normal; text-align: left; }
th { background: #eee; } td.l, th.l { text-align: left; }
tr.line td { font-weight: bold; border-top: 1.2pt solid #000; }
.sw { display: inline-block; width: 9pt; height: 9pt; border: 0.5pt solid #000; vertical-align: middle; }
.small { font-size: 7.5pt; color: #333; }
@media print { .noprint { display: none; } }
"""

_SWATCH = {"green": "#2fbf4f", "blue": "#2f6fdf", "white": "#ffffff"}


def _table(
    head: list[str],
    rows: list[list[str]],
    left: set[int],
    line_rows: set[int] | None = None,
    group: list[str] | None = None,
    wrap: int | None = None,
) -> str:
    """An HTML table; ``group``: a first header row naming each train over its two columns; ``wrap``: the column
    whose text may wrap."""
    e = html.escape
    th = "".join(f"<th class='l'>{e(h)}</th>" if i in left else f"<th>{e(h)}</th>" for i, h in enumerate(head))
    top = ""
    if group:
        lead = len(head) - 2 * len(group)
        top = f"<tr><th colspan='{lead}'></th>" + "".join(f"<th colspan='2'>{e(g)}</th>" for g in group) + "</tr>"
    body = []
    for k, r in enumerate(rows):
        cls = " class='line'" if line_rows and k in line_rows else ""
        tds = "".join(
            f"<td class='why'>{e(c)}</td>"
            if i == wrap
            else f"<td class='l'>{e(c)}</td>"
            if i in left
            else f"<td>{e(c)}</td>"
            for i, c in enumerate(r)
        )
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead>{top}<tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def lights_sheet_html(sheet: dict[str, Any], spacing_m: float | None = None) -> str:
    """The operator's sheet as one printable HTML page (A4 portrait for a mile).

    Parameters
    ----------
    sheet : dict
        :func:`paceline.studies.planning.marks.lights_sheet`.
    spacing_m : float, optional
        Light spacing of the machine file [m], named in the footer.
    """
    e = html.escape
    trains = "".join(
        f"<p><span class='sw' style='background:{_SWATCH.get(tr['colour'], tr['colour'])}'></span> "
        f"<b>{e(tr['label'])}</b>, finish {e(format_time(tr['finish_s']))}</p>"
        for tr in sheet["trains"]
    )
    head, rows = sheet_rows(sheet)
    lines = {k for k, r in enumerate(rows) if r[1] == "finish line"}
    names = [tr["train"] for tr in sheet["trains"]]
    head = ["lap", "mark", "race [m]"] + ["clock", "s/400 m"] * len(names)
    lh, lr = lap_rows(sheet)
    lh = ["lap", "at [m]"] + ["clock", "lap [s]"] * len(names)
    ch, cr = change_rows(sheet)
    changes = _table(ch, cr, {1}, wrap=len(ch) - 1) if cr else "<p>No pacing changes: every train holds its pace.</p>"
    machine = f"one row per light every {spacing_m:g} m" if spacing_m else "one row per light"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Lights: {e(sheet['scenario'])}</title><style>{_CSS}</style></head><body>"
        f"<h1>Pacing lights: {e(sheet['description'] or sheet['scenario'])}</h1>"
        f"<p>{e(sheet['athlete'])}, {sheet['distance_m']:g} m, start {e(sheet['start'])}.</p>{trains}"
        f"<h2>Clock at every {sheet['every_m']:g} m mark (pace per 400 m over the {sheet['every_m']:g} m ending "
        "there)</h2>"
        f"{_table(head, rows, {1}, lines, group=names)}"
        f"<h2>Laps</h2>{_table(lh, lr, set(), group=names)}"
        f"<h2>Where the pacing changes</h2>{changes}"
        f"<p class='small'>{e(sheet['lap_convention'])} Machine file: lights.csv ({machine}; columns "
        f"{e(', '.join(LIGHTS_CSV_SCHEMA))}).</p>"
        "</body></html>\n"
    )
