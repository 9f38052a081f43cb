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
from enum import StrEnum
from typing import Any

import pytest
from sqlalchemy import func, select

from pipe_app.domain import GroupFacilitator, GroupSession, KeyWorkSession, Placement
from pipe_app.services import key_work
from pipe_app.services.auth import sign_in
from pipe_app.services.evidence import EvidenceService, EvidenceSort
from pipe_app.services.groups import GroupService, GroupSort
from pipe_app.services.history import AuditTrailService
from pipe_app.services.key_work import KeyWorkService, KeyWorkSort
from pipe_app.services.ordering import Order
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentService, ResidentSort
from pipe_app.services.supervision import SupervisionService, SupervisionSort
from pipe_app.services.training import TrainingService, TrainingSort
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
        "evidence_items",
        "evidence_links",
        "attachments",
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
    resident = _a_placement(db, actor)  # one the actor may see
    return lambda: AuditTrailService(db, actor).history("residents", resident)


def _register(db: Database, actor: Actor) -> Any:
    service = GroupService(db, actor)
    held = next(row for row in service.rows(site_id=_site(actor)) if row.recorded)
    return lambda: service.register(held.id)


def _register_history(db: Database, actor: Actor) -> Any:
    service = GroupService(db, actor)
    held = next(row for row in service.rows(site_id=_site(actor)) if row.recorded)
    return lambda: service.register_history(held.id)


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


def _supervision_filters(actor: Actor) -> dict[str, Any]:
    today = local_today()
    return {"site_id": _site(actor), "from_day": today - timedelta(days=365), "to_day": today}


def _supervision_page(db: Database, actor: Actor) -> Any:
    return SupervisionService(db, actor).rows(**_supervision_filters(actor), limit=200, offset=0)


def _supervision_count(db: Database, actor: Actor) -> Any:
    return SupervisionService(db, actor).count(**_supervision_filters(actor))


def _busiest_facilitator(db: Database, actor: Actor) -> Any:
    """The member of staff who runs the most sessions at the actor's first site."""
    with db.reading() as session:
        return session.scalar(
            select(GroupFacilitator.staff_member_id)
            .join(GroupSession, GroupSession.id == GroupFacilitator.group_session_id)
            .where(GroupSession.site_id == _site(actor))
            .group_by(GroupFacilitator.staff_member_id)
            .order_by(func.count().desc(), GroupFacilitator.staff_member_id)
            .limit(1)
        )


def _groups_page(db: Database, actor: Actor) -> Any:
    """What the Groups list sends: one page and the count, filtered and searched."""
    facilitator = _busiest_facilitator(db, actor)
    filters: dict[str, Any] = {
        "site_id": _site(actor),
        "date_from": local_today() - timedelta(days=90),
        "kind": "socially_creative",
        "facilitator_id": facilitator,
        "search": "a",
    }
    service = GroupService(db, actor)
    return lambda: (service.rows(**filters, limit=200, offset=0), service.count(**filters))


def _groups_all_my_sites(db: Database, actor: Actor) -> Any:
    service = GroupService(db, actor)
    return (service.rows(search="e", limit=200, offset=200), service.count(search="e"))


def _training_filters(actor: Actor) -> dict[str, Any]:
    today = local_today()
    return {
        "site_id": _site(actor),
        "completed_from": today - timedelta(days=365),
        "status": "current",
        "search": "a",
    }


def _training_page(db: Database, actor: Actor) -> Any:
    """What the training records list sends: one page and the count, filtered and searched."""
    service, filters = TrainingService(db, actor), _training_filters(actor)
    return service.rows(**filters, limit=200, offset=0), service.count(**filters)


def _sorted_pages() -> dict[str, Callable[[Database, Actor], Callable[[], Any]]]:
    """A header click: the first page of each list across the user's sites, in each order."""
    services: list[tuple[str, type[Any], type[StrEnum]]] = [
        ("key-work", KeyWorkService, KeyWorkSort),
        ("residents", ResidentService, ResidentSort),
        ("supervision", SupervisionService, SupervisionSort),
        ("group", GroupService, GroupSort),
        ("training", TrainingService, TrainingSort),
        ("evidence", EvidenceService, EvidenceSort),
    ]
    return {
        f"{name} list page sorted by {key.value}": _plain(
            lambda db, a, service=service, key=key: service(db, a).rows(
                order=Order(key, descending=True), limit=200, offset=0
            )
        )
        for name, service, sorts in services
        for key in sorts
    }


def _evidence_page(db: Database, actor: Actor) -> Any:
    """What the Evidence list sends: one page and the count, filtered and searched."""
    filters: dict[str, Any] = {
        "site_id": _site(actor),
        "status": "draft",
        "kind": "minutes",
        "effective_from": local_today() - timedelta(days=365),
        "effective_to": local_today(),
        "search": "a",
    }
    service = EvidenceService(db, actor)
    return (service.rows(**filters, limit=200, offset=0), service.count(**filters))


