"""Alembic environment for PIPE Desk (used by the app at start and by `alembic` in a checkout)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from pipe_app.domain import Base
from pipe_app.domain.base import UTCDateTime
from pipe_app.storage.database import Database
from pipe_app.storage.notes_index import is_index_object

config = context.config
target_metadata = Base.metadata


def _url() -> str | None:
    """The app passes its URL; the `alembic` command uses PIPE_APP_DATABASE_URL or the default."""
    if config.file_config.has_section(config.config_ini_section):
        return config.get_main_option("sqlalchemy.url")
    return None


def _render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations stay free of app imports: the UTC type is a plain DateTime in the schema."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _include_object(
    obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any
) -> bool:
    """The notes' trigram index (0008) is made by its migration, not from the models."""
    return not (reflected and kind in ("table", "index") and is_index_object(name))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        render_item=_render_item,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(
        url=_url() or str(Database.open(None).url),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    db = Database.open(_url())
    try:
        with db.engine.begin() as conn:
            _run(conn)
    finally:
        db.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
