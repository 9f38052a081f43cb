"""Run Alembic from inside the app: the packaged migrations are the only schema authority."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from pipe_app import paths
from pipe_app.storage.database import Database

log = logging.getLogger(__name__)


def alembic_config(db: Database, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    config.set_main_option(
        "sqlalchemy.url", db.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(paths.migrations_dir()))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def has_user_tables(db: Database) -> bool:
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return bool(names)


def upgrade(db: Database, revision: str = "head", *, backup: bool = True) -> Path | None:
    """Bring the schema to ``revision``; back up an existing SQLite file first if it changes.

    Returns the backup's path when one was taken.
    """
    from pipe_app.storage.backup import backup_database  # avoid a cycle at import

    taken: Path | None = None
    current = current_revision(db)
    target = head_revision() if revision == "head" else revision
    if current == target:
        return None
    if backup and db.is_sqlite and has_user_tables(db):
        stamp = (current or "unversioned")[:12]
        taken = backup_database(db, paths.backup_dir(), label=f"before-upgrade-from-{stamp}")
        log.info("backed up the database before upgrading the schema to %s", taken.name)
    db.features.clear()  # what the schema offers is asked again after the change
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(db, connection), revision)
    if current is not None:
        # An index added to tables that already hold data has no planner statistics yet,
        # and SQLite's planner may pass it by for a worse one until it has.
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    log.info("database schema upgraded from %s to %s", current, target)
    return taken


def downgrade(db: Database, revision: str) -> None:
    db.features.clear()
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(db, connection), revision)
