"""The embedded default and the site server behave as the app relies on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, StatementError

from pipe_app import paths
from pipe_app.domain import AuditEvent, Site
from pipe_app.domain.enums import APType
from pipe_app.services.audit import ACTOR_KEY
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database, DatabaseUrlError, resolve_url
from pipe_app.timeutil import LONDON, format_local, to_local, to_utc

SYSTEM = {ACTOR_KEY: Actor.system()}


def _site(name: str = "Crowley House", code: str = "CH") -> Site:
    return Site(name=name, code=code, ap_type=APType.PIPE, beds=22, address="", settings={})


def test_default_is_a_sqlite_file_in_the_user_data_folder(app_home) -> None:
    url = resolve_url(None)
    assert url.get_backend_name() == "sqlite"
    assert url.database == str(paths.default_database_path())
    assert str(app_home) in url.database


def test_environment_variable_and_flag_select_the_database(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PIPE_APP_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    assert resolve_url(None).database == str(tmp_path / "env.sqlite3")
    assert resolve_url("postgresql://u@db.example/pipe").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("not a url", "is not a URL"),
        ("mysql://x@y/z", "not supported"),
        ("sqlite://", "in-memory"),
    ],
)
def test_unusable_addresses_are_refused_clearly(raw: str, words: str) -> None:
    with pytest.raises(DatabaseUrlError, match=words):
        resolve_url(raw)


def test_sqlite_pragmas(tmp_path) -> None:
    db = Database.open(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with db.engine.connect() as conn:
        values = {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    db.dispose()
    assert values == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 10000,
    }


def test_describe_never_shows_a_password() -> None:
    db = Database.open("postgresql+psycopg://pipe:s3cret@db.example:5432/pipe")
    assert "s3cret" not in db.describe()
    assert "db.example" in db.describe()


def test_times_are_stored_utc_and_come_back_aware(db: Database) -> None:
    with db.writing(SYSTEM) as session:
        site = _site()
        session.add(site)
    with db.reading() as session:
        stored = session.scalars(select(Site)).one()
    assert stored.created_at.tzinfo is UTC
    with db.engine.connect() as conn:
        raw = conn.execute(text("SELECT created_at FROM sites")).scalar_one()
    raw_value = raw if isinstance(raw, datetime) else datetime.fromisoformat(raw)
    assert raw_value.replace(tzinfo=UTC) == stored.created_at  # naive UTC on disk


def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"), db.writing(SYSTEM) as session:
        site = _site()
        site.archived_at = datetime(2026, 1, 1, 12, 0)
        session.add(site)


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 Mar 2026 00:59"),  # GMT, before the change
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 Mar 2026 02:00"),  # BST starts
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "25 Oct 2026 01:59"),  # BST
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25 Oct 2026 01:00"),  # back to GMT
    ],
)
def test_uk_local_time_across_clock_changes(utc: datetime, local: str) -> None:
    assert format_local(utc) == local
    assert to_utc(to_local(utc)) == utc


def test_naive_input_is_read_as_uk_local_time() -> None:
    assert to_utc(datetime(2026, 7, 1, 9, 0)) == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert to_utc(datetime(2026, 12, 1, 9, 0)) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert LONDON.key == "Europe/London"


def test_stale_update_fails_and_never_overwrites(db: Database) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    with db.writing(SYSTEM) as session:
        session.add(_site())
    with db.reading() as session:  # two desktops open the same record
        mine = session.scalars(select(Site)).one()
    with db.reading() as session:
        theirs = session.scalars(select(Site)).one()
    with db.writing(SYSTEM) as session:
        session.add(theirs)
        theirs.beds = 30
    with pytest.raises(StaleDataError), db.writing(SYSTEM) as session:
        session.add(mine)
        mine.beds = 10
    with db.reading() as session:
        stored = session.scalars(select(Site)).one()
    assert (stored.beds, stored.version) == (30, 2)


def test_service_update_with_an_old_version_is_a_conflict(db: Database) -> None:
    from pipe_app.services.errors import ConflictError
    from pipe_app.services.sites import SiteInput, SiteService

    sites = SiteService(db, Actor.system())
    row = sites.create(SiteInput("Kirk Lodge", "KL", APType.PIPE, 26))
    sites.update(row.id, row.version, SiteInput("Kirk Lodge", "KL", APType.PIPE, 27))
    with pytest.raises(ConflictError, match="someone else saved"):
        sites.update(row.id, row.version, SiteInput("Kirk Lodge", "KL", APType.PIPE, 20))
    assert sites.get(row.id).beds == 27


def test_audit_events_are_append_only(db: Database) -> None:
    with db.writing(SYSTEM) as session:
        session.add(_site())
    with db.reading() as session:
        assert session.scalars(select(AuditEvent)).one().entity_type == "sites"
    for statement in ("UPDATE audit_events SET username = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_a_change_without_a_known_user_is_refused(db: Database) -> None:
    with pytest.raises(RuntimeError, match="without a known user"), db.writing({}) as session:
        session.add(_site())
    with db.reading() as session:
        assert session.scalars(select(Site)).all() == []


def test_closing_a_sqlite_connection_refreshes_the_statistics_of_tables_it_searched(
    tmp_path,
) -> None:
    """Plans keep up as the data grows: each connection runs PRAGMA optimize as it closes."""
    import sqlite3

    path = tmp_path / "grows.sqlite3"
    db = Database.open(f"sqlite:///{path}")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (kind INTEGER, body TEXT)"))
        conn.execute(text("CREATE INDEX ix_notes_kind ON notes (kind)"))
        conn.execute(
            text("INSERT INTO notes VALUES (:kind, 'x')"),
            [{"kind": n % 40} for n in range(4000)],
        )
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notes WHERE kind = 3")).scalar() == 100
    db.dispose()
    with sqlite3.connect(path) as raw:
        stats = raw.execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()
    assert ("notes", "ix_notes_kind") in stats
