"""Engine and session factories for the embedded SQLite file or a PostgreSQL site server."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from pipe_app import paths
from pipe_app.storage.change_watch import ChangeWatch

log = logging.getLogger(__name__)

ENV_DATABASE_URL = paths.ENV_DATABASE_URL
BUSY_TIMEOUT_MS = 10_000


class DatabaseUrlError(ValueError):
    """The database address cannot be used."""


def resolve_url(explicit: str | None = None) -> URL:
    """``--database`` wins, then ``PIPE_APP_DATABASE_URL``, then the SQLite file in user data."""
    raw = explicit or os.environ.get(ENV_DATABASE_URL)
    if not raw:
        return make_url(f"sqlite:///{paths.default_database_path()}")
    try:
        url = make_url(raw)
    except ArgumentError:
        raise DatabaseUrlError(
            f"database address {raw!r} is not a URL like sqlite:///FILE "
            "or postgresql+psycopg://user@host/name"
        ) from None
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUrlError(f"database {backend!r} is not supported: use SQLite or PostgreSQL")
    if backend == "postgresql" and url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and url.database in (None, "", ":memory:"):
        raise DatabaseUrlError("an in-memory SQLite database would lose everything: give a file")
    return url


UNICODE_LOWER = "unicode_lower"  # an SQL function on every SQLite connection


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN/SAVEPOINT behave (SQLAlchemy recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit that returned survives a power cut (NORMAL may lose it in WAL mode).
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()
        # SQLite's own lower() and LIKE fold ASCII letters alone: searches for words beyond
        # ASCII lower the column with Python's (services/text_match.py).
        dbapi_connection.create_function(UNICODE_LOWER, 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "close")
    def _on_close(dbapi_connection: Any, _record: Any) -> None:
        # SQLite's advice for connections that come and go: let the planner refresh the
        # statistics of the tables this connection searched, so plans keep up as data grows.
        try:
            dbapi_connection.execute("PRAGMA optimize")
        except sqlite3.Error as exc:  # read-only or busy: the statistics wait for next time
            log.info("PRAGMA optimize skipped: %s", exc)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front, so two desktops never deadlock upgrading a lock.
        immediate = conn.get_execution_options().get("pipe_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def json_text(value: Any) -> str:
    """JSON as the database keeps it: letters beyond ASCII as they are, not as ``\\u00e9``
    escapes, so a search's words find them (migration 0010 rewrote the escaped ones)."""
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, json_serializer=json_text
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, json_serializer=json_text
    )


@dataclass
class Database:
    """One database: its engine and a session factory for reads and one for writes."""

    url: URL
    engine: Engine
    # What this database's schema offers beyond the models, asked once (notes_index).
    features: dict[str, bool] = field(default_factory=dict, init=False, repr=False)
    # Statements built once and kept, by their maker's key (``ResidentService._listed``).
    statements: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.changes = ChangeWatch(self.sqlite_path if self._is_file() else None)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(pipe_write=True), expire_on_commit=False
        )

    @classmethod
    def open(cls, url: str | URL | None = None) -> Database:
        resolved = url if isinstance(url, URL) else resolve_url(url)
        return cls(resolved, make_engine(resolved))

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        return (
            Path(self.url.database).expanduser() if self.is_sqlite and self.url.database else None
        )

    def _is_file(self) -> bool:
        """A plain file path: not ``:memory:``, nor a ``file:`` URI whose options the change
        watch's own connection would not share."""
        return (
            self.sqlite_path is not None
            and str(self.url.database) != ":memory:"
            and "uri" not in self.url.query
        )

    def describe(self) -> str:
        """For the status bar and messages: a file path or a server, never a password."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self, info: dict[str, Any]) -> Iterator[Session]:
        """One transaction for one user action; commits on success, rolls back on error."""
        with self._write(info=info) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.changes.close()
        self.engine.dispose()
