"""The `pipe-app` command. With no sub-command it opens the desktop app.

Expected failures (a database that cannot be reached or is not a database, a bad backup, a
refused input) print one line starting ``pipe-app:`` and exit 1; bad arguments exit 2.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sqlalchemy.exc import DatabaseError, IntegrityError

from pipe_app import __version__
from pipe_app.logs import setup_logging
from pipe_app.services.errors import PipeError
from pipe_app.services.permissions import Actor
from pipe_app.storage.backup import BackupError
from pipe_app.storage.database import DatabaseUrlError, resolve_url

if TYPE_CHECKING:
    from pipe_app.storage.database import Database

log = logging.getLogger(__name__)
PROG = "pipe-app"
EXIT_FAILED, EXIT_USAGE = 1, 2


class UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


class Failed(Exception):
    """An expected failure with a sentence to show (exit 1)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def say(text: str = "") -> None:
    print(text, flush=True)


def _where(raw: str | None) -> str:
    """The database as messages name it: a file path or a server, never a password."""
    try:
        url = resolve_url(raw)
    except DatabaseUrlError:
        return raw or "?"
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def open_database(args: argparse.Namespace, *, must_exist: bool = False) -> Database:
    """The database; ``must_exist`` refuses a SQLite file that is not there (not create it)."""
    from pipe_app.storage.database import Database

    db = Database.open(args.database)
    if must_exist and db.sqlite_path is not None and not db.sqlite_path.is_file():
        raise Failed(f"there is no database file {db.sqlite_path}")
    return db


def system_actor() -> Actor:
    return Actor.system()


# ---- database schema --------------------------------------------------------------------


def bring_up_to_date(db: Database) -> None:
    from pipe_app.storage.migrations import current_revision, head_revision, upgrade

    before, head = current_revision(db), head_revision()
    if before == head:
        say(f"Database {db.describe()} is up to date (schema {head}).")
        return
    taken = upgrade(db)
    if taken is not None:
        say(f"Backed up the database first to {taken}.")
    if before is None:
        say(f"Created the database {db.describe()} (schema {head}).")
    else:
        say(f"Upgraded the database {db.describe()} from schema {before} to {head}.")
    log.info("schema brought from %s to %s", before, head)


def _install_framework(db: Database) -> None:
    """The built-in Enabling Environments standards (once; later calls change nothing)."""
    from pipe_app.services.frameworks import FrameworkService

    row = FrameworkService(db, system_actor()).install_builtin()
    say(f"Framework: {row.title} is installed.")


# ---- frameworks -------------------------------------------------------------------------


def cmd_frameworks_import(args: argparse.Namespace) -> int:
    from pipe_app.services.frameworks import FrameworkService

    db = open_database(args, must_exist=True)
    try:
        bring_up_to_date(db)
        row = FrameworkService(db, system_actor()).import_file(Path(args.file))
    finally:
        db.dispose()
    say(f"Imported {row.title}: {row.standard_count} standards, {row.criterion_count} criteria.")
    return 0


def cmd_frameworks_list(args: argparse.Namespace) -> int:
    from pipe_app.services.frameworks import FrameworkService

    db = open_database(args, must_exist=True)
    try:
        rows = FrameworkService(db, system_actor()).rows()
    finally:
        db.dispose()
    for row in rows:
        say(f"{row.title}: {row.standard_count} standards, {row.criterion_count} criteria")
    return 0


# ---- init -------------------------------------------------------------------------------


def _site_spec(text: str) -> tuple[str, str, int]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3 or not parts[2].isdigit():
        raise argparse.ArgumentTypeError(f'{text!r} is not like "Name,CODE,beds"')
    return parts[0], parts[1], int(parts[2])


def _read_password_file(path: str) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Failed(f"cannot read the password file {path}: {reason}") from None
    return text.splitlines()[0] if text else ""


