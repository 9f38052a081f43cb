"""The pack's figures are counted by the database: the same few aggregate statements in one
session for a site with 5 of everything as for 50, however long its history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from pipe_app.domain import Site
from pipe_app.services.derived_figures import DerivedFigureService
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded, selects

MOST = 10  # site, staff, key work, groups, attendance, courses, training, requirements, supervision


def _count(db: Database) -> tuple[int, int, int]:
    """(SELECTs, BEGINs, key-work sessions held) for the first site over the last year."""
    with db.reading() as session:
        site_id = session.scalars(select(Site.id).order_by(Site.name)).first()
    assert site_id is not None
    service = DerivedFigureService(db, Actor.system())
    today = local_today()
    service.figures(site_id, today - timedelta(days=365), today)  # first use may load metadata
    with recorded(db) as seen:
        figures = service.figures(site_id, today - timedelta(days=365), today)
    begins = sum(1 for sql, _ in seen if sql.strip().upper().startswith("BEGIN"))
    held = int(dict(figures[0].numbers)["Sessions held"])
    return len(selects(seen)), begins, held


def test_figures_take_a_few_statements_whatever_the_data(make_db: MakeDb) -> None:
    few, few_begins, few_held = _count(make_db(5))
    many, many_begins, many_held = _count(make_db(50))
    assert many_held > few_held > 0
    assert few == many <= MOST, f"{few} statements for 5 of each, {many} for 50"
    assert few_begins == many_begins <= 1  # one session, not one per figure


def _plan(db: Database, sql: str, params: Any) -> str:
    """The plan as text: SQLite's EXPLAIN QUERY PLAN lines; PostgreSQL's plan, with
    sequential scans priced out so a tiny table still shows the index it would use."""
    with db.engine.connect() as conn:
        if db.is_sqlite:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            return "\n".join(str(row[-1]) for row in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {sql}", params))
        conn.rollback()
        return plan


@pytest.mark.parametrize(
    ("counted", "index"),
    [
        ("FROM key_work_sessions", "ix_key_work_sessions_placement_held"),
        ("FROM attendances", "ix_attendances_session_code"),
    ],
)
def test_held_sessions_and_register_entries_are_counted_from_an_index(
    make_db: MakeDb, counted: str, index: str
) -> None:
    """The key-work and attendance counts test columns the index holds (0009): the plan
    reads index entries only, never the session or register rows (PostgreSQL: once its
    statistics and visibility map are up to date, as autovacuum keeps them)."""
    db = make_db(5)
    if not db.is_sqlite:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"VACUUM ANALYZE {counted.split()[-1]}"
            )
    with db.reading() as session:
        site_id = session.scalars(select(Site.id).order_by(Site.name)).first()
    assert site_id is not None
    today, service = local_today(), DerivedFigureService(db, Actor.system())
    with recorded(db) as seen:
        service.figures(site_id, today - timedelta(days=365), today)
    (sql, params), *others = [(s, p) for s, p in selects(seen) if counted in s]
    assert not others, f"one statement counts {counted}"
    plan = _plan(db, sql, params)
    table = counted.split()[-1]
    if db.is_sqlite:
        assert f"SEARCH {table} USING COVERING INDEX {index} " in plan, plan
    else:
        assert f"Index Only Scan using {index} on {table}" in plan, plan
