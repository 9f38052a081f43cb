"""``python -m pipe_app.scale --scale demo|busy|stress --database URL [--seed N] [--today D]``."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from pipe_app.scale.generate import DEFAULT_SEED, NotEmpty, generate_scale
from pipe_app.scale.plans import SCALES
from pipe_app.storage.database import Database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipe_app.scale", description=__doc__)
    parser.add_argument("--scale", choices=["demo", *SCALES], required=True)
    parser.add_argument("--database", metavar="URL", required=True)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    db = Database.open(args.database)
    try:
        if args.scale == "demo":
            from pipe_app.demo import generate, resident_count
            from pipe_app.services.frameworks import FrameworkService
            from pipe_app.services.permissions import Actor
            from pipe_app.storage.migrations import upgrade

            upgrade(db, backup=False)
            if resident_count(db):
                raise NotEmpty(f"the database {db.describe()} already holds residents")
            FrameworkService(db, Actor.system()).install_builtin()
            demo = generate(db, args.seed, today=args.today)
            counts, seconds = demo.counts, demo.seconds
        else:
            summary = generate_scale(
                db, SCALES[args.scale], args.seed, today=args.today, progress=print
            )
            counts, seconds = summary.counts, summary.seconds
    except NotEmpty as exc:
        print(f"pipe_app.scale: {exc}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    for name, count in counts.items():
        print(f"  {name}: {count}")
    print(f"{args.scale} data written in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
