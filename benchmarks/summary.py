# ruff: noqa: RUF001  (the multiplication sign is meant: the tables are for people)
"""Tables for RESULTS.md from the JSON files that ``run.py --json`` writes.

    python benchmarks/summary.py            # the "where each goal stands" table
    python benchmarks/summary.py --scales   # and each scale's full table

Reads benchmarks/results-{demo,busy,busy-postgresql,stress,stress-psychologist}.json
(whichever exist) and prints Markdown, so the results file is pasted, not retyped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import Figure, table, verdict  # noqa: E402

RUNS = {
    "demo": "demo",
    "busy": "busy",
    "busy-postgresql": "busy, PostgreSQL",
    "stress": "stress, one site",
    "stress-psychologist": "stress, every site (psychologist)",
}

ROWS: list[tuple[str, list[str], str]] = [
    ("first window ≤ 1.5× bare", ["cold start to first window painted"], "ratio"),
    ("sign-in to Today ≤ 500 ms", ["sign-in to Today populated"], "value"),
    ("residents first screen ≤ 2× bare", ["residents list to first rows painted"], "ratio"),
    ("key-work first screen ≤ 2× bare", ["key-work list to first rows painted"], "ratio"),
    (
        "coverage / matrix / compliance open ≤ 2× bare",
        [
            "evidence coverage view open",
            "training matrix view open",
            "supervision compliance view open",
        ],
        "ratio",
    ),
    (
        "groups / supervision records / review queue first screen ≤ 2× bare",
        [
            "groups list to first rows painted",
            "supervision records list to first rows painted",
            "supervision review queue to first rows painted",
        ],
        "ratio",
    ),
    (
        "staff / training records / evidence / cycles first screen ≤ 2× bare",
        [
            "staff list to first rows painted",
            "training records list to first rows painted",
            "evidence list to first rows painted",
            "accreditation cycles list to first rows painted",
        ],
        "ratio",
    ),
    (
        "residents / key work / coverage open, the read it starts painted ≤ 2× bare",
        [
            "residents list, the read it starts painted",
            "key-work list, the read it starts painted",
            "evidence coverage view open, the read it starts painted",
        ],
        "ratio",
    ),
    ("no main-thread stall > 100 ms", ["longest main-thread stall in a session"], "value"),
    (
        "search ≤ 100 ms after a keystroke: residents / key work",
        ["residents search, keystroke to results", "key-work search, keystroke to results"],
        "value",
    ),
    (
        "… to the database's answer: residents / key work",
        [
            "residents search, last keystroke to the database's answer",
            "key-work search, last keystroke to the database's answer",
        ],
        "value",
    ),
    ("≤ 300 MB at busy scale", ["peak memory with the data open"], "value"),
]


def load(run: str) -> list[Figure] | None:
    path = HERE / f"results-{run}.json"
    if not path.exists():
        return None
    return [Figure(**item) for item in json.loads(path.read_text())]


def cell(figure: Figure | None, kind: str) -> str:
    if figure is None or figure.value is None:
        return "—"
    if kind == "ratio":
        text = "—" if figure.ratio is None else f"{figure.ratio:.2f}×"
    else:
        text = f"{figure.value:,.0f} {figure.unit}"
    return text if verdict(figure)[1] != "MISSES" else f"**{text}**"


def goals(runs: dict[str, list[Figure]]) -> str:
    lines = [
        "| goal | " + " | ".join(RUNS[r] for r in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for label, names, kind in ROWS:
        cells = []
        for figures in runs.values():
            by_name = {f.name: f for f in figures}
            cells.append(" / ".join(cell(by_name.get(n), kind) for n in names))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    packs = [
        cell(f, "ratio") + f" ({f.name.rsplit(' ', 1)[-1].rstrip(')')})"
        for figures in runs.values()
        for f in figures
        if f.name.startswith("evidence pack (12 months, demo")
    ]
    lines.append("| evidence pack ≤ 1.5× bare ReportLab | " + ", ".join(packs) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", action="store_true", help="also print each scale's table")
    args = parser.parse_args(argv)
    runs = {run: figures for run in RUNS if (figures := load(run)) is not None}
    print(goals(runs))
    if args.scales:
        for run, figures in runs.items():
            print(f"\n## {RUNS[run]}\n\n{table(figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
