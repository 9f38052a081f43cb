"""`pipe-app` sub-commands for evidence: the evidence pack for an external assessor."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_evidence_pack(args: argparse.Namespace) -> int:
    from pipe_app.cli import Failed, UsageError, open_database, say, system_actor
    from pipe_app.commands.reports import site_named
    from pipe_app.reports.pack_data import choose_framework
    from pipe_app.reports.produce import ReportKind, ReportRequest, place_problem, produce

    if args.date_to < args.date_from:
        raise UsageError(
            f"the period is empty: --to {args.date_to} is before --from {args.date_from}"
        )
    output = Path(args.output)
    problem = place_problem(output)
    if problem is not None:
        raise Failed(f"--output {problem}")
    db = open_database(args, must_exist=True)
    try:
        site_id = site_named(db, args.site)
        framework = choose_framework(db, system_actor(), site_id, args.framework)
        produced = produce(
            db,
            system_actor(),
            ReportRequest(
                ReportKind.EVIDENCE_PACK,
                site_id,
                output,
                args.date_from,
                args.date_to,
                framework_id=framework.id,
                prepared_by=args.prepared_by,
            ),
        )
    finally:
        db.dispose()
    say(produced.sentence)
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add this area's sub-commands."""
    from pipe_app.commands.reports import day

    pack = commands.add_parser(
        "evidence-pack",
        parents=[common],
        help="write the evidence pack PDF for a site and period (no resident is named)",
    )
    pack.add_argument("--site", required=True, metavar="NAME", help="the site's name")
    pack.add_argument("--from", dest="date_from", required=True, type=day, metavar="YYYY-MM-DD")
    pack.add_argument("--to", dest="date_to", required=True, type=day, metavar="YYYY-MM-DD")
    pack.add_argument("--output", required=True, metavar="FILE.pdf")
    pack.add_argument(
        "--framework",
        metavar="NAME",
        help="framework name (default: the site's accreditation cycle's framework)",
    )
    pack.add_argument(
        "--prepared-by",
        metavar="NAME",
        default="PIPE Desk (command line)",
        help="who prepared the pack, as shown on the cover",
    )
    pack.set_defaults(handler=cmd_evidence_pack)
