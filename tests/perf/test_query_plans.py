"""The list, filter and search paths use indexes: no full scan of a big table.

Each service call's own SELECTs are captured and explained on the same database. SQLite:
``EXPLAIN QUERY PLAN`` must not ``SCAN`` a big table. PostgreSQL: with sequential scans
priced out (``enable_seqscan = off``, so a tiny table still shows the index it would use),
the plan must have no ``Seq Scan`` on a big table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from pipe_app.domain import KeyWorkSession, Placement, Resident
from pipe_app.services.auth import sign_in
from pipe_app.services.groups import GroupService
from pipe_app.services.history import AuditTrailService
from pipe_app.services.key_work import KeyWorkService
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentService
from pipe_app.services.supervision import SupervisionService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded, selects

BIG = frozenset(
    {
        "residents",
        "placements",
        "key_worker_assignments",
        "key_work_sessions",
        "group_sessions",
        "group_facilitators",
        "attendances",
        "audit_events",
        "supervision_sessions",
        "supervision_supervisees",
        "supervision_actions",
        "training_records",
    }
)
Call = Callable[[Database, Actor], Any]


def _site(actor: Actor) -> Any:
    return sorted(actor.site_ids)[0]


def _a_placement(db: Database, actor: Actor) -> Any:
    with db.reading() as session:
        return session.scalar(
            select(Placement.resident_id).where(Placement.site_id == _site(actor)).limit(1)
        )


def _history(db: Database, actor: Actor) -> Any:
    ResidentService(db, actor).rows(site_id=_site(actor))  # make sure the table is in use
    with db.reading() as session:
        resident = session.scalar(select(Resident.id).limit(1))
    return lambda: AuditTrailService(db, actor).history("residents", resident)


def _register(db: Database, actor: Actor) -> Any:
    service = GroupService(db, actor)
    held = next(row for row in service.rows(site_id=_site(actor)) if row.recorded)
    return lambda: service.register(held.id)


def _key_work_of(db: Database, actor: Actor) -> Any:
    resident = _a_placement(db, actor)
    return lambda: KeyWorkService(db, actor).rows(resident_id=resident)


def _plain(call: Call) -> Callable[[Database, Actor], Any]:
    return lambda db, actor: lambda: call(db, actor)


def _recent(db: Database, actor: Actor) -> Any:
    return KeyWorkService(db, actor).rows(
        site_id=_site(actor), date_from=local_today() - timedelta(days=30), date_to=local_today()
    )


def _groups_recent(db: Database, actor: Actor) -> Any:
    return GroupService(db, actor).rows(
        site_id=_site(actor), date_from=local_today() - timedelta(days=30), date_to=local_today()
    )


# Each entry prepares (outside the recording) and returns the call to explain.
PATHS: dict[str, Callable[[Database, Actor], Callable[[], Any]]] = {
    "residents list by site": _plain(lambda db, a: ResidentService(db, a).rows(site_id=_site(a))),
    "key-work list by site and date": _plain(_recent),
    "key work by placement": _key_work_of,
    "group sessions by site and date": _plain(_groups_recent),
    "attendance by session": _register,
    "audit history by entity": _history,
    "supervision by site": _plain(lambda db, a: SupervisionService(db, a).rows(site_id=_site(a))),
    "supervision by site and status": _plain(
        lambda db, a: SupervisionService(db, a).rows(site_id=_site(a), status="signed_off")  # type: ignore[arg-type]
    ),
}


def _sqlite_scans(db: Database, sql: str, params: Any) -> list[str]:
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    found = []
    for row in plan:
        match = re.match(r"SCAN (\w+)", row[-1])
        if match and match.group(1) in BIG:
            found.append(row[-1])
    return found


def _postgres_scans(db: Database, sql: str, params: Any) -> list[str]:
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).one()
        conn.rollback()
    found: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG:
            found.append(f"Seq Scan on {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    return found


@pytest.fixture
def planned_db(make_db: MakeDb) -> Database:
    return make_db(12)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_full_scan_of_a_big_table(planned_db: Database, path: str) -> None:
    db = planned_db
    actor = sign_in(db, "manager.crowley", "demo-manager-2026")
    call = PATHS[path](db, actor)
    with recorded(db) as seen:
        call()
    explained = selects(seen)
    assert explained, f"{path}: no SELECT was sent"
    scans = _sqlite_scans if db.is_sqlite else _postgres_scans
    problems = {sql: found for sql, params in explained if (found := scans(db, sql, params))}
    assert not problems, f"{path}: full scans {problems}"


def test_the_check_finds_a_full_scan(planned_db: Database) -> None:
    """A filter on a column without an index is reported, so the test above can fail."""
    db = planned_db
    with recorded(db) as seen, db.engine.connect() as conn:
        conn.execute(
            select(KeyWorkSession.id).where(KeyWorkSession.summary == "nothing like this")
        ).all()
    ((sql, params),) = selects(seen)
    scans = _sqlite_scans if db.is_sqlite else _postgres_scans
    assert scans(db, sql, params)
