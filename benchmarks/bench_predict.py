"""Leave-one-out accuracy of race-time predictors on the shipped tables (800 m to the marathon).

For every table (world records, national records, one athlete's bests; ``paceline.io.performance_tables``) and every
interior row of it (not its shortest or longest distance), each method predicts that row's time from the table's
other rows; the error is ``predicted / actual - 1``. Methods:

- ``riegel_1.06``: Riegel's law from the nearest other performance (as a calculator is used);
- ``riegel_fitted``: Riegel's law with its exponent fitted to all other performances (log-log least squares);
- ``vdot``: Daniels' VDOT of the nearest other performance, carried to the new distance;
- ``vdot_mean``: the mean VDOT of all other performances, carried to the new distance;
- ``critical_speed``: the two-parameter critical-speed fit (``paceline.fit.performances.fit_critical_speed``),
  the predictor ``predict --performances`` used before;
- ``hier_riegel``: a hierarchical Riegel law (her level and exponent, the exponent with a population prior);
- ``hier_bend``: the same plus the population's shared bend of the log-log curve;
- ``hier_local``: the same plus her smooth local deviation from a power law (a Gaussian process in log distance);
- ``hier_event``: the same plus the population's offset at each standard event (a column effect learned across
  athletes, shrunk by empirical Bayes): the full model of ``paceline.fit.performance_model``.

The population of the hierarchical methods is fitted *without the table under test* (and without any row of another
table that repeats one of its performances, as a record that is also an athlete's best), so no held-out time leaks.
``coverage_90`` is the share of held-out times inside the stated 90 % interval. The tables' shortest and longest
rows, each predicted from the rest (beyond the span of the performances given, as a marathon from track times), are
scored apart (``ends``). ``every_table_odds`` says what winning every table asks of a method
(:func:`_every_table_odds`).

Run ``python benchmarks/bench_predict.py [--json | --markdown] [--no-write]``; it prints the table and writes it as its
section of ``benchmarks/results.json``, under ``predict_loo``, stamped with :func:`inputs_sha256` (the tables and the
code that made it). ``--markdown`` prints the README's table from ``results.json`` without recomputing it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from harness import read_results, write_section

from paceline.fit import calculators as calc
from paceline.fit.performance_model import fit_population, population_prior, predict_time
from paceline.fit.performances import fit_critical_speed
from paceline.io.performance_tables import PerformanceTable, performance_tables
from paceline.io.scenario import Performance

RESULTS = Path(__file__).with_name("results.json")
METHODS = (
    "riegel_1.06",
    "riegel_fitted",
    "vdot",
    "vdot_mean",
    "critical_speed",
    "hier_riegel",
    "hier_bend",
    "hier_local",
    "hier_event",
)
HIER = {
    "hier_riegel": (False, False, False),
    "hier_bend": (True, False, False),
    "hier_local": (True, True, False),
    "hier_event": (True, True, True),
}
BASELINES = ("riegel_1.06", "riegel_fitted", "vdot", "vdot_mean", "critical_speed")
#: The issue's target: beat Riegel (exponent 1.06 and fitted) and Daniels' VDOT on every table.
TARGET = ("riegel_1.06", "riegel_fitted", "vdot")


#: Column headings of the README's table.
HEADINGS = {
    "riegel_1.06": "Riegel 1.06",
    "riegel_fitted": "Riegel fitted b",
    "vdot": "VDOT",
    "vdot_mean": "VDOT (mean)",
    "critical_speed": "critical speed (before)",
    "hier_riegel": "hier. Riegel",
    "hier_bend": "+ bend",
    "hier_local": "+ local",
    "hier_event": "paceline (default)",
}


def inputs_sha256() -> str:
    """SHA-256 of what the figures depend on: the shipped tables, this script and the predictors' modules."""
    import hashlib

    from paceline.fit import performance_inputs, performance_model, performances
    from paceline.io.performance_tables import tables_hash

    h = hashlib.sha256(tables_hash().encode())
    for mod in (calc, performance_inputs, performance_model, performances):
        h.update(Path(str(mod.__file__)).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def markdown(out: dict[str, Any]) -> str:
    """The README's table: mean |error| [%] per table and method (the best of each row in bold), and the total."""
    lines = [
        "| table | held-out rows | " + " | ".join(HEADINGS[m] for m in METHODS) + " |",
        "|---|---:|" + "---:|" * len(METHODS),
    ]

    def cells(values: dict[str, float]) -> str:
        best = min(values[m] for m in METHODS)
        return " | ".join(f"**{values[m]:.2f}**" if values[m] == best else f"{values[m]:.2f}" for m in METHODS)

    for name in sorted(out["tables"]):
        v = out["tables"][name]
        lines.append(f"| {name} | {v['n']} | {cells(v)} |")
    for kind in sorted(out["by_kind"]):
        v = out["by_kind"][kind]
        lines.append(f"| **{kind} tables** | {v['n']} | {cells(v)} |")
    lines.append(f"| **all** | {out['n_rows']} | {cells(out['mean_abs_error_pct'])} |")
    e, odds = out["ends"], out["every_table_odds"]
    lines.append(f"| **shortest and longest rows** (beyond the rest) | {e['n']} | {cells(e)} |")
    lines += [
        "",
        "| what the held-out rows say | value |",
        "|---|---:|",
        f"| 90 % interval coverage, interior rows | {100 * out['coverage_90']['hier_event']:.1f} % |",
        f"| 90 % interval coverage, shortest and longest rows | {100 * e['coverage_90']:.1f} % |",
        f"| tables won on average, rows drawn at random into tables of these sizes | {odds['expected_tables_won']} "
        f"of {out['n_tables']} |",
        f"| chance of winning all {out['n_tables']} tables | {odds['chance_all']:.2g} |",
        f"| mean error that would give even odds of winning all | {odds['even_odds_mean_abs_error_pct']:.2f} % |",
        f"| scatter of one best time about her curve (the stored prior's `noise_sd`) | {out['noise_sd_pct']:.2f} % |",
    ]
    return "\n".join(lines)


def _baselines(d: list[float], t: list[float], dn: float) -> dict[str, float]:
    j = calc.nearest_index(d, dn)
    a, b = calc.riegel_fit(d, t)
    cs = fit_critical_speed([Performance(distance_m=di, time_s=ti) for di, ti in zip(d, t, strict=True)])
    return {
        "riegel_1.06": calc.riegel_time(t[j], d[j], dn),
        "riegel_fitted": float(np.exp(a + b * np.log(dn))),
        "vdot": calc.vdot_time(calc.vdot(d[j], t[j]), dn),
        "vdot_mean": calc.vdot_time(float(np.mean([calc.vdot(di, ti) for di, ti in zip(d, t, strict=True)])), dn),
        "critical_speed": (dn - cs.params["dprime_m"]) / cs.params["cs_m_s"],
    }


def _population_without(test: PerformanceTable, tables: dict[str, PerformanceTable], *flags: bool) -> Any:
    seen = {(r.distance_m, r.time_s) for r in test.rows}
    train = []
    for name, tab in tables.items():
        if name == test.name:
            continue
        rows = [r for r in tab.rows if (r.distance_m, r.time_s) not in seen]
        if len(rows) >= 3:
            train.append(([r.distance_m for r in rows], [r.time_s for r in rows]))
    return fit_population(train, *flags)


def evaluate() -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every held-out row's errors [%] by method, and per-table means."""
    tables = performance_tables()
    rows: list[dict[str, Any]] = []
    for tab in tables.values():
        priors = {m: _population_without(tab, tables, *flags) for m, flags in HIER.items()}
        d_all, t_all = list(tab.distances_m), list(tab.times_s)
        for i in range(len(d_all)):
            d = d_all[:i] + d_all[i + 1 :]
            t = t_all[:i] + t_all[i + 1 :]
            pred = _baselines(d, t, d_all[i])
            inside = {}
            for m, prior in priors.items():
                p = predict_time(d, t, d_all[i], prior)  # the interval as the commands state it
                pred[m] = p.time_s
                inside[m] = bool(p.low_s <= t_all[i] <= p.high_s)
            rows.append(
                {
                    "table": tab.name,
                    "kind": tab.kind,
                    "distance_m": d_all[i],
                    "errors_pct": {m: 100.0 * (pred[m] / t_all[i] - 1.0) for m in METHODS},
                    "inside_90": inside,
                    "end": i in (0, len(d_all) - 1),
                }
            )
    per_table: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["end"]:
            continue
        per_table.setdefault(r["table"], {"kind": r["kind"], "n": 0, "abs": {m: [] for m in METHODS}})
        per_table[r["table"]]["n"] += 1
        for m in METHODS:
            per_table[r["table"]]["abs"][m].append(abs(r["errors_pct"][m]))
    return rows, per_table


def summarise(all_rows: list[dict[str, Any]], per_table: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The figures: mean |error| [%] per table and overall, wins, and the interval coverage (interior rows), and
    the same for the tables' shortest and longest rows (``ends``: a prediction beyond her span)."""
    rows = [r for r in all_rows if not r["end"]]
    ends = [r for r in all_rows if r["end"]]
    tables = {
        name: {"kind": v["kind"], "n": v["n"], **{m: round(float(np.mean(v["abs"][m])), 3) for m in METHODS}}
        for name, v in per_table.items()
    }
    overall = {m: round(float(np.mean([abs(r["errors_pct"][m]) for r in rows])), 3) for m in METHODS}
    wins = {m: {base: sum(tables[n][m] < tables[n][base] for n in tables) for base in BASELINES} for m in HIER}
    beats_all = {m: [n for n in tables if all(tables[n][m] < tables[n][b] for b in TARGET)] for m in HIER}
    coverage = {m: round(float(np.mean([r["inside_90"][m] for r in rows])), 3) for m in HIER}
    by_kind = {
        kind: {
            "n": sum(r["kind"] == kind for r in rows),
            **{
                m: round(float(np.mean([abs(r["errors_pct"][m]) for r in rows if r["kind"] == kind])), 3)
                for m in METHODS
            },
        }
        for kind in sorted({r["kind"] for r in rows})
    }
    return {
        "n_rows": len(rows),
        "n_tables": len(tables),
        "mean_abs_error_pct": overall,
        "tables_won_against": wins,
        "tables_beating_riegel_and_vdot": {m: len(v) for m, v in beats_all.items()},
        "tables_lost_to_riegel_or_vdot": {m: [n for n in tables if n not in v] for m, v in beats_all.items()},
        "coverage_90": coverage,
        "by_kind": by_kind,
        "table_differences": _table_differences(rows, tables),
        "every_table_odds": _every_table_odds(rows, tables),
        "noise_sd_pct": round(100.0 * population_prior().noise_sd, 3),
        "ends": {
            "n": len(ends),
            **{m: round(float(np.mean([abs(r["errors_pct"][m]) for r in ends])), 3) for m in METHODS},
            "coverage_90": round(float(np.mean([r["inside_90"]["hier_event"] for r in ends])), 3),
        },
        "tables": tables,
    }


def _every_table_odds(
    rows: list[dict[str, Any]], tables: dict[str, dict[str, Any]], draws: int = 4000
) -> dict[str, float]:
    """What winning every table asks of a method: tables of the same sizes are drawn from all held-out rows (rows
    exchangeable, each row's four errors kept together; seed 0), and the default's mean |error| is compared with
    that of the best of :data:`TARGET` on each. Returns the expected number of tables won and the chance of
    winning all of them with the default's errors, and the mean |error| [%] at which that chance would be even
    (the default's errors scaled down, the baselines' kept)."""
    errors = np.array([[abs(r["errors_pct"][m]) for m in ("hier_event", *TARGET)] for r in rows])
    rng = np.random.default_rng(0)
    sizes = [t["n"] for t in tables.values()]
    means = {n: errors[rng.integers(0, len(errors), (draws, n))].mean(axis=1) for n in set(sizes)}

    def win_chances(f: float) -> list[float]:
        return [float(np.mean(f * means[n][:, 0] < means[n][:, 1:].min(axis=1))) for n in sizes]

    lo, hi = 0.0, 1.0  # the chance of winning all falls as the factor on the default's errors grows
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if np.prod(win_chances(mid)) > 0.5 else (lo, mid)
    p = win_chances(1.0)
    return {
        "expected_tables_won": round(sum(p), 1),
        "chance_all": float(f"{np.prod(p):.2g}"),
        "even_odds_mean_abs_error_pct": round(lo * float(errors[:, 0].mean()), 2),
    }


def _table_differences(rows: list[dict[str, Any]], tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """How much a table's verdict says: for each table, the default's mean |error| minus that of the best of
    :data:`TARGET` on it [%], with the paired standard error over its rows; how many of the losses and wins exceed
    two standard errors; and, for comparison, on how many tables each of the four beats the other three at once."""
    out: dict[str, Any] = {"tables": {}}
    for name, t in tables.items():
        best = min(TARGET, key=lambda b: t[b])
        d = np.array(
            [abs(r["errors_pct"]["hier_event"]) - abs(r["errors_pct"][best]) for r in rows if r["table"] == name]
        )
        se = float(np.std(d, ddof=1) / np.sqrt(d.size)) if d.size > 1 else float("nan")
        out["tables"][name] = {
            "best_baseline": best,
            "difference_pct": round(float(d.mean()), 3),
            "se_pct": round(se, 3),
        }
    diffs = list(out["tables"].values())
    out["losses_beyond_2se"] = sum(v["difference_pct"] > 2 * v["se_pct"] for v in diffs)
    out["wins_beyond_2se"] = sum(v["difference_pct"] < -2 * v["se_pct"] for v in diffs)
    four = (*TARGET, "hier_event")
    out["beats_the_other_three"] = {
        m: sum(all(t[m] < t[o] for o in four if o != m) for t in tables.values()) for m in four
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-write", action="store_true", help="do not update results.json")
    ap.add_argument("--markdown", action="store_true", help="print the README's table from results.json")
    args = ap.parse_args()
    if args.markdown:
        print(markdown(read_results(RESULTS)[Path(__file__).name]["predict_loo"]))
        return
    out = summarise(*evaluate())
    out["inputs_sha256"] = inputs_sha256()
    if not args.no_write:
        write_section(__file__, {"predict_loo": out}, RESULTS)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    head = f"{'table':28s} {'n':>2s} " + " ".join(f"{m:>14s}" for m in METHODS)
    print(head)
    for name, v in out["tables"].items():
        print(f"{name:28s} {v['n']:2d} " + " ".join(f"{v[m]:14.2f}" for m in METHODS))
    print(
        f"{'ALL (mean |error| %)':28s} {out['n_rows']:2d} "
        + " ".join(f"{out['mean_abs_error_pct'][m]:14.2f}" for m in METHODS)
    )
    for m, w in out["tables_won_against"].items():
        print(f"tables (of {out['n_tables']}) where {m} beats:", w)
    print(f"tables (of {out['n_tables']}) where each beats {', '.join(TARGET)} at once:")
    print(" ", out["tables_beating_riegel_and_vdot"])
    print("coverage of the 90 % interval:", out["coverage_90"])
    print("mean |error| % by kind of table:")
    for kind, v in out["by_kind"].items():
        print(f"  {kind:9s} {v['n']:3d} rows " + " ".join(f"{m}={v[m]:.2f}" for m in (*TARGET, "hier_event")))
    td = out["table_differences"]
    print(
        f"hier_event minus the best of {', '.join(TARGET)} per table: {td['losses_beyond_2se']} losses and "
        f"{td['wins_beyond_2se']} wins beyond 2 paired standard errors"
    )
    print("tables on which each beats the other three at once:", td["beats_the_other_three"])
    odds = out["every_table_odds"]
    print(
        f"rows drawn at random into tables of these sizes: hier_event wins {odds['expected_tables_won']} of "
        f"{out['n_tables']} on average and all of them with chance {odds['chance_all']}; even odds of winning all "
        f"would need a mean |error| of {odds['even_odds_mean_abs_error_pct']} %"
    )
    e = out["ends"]
    print(
        f"shortest and longest rows ({e['n']}, predicted beyond the span of the rest): mean |error| %",
        {m: e[m] for m in (*TARGET, "hier_event")},
        "coverage of the 90 % interval:",
        e["coverage_90"],
    )


if __name__ == "__main__":
    main()