# Each entry prepares (outside the recording) and returns the call to explain.
PATHS: dict[str, Callable[[Database, Actor], Callable[[], Any]]] = {
    **_sorted_pages(),
    "residents list by site": _plain(lambda db, a: ResidentService(db, a).rows(site_id=_site(a))),
    "key-work list by site and date": _plain(_recent),
    "key work by placement": _key_work_of,
    "key-work count by site": _plain(lambda db, a: KeyWorkService(db, a).count(site_id=_site(a))),
    "group sessions by site and date": _plain(_groups_recent),
    "group list page by facilitator, kind and search": _groups_page,
    "group list page across my sites": _plain(_groups_all_my_sites),
    "evidence list page by site, filters and search": _plain(_evidence_page),
    "evidence count by site": _plain(lambda db, a: EvidenceService(db, a).count(site_id=_site(a))),
    "attendance by session": _register,
    "register history by session": _register_history,
    "audit history by entity": _history,
    "training records page and count by site, date, status and search": _plain(_training_page),
    "training records count across my sites": _plain(lambda db, a: TrainingService(db, a).count()),
    "supervision by site": _plain(lambda db, a: SupervisionService(db, a).rows(site_id=_site(a))),
    "supervision list page by site and date": _plain(_supervision_page),
    "supervision count by site and date": _plain(_supervision_count),
    "supervision search by site": _plain(
        lambda db, a: SupervisionService(db, a).rows(site_id=_site(a), search="review", limit=200)
    ),
    "supervision by site and status": _plain(
        lambda db, a: SupervisionService(db, a).rows(site_id=_site(a), status="signed_off")  # type: ignore[arg-type]
    ),
}


def _sqlite_scans(db: Database, sql: str, params: Any) -> list[str]:
    """Full scans of big tables. A page read along an index in the list's order (``SCAN t
    USING INDEX`` with ``LIMIT``) stops after the page, so it is not one."""
    paged = re.search(r"\bLIMIT\b", sql) is not None
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    found = []
    for row in plan:
        match = re.match(r"SCAN (\w+)( USING (COVERING )?INDEX)?", row[-1])
        if match and match.group(1) in BIG and not (paged and match.group(2)):
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


# A psychologist works at every site: her lists cover every site's sessions, newest first.
EVERY_SITE: dict[str, Call] = {
    "key-work page at every site": lambda db, a: KeyWorkService(db, a).rows(limit=200),
    "group page at every site": lambda db, a: GroupService(db, a).rows(limit=200),
    "supervision page at every site": lambda db, a: SupervisionService(db, a).rows(limit=200),
}


@pytest.mark.parametrize("path", sorted(EVERY_SITE))
def test_newest_first_at_every_site_reads_one_page(planned_db: Database, path: str) -> None:
    db = planned_db
    actor = sign_in(db, "psychologist", "demo-psych-2026")
    assert len(actor.site_ids) > 1
    with recorded(db) as seen:
        EVERY_SITE[path](db, actor)
    explained = [(sql, params) for sql, params in selects(seen) if "LIMIT" in sql]
    assert explained, f"{path}: no page was read"
    scans = _sqlite_scans if db.is_sqlite else _postgres_scans
    problems = {sql: found for sql, params in explained if (found := scans(db, sql, params))}
    assert not problems, f"{path}: full scans {problems}"


# The Residents list across every site: each resident's latest placement is found per
# resident, so the first page in name order walks residents along the name index and stops.
RESIDENTS_EVERY_SITE: dict[str, Call] = {
    "residents page in name order": lambda db, a: ResidentService(db, a).rows(limit=200),
    "residents page in name order, backwards": lambda db, a: ResidentService(db, a).rows(
        order=Order(ResidentSort.NAME, descending=True), limit=200
    ),
    "residents page searched": lambda db, a: ResidentService(db, a).rows(search="mar", limit=200),
}