def _admin_from_flags(args: argparse.Namespace) -> tuple[str, str, str] | None:
    given = [args.admin_username, args.admin_name, args.admin_password_file]
    if not any(given) and not args.admin_password_stdin:
        return None
    if not args.admin_username or not args.admin_name:
        raise UsageError("--admin-username and --admin-name go together with a password option")
    if args.admin_password_file and args.admin_password_stdin:
        raise UsageError("give --admin-password-file or --admin-password-stdin, not both")
    if args.admin_password_file:
        password = _read_password_file(args.admin_password_file)
    elif args.admin_password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        raise UsageError("give the password with --admin-password-file or --admin-password-stdin")
    return args.admin_username, args.admin_name, password


def _admin_from_prompts() -> tuple[str, str, str]:
    from pipe_app.services.auth import check_password_strength

    say("The database has no users yet: create the first administrator.")
    username = input("Username: ").strip()
    display = input("Full name: ").strip()
    for _ in range(3):
        password = getpass.getpass("Password (at least 10 characters): ")
        try:
            check_password_strength(password)
        except PipeError as exc:
            say(f"  {exc}")
            continue
        if getpass.getpass("Password again: ") == password:
            return username, display, password
        say("  The two passwords differ; try again.")
    raise Failed("no administrator was created: the password was not confirmed")


def _create_admin(db: Database, username: str, display: str, password: str) -> None:
    from pipe_app.domain.enums import Role
    from pipe_app.services.users import UserInput, UserService

    UserService(db, Actor.system()).create(
        UserInput(username, display, frozenset({Role.ADMINISTRATOR})), password
    )
    say(f"Administrator {username.strip().lower()} created.")


def _create_sites(db: Database, specs: list[tuple[str, str, int]]) -> None:
    from pipe_app.domain.enums import APType
    from pipe_app.services.sites import SiteInput, SiteService

    sites = SiteService(db, Actor.system())
    for name, code, beds in specs:
        if sites.find_by_name(name) is not None:
            say(f"Site {name} already exists; left as it is.")
            continue
        row = sites.create(SiteInput(name, code, APType.PIPE, beds))
        say(f"Site {row.name} ({row.code}, {row.beds} beds) created.")


def cmd_init(args: argparse.Namespace) -> int:
    from pipe_app.services.auth import has_users

    admin = _admin_from_flags(args)
    db = open_database(args)
    try:
        bring_up_to_date(db)
        _install_framework(db)
        if not has_users(db):
            if admin is None:
                if not sys.stdin.isatty():
                    raise UsageError(
                        "the database has no users yet: give --admin-username, --admin-name and "
                        "--admin-password-file (or --admin-password-stdin), or run in a terminal"
                    )
                admin = _admin_from_prompts()
            _create_admin(db, *admin)
        elif admin is not None:
            say("The database already has users; no administrator was created.")
        _create_sites(db, args.site or [])
    finally:
        db.dispose()
    return 0


# ---- demo -------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from pipe_app.demo import DEMO_LOGINS, generate, resident_count

    db = open_database(args)
    try:
        bring_up_to_date(db)
        _install_framework(db)
        residents = resident_count(db)
        if residents and not args.force:
            raise Failed(
                f"the database {db.describe()} already holds {residents} residents; demo data "
                "is for an empty database (add --force to add it alongside them)"
            )
        say(f"Writing demo data (seed {args.seed}); every person in it is fictional.")
        summary = generate(db, args.seed, progress=lambda phase: say(f"  {phase}"))
    finally:
        db.dispose()
    say(f"Done in {summary.seconds:.1f} s:")
    for name, count in summary.counts.items():
        say(f"  {name.replace('_', ' ')}: {count}")
    for note in summary.notes:
        say(f"  note: {note}")
    say()
    say("Demo sign-ins (for a demo database only):")
    for login in DEMO_LOGINS:
        role = login.role.value.replace("_", " ")
        say(f"  {login.username:<20} {login.password:<20} {role}, {login.where}")
    return 0


