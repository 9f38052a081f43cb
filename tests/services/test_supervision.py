"""Supervision on both backends: drafts, the workflow, who may act, the lock and requirements."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Uuid, bindparam, func, select, text
from sqlalchemy.exc import DBAPIError

from pipe_app.domain import SupervisionAction, SupervisionSession
from pipe_app.domain.enums import Role, StaffRole, SupervisionKind, SupervisionStatus
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.services.supervision import (
    ActionInput,
    LockedError,
    StateError,
    SupervisionInput,
    SupervisionService,
)
from pipe_app.storage.migrations import downgrade, upgrade
from pipe_app.timeutil import local_today, to_utc, utc_now

KW, MGR, PSY = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST


def at(days_ago: int, hour: int = 10) -> datetime:
    return to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(hour)))


def service(world, role: Role = PSY, site: str = "crowley") -> SupervisionService:
    return SupervisionService(world.db, world.actor(role, site))


def staff(world, role: Role, site: str = "crowley") -> uuid.UUID:
    return world.staff[(role, site)].id


def entry(world, **changes) -> SupervisionInput:
    """Crowley's psychologist supervises Crowley's key worker."""
    data = SupervisionInput(
        site_id=world.crowley.id,
        kind=SupervisionKind.INDIVIDUAL_CLINICAL,
        supervisor_id=staff(world, PSY),
        supervisee_ids=(staff(world, KW),),
        started_at=at(3),
        duration_minutes=60,
        themes=("boundaries", "splitting"),
        cases_discussed=("X123456", "y654321"),
        summary="Reflected on a difficult handover.",
        risk_ethical_issues="None new.",
        development_needs="KUF awareness refresher.",
        actions=(ActionInput("Book KUF refresher", staff(world, KW), local_today()),),
    )
    return replace(data, **changes)


def draft(world, **changes):
    return service(world).create(entry(world, **changes))


def locked(world):
    """A record taken through every step to signed off and locked."""
    psy = service(world)
    record = draft(world).record
    record = psy.submit(record.id, record.version).record
    record = service(world, KW).acknowledge(record.id).record
    return psy.sign_off(record.id, record.version)


def execute(world, sql: str, **params) -> int:
    statement = text(sql).bindparams(*(bindparam(name, type_=Uuid()) for name in params))
    with world.db.engine.begin() as connection:
        return connection.execute(statement, params).rowcount


def count_sessions(world) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(SupervisionSession)) or 0)


# ---- drafts and the happy path ---------------------------------------------------------


def test_full_workflow_from_draft_to_locked_with_addendum(world):
    psy, kw = service(world), service(world, KW)
    created = draft(world)
    record = created.record
    assert record.status == SupervisionStatus.DRAFT
    assert record.cases_discussed == ("X123456", "Y654321")
    assert record.supervisee_ids == (staff(world, KW),)
    assert record.supervisor_name == world.staff[(PSY, "crowley")].full_name
    assert [a.description for a in created.actions] == ["Book KUF refresher"]

    record = psy.submit(record.id, record.version).record
    assert record.status == SupervisionStatus.SUBMITTED and record.submitted_at is not None
    assert [r.id for r in psy.review_queue()] == [record.id]

    detail = kw.acknowledge(record.id, "I remember the handover differently.")
    assert detail.record.status == SupervisionStatus.ACKNOWLEDGED
    assert detail.supervisees[0].acknowledged_at is not None
    assert detail.supervisees[0].disagreement_note == "I remember the handover differently."

    detail = psy.sign_off(detail.record.id, detail.record.version)
    assert detail.record.status == SupervisionStatus.LOCKED
    assert detail.record.locked_at is not None and detail.record.is_locked
    assert detail.record.signed_off_by_id == world.actor(PSY).user_id
    assert psy.review_queue() == []

    detail = kw.add_addendum(record.id, "Agreed later that the handover note was late.")
    assert [(a.text, a.author_user_id) for a in detail.addenda] == [
        ("Agreed later that the handover note was late.", world.actor(KW).user_id)
    ]
    assert detail.addenda[0].author_name == world.actor(KW).display_name

    action = kw.mark_action_done(detail.actions[0].id)
    assert action.done_at is not None
    assert service(world).get(record.id).actions[0].done_at is not None


def test_update_replaces_supervisees_and_actions_while_draft(world):
    psy = service(world)
    record = draft(world, kind=SupervisionKind.GROUP).record
    first = psy.get(record.id).actions[0]
    changed = entry(
        world,
        kind=SupervisionKind.GROUP,
        supervisee_ids=(staff(world, KW), staff(world, MGR)),
        summary="Rewritten.",
        actions=(
            ActionInput("Book KUF refresher", staff(world, KW), local_today()),
            ActionInput("Review rota", staff(world, MGR)),
        ),
    )
    detail = psy.update(record.id, record.version, changed)
    assert detail.record.summary == "Rewritten."
    assert set(detail.record.supervisee_ids) == {staff(world, KW), staff(world, MGR)}
    assert {a.description for a in detail.actions} == {"Book KUF refresher", "Review rota"}
    assert first.id in {a.id for a in detail.actions}  # unchanged action kept, not recreated

    detail = psy.update(
        record.id, detail.record.version, replace(changed, supervisee_ids=(staff(world, MGR),))
    )
    assert detail.record.supervisee_ids == (staff(world, MGR),)


def test_group_record_needs_every_supervisee_to_acknowledge(world):
    psy = service(world)
    record = draft(
        world,
        kind=SupervisionKind.GROUP,
        supervisee_ids=(staff(world, KW), staff(world, MGR)),
    ).record
    record = psy.submit(record.id, record.version).record
    after_one = service(world, KW).acknowledge(record.id)
    assert after_one.record.status == SupervisionStatus.SUBMITTED
    with pytest.raises(StateError):
        psy.sign_off(record.id, after_one.record.version)
    after_two = service(world, MGR).acknowledge(record.id)
    assert after_two.record.status == SupervisionStatus.ACKNOWLEDGED


def test_discarding_a_draft_archives_it(world):
    psy = service(world)
    record = draft(world).record
    psy.discard(record.id, record.version)
    with pytest.raises(NotFound):
        psy.get(record.id)
    assert count_sessions(world) == 1


# ---- validation ------------------------------------------------------------------------


def test_every_rule_names_its_field_and_nothing_is_written(world):
    psy = service(world)
    cases = [
        (dict(supervisee_ids=()), "supervisee_ids"),
        (dict(supervisee_ids=(staff(world, PSY),)), "supervisee_ids"),
        (dict(supervisee_ids=(staff(world, KW), staff(world, MGR))), "supervisee_ids"),
        (dict(started_at=utc_now() + timedelta(hours=2)), "started_at"),
        (dict(started_at=datetime(2026, 1, 1, 10)), "started_at"),
        (dict(duration_minutes=4), "duration_minutes"),
        (dict(duration_minutes=481), "duration_minutes"),
        (dict(kind="therapy"), "kind"),
        (dict(cases_discussed=("Jane Smith",)), "cases_discussed"),
        (dict(cases_discussed=("X12345",)), "cases_discussed"),
        (dict(themes=("x" * 61,)), "themes"),
        (dict(actions=(ActionInput("", staff(world, KW)),)), "actions[1]"),
        (
            dict(
                actions=(ActionInput("Late", staff(world, KW), local_today() - timedelta(days=9)),)
            ),
            "actions[1]",
        ),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            psy.create(entry(world, **changes))
        assert field in caught.value.fields, (changes, caught.value.fields)
    assert count_sessions(world) == 0


def test_people_must_work_at_the_site(world):
    psy = service(world)
    checks = [
        (dict(supervisee_ids=(staff(world, KW, "kirk"),)), "supervisee_ids"),
        (dict(supervisor_id=staff(world, PSY, "kirk")), "supervisor_id"),
        (dict(actions=(ActionInput("Call", staff(world, KW, "kirk")),)), "actions[1]"),
    ]
    for changes, field in checks:
        with pytest.raises((ValidationError, PermissionDenied)) as caught:
            SupervisionService(world.db, world.system).create(entry(world, **changes))
        assert isinstance(caught.value, ValidationError)
        assert caught.value.fields == [field]
    with pytest.raises(ValidationError):
        psy.create(entry(world, supervisee_ids=(staff(world, KW, "kirk"),)))
    assert count_sessions(world) == 0


def test_submit_needs_a_summary(world):
    psy = service(world)
    record = draft(world, summary="").record
    with pytest.raises(ValidationError) as caught:
        psy.submit(record.id, record.version)
    assert caught.value.fields == ["summary"]
    assert psy.get(record.id).record.status == SupervisionStatus.DRAFT


# ---- every transition, allowed and forbidden --------------------------------------------


def test_forbidden_transitions_from_draft(world):
    psy, kw = service(world), service(world, KW)
    record = draft(world).record
    with pytest.raises(StateError):
        kw.acknowledge(record.id)
    with pytest.raises(StateError):
        psy.sign_off(record.id, record.version)
    with pytest.raises(StateError):
        psy.add_addendum(record.id, "Too early")
    assert psy.get(record.id).record.status == SupervisionStatus.DRAFT


def test_forbidden_transitions_from_submitted(world):
    psy = service(world)
    record = draft(world).record
    record = psy.submit(record.id, record.version).record
    with pytest.raises(StateError):
        psy.update(record.id, record.version, entry(world, summary="Changed after submit"))
    with pytest.raises(StateError):
        psy.submit(record.id, record.version)
    with pytest.raises(StateError):
        psy.sign_off(record.id, record.version)
    with pytest.raises(StateError):
        psy.discard(record.id, record.version)
    with pytest.raises(StateError):
        psy.add_addendum(record.id, "Too early")
    after = psy.get(record.id).record
    assert (after.status, after.summary, after.version) == (
        SupervisionStatus.SUBMITTED,
        record.summary,
        record.version,
    )


def test_forbidden_transitions_from_acknowledged(world):
    psy, kw = service(world), service(world, KW)
    record = draft(world).record
    record = psy.submit(record.id, record.version).record
    record = kw.acknowledge(record.id).record
    with pytest.raises(StateError):
        kw.acknowledge(record.id)
    with pytest.raises(StateError):
        psy.submit(record.id, record.version)
    with pytest.raises(StateError):
        psy.update(record.id, record.version, entry(world))
    with pytest.raises(StateError):
        psy.add_addendum(record.id, "Too early")
    assert psy.get(record.id).record.status == SupervisionStatus.ACKNOWLEDGED


def test_locked_record_refuses_every_change_through_the_service(world):
    psy, kw = service(world), service(world, KW)
    record = locked(world).record
    attempts = [
        lambda: psy.update(record.id, record.version, entry(world, summary="Rewritten")),
        lambda: psy.submit(record.id, record.version),
        lambda: kw.acknowledge(record.id),
        lambda: psy.sign_off(record.id, record.version),
        lambda: psy.discard(record.id, record.version),
    ]
    for attempt in attempts:
        with pytest.raises(LockedError, match="locked"):
            attempt()
    after = psy.get(record.id).record
    assert after == record


# ---- who may act -----------------------------------------------------------------------


def test_key_workers_cannot_sign_off_and_supervisees_cannot_sign_their_own(world):
    record = draft(world).record
    psy = service(world)
    record = psy.submit(record.id, record.version).record
    record = service(world, KW).acknowledge(record.id).record
    with pytest.raises(PermissionDenied):
        service(world, KW).sign_off(record.id, record.version)
    with pytest.raises(PermissionDenied):
        service(world, MGR).sign_off(record.id, record.version)

    # The psychologist is the supervisee here: they may not sign it off.
    own = service(world, MGR).create(
        entry(world, supervisor_id=staff(world, MGR), supervisee_ids=(staff(world, PSY),))
    )
    own_record = service(world, MGR).submit(own.record.id, own.record.version).record
    own_record = psy.acknowledge(own_record.id).record
    with pytest.raises(PermissionDenied):
        psy.sign_off(own_record.id, own_record.version)
    assert own_record.id not in {r.id for r in psy.review_queue()}
    assert psy.get(own_record.id).record.status == SupervisionStatus.ACKNOWLEDGED


def test_only_named_supervisees_acknowledge_and_only_authors_write(world):
    record = draft(world).record
    record = service(world).submit(record.id, record.version).record
    with pytest.raises(PermissionDenied):
        service(world, MGR).acknowledge(record.id)
    # A key worker cannot write a record in someone else's name.
    with pytest.raises(PermissionDenied):
        service(world, KW).create(
            entry(world, supervisor_id=staff(world, MGR), supervisee_ids=(staff(world, PSY),))
        )
    mine = service(world, KW).create(
        entry(
            world,
            kind=SupervisionKind.REFLECTIVE_PRACTICE,
            supervisor_id=staff(world, KW),
            supervisee_ids=(staff(world, MGR),),
            actions=(),
        )
    )
    assert mine.record.supervisor_id == staff(world, KW)


def test_kirk_lodge_cannot_see_or_touch_crowley_house_records(world):
    record = draft(world).record
    for role in (KW, MGR, PSY):
        other = service(world, role, "kirk")
        assert other.rows() == []
        with pytest.raises(NotFound):
            other.get(record.id)
        with pytest.raises(NotFound):
            other.update(record.id, record.version, entry(world))
        with pytest.raises(PermissionDenied):
            other.rows(site_id=world.crowley.id)
    with pytest.raises(PermissionDenied):
        service(world, PSY, "kirk").create(entry(world))
    action = service(world).get(record.id).actions[0]
    with pytest.raises(NotFound):
        service(world, PSY, "kirk").mark_action_done(action.id)
    assert service(world).get(record.id).record == record


def test_key_workers_see_only_their_own_supervision(world):
    theirs = draft(world).record
    others = draft(
        world, kind=SupervisionKind.LINE_MANAGEMENT, supervisee_ids=(staff(world, MGR),)
    ).record
    assert [r.id for r in service(world, KW).rows()] == [theirs.id]
    with pytest.raises(NotFound):
        service(world, KW).get(others.id)
    assert {r.id for r in service(world, MGR).rows()} == {theirs.id, others.id}


def test_action_owner_marks_done_but_others_cannot(world):
    record = draft(world, actions=(ActionInput("Rota change", staff(world, MGR)),)).record
    action = service(world).get(record.id).actions[0]
    with pytest.raises(PermissionDenied):
        service(world, KW).mark_action_done(action.id)
    done = service(world, MGR).mark_action_done(action.id)
    assert done.done_at is not None
    undone = service(world, MGR).mark_action_done(action.id, done=False)
    assert undone.done_at is None


# ---- the lock in the database ----------------------------------------------------------


def test_direct_sql_cannot_change_a_locked_record(world):
    detail = locked(world)
    sid, action_id = detail.record.id, detail.actions[0].id
    refused = [
        ("UPDATE supervision_sessions SET summary = 'rewritten' WHERE id = :id", sid),
        ("UPDATE supervision_sessions SET locked_at = NULL WHERE id = :id", sid),
        ("DELETE FROM supervision_sessions WHERE id = :id", sid),
        ("UPDATE supervision_supervisees SET disagreement_note = 'x' WHERE session_id = :id", sid),
        ("DELETE FROM supervision_supervisees WHERE session_id = :id", sid),
        ("UPDATE supervision_actions SET description = 'other' WHERE id = :id", action_id),
        ("DELETE FROM supervision_actions WHERE id = :id", action_id),
        ("UPDATE supervision_addenda SET text = 'x' WHERE session_id = :id", sid),
    ]
    service(world, KW).add_addendum(sid, "A later note.")
    for sql, row_id in refused:
        with pytest.raises(DBAPIError, match=r"locked|append-only"):
            execute(world, sql, id=row_id)
    # Following up an action is still allowed.
    assert (
        execute(world, "UPDATE supervision_actions SET done_at = NULL WHERE id = :id", id=action_id)
        == 1
    )
    after = service(world).get(sid)
    assert after.record == detail.record
    assert after.supervisees == detail.supervisees


def test_direct_sql_cannot_add_an_action_to_a_locked_record(world):
    detail = locked(world)
    with world.db.writing({"pipe_actor": world.system}) as session, pytest.raises(DBAPIError):
        session.add(
            SupervisionAction(
                session_id=detail.record.id, description="Sneaked in", owner_id=staff(world, KW)
            )
        )
        session.flush()
    assert len(service(world).get(detail.record.id).actions) == 1


def test_direct_sql_may_change_an_unlocked_record(world):
    record = draft(world).record
    sql = "UPDATE supervision_sessions SET summary = 'by hand' WHERE id = :id"
    assert execute(world, sql, id=record.id) == 1
    assert service(world).get(record.id).record.summary == "by hand"


def test_downgrade_removes_the_lock_and_upgrade_restores_it(world):
    sid = locked(world).record.id
    sql = "UPDATE supervision_sessions SET duration_minutes = 61 WHERE id = :id"
    downgrade(world.db, "0002")
    try:
        assert execute(world, sql, id=sid) == 1
    finally:
        upgrade(world.db, backup=False)
    with pytest.raises(DBAPIError):
        execute(world, sql, id=sid)


# ---- conflicts -------------------------------------------------------------------------


def test_stale_version_is_a_conflict_and_nothing_is_written(world):
    psy = service(world)
    record = draft(world).record
    fresh = psy.update(record.id, record.version, entry(world, summary="First save")).record
    with pytest.raises(ConflictError):
        psy.update(record.id, record.version, entry(world, summary="Second, stale save"))
    with pytest.raises(ConflictError):
        psy.submit(record.id, record.version)
    after = psy.get(record.id).record
    assert (after.summary, after.status, after.version) == (
        "First save",
        SupervisionStatus.DRAFT,
        fresh.version,
    )


# ---- reads -----------------------------------------------------------------------------


def test_rows_filter_by_status_kind_and_local_days(world):
    psy = service(world)
    old = draft(world, started_at=at(20)).record
    recent = draft(world, started_at=at(2), kind=SupervisionKind.CASE_CONSULTATION).record
    psy.submit(recent.id, recent.version)
    assert [r.id for r in psy.rows()] == [recent.id, old.id]
    assert [r.id for r in psy.rows(status=SupervisionStatus.DRAFT)] == [old.id]
    assert [r.id for r in psy.rows(kind=SupervisionKind.CASE_CONSULTATION)] == [recent.id]
    today = local_today()
    assert [r.id for r in psy.rows(from_day=today - timedelta(days=2))] == [recent.id]
    assert [r.id for r in psy.rows(to_day=today - timedelta(days=3))] == [old.id]
    between = psy.rows(from_day=today - timedelta(days=20), to_day=today - timedelta(days=20))
    assert [r.id for r in between] == [old.id]
    assert psy.rows(site_id=world.crowley.id, from_day=today) == []


def test_review_queue_is_oldest_first_across_the_reviewers_sites(world):
    psy = service(world)
    first = draft(world, started_at=at(10)).record
    second = draft(world, started_at=at(5)).record
    psy.submit(first.id, first.version)
    psy.submit(second.id, second.version)
    service(world, KW).acknowledge(second.id)
    assert [r.id for r in psy.review_queue()] == [first.id, second.id]
    assert service(world, PSY, "kirk").review_queue() == []
    with pytest.raises(PermissionDenied):
        service(world, KW).review_queue()


# ---- requirements ----------------------------------------------------------------------


def test_requirements_are_set_per_site_role_and_kind(world):
    mgr = service(world, MGR)
    first = mgr.set_requirement(
        world.crowley.id, StaffRole.RESIDENTIAL_WORKER, SupervisionKind.GROUP, 42
    )
    again = mgr.set_requirement(world.crowley.id, "residential_worker", "group", 28)
    assert again.id == first.id and again.frequency_days == 28
    service(world, PSY).set_requirement(
        world.crowley.id, StaffRole.MANAGER, SupervisionKind.LINE_MANAGEMENT, 30
    )
    assert [(r.job_role, r.frequency_days) for r in service(world, KW).requirements()] == [
        (StaffRole.MANAGER, 30),
        (StaffRole.RESIDENTIAL_WORKER, 28),
    ]
    assert service(world, KW, "kirk").requirements() == []
    mgr.remove_requirement(again.id, again.version)
    assert len(mgr.requirements()) == 1


def test_requirement_rules_and_permissions(world):
    mgr = service(world, MGR)
    with pytest.raises(ValidationError) as caught:
        mgr.set_requirement(world.crowley.id, "cook", "gossip", 0)
    assert caught.value.fields == ["job_role", "kind", "frequency_days"]
    with pytest.raises(ValidationError) as caught:
        mgr.set_requirement(world.crowley.id, StaffRole.MANAGER, SupervisionKind.GROUP, 367)
    assert caught.value.fields == ["frequency_days"]
    with pytest.raises(PermissionDenied):
        service(world, KW).set_requirement(
            world.crowley.id, StaffRole.MANAGER, SupervisionKind.GROUP, 30
        )
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").set_requirement(
            world.crowley.id, StaffRole.MANAGER, SupervisionKind.GROUP, 30
        )
    assert mgr.requirements() == []


def test_addendum_needs_text_and_a_named_user(world):
    record = locked(world).record
    with pytest.raises(ValidationError) as caught:
        service(world).add_addendum(record.id, "   ")
    assert caught.value.fields == ["text"]
    with pytest.raises(PermissionDenied):
        SupervisionService(world.db, world.system).add_addendum(record.id, "By the app")
    assert service(world).get(record.id).addenda == ()


def test_day_filters_use_uk_local_days(world):
    today = local_today()
    year = today.year if date(today.year, 7, 3) < today else today.year - 1
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time).
    started = datetime(year, 7, 1, 23, 30, tzinfo=UTC)
    record = draft(world, started_at=started, actions=()).record
    psy = service(world)
    july = [date(year, 7, day) for day in (1, 2)]
    assert [r.id for r in psy.rows(from_day=july[1], to_day=july[1])] == [record.id]
    assert psy.rows(from_day=july[0], to_day=july[0]) == []
