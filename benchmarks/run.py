"""PIPE Desk benchmarks: each figure against a bare baseline taken in the same run.

    python benchmarks/run.py --scale demo|busy|stress [--database URL] [--json FILE]

Without ``--database`` a SQLite file in benchmarks/.data/ is generated once per scale (and
reused). A database given with ``--database`` is filled first if it has no residents.
Ratios, not absolute times, are the figures: they hold from one machine to another.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
PACK_SCALE = {"demo": 1, "busy": 10, "stress": 10}  # evidence_pack.py multiplies demo data
# probe_gui's OTHER_LISTS (the lists besides residents and key work), as the figures name them
OTHER_LISTS = {
    "groups": "groups list",
    "supervision": "supervision records list",
    "review_queue": "supervision review queue",
    "staff": "staff list",
    "training_records": "training records list",
    "evidence": "evidence list",
    "cycles": "accreditation cycles list",
}


@dataclass
class Figure:
    name: str
    value: float | None  # None: not measured (skipped, or not the signed-in user's)
    unit: str
    baseline: float | None
    ratio: float | None


@dataclass(frozen=True)
class Goal:
    text: str
    met: Callable[[Figure], bool]


def _ratio(limit: float) -> Goal:
    return Goal(f"ratio <= {limit}", lambda f: f.ratio is not None and f.ratio <= limit)


def _at_most(limit: float, unit: str) -> Goal:
    return Goal(f"<= {limit:g} {unit}", lambda f: f.value is not None and f.value <= limit)


GOALS = {
    "cold start to first window painted": _ratio(1.5),
    "cold start, CPU time to first window painted": _ratio(1.5),
    "sign-in to Today populated": _at_most(500, "ms"),
    "residents list to first rows painted": _ratio(2),
    "key-work list to first rows painted": _ratio(2),
    "evidence coverage view open": _ratio(2),
    "residents list, the read it starts painted": _ratio(2),
    "key-work list, the read it starts painted": _ratio(2),
    "evidence coverage view open, the read it starts painted": _ratio(2),
    "training matrix view open": _ratio(2),
    "supervision compliance view open": _ratio(2),
    **{f"{label} to first rows painted": _ratio(2) for label in OTHER_LISTS.values()},
    "residents search, keystroke to results": _at_most(100, "ms"),
    "residents search, last keystroke to the database's answer": _at_most(100, "ms"),
    "key-work search, keystroke to results": _at_most(100, "ms"),
    "key-work search, last keystroke to the database's answer": _at_most(100, "ms"),
    "longest main-thread stall in a session": _at_most(100, "ms"),
    "longest stall while signing in (password, window, Today)": _at_most(100, "ms"),
    "longest stall after sign-in (pages, lists, search)": _at_most(100, "ms"),
    "peak memory with the data open": _at_most(300, "MB"),
    "password check alone (argon2)": _at_most(500, "ms"),
    **{f"evidence pack (12 months, demo x{n})": _ratio(1.5) for n in set(PACK_SCALE.values())},
}


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PIPE_APP_HOME=str(home / "app"),
        XDG_CONFIG_HOME=str(home / "config"),
        HOME=str(home),
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _figure(name: str, value: float | None, unit: str, baseline: float | None) -> Figure:
    ratio = value / baseline if value is not None and baseline else None
    return Figure(name, value, unit, baseline, ratio)


# ---- the database ---------------------------------------------------------------------


def prepare_database(scale: str, url: str | None, env: dict[str, str]) -> str:
    from pipe_app.demo import resident_count
    from pipe_app.storage.database import Database

    if url is None:
        folder = HERE / ".data"
        folder.mkdir(exist_ok=True)
        url = f"sqlite:///{folder / f'{scale}.sqlite3'}"
    db = Database.open(url)
    try:
        filled = bool(resident_count(db)) if _has_schema(db) else False
    finally:
        db.dispose()
    if not filled:
        print(f"generating {scale} data into {url} ...", flush=True)
        began = time.monotonic()
        _run([PYTHON, "-m", "pipe_app.scale", "--scale", scale, "--database", url], env)
        print(f"  done in {time.monotonic() - began:.0f} s", flush=True)
    return url


def _has_schema(db: Any) -> bool:
    from pipe_app.storage.migrations import has_user_tables

    return bool(has_user_tables(db))


# ---- measurements ---------------------------------------------------------------------


def cold_start(url: str, env: dict[str, str], repeat: int) -> list[Figure]:
    """Three times ``repeat`` starts of each (they are quick, and single starts are noisy)."""
    times: dict[str, list[float]] = {"app": [], "bare": []}
    cpu: dict[str, list[float]] = {"app": [], "bare": []}
    for _ in range(3 * repeat):
        for mode in ("bare", "app"):
            began = time.time()
            used, painted = _run([PYTHON, str(HERE / "probe_start.py"), mode, url], env).split()
            times[mode].append((float(painted) - began) * 1000)
            cpu[mode].append(float(used) * 1000)
    return [
        _figure(
            "cold start to first window painted",
            _median(times["app"]),
            "ms",
            _median(times["bare"]),
        ),
        _figure(
            "cold start, CPU time to first window painted",
            _median(cpu["app"]),
            "ms",
            _median(cpu["bare"]),
        ),
    ]


def gui_session(url: str, env: dict[str, str], repeat: int, scratch: Path) -> list[Figure]:
    app: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    sql = scratch / "statements.json"
    for _ in range(repeat):
        app.append(
            json.loads(_run([PYTHON, str(HERE / "probe_gui.py"), "app", url, str(sql)], env))
        )
        bare.append(
            json.loads(_run([PYTHON, str(HERE / "probe_gui.py"), "bare", url, str(sql)], env))
        )

    def med(runs: list[dict[str, Any]], key: str, scale: float = 1000) -> float | None:
        found = [run[key] for run in runs if run.get(key) is not None]
        return _median(found) * scale if found else None

    rows = app[0].get("residents_rows")
    for number, run in enumerate(app, 1):  # where each session's stalls were, worst first
        steps = sorted(run.get("stalls_by_step", {}).items(), key=lambda item: -item[1])
        shown = ", ".join(f"{step} {gap} ms" for step, gap in steps[:5])
        print(f"  session {number}, longest gaps after sign-in: {shown}", file=sys.stderr)
    return [
        _figure("sign-in to Today populated", med(app, "today_populated"), "ms", None),
        _figure(
            "residents list to first rows painted",
            med(app, "residents_list"),
            "ms",
            med(bare, "residents_list"),
        ),
        _figure(
            "residents list, the read it starts painted",
            med(app, "residents_list_checked"),
            "ms",
            med(bare, "residents_list"),
        ),
        _figure(
            "key-work list to first rows painted",
            med(app, "key_work_list"),
            "ms",
            med(bare, "key_work_list"),
        ),
        _figure(
            "key-work list, the read it starts painted",
            med(app, "key_work_list_checked"),
            "ms",
            med(bare, "key_work_list"),
        ),
        _figure(
            "evidence coverage view open",
            med(app, "coverage_view"),
            "ms",
            med(bare, "coverage_view"),
        ),
        _figure(
            "evidence coverage view open, the read it starts painted",
            med(app, "coverage_view_checked"),
            "ms",
            med(bare, "coverage_view"),
        ),
        _figure(
            "training matrix view open",
            med(app, "training_matrix_view"),
            "ms",
            med(bare, "training_matrix_view"),
        ),
        _figure(
            "supervision compliance view open",
            med(app, "compliance_view"),
            "ms",
            med(bare, "compliance_view"),
        ),
        *(
            _figure(
                f"{label} to first rows painted",
                med(app, f"{key}_list"),
                "ms",
                med(bare, f"{key}_list"),
            )
            for key, label in OTHER_LISTS.items()
        ),
        *(
            _figure(
                f"{label} reloaded (F5, page built)",
                med(app, f"{key}_reload"),
                "ms",
                med(bare, f"{key}_{'list' if key in ('residents', 'key_work') else 'view'}"),
            )
            for key, label in (
                ("residents", "residents list"),
                ("key_work", "key-work list"),
                ("coverage", "evidence coverage view"),
                ("training_matrix", "training matrix view"),
                ("compliance", "supervision compliance view"),
            )
        ),
        _figure(
            "residents search, keystroke to results",
            med(app, "residents_search"),
            "ms",
            med(bare, "residents_search"),
        ),
        _figure(
            "residents search, last keystroke to the database's answer",
            med(app, "residents_search_database"),
            "ms",
            None,
        ),
        _figure(
            "key-work search, keystroke to results",
            med(app, "key_work_typing"),
            "ms",
            None,
        ),
        _figure(
            "key-work search, last keystroke to the database's answer",
            med(app, "key_work_search"),
            "ms",
            None,
        ),
        _figure(
            "longest main-thread stall in a session",
            med(app, "longest_stall"),
            "ms",
            med(bare, "longest_stall"),
        ),
        _figure(
            "longest stall while signing in (password, window, Today)",
            med(app, "longest_stall_signing_in"),
            "ms",
            None,
        ),
        _figure(
            "longest stall after sign-in (pages, lists, search)",
            med(app, "longest_stall_after_sign_in"),
            "ms",
            med(bare, "longest_stall"),
        ),
        _figure(
            "peak memory with the data open",
            med(app, "peak_rss_mb", 1),
            "MB",
            med(bare, "peak_rss_mb", 1),
        ),
        _figure("residents rows shown", float(rows) if rows is not None else None, "rows", None),
        _figure(
            "pages built while the user read Today (2 s)",
            med(app, "pages_built_while_reading_today", 1),
            "pages",
            None,
        ),
    ]


def password_check(url: str, repeat: int) -> Figure:
    """The sign-in service alone, to tell hashing cost from window-building cost."""
    from pipe_app.services.auth import sign_in
    from pipe_app.storage.database import Database

    db = Database.open(url)
    times = []
    try:
        for _ in range(repeat):
            began = time.perf_counter()
            sign_in(db, "manager.crowley", "demo-manager-2026")
            times.append((time.perf_counter() - began) * 1000)
    finally:
        db.dispose()
    return _figure("password check alone (argon2)", _median(times), "ms", None)


def backup(url: str, repeat: int, scratch: Path) -> Figure:
    """backup_to against SQLite's own online backup of the same file (SQLite only)."""
    from pipe_app.storage.backup import backup_to
    from pipe_app.storage.database import Database

    db = Database.open(url)
    app_times, bare_times = [], []
    try:
        for number in range(repeat):
            began = time.perf_counter()
            backup_to(db, scratch / f"backup-{number}.sqlite3")
            app_times.append((time.perf_counter() - began) * 1000)
            if db.sqlite_path is not None:
                began = time.perf_counter()
                source = sqlite3.connect(db.sqlite_path)
                target = sqlite3.connect(scratch / f"bare-{number}.sqlite3")
                source.backup(target)
                target.close()
                source.close()
                bare_times.append((time.perf_counter() - began) * 1000)
    finally:
        db.dispose()
    baseline = _median(bare_times) if bare_times else None
    return _figure("backup (verified)", _median(app_times), "ms", baseline)


