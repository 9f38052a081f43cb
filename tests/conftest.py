"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every test that asks.

PostgreSQL tests use the server at ``PIPE_TEST_POSTGRES_URL`` (default: the local server on
127.0.0.1:5432 as user postgres). Without a server they skip with the reason, unless
``PIPE_TEST_REQUIRE_POSTGRES=1`` (CI sets it), when they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pipe_app.storage.database import Database
from pipe_app.storage.migrations import upgrade

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

POSTGRES_URL = os.environ.get(
    "PIPE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("PIPE_TEST_REQUIRE_POSTGRES") == "1"


def _admin_conninfo() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _postgres_unavailable() -> str | None:
    try:
        with psycopg.connect(_admin_conninfo(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL server at {POSTGRES_URL} ({str(exc).strip().splitlines()[0]})"


class PostgresDatabases:
    """Creates throw-away databases from one migrated template, and drops them."""

    def __init__(self) -> None:
        self.template = f"pipe_test_tmpl_{uuid.uuid4().hex[:10]}"
        self.created: list[str] = []
        self._execute(f'CREATE DATABASE "{self.template}"')
        db = Database.open(self.url_for(self.template))
        try:
            upgrade(db, backup=False)
        finally:
            db.dispose()

    def _execute(self, sql: str) -> None:
        with psycopg.connect(_admin_conninfo(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def url_for(self, name: str) -> str:
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def new(self, *, migrated: bool = True) -> str:
        return self.new_from(self.template if migrated else None)

    def new_from(self, template: str | None) -> str:
        """A new database, copied from ``template`` (which must have no open connections)."""
        name = f"pipe_test_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{template}"' if template else ""
        self._execute(f'CREATE DATABASE "{name}"{clause}')
        self.created.append(name)
        return self.url_for(name)

    def drop_all(self) -> None:
        for name in [*self.created, self.template]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    reason = _postgres_unavailable()
    if reason is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PIPE_TEST_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    try:
        upgrade(db, backup=False)
    finally:
        db.dispose()
    return path


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """User folders (data, logs, backups) inside the test's own temporary folder."""
    home = tmp_path / "home"
    monkeypatch.setenv("PIPE_APP_HOME", str(home))
    monkeypatch.delenv("PIPE_APP_DATABASE_URL", raising=False)
    return home


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on the requested backend."""
    if backend == "postgresql":
        return request.getfixturevalue("postgres").new()  # type: ignore[no-any-return]
    path = tmp_path / "pipe.sqlite3"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database.open(db_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def _world_templates(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, object]]:
    """Worlds are built once per backend (argon2 makes logins slow) and copied per test."""
    return {}


@pytest.fixture
def world(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    _world_templates: dict[str, tuple[str, object]],
) -> Iterator[object]:
    from dataclasses import replace

    from tests.factories import build_world

    if backend not in _world_templates:
        if backend == "postgresql":
            pg: PostgresDatabases = request.getfixturevalue("postgres")
            url = pg.new()
        else:
            folder = request.getfixturevalue("tmp_path_factory").mktemp("world")
            path = folder / "world.sqlite3"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        template_db = Database.open(url)
        built = build_world(template_db)
        template_db.dispose()
        _world_templates[backend] = (url, built)
    url, built = _world_templates[backend]
    if backend == "postgresql":
        pg = request.getfixturevalue("postgres")
        name = make_url(url).database
        copy_url = pg.new_from(name)
    else:
        copy = tmp_path / "world.sqlite3"
        shutil.copyfile(make_url(url).database or "", copy)
        copy_url = f"sqlite:///{copy}"
    database = Database.open(copy_url)
    yield replace(built, db=database)  # type: ignore[type-var]
    database.dispose()
