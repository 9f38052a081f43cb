"""Key-work sessions on both backends: recording, rules, scoping, locking, audit and who is due."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select

from pipe_app.domain import AuditEvent, KeyWorkSession
from pipe_app.domain.enums import AuditAction, DepartureReason, Role, SessionStatus
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import PlacementInput, ResidentService
from pipe_app.timeutil import local_today, to_utc, utc_now


def at(days_ago: int, hour: int = 14) -> datetime:
    """An aware UTC time on a UK day ``days_ago`` days back."""
    return to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(hour)))


def placement_of(world, resident_id: uuid.UUID) -> uuid.UUID:
    return ResidentService(world.db, world.system).get(resident_id).placement_id


def depart(world, resident_id: uuid.UUID, days_ago: int) -> None:
    service = ResidentService(world.db, world.system)
    p = service.placements(resident_id)[0]
    service.update_placement(
        p.id,
        p.version,
        PlacementInput(
            site_id=p.site_id,
            expected_arrival=p.expected_arrival,
            actual_arrival=p.actual_arrival,
            expected_departure=p.expected_departure,
            actual_departure=local_today() - timedelta(days=days_ago),
            departure_reason=DepartureReason.PLANNED_MOVE_ON,
            sentence_type=p.sentence_type,
            release_type=p.release_type,
            rosh_overall=p.rosh_overall,
        ),
    )


def entry(world, resident_id: uuid.UUID, site: str = "crowley", **changes) -> KeyWorkInput:
    data = KeyWorkInput(
        placement_id=placement_of(world, resident_id),
        key_worker_id=world.staff[(Role.KEY_WORKER, site)].id,
        started_at=at(2),
        topics=("housing", "family contact"),
        resident_voice="I want to see my daughter more.",
        summary="Talked about contact and move-on.",
        next_session_on=local_today() + timedelta(days=5),
    )
    return replace(data, **changes)


def service(world, role: Role = Role.KEY_WORKER, site: str = "crowley") -> KeyWorkService:
    return KeyWorkService(world.db, world.actor(role, site))


def counts(world) -> tuple[int, int]:
    with world.db.reading() as session:
        sessions = session.scalar(select(func.count()).select_from(KeyWorkSession))
        audits = session.scalar(select(func.count()).select_from(AuditEvent))
    return int(sessions or 0), int(audits or 0)


def audit_events(world, entity_id: uuid.UUID) -> list[AuditEvent]:
    with world.db.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.occurred_at)
            )
        )


def test_record_reads_back_with_names_and_is_audited(world):
    rid = world.admit("crowley", given_name="Jo", family_name="Bloggs", crn="C123456")
    row = service(world).record(entry(world, rid, topics=["housing", " housing ", "work"]))

    assert row.resident_name == "Jo Bloggs"
    assert row.crn == "C123456"
    assert row.key_worker_name == world.staff[(Role.KEY_WORKER, "crowley")].full_name
    assert row.site_name == "Crowley House"
    assert row.site_id == world.crowley.id
    assert row.topics == ("housing", "work")
    assert row.duration_minutes == 45
    assert row.status is SessionStatus.COMPLETE
    assert row.session_day == local_today() - timedelta(days=2)
    assert service(world).get(row.id) == row
    assert service(world).rows() == [row]
    assert service(world).count() == 1

    [created] = audit_events(world, row.id)
    assert created.action is AuditAction.CREATE
    assert created.username == "key_worker_crowley"
    assert created.site_id == world.crowley.id
    assert created.changes["summary"] == {"before": None, "after": row.summary}


def test_each_rule_names_its_field_and_writes_nothing(world):
    rid = world.admit("crowley", arrival_days_ago=10)
    gone = world.admit("crowley", arrival_days_ago=20)
    depart(world, gone, days_ago=5)
    kirk_worker = world.staff[(Role.KEY_WORKER, "kirk")].id
    cases = {
        "started_at": dict(started_at=utc_now() + timedelta(hours=2)),
        "duration_minutes": dict(duration_minutes=4),
        "dna_reason": dict(did_not_attend=True, dna_reason="  "),
        "escalation_note": dict(risk_concern=True),
        "next_session_on": dict(next_session_on=local_today() - timedelta(days=2)),
        "key_worker_id": dict(key_worker_id=kirk_worker),
        "placement_id": dict(placement_id=uuid.uuid4()),
        "status": dict(status="finished"),
        "topics": dict(topics="not a list"),
    }
    before = counts(world)
    for field, changes in cases.items():
        with pytest.raises(ValidationError) as caught:
            service(world).record(entry(world, rid, **changes))
        assert caught.value.fields == [field], field
    with pytest.raises(ValidationError) as caught:
        service(world).record(entry(world, rid, duration_minutes=481))
    assert caught.value.fields == ["duration_minutes"]
    with pytest.raises(ValidationError) as caught:
        service(world).record(entry(world, rid, started_at=at(12)))
    assert caught.value.fields == ["started_at"]
    assert "before the resident arrived" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        service(world).record(entry(world, gone, started_at=at(3)))
    assert "after the resident left" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        service(world).record(entry(world, rid, started_at=datetime(2020, 1, 1, 12)))
    assert caught.value.fields == ["started_at"]
    assert counts(world) == before

    # All problems at once, for a form to show together.
    with pytest.raises(ValidationError) as caught:
        service(world).record(entry(world, rid, duration_minutes=0, risk_concern=True))
    assert set(caught.value.fields) == {"duration_minutes", "escalation_note"}

    # The valid forms of the same rules are accepted.
    ok = service(world).record(
        entry(
            world,
            gone,
            started_at=at(6),
            did_not_attend=True,
            dna_reason="At a probation appointment",
            risk_concern=True,
            escalation_note="Told the duty manager",
            duration_minutes=5,
            next_session_on=local_today() - timedelta(days=5),
        )
    )
    assert ok.did_not_attend and ok.risk_concern


def test_archived_resident_placement_is_not_live(world):
    rid = world.admit("crowley")
    data = entry(world, rid)
    residents = ResidentService(world.db, world.system)
    residents.archive(rid, residents.get(rid).version)
    with pytest.raises(ValidationError) as caught:
        service(world).record(data)
    assert caught.value.fields == ["placement_id"]


def test_key_worker_must_be_employed_on_the_day(world):
    from pipe_app.services.staff import StaffInput, StaffService

    staff = StaffService(world.db, world.system)
    newcomer = staff.create(
        StaffInput(
            "New",
            "Starter",
            "residential_worker",
            local_today() - timedelta(days=1),
            frozenset({world.crowley.id}),
        )
    )
    rid = world.admit("crowley")
    with pytest.raises(ValidationError) as caught:
        service(world).record(entry(world, rid, key_worker_id=newcomer.id, started_at=at(3)))
    assert caught.value.fields == ["key_worker_id"]


def test_kirk_key_worker_can_neither_read_nor_write_crowley(world):
    crowley_resident = world.admit("crowley")
    kirk_resident = world.admit("kirk")
    row = service(world).record(entry(world, crowley_resident))
    kirk_row = service(world, site="kirk").record(entry(world, kirk_resident, "kirk"))
    kirk = service(world, site="kirk")
    before = counts(world)

    with pytest.raises(PermissionDenied):
        kirk.record(entry(world, crowley_resident, "kirk"))
    with pytest.raises(PermissionDenied):
        kirk.update(row.id, row.version, entry(world, crowley_resident, summary="changed"))
    with pytest.raises(PermissionDenied):
        kirk.archive(row.id, row.version)
    with pytest.raises(PermissionDenied):
        service(world).update(kirk_row.id, kirk_row.version, entry(world, crowley_resident))
    # Nor can a Crowley session be moved onto a Kirk placement.
    with pytest.raises(PermissionDenied):
        service(world).update(row.id, row.version, entry(world, kirk_resident, "kirk"))
    assert counts(world) == before

    assert [r.id for r in kirk.rows()] == [kirk_row.id]
    assert kirk.count() == 1
    assert kirk.rows(resident_id=crowley_resident) == []
    with pytest.raises(PermissionDenied):
        kirk.rows(site_id=world.crowley.id)
    with pytest.raises(PermissionDenied):
        kirk.count(site_id=world.crowley.id)
    with pytest.raises(NotFound):
        kirk.get(row.id)
    with pytest.raises(PermissionDenied):
        kirk.due(world.crowley.id, local_today())


def test_administrators_cannot_read_or_write_key_work(world):
    rid = world.admit("crowley")
    row = service(world).record(entry(world, rid))
    admin = service(world, Role.ADMINISTRATOR)
    for call in (
        admin.rows,
        admin.count,
        lambda: admin.get(row.id),
        lambda: admin.due(world.crowley.id, local_today()),
        lambda: admin.record(entry(world, rid)),
        lambda: admin.update(row.id, row.version, entry(world, rid)),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_update_audits_before_and_after(world):
    rid = world.admit("crowley")
    mine = service(world)
    row = mine.record(entry(world, rid, status=SessionStatus.DRAFT))
    manager = service(world, Role.MANAGER)
    updated = manager.update(
        row.id, row.version, entry(world, rid, summary="Fuller summary", duration_minutes=60)
    )
    assert updated.version == row.version + 1
    assert updated.summary == "Fuller summary"
    assert updated.status is SessionStatus.COMPLETE

    change = audit_events(world, row.id)[-1]
    assert change.action is AuditAction.UPDATE
    assert change.username == "manager_crowley"
    assert change.changes["summary"] == {"before": row.summary, "after": "Fuller summary"}
    assert change.changes["duration_minutes"] == {"before": 45, "after": 60}
    assert change.changes["status"] == {"before": "draft", "after": "complete"}
    assert "topics" not in change.changes  # unchanged fields are not logged


def test_stale_update_conflicts_and_writes_nothing(world):
    rid = world.admit("crowley")
    row = service(world).record(entry(world, rid))
    service(world).update(row.id, row.version, entry(world, rid, summary="First"))
    before = counts(world)
    with pytest.raises(ConflictError):
        service(world, Role.MANAGER).update(row.id, row.version, entry(world, rid, summary="Lost"))
    with pytest.raises(ConflictError):
        service(world).archive(row.id, row.version)
    assert counts(world) == before
    assert service(world).get(row.id).summary == "First"


def test_failed_update_writes_nothing(world):
    rid = world.admit("crowley")
    row = service(world).record(entry(world, rid))
    before = counts(world)
    with pytest.raises(ValidationError) as caught:
        service(world).update(row.id, row.version, entry(world, rid, summary="x" * 8001))
    assert caught.value.fields == ["summary"]
    assert counts(world) == before
    assert service(world).get(row.id) == row


def test_archive_hides_the_session_and_is_audited(world):
    rid = world.admit("crowley")
    row = service(world).record(entry(world, rid))
    service(world).archive(row.id, row.version)
    assert service(world).rows() == []
    with pytest.raises(NotFound):
        service(world).get(row.id)
    with pytest.raises(NotFound):
        service(world).archive(row.id, row.version + 1)
    assert audit_events(world, row.id)[-1].action is AuditAction.ARCHIVE


def test_filters_search_paging_and_newest_first(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer", crn="A111111")
    bea = world.admit("crowley", given_name="Beatrice", family_name="Baker", crn="B222222")
    manager = world.staff[(Role.MANAGER, "crowley")]
    manager_staff = manager.id
    svc = service(world)
    old = svc.record(entry(world, ann, started_at=at(20), topics=["employment"]))
    mid = svc.record(
        entry(
            world,
            bea,
            started_at=at(10),
            key_worker_id=manager_staff,
            summary="Planned the allotment.",
        )
    )
    new = svc.record(entry(world, ann, started_at=at(1), status="draft", next_session_on=None))

    assert [r.id for r in svc.rows()] == [new.id, mid.id, old.id]
    assert [r.id for r in svc.rows(limit=2, offset=1)] == [mid.id, old.id]
    assert [r.id for r in svc.rows(resident_id=ann)] == [new.id, old.id]
    assert [r.id for r in svc.rows(key_worker_id=manager_staff)] == [mid.id]
    assert [r.id for r in svc.rows(site_id=world.crowley.id, status="draft")] == [new.id]
    window = dict(
        date_from=local_today() - timedelta(days=10), date_to=local_today() - timedelta(days=1)
    )
    assert [r.id for r in svc.rows(**window)] == [new.id, mid.id]
    assert svc.count(**window) == 2
    assert [r.id for r in svc.rows(date_to=local_today() - timedelta(days=11))] == [old.id]
    assert [r.id for r in svc.rows(search="b222")] == [mid.id]
    assert [r.id for r in svc.rows(search="ARCHER")] == [new.id, old.id]
    assert [r.id for r in svc.rows(search="employ")] == [old.id]
    assert svc.rows(search="100%") == []
    assert svc.count(search="archer", status=SessionStatus.COMPLETE) == 1
    # The resident's given name, the key worker's names and the summary are searched too.
    assert [r.id for r in svc.rows(search="beatri")] == [mid.id]
    assert [r.id for r in svc.rows(search=manager.family_name.upper())] == [mid.id]
    assert [r.id for r in svc.rows(search="ALLOTMENT")] == [mid.id]
    assert svc.count(search="allotment") == 1


def test_due_shows_last_session_next_due_and_overdue(world):
    today = local_today()
    never = world.admit("crowley", given_name="Never", arrival_days_ago=30)
    recent = world.admit("crowley", given_name="Recent", arrival_days_ago=30)
    missed = world.admit("crowley", given_name="Missed", arrival_days_ago=20)
    drafted = world.admit("crowley", given_name="Drafted", arrival_days_ago=3)
    gone = world.admit("crowley", given_name="Gone", arrival_days_ago=40)
    depart(world, gone, days_ago=1)
    world.admit("kirk", given_name="Elsewhere")
    svc = service(world)
    svc.record(entry(world, recent, started_at=at(12)))
    svc.record(entry(world, recent, started_at=at(2)))
    svc.record(entry(world, missed, started_at=at(1), did_not_attend=True, dna_reason="Out"))
    svc.record(entry(world, drafted, started_at=at(1), status="draft"))
    archived = svc.record(entry(world, missed, started_at=at(1)))
    svc.archive(archived.id, archived.version)

    rows = {row.resident_id: row for row in svc.due(world.crowley.id, today)}
    assert set(rows) == {never, recent, missed, drafted}
    assert rows[never].last_session_on is None
    assert rows[never].next_due_on == today - timedelta(days=23)
    assert rows[never].days_overdue == 23 and rows[never].overdue
    assert rows[recent].last_session_on == today - timedelta(days=2)
    assert rows[recent].next_due_on == today + timedelta(days=5)
    assert rows[recent].days_overdue == 0 and not rows[recent].overdue
    assert rows[missed].last_session_on is None  # did not attend: does not count
    assert rows[missed].days_overdue == 13
    assert rows[drafted].last_session_on is None  # a draft does not count
    assert rows[drafted].next_due_on == today + timedelta(days=4)
    assert rows[never].key_worker_name == world.staff[(Role.KEY_WORKER, "crowley")].full_name
    assert rows[never].crn and rows[never].resident_name == "Never Example"
    # Most overdue first.
    assert [r.resident_id for r in svc.due(world.crowley.id, today)][:2] == [never, missed]

    # Looking back: sessions after that day are not counted; Gone was still placed then.
    earlier = {r.resident_id: r for r in svc.due(world.crowley.id, today - timedelta(days=5))}
    assert gone in earlier
    assert earlier[recent].last_session_on == today - timedelta(days=12)


def test_due_uses_the_site_frequency_and_a_fixed_number_of_queries(world):
    for _ in range(2):
        world.admit("kirk", arrival_days_ago=20)
    kirk = service(world, site="kirk")

    statements: list[str] = []

    def count_statement(*args) -> None:
        statements.append(args[2])

    event.listen(world.db.engine, "before_cursor_execute", count_statement)
    try:
        few = kirk.due(world.kirk.id, local_today())
        small = len(statements)
        for _ in range(4):
            world.admit("kirk", arrival_days_ago=20)
        statements.clear()
        many = kirk.due(world.kirk.id, local_today())
        assert len(statements) == small
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count_statement)
    assert (len(few), len(many)) == (2, 6)
    assert all(row.next_due_on == local_today() - timedelta(days=6) for row in many)
    assert all(row.days_overdue == 6 for row in many)


def test_due_for_a_day_with_nobody_placed(world):
    assert service(world).due(world.crowley.id, date(2001, 1, 1)) == []


def test_due_for_one_key_worker_lists_only_their_residents(world):
    today = local_today()
    placed = {world.admit("crowley", arrival_days_ago=10) for _ in range(2)}
    worker = world.staff[(Role.KEY_WORKER, "crowley")].id
    manager = world.staff[(Role.MANAGER, "crowley")].id
    svc = service(world)
    assert {row.resident_id for row in svc.due(world.crowley.id, today)} == placed
    theirs = svc.due(world.crowley.id, today, key_worker_id=worker)
    assert {row.resident_id for row in theirs} == placed
    assert all(row.key_worker_id == worker for row in theirs)
    assert svc.due(world.crowley.id, today, key_worker_id=manager) == []