def evidence_pack(scale: str, env: dict[str, str]) -> Figure:
    script = HERE / "evidence_pack.py"
    if not script.is_file():
        return _figure("evidence pack (12 months)", None, "s", None)
    name = f"evidence pack (12 months, demo x{PACK_SCALE[scale]})"
    try:
        out = _run([PYTHON, str(script), "--scale", str(PACK_SCALE[scale])], env)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"evidence_pack.py failed; its figure is left empty:\n{exc}", file=sys.stderr)
        return _figure(name, None, "s", None)
    # Its growth table: "x1  pages items  CPU: pack ms/page bare ratio  wall: pack bare ratio
    # empty: CPU ratio"; bare is the pack's own text, page for page, set by plain ReportLab
    # in one pass (what the app adds is the ratio); the figure is the wall seconds.
    number = r"\s+[\d.]+"
    row = re.search(
        rf"^\s*x{PACK_SCALE[scale]}{number * 6}\s+([\d.]+)\s+([\d.]+)", out, re.MULTILINE
    )
    if not row:
        print(f"evidence_pack.py printed something unexpected:\n{out}", file=sys.stderr)
        return _figure(name, None, "s", None)
    return _figure(name, float(row.group(1)), "s", float(row.group(2)))  # wall-clock seconds


# ---- report ---------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def verdict(figure: Figure) -> tuple[str, str]:
    goal = GOALS.get(figure.name)
    if figure.value is None:
        return (goal.text if goal else "", "not measured")  # skipped, or not this user's
    if goal is None:
        return ("", "")
    return (goal.text, "meets" if goal.met(figure) else "MISSES")