# ---- db ---------------------------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    db = open_database(args)
    try:
        bring_up_to_date(db)
    finally:
        db.dispose()
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    from pipe_app.storage.migrations import current_revision, head_revision

    db = open_database(args, must_exist=True)
    try:
        current = current_revision(db)
    finally:
        db.dispose()
    head = head_revision()
    say(f"database: {db.describe()}")
    say(f"current:  {current or 'none (no PIPE Desk schema yet)'}")
    say(f"head:     {head}")
    if current != head:
        say("Run `pipe-app db upgrade` to bring the database up to date.")
    return 0


# ---- backup and restore -----------------------------------------------------------------


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


def cmd_backup(args: argparse.Namespace) -> int:
    from pipe_app.services.backups import BackupService
    from pipe_app.storage.migrations import current_revision, head_revision

    db = open_database(args, must_exist=True)
    try:
        current, head = current_revision(db), head_revision()
        if current is None:
            raise Failed(f"the database {db.describe()} holds no PIPE Desk data to back up")
        if current != head:
            raise Failed(
                f"the database is at schema {current} but this PIPE Desk expects {head}: "
                "run `pipe-app db upgrade` first"
            )
        report = BackupService(db, system_actor()).back_up(Path(args.file))
    finally:
        db.dispose()
    say(
        f"Backed up {db.describe()} to {report.path.resolve()}: {report.tables} tables, "
        f"{report.rows} rows, {_size(report.size_bytes)} (verified)."
    )
    log.info("backup written: %d tables, %d rows", report.tables, report.rows)
    return 0


def _confirm_restore(db: Database, path: Path) -> bool:
    if not sys.stdin.isatty():
        raise UsageError("restore replaces the whole database: add --yes to confirm")
    say(f"This replaces everything in {db.describe()} with the backup {path}.")
    say("A safety backup of the current data is taken first.")
    return input("Type yes to restore: ").strip().lower() == "yes"


def cmd_restore(args: argparse.Namespace) -> int:
    from pipe_app.services.backups import BackupService
    from pipe_app.storage.backup import check_backup_file

    path = Path(args.file)
    check_backup_file(path)
    db = open_database(args)
    try:
        if not args.yes and not _confirm_restore(db, path):
            raise Failed("restore cancelled; nothing was changed")
        report = BackupService(db, system_actor()).restore(path)
    finally:
        db.dispose()
    say(
        f"Restored {path.resolve()} into {db.describe()}: {report.tables} tables, "
        f"{report.rows} rows, {_size(report.size_bytes)} (verified)."
    )
    if report.safety_copy is not None:
        say(f"The data it replaced is kept in {report.safety_copy}.")
    log.info("backup restored: %d tables, %d rows", report.tables, report.rows)
    return 0


# ---- the desktop app --------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    resolve_url(args.database)  # a bad address fails here, in one line, before Qt starts
    try:
        app = importlib.import_module("pipe_app.gui.app")
    except ImportError as exc:
        log.exception("the desktop app cannot start")
        raise Failed(f"the desktop app cannot start: {exc}") from None
    run: Callable[[str | None], int] = app.run
    return run(args.database)


# ---- the command line -------------------------------------------------------------------


