"""`pipe-app` sub-commands for evidence: the evidence pack for an external assessor."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import Any


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def _check_output(path: Path) -> None:
    from pipe_app.cli import Failed

    folder = path.resolve().parent
    if path.is_dir():
        raise Failed(f"{path} is a folder; give a file name such as pack.pdf")
    if not folder.is_dir():
        raise Failed(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise Failed(f"cannot write {path}: permission denied")


def cmd_evidence_pack(args: argparse.Namespace) -> int:
    from pipe_app.cli import Failed, UsageError, open_database, say, system_actor
    from pipe_app.reports.evidence_pack import build_evidence_pack
    from pipe_app.reports.pack_data import choose_framework
    from pipe_app.services.sites import SiteService

    if args.date_to < args.date_from:
        raise UsageError(
            f"the period is empty: --to {args.date_to} is before --from {args.date_from}"
        )
    output = Path(args.output)
    _check_output(output)
    db = open_database(args, must_exist=True)
    try:
        actor = system_actor()
        site = SiteService(db, actor).find_by_name(args.site)
        if site is None:
            known = ", ".join(s.name for s in SiteService(db, actor).rows()) or "none"
            raise Failed(f"there is no site called {args.site!r} (sites: {known})")
        framework = choose_framework(db, actor, site.id, args.framework)
        result = build_evidence_pack(
            db,
            actor,
            site.id,
            args.date_from,
            args.date_to,
            output,
            framework_id=framework.id,
            prepared_by=args.prepared_by,
        )
    finally:
        db.dispose()
    say(
        f"Wrote the evidence pack for {site.name} ({framework.title}, {args.date_from} to "
        f"{args.date_to}) to {result.path.resolve()}: {result.pages} pages, "
        f"{result.evidence_items} evidence items, {result.attachments} attachments."
    )
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add this area's sub-commands."""
    pack = commands.add_parser(
        "evidence-pack",
        parents=[common],
        help="write the evidence pack PDF for a site and period (no resident is named)",
    )
    pack.add_argument("--site", required=True, metavar="NAME", help="the site's name")
    pack.add_argument("--from", dest="date_from", required=True, type=_day, metavar="YYYY-MM-DD")
    pack.add_argument("--to", dest="date_to", required=True, type=_day, metavar="YYYY-MM-DD")
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
