"""The audit trail read service: oldest first, scoped like the records, never a password hash."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from pipe_app.domain import Attendance, AuditEvent
from pipe_app.domain.enums import AttendanceCode, AuditAction, GroupKind, Role
from pipe_app.services import audit
from pipe_app.services.errors import NotFound, PermissionDenied, ValidationError
from pipe_app.services.groups import AttendanceInput, GroupInput, GroupService
from pipe_app.services.history import AuditTrailService
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import ResidentService
from pipe_app.services.users import UserService
from pipe_app.timeutil import local_today, to_utc


def at(days_ago: int) -> datetime:
    return to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(15)))


def trail(world, role: Role = Role.KEY_WORKER, site: str = "crowley") -> AuditTrailService:
    return AuditTrailService(world.db, world.actor(role, site))


def key_work(world, resident_id: uuid.UUID, site: str = "crowley", summary: str = "First"):
    placement = ResidentService(world.db, world.system).get(resident_id).placement_id
    return KeyWorkInput(
        placement_id=placement,
        key_worker_id=world.staff[(Role.KEY_WORKER, site)].id,
        started_at=at(1),
        summary=summary,
    )


def test_key_work_history_is_oldest_first_with_before_and_after(world):
    rid = world.admit("crowley")
    worker = KeyWorkService(world.db, world.actor(Role.KEY_WORKER))
    row = worker.record(key_work(world, rid))
    manager = KeyWorkService(world.db, world.actor(Role.MANAGER))
    row = manager.update(row.id, row.version, key_work(world, rid, summary="Second"))
    worker.archive(row.id, row.version)

    history = trail(world).history("key_work_sessions", row.id)
    assert [h.action for h in history] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.ARCHIVE,
    ]
    assert [h.username for h in history] == [
        "key_worker_crowley",
        "manager_crowley",
        "key_worker_crowley",
    ]
    assert history[0].occurred_at <= history[1].occurred_at <= history[2].occurred_at
    assert history[0].changes["summary"] == {"before": None, "after": "First"}
    assert history[1].changes["summary"] == {"before": "First", "after": "Second"}
    assert history[2].changes["archived_at"]["before"] is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        history[0].username = "someone else"
    with pytest.raises(TypeError):
        history[1].changes["summary"] = {}


def test_site_scoping_follows_the_record(world):
    rid = world.admit("crowley")
    row = KeyWorkService(world.db, world.actor(Role.KEY_WORKER)).record(key_work(world, rid))
    residents = ResidentService(world.db, world.system)
    placement = residents.get(rid).placement_id
    [assignment] = residents.key_worker_history(placement)
    groups = GroupService(world.db, world.actor(Role.KEY_WORKER))
    session_row = groups.create(
        GroupInput(
            world.crowley.id,
            GroupKind.COMMUNITY_MEETING,
            "community meeting",
            "House meeting",
            at(1),
            facilitator_ids=frozenset({world.staff[(Role.KEY_WORKER, "crowley")].id}),
        )
    )
    groups.set_attendance(
        session_row.id, session_row.version, [AttendanceInput(rid, AttendanceCode.ATTENDED)]
    )
    with world.db.reading() as session:
        attendance_id = session.scalars(select(Attendance.id)).one()
    records = [
        ("residents", rid),
        ("placements", placement),
        ("key_worker_assignments", assignment.id),
        ("key_work_sessions", row.id),
        ("group_sessions", session_row.id),
        ("attendances", attendance_id),
    ]
    for role in (Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST):
        for entity_type, entity_id in records:
            assert trail(world, role).history(entity_type, entity_id), (role, entity_type)
    for entity_type, entity_id in records:
        with pytest.raises(NotFound):
            trail(world, site="kirk").history(entity_type, entity_id)
        with pytest.raises(NotFound):
            trail(world, Role.MANAGER, "kirk").history(entity_type, entity_id)
        # Administrators hold AUDIT_READ but never read resident data.
        with pytest.raises(PermissionDenied):
            trail(world, Role.ADMINISTRATOR).history(entity_type, entity_id)
    # The system (set-up, maintenance) sees everything.
    assert AuditTrailService(world.db, world.system).history("attendances", attendance_id)


def test_unknown_records_are_not_found(world):
    with pytest.raises(NotFound):
        trail(world).history("key_work_sessions", uuid.uuid4())
    with pytest.raises(NotFound):
        trail(world).history("residents", uuid.uuid4())
    with pytest.raises(ValidationError) as caught:
        trail(world).history(" ", uuid.uuid4())
    assert caught.value.fields == ["entity_type"]


def test_user_history_never_includes_password_hashes(world):
    admin_actor = world.actor(Role.ADMINISTRATOR)
    user_id = world.actor(Role.KEY_WORKER).user_id
    UserService(world.db, admin_actor).set_password(user_id, "another long passphrase")
    # An older row written before redaction existed must not leak either.
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        session.add(
            AuditEvent(
                id=uuid.uuid4(),
                username="system",
                action=AuditAction.UPDATE,
                entity_type="users",
                entity_id=user_id,
                changes={"password_hash": {"before": "$argon2id$old", "after": "$argon2id$new"}},
            )
        )

    history = AuditTrailService(world.db, admin_actor).history("users", user_id)
    actions = [h.action for h in history]
    assert actions[0] is AuditAction.CREATE
    assert AuditAction.SIGN_IN in actions
    assert history[0].changes["username"] == {"before": None, "after": "key_worker_crowley"}
    assert all("password_hash" not in h.changes for h in history)
    assert "argon2" not in repr(history)
    assert trail(world, Role.MANAGER).history("users", user_id)
    with pytest.raises(PermissionDenied):
        trail(world).history("users", user_id)


def test_sites_and_staff_are_readable_at_their_own_site_only(world):
    assert trail(world).history("sites", world.crowley.id)[0].action is AuditAction.CREATE
    with pytest.raises(NotFound):
        trail(world).history("sites", world.kirk.id)
    crowley_staff = world.staff[(Role.MANAGER, "crowley")].id
    kirk_staff = world.staff[(Role.MANAGER, "kirk")].id
    assert trail(world).history("staff_members", crowley_staff)
    assert trail(world, Role.ADMINISTRATOR).history("staff_members", kirk_staff)
    with pytest.raises(NotFound):
        trail(world).history("staff_members", kirk_staff)