def _parser() -> _Parser:
    database_help = (
        "sqlite:///FILE or postgresql+psycopg://user@host/name (default: "
        "$PIPE_APP_DATABASE_URL, else the PIPE Desk file in your user data folder)"
    )
    parser = _Parser(
        prog=PROG,
        description="PIPE Desk: key work, groups, training, supervision and evidence "
        "for PIPE Approved Premises. With no command, opens the desktop app.",
    )
    parser.add_argument("--database", metavar="URL", help=database_help)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(handler=cmd_gui)
    common = _Parser(add_help=False)
    common.add_argument("--database", metavar="URL", default=argparse.SUPPRESS, help=database_help)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser(
        "init", parents=[common], help="create or upgrade the database and its first administrator"
    )
    init.add_argument("--admin-username", metavar="NAME")
    init.add_argument("--admin-name", metavar="FULL_NAME", help="the administrator's full name")
    init.add_argument("--admin-password-file", metavar="FILE", help="first line is the password")
    init.add_argument(
        "--admin-password-stdin", action="store_true", help="read the password from stdin"
    )
    init.add_argument(
        "--site",
        action="append",
        type=_site_spec,
        metavar='"Name,CODE,beds"',
        help="create a PIPE site (repeatable)",
    )
    init.set_defaults(handler=cmd_init)

    demo = commands.add_parser(
        "demo", parents=[common], help="fill the database with 18 months of fictional demo data"
    )
    demo.add_argument("--seed", type=int, default=2026, help="same seed, same data (default 2026)")
    demo.add_argument(
        "--force", action="store_true", help="add demo data even if there are residents"
    )
    demo.set_defaults(handler=cmd_demo)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    db_commands.add_parser(
        "upgrade", parents=[common], help="upgrade the schema (backs up SQLite first)"
    ).set_defaults(handler=cmd_db_upgrade)
    db_commands.add_parser(
        "current", parents=[common], help="show the current and the newest schema revision"
    ).set_defaults(handler=cmd_db_current)

    frameworks = commands.add_parser("frameworks", help="standards and criteria to evidence")
    framework_commands = frameworks.add_subparsers(
        title="commands", metavar="COMMAND", required=True
    )
    framework_import = framework_commands.add_parser(
        "import", parents=[common], help="add a criteria set from a YAML or CSV file"
    )
    framework_import.add_argument("file", metavar="FILE")
    framework_import.set_defaults(handler=cmd_frameworks_import)
    framework_commands.add_parser(
        "list", parents=[common], help="list the frameworks and their versions"
    ).set_defaults(handler=cmd_frameworks_list)

    backup = commands.add_parser(
        "backup", parents=[common], help="write a verified backup file (or into a folder)"
    )
    backup.add_argument("file", metavar="FILE")
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser(
        "restore", parents=[common], help="replace the database with a backup"
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(handler=cmd_restore)

    from pipe_app.commands import MODULES

    for name in MODULES:
        importlib.import_module(name).register(commands, common)
    return parser


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _database_problem(exc: DatabaseError, where: str) -> str:
    detail = str(exc.orig) if exc.orig is not None else str(exc)
    first = next((line.strip() for line in detail.splitlines() if line.strip()), "unknown error")
    return f"cannot use the database {where}: {first}"


def _fail(message: str) -> None:
    log.warning("command failed: %s", message)
    print(f"{PROG}: {_one_line(message)}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    where = "?"
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        where = _where(args.database)
        handler: Callable[[argparse.Namespace], int] = args.handler
        log.info("pipe-app %s: %s", __version__, handler.__name__)
        return handler(args)
    except UsageError as exc:
        _fail(f"{exc} (see {PROG} --help)")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _fail("interrupted")
        return 130
    except EOFError:
        _fail("no answer was given (input ended)")
        return EXIT_FAILED
    except IntegrityError:
        log.exception("unexpected database error")
        raise
    except DatabaseError as exc:
        _fail(_database_problem(exc, where))
        return EXIT_FAILED
    except (Failed, PipeError, BackupError, DatabaseUrlError) as exc:
        _fail(str(exc))
        return EXIT_FAILED
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return EXIT_FAILED
    except Exception as exc:
        from alembic.util.exc import CommandError  # imported late: alembic is slow to load

        if isinstance(exc, CommandError):  # e.g. a database from a newer PIPE Desk
            _fail(f"cannot use the database {where}: {exc} (made by a newer PIPE Desk?)")
            return EXIT_FAILED
        log.exception("unexpected error")
        raise