def _postgres_sorts(db: Database, sql: str, params: Any) -> list[str]:
    """Seq scans, and sorts for the list's order (a page read in index order needs none; a
    subquery sorting one resident's few placements is not one)."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        (plan,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}", params).one()
        conn.rollback()
    found: list[str] = []

    def walk(node: dict[str, Any], in_subplan: bool) -> None:
        kind = node.get("Node Type")
        if kind == "Seq Scan" and node.get("Relation Name") in BIG:
            found.append(f"Seq Scan on {node['Relation Name']}")
        if kind in {"Sort", "Incremental Sort"} and not in_subplan:
            found.append(f"{kind} by {node.get('Sort Key')}")
        for child in node.get("Plans", []):
            walk(child, in_subplan or child.get("Parent Relationship") == "SubPlan")

    walk((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"], False)
    return found


def _sqlite_sorts(db: Database, sql: str, params: Any) -> list[str]:
    """Full scans, and a sort of the whole list for its ORDER BY (a page read along an
    index in the list's order has neither)."""
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    return _sqlite_scans(db, sql, params) + [
        row[-1] for row in plan if row[-1].startswith("USE TEMP B-TREE FOR ORDER BY")
    ]


@pytest.mark.parametrize("path", sorted(RESIDENTS_EVERY_SITE))
def test_residents_page_at_every_site_is_read_in_name_order(
    planned_db: Database, path: str
) -> None:
    db = planned_db
    actor = sign_in(db, "psychologist", "demo-psych-2026")
    assert len(actor.site_ids) > 1
    with recorded(db) as seen:
        rows = RESIDENTS_EVERY_SITE[path](db, actor)
    assert rows, f"{path}: no residents (the test would prove nothing)"
    explained = [(sql, params) for sql, params in selects(seen) if "LIMIT" in sql]
    assert explained, f"{path}: no page was read"
    check = _sqlite_sorts if db.is_sqlite else _postgres_sorts
    problems = {sql: found for sql, params in explained if (found := check(db, sql, params))}
    assert not problems, f"{path}: sorted or scanned {problems}"


def test_residents_count_and_day_at_every_site_use_indexes(planned_db: Database) -> None:
    """Placed on a day: the day's placements are found by site and arrival, not scanned."""
    db = planned_db
    actor = sign_in(db, "psychologist", "demo-psych-2026")
    service = ResidentService(db, actor)
    with recorded(db) as seen:
        service.rows(current_on=local_today(), limit=200)
        service.count(current_on=local_today())
        service.count(site_id=_site(actor), search="a")
    scans = _sqlite_scans if db.is_sqlite else _postgres_scans
    problems = {sql: found for sql, params in selects(seen) if (found := scans(db, sql, params))}
    assert not problems, f"full scans {problems}"


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


@pytest.mark.parametrize("words", ["housing", "zzqx", "ma"])
def test_a_key_work_search_finds_sessions_along_indexes(planned_db: Database, words: str) -> None:
    """The sessions that may match are found along indexes, the notes' trigram index among
    them from three letters (0008); no statement reads every session of the site. When
    they are few the list asks for just those (by one list parameter: ``id_lists``); which
    index then reads them is the planner's to weigh, and at the busy scale it reads those
    sessions by their keys (benchmarks/RESULTS.md)."""
    db = planned_db
    actor = sign_in(db, "manager.crowley", "demo-manager-2026")
    service = KeyWorkService(db, actor)
    with recorded(db) as seen:
        service.rows(site_id=_site(actor), search=words, limit=200)
        service.count(site_id=_site(actor), search=words)
    statements = selects(seen)
    plans = [_plan_text(db, sql, params) for sql, params in statements]
    assert any(_uses_notes_index(db, plan) for plan in plans) == (len(words) >= 3), plans
    scans = _sqlite_scans if db.is_sqlite else _postgres_scans
    read = [f for sql, params in statements for f in scans(db, sql, params) if "key_work" in f]
    assert not read, read
    candidates = "rowid IN (SELECT value" if db.is_sqlite else "key_work_sessions.id = ANY"
    page = next(sql for sql, _params in statements if "LIMIT" in sql and "ORDER BY" in sql)
    assert candidates in page, page


@pytest.mark.parametrize("words", ["m", "an", "mar"])
def test_a_key_work_search_with_many_matches_at_every_site_is_read_in_list_order(
    planned_db: Database, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many matches (more than ``FEW``): the page is read in the list's order, each session
    asked whether it is theirs, and stops when full. At stress scale SQLite started from the
    people found instead, for a psychologist's ten sites, and sorted every session of theirs
    (~1 s for "m", "an" or "x"; 30-40 ms in order). Its plan turns on the data's size and the
    sites, which the test's few rows cannot copy, so on SQLite the statement is checked: it
    may not follow the people's sessions from the lists of them (``+column``), and it takes
    the people already found rather than look through every resident again."""
    monkeypatch.setattr(key_work, "FEW", 0)  # the test's few sessions read as many
    db = planned_db
    actor = sign_in(db, "psychologist", "demo-psych-2026")
    with recorded(db) as seen:
        rows = KeyWorkService(db, actor).rows(search=words, limit=100)
    assert rows, f"no session matches {words!r} (the test would prove nothing)"
    [(sql, params)] = [(sql, p) for sql, p in selects(seen) if "ORDER BY" in sql]  # the page
    if db.is_sqlite:  # the people found are sent as lists, not looked for again
        for column in ("placement_id", "key_worker_id"):
            assert f"(+ key_work_sessions.{column}) IN (SELECT value" in sql, sql
        assert "lower(residents.crn)" not in sql and "lower(staff_members." not in sql, sql
    else:
        assert not _postgres_sorts(db, sql, params)


def _plan_text(db: Database, sql: str, params: Any) -> str:
    with db.engine.connect() as conn:
        if db.is_sqlite:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            return "\n".join(row[-1] for row in rows)
        conn.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {sql}", params).scalars())
        conn.rollback()
        return plan


def _uses_notes_index(db: Database, plan: str) -> bool:
    return ("key_work_notes_index VIRTUAL TABLE" if db.is_sqlite else "_trgm") in plan
