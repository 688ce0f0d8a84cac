"""The files of a plan, as text: what ``paceline plan --out DIR`` writes and the web app's "make the plan" zips.

``plan.json``, ``splits.csv`` (every 200 m), and for a track race ``lights.csv`` (the machine file, schema in
:data:`paceline.render.lights_sheet.LIGHTS_CSV_SCHEMA`) and ``lights.html`` (the operator's sheet); for every pacer
``briefings/NAME.md`` and ``cards/NAME.html``; ``cards.html`` (every card, one page each, and the handover table);
optionally ``report.html``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from paceline.models.race import Race
    from paceline.studies.planning.plan import Plan


def safe_name(name: str) -> str:
    """A pacer's name as a file name (letters, digits, ``-`` and ``_``)."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "pacer"


def file_stems(names: list[str]) -> list[str]:
    """One file name per pacer, distinct even where :func:`safe_name` (or a file system that ignores case) would
    make two alike (``a/b`` and ``a_b``; ``M1`` and ``m1``): the later one gets ``-2``, ``-3``, ..."""
    used: set[str] = set()
    out = []
    for name in names:
        stem = base = safe_name(name)
        k = 2
        while stem.lower() in used:
            stem, k = f"{base}-{k}", k + 1
        used.add(stem.lower())
        out.append(stem)
    return out


def splits_csv(race: Race, every_m: float = 200.0) -> str:
    """The split table (:meth:`paceline.models.race.Race.split_rows`) as CSV, numbers to 3 decimals."""
    rows = race.split_rows(every_m=every_m)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: f"{v:.3f}" if isinstance(v, float) else v for k, v in r.items()})
    return buf.getvalue()


def plan_files(plan: Plan, report_html: str | None = None) -> dict[str, str]:
    """Every file of a plan: relative path -> text (see the module docstring)."""
    from paceline.render.lights_sheet import lights_csv, lights_sheet_html
    from paceline.render.pacer_cards import briefing_markdown, pacer_cards_html, plan_info
    from paceline.studies.planning.handover import handovers, pacer_cards

    files: dict[str, str] = {
        "plan.json": json.dumps(plan.to_dict(), indent=2),
        "splits.csv": splits_csv(plan.race),
    }
    if plan.lights:
        from paceline.studies.planning.marks import lights_sheet

        spacing = plan.lights[1]["race_distance_m"] - plan.lights[0]["race_distance_m"] if len(plan.lights) > 1 else 1
        files["lights.csv"] = lights_csv(plan.lights)
        files["lights.html"] = lights_sheet_html(lights_sheet(plan.scenario, plan.race), spacing_m=round(spacing, 3))
    cards = pacer_cards(plan)
    hand = handovers(plan.roles, plan.scenario.distance_m)
    info = plan_info(plan)
    for card, stem in zip(cards, file_stems([str(c["name"]) for c in cards]), strict=True):
        files[f"briefings/{stem}.md"] = briefing_markdown(card, info)
        files[f"cards/{stem}.html"] = pacer_cards_html([card], hand, info, handover_table=False)
    if cards:
        files["cards.html"] = pacer_cards_html(cards, hand, info)
    if report_html is not None:
        files["report.html"] = report_html
    return files


def zip_bytes(files: dict[str, str], folder: str = "plan") -> bytes:
    """The files as a zip archive (in memory), under ``folder/``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for rel, text in sorted(files.items()):
            z.writestr(f"{folder}/{rel}", text)
    return buf.getvalue()
