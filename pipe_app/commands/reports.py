"""`pipe-app` sub-commands for reports and for importing training records.

They run as the app itself (the system actor), like the other maintenance commands: whoever
can run them can already open the database file.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from pipe_app.cli import Failed, UsageError, bring_up_to_date, open_database, say, system_actor


def day(text: str) -> date:
    """An argparse type: a date like 2026-03-31."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-03-31") from None


def site_named(db: Any, name: str) -> Any:
    """The id of the site with that name; Failed names the sites there are."""
    from pipe_app.services.sites import SiteService

    site = SiteService(db, system_actor()).find_by_name(name)
    if site is None:
        names = ", ".join(s.name for s in SiteService(db, system_actor()).rows()) or "none yet"
        raise Failed(f"there is no site called {name!r} (sites: {names})")
    return site.id


def _output(path: str, suffixes: tuple[str, ...]) -> Path:
    from pipe_app.reports.produce import place_problem, suffix_problem

    output = Path(path)
    wrong_suffix = suffix_problem(output, suffixes)
    if wrong_suffix is not None and not output.is_dir():
        raise UsageError(f"--output {wrong_suffix}")
    problem = place_problem(output)
    if problem is not None:
        raise Failed(f"--output {problem}")
    return output


def _produce(args: argparse.Namespace, request: Any) -> int:
    from pipe_app.reports.produce import produce

    db = open_database(args, must_exist=True)
    try:
        bring_up_to_date(db)
        produced = produce(db, system_actor(), request(site_named(db, args.site)))
    finally:
        db.dispose()
    say(produced.sentence)
    return 0


def cmd_training_matrix(args: argparse.Namespace) -> int:
    from pipe_app.reports.produce import ReportKind, ReportRequest

    output = _output(args.output, (".csv", ".pdf"))
    return _produce(
        args,
        lambda site_id: ReportRequest(
            ReportKind.TRAINING_MATRIX,
            site_id,
            output,
            job_roles=frozenset(args.role or ()),
            expiring_within_days=args.expiring_days,
        ),
    )


def cmd_supervision(args: argparse.Namespace) -> int:
    from pipe_app.reports.produce import ReportKind, ReportRequest

    output = _output(args.output, (".pdf",))
    if args.to_day < args.from_day:
        raise UsageError("--to must be on or after --from")
    return _produce(
        args,
        lambda site_id: ReportRequest(
            ReportKind.SUPERVISION_SUMMARY, site_id, output, args.from_day, args.to_day
        ),
    )


def cmd_import_training(args: argparse.Namespace) -> int:
    from pipe_app.services.training_import import TrainingImportService

    path = Path(args.file)
    if not path.is_file():
        raise Failed(f"there is no file {path}")
    db = open_database(args, must_exist=True)
    try:
        bring_up_to_date(db)
        service = TrainingImportService(db, system_actor())
        preview = service.preview(path)
        for row in preview.rows:
            if row.error is not None:
                say(f"  line {row.line}: {row.error}")
            elif args.verbose:
                say(f"  line {row.line}: {row.staff_name}, {row.course_name}, {row.completed_on}")
        valid, errors = len(preview.valid), len(preview.errors)
        say(
            f"{path.name}: {len(preview.rows)} rows, {valid} ready to import, {errors} with errors."
        )
        if args.dry_run:
            say("Dry run: nothing was imported.")
            return 0
        if errors and not args.only_valid:
            raise Failed(
                f"{errors} rows have errors; nothing was imported (fix the file, or add "
                "--only-valid to import the other rows)"
            )
        written = service.commit(preview, only_valid=args.only_valid)
    finally:
        db.dispose()
    say(f"Imported {len(written)} training records.")
    return 0


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add this area's sub-commands."""
    from pipe_app.domain.enums import StaffRole

    report = commands.add_parser("report", help="write a report as PDF (or CSV)")
    reports = report.add_subparsers(title="commands", metavar="COMMAND", required=True)

    matrix = reports.add_parser(
        "training-matrix", parents=[common], help="staff against courses, as CSV or PDF"
    )
    matrix.add_argument("--site", required=True, metavar="NAME")
    matrix.add_argument("--output", required=True, metavar="FILE.csv|FILE.pdf")
    matrix.add_argument(
        "--role",
        action="append",
        type=StaffRole,
        choices=list(StaffRole),
        metavar="JOB_ROLE",
        help="only staff in this job role (repeatable): "
        + ", ".join(role.value for role in StaffRole),
    )
    matrix.add_argument(
        "--expiring-days",
        type=int,
        metavar="N",
        help="'expiring' means within N days (default: the site setting, else 60)",
    )
    matrix.set_defaults(handler=cmd_training_matrix)

    supervision = reports.add_parser(
        "supervision", parents=[common], help="supervision compliance summary for a period (PDF)"
    )
    supervision.add_argument("--site", required=True, metavar="NAME")
    supervision.add_argument("--from", dest="from_day", required=True, type=day, metavar="DATE")
    supervision.add_argument("--to", dest="to_day", required=True, type=day, metavar="DATE")
    supervision.add_argument("--output", required=True, metavar="FILE.pdf")
    supervision.set_defaults(handler=cmd_supervision)

    importing = commands.add_parser("import", help="import records from another system")
    imports = importing.add_subparsers(title="commands", metavar="COMMAND", required=True)
    training = imports.add_parser(
        "training", parents=[common], help="training records from a learning system's CSV"
    )
    training.add_argument("file", metavar="FILE.csv")
    training.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    training.add_argument(
        "--only-valid", action="store_true", help="import the good rows even if others fail"
    )
    training.add_argument("--verbose", action="store_true", help="list every row, not only errors")
    training.set_defaults(handler=cmd_import_training)
