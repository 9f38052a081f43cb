"""The ``pipe-app`` entry point (also ``python -m pipe_app``).

With no command (``pipe-app`` or ``pipe-app --database URL``) the desktop app opens straight
away: the sign-in window is drawn before SQLAlchemy, the services and the command modules are
imported (a bad database address is then explained in the app, not on the terminal). Anything
else is the command line in ``pipe_app.cli``.
"""

from __future__ import annotations

import sys

DATABASE_OPTION = "--database"


def desktop_database(argv: list[str]) -> tuple[bool, str | None]:
    """Whether ``argv`` just opens the desktop app, and the database it names (if any)."""
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == DATABASE_OPTION and not argv[1].startswith("-"):
        return True, argv[1]
    if len(argv) == 1 and argv[0].startswith(f"{DATABASE_OPTION}="):
        return True, argv[0].split("=", 1)[1]
    return False, None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    desktop, database = desktop_database(args)
    if not desktop:
        from pipe_app.cli import main as command_line

        return command_line(args)
    try:
        from pipe_app.gui.app import run
    except ImportError as exc:  # e.g. Qt's system libraries are missing
        print(f"pipe-app: the desktop app cannot start: {exc}", file=sys.stderr, flush=True)
        return 1
    return run(database)


if __name__ == "__main__":
    raise SystemExit(main())