def table(figures: list[Figure]) -> str:
    lines = [
        "| figure | value | unit | baseline (bare) | ratio | goal | result |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for f in figures:
        goal, result = verdict(f)
        digits = 0 if f.unit in ("ms", "rows", "MB") else 2
        lines.append(
            f"| {f.name} | {_fmt(f.value, digits)} | {f.unit} | {_fmt(f.baseline, digits)} "
            f"| {_fmt(f.ratio, 2)} | {goal} | {result} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["demo", "busy", "stress"], required=True)
    parser.add_argument("--database", metavar="URL")
    parser.add_argument("--json", type=Path, metavar="FILE")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--skip-evidence-pack", action="store_true")
    parser.add_argument(
        "--login",
        choices=["manager.crowley", "psychologist"],
        default="manager.crowley",
        help="who the GUI session signs in as (the psychologist sees every site)",
    )
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="pipe-bench-"))
    env = _env(scratch)
    env["PIPE_BENCH_LOGIN"] = args.login
    os.environ.update(PIPE_APP_HOME=env["PIPE_APP_HOME"])
    try:
        url = prepare_database(args.scale, args.database, env)
        figures = cold_start(url, env, args.repeat)
        figures += gui_session(url, env, args.repeat, scratch)
        figures.append(password_check(url, args.repeat))
        figures.append(backup(url, args.repeat, scratch))
        if args.skip_evidence_pack:
            figures.append(_figure("evidence pack (12 months)", None, "s", None))
        else:
            figures.append(evidence_pack(args.scale, env))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    print(f"\nPIPE Desk benchmarks, scale {args.scale}, signed in as {args.login}, {when}")
    print(table(figures))
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
