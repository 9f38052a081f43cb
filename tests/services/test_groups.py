"""Group sessions and registers on both backends: rules, scoping, locking, audit, repeats."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from pipe_app.domain import Attendance, AuditEvent, GroupFacilitator, GroupSession
from pipe_app.domain.enums import AttendanceCode, AuditAction, GroupKind, GroupStatus, Role
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.services.groups import (
    DEFAULT_TEMPLATES,
    AttendanceInput,
    GroupInput,
    GroupService,
    activity_templates,
)
from pipe_app.services.sites import ActivityTemplate, SiteService, SiteSettingsInput
from pipe_app.timeutil import local_today, to_utc, utc_now


def at(days_ago: int, hour: int = 18) -> datetime:
    return to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(hour)))


def staff_id(world, role: Role = Role.KEY_WORKER, site: str = "crowley") -> uuid.UUID:
    return world.staff[(role, site)].id


def group(world, site: str = "crowley", **changes) -> GroupInput:
    data = GroupInput(
        site_id=world.site(site).id,
        kind=GroupKind.SOCIALLY_CREATIVE,
        activity="cooking",
        title="Curry night",
        started_at=at(2),
        duration_minutes=90,
        facilitator_ids=frozenset({staff_id(world, site=site)}),
        planned_by_residents=True,
        resident_planning_note="Residents chose the menu at the community meeting.",
        observations="Relaxed; lots of laughter.",
    )
    return replace(data, **changes)


def service(world, role: Role = Role.KEY_WORKER, site: str = "crowley") -> GroupService:
    return GroupService(world.db, world.actor(role, site))


def counts(world) -> dict[str, int]:
    with world.db.reading() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (GroupSession, GroupFacilitator, Attendance, AuditEvent)
        }


def live_marks(world, group_id: uuid.UUID) -> dict[uuid.UUID, AttendanceCode]:
    with world.db.reading() as session:
        return {
            a.resident_id: a.code
            for a in session.scalars(
                select(Attendance).where(
                    Attendance.group_session_id == group_id, Attendance.archived_at.is_(None)
                )
            )
        }


def test_create_reads_back(world):
    svc = service(world)
    row = svc.create(
        group(world, facilitator_ids=frozenset({staff_id(world), staff_id(world, Role.MANAGER)}))
    )
    assert row.site_name == "Crowley House"
    assert row.kind is GroupKind.SOCIALLY_CREATIVE
    assert row.status is GroupStatus.HELD
    assert set(row.facilitator_ids) == {staff_id(world), staff_id(world, Role.MANAGER)}
    assert len(row.facilitator_names) == 2
    assert row.session_day == local_today() - timedelta(days=2)
    assert (row.attended, row.recorded) == (0, 0)
    assert svc.get(row.id) == row
    assert svc.rows() == [row]

    untitled = svc.create(group(world, title="  ", activity="gardening"))
    assert untitled.title == "Gardening"

    with world.db.reading() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == row.id)).all()
    assert [e.action for e in events] == [AuditAction.CREATE]
    assert events[0].changes["title"] == {"before": None, "after": "Curry night"}


def test_each_rule_names_its_field_and_writes_nothing(world):
    kirk_staff = staff_id(world, site="kirk")
    cases = {
        "kind": dict(kind="party"),
        "activity": dict(activity=" "),
        "title": dict(title="t" * 201),
        "started_at": dict(started_at=utc_now() + timedelta(days=1)),
        "duration_minutes": dict(duration_minutes=500),
        "facilitator_ids": dict(facilitator_ids=frozenset()),
        "status": dict(status="maybe"),
        "site_id": dict(site_id=uuid.uuid4()),
    }
    before = counts(world)
    system = GroupService(world.db, world.system)  # may write anywhere: only the rule fails
    for field, changes in cases.items():
        with pytest.raises(ValidationError) as caught:
            system.create(group(world, **changes))
        assert caught.value.fields == [field], field
    with pytest.raises(ValidationError) as caught:
        service(world).create(group(world, facilitator_ids=frozenset({kirk_staff})))
    assert caught.value.fields == ["facilitator_ids"]
    with pytest.raises(ValidationError) as caught:
        service(world).create(group(world, started_at=datetime(2024, 1, 1, 18)))
    assert caught.value.fields == ["started_at"]
    assert counts(world) == before

    # A planned session may be in the future; one held may not.
    planned = service(world).create(
        group(world, started_at=utc_now() + timedelta(days=3), status=GroupStatus.PLANNED)
    )
    assert planned.status is GroupStatus.PLANNED


def test_register_lists_residents_placed_that_day_and_saves_codes(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer")
    bea = world.admit("crowley", given_name="Bea", family_name="Baker")
    late = world.admit("crowley", given_name="Late", family_name="Comer", arrival_days_ago=1)
    world.admit("kirk", given_name="Kirk", family_name="Man")
    svc = service(world)
    row = svc.create(group(world))

    register = svc.register(row.id)
    assert [e.resident_id for e in register] == [
        ann,
        bea,
    ]  # Late had not arrived; Kirk is elsewhere
    assert all(e.code is None for e in register)

    saved = svc.set_attendance(
        row.id,
        row.version,
        [
            AttendanceInput(ann, AttendanceCode.ATTENDED),
            AttendanceInput(bea, "refused", "Said she was tired"),
        ],
    )
    assert saved.version == row.version + 1
    assert (saved.attended, saved.recorded) == (1, 2)
    codes = {e.resident_id: (e.code, e.note) for e in svc.register(row.id)}
    assert codes == {
        ann: (AttendanceCode.ATTENDED, ""),
        bea: (AttendanceCode.REFUSED, "Said she was tired"),
    }

    # Replacing the register: Bea removed (archived, not deleted), Ann changed.
    again = svc.set_attendance(
        saved.id, saved.version, [AttendanceInput(ann, AttendanceCode.ACCEPTABLE_ABSENCE)]
    )
    assert live_marks(world, row.id) == {ann: AttendanceCode.ACCEPTABLE_ABSENCE}
    assert counts(world)["attendances"] == 2
    # And Bea back again restores her row.
    svc.set_attendance(
        again.id,
        again.version,
        [
            AttendanceInput(ann, AttendanceCode.ACCEPTABLE_ABSENCE),
            AttendanceInput(bea, AttendanceCode.ATTENDED),
        ],
    )
    assert live_marks(world, row.id)[bea] is AttendanceCode.ATTENDED
    assert counts(world)["attendances"] == 2

    with world.db.reading() as session:
        bea_mark = session.scalars(select(Attendance.id).where(Attendance.resident_id == bea)).one()
        actions = [
            (e.action, e.changes)
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_id == bea_mark)
                .order_by(AuditEvent.occurred_at)
            )
        ]
    assert [a for a, _ in actions] == [AuditAction.CREATE, AuditAction.ARCHIVE, AuditAction.RESTORE]
    assert actions[0][1]["code"] == {"before": None, "after": "refused"}
    assert actions[2][1]["code"] == {"before": "refused", "after": "attended"}
    assert late not in live_marks(world, row.id)


def test_register_rules_name_the_entry_and_write_nothing(world):
    ann = world.admit("crowley")
    late = world.admit("crowley", arrival_days_ago=1)
    kirk = world.admit("kirk")
    svc = service(world)
    row = svc.create(group(world))
    svc.set_attendance(row.id, row.version, [AttendanceInput(ann, AttendanceCode.ATTENDED)])
    current = svc.get(row.id)
    before = counts(world)

    bad = {
        "entries[1].resident_id": [
            AttendanceInput(ann, AttendanceCode.ATTENDED),
            AttendanceInput(late, AttendanceCode.ATTENDED),
        ],
        "entries[0].resident_id": [AttendanceInput(kirk, AttendanceCode.ATTENDED)],
        "entries[0].note": [AttendanceInput(ann, AttendanceCode.UNACCEPTABLE_ABSENCE, " ")],
        "entries[0].code": [AttendanceInput(ann, "present")],
    }
    for field, entries in bad.items():
        with pytest.raises(ValidationError) as caught:
            svc.set_attendance(row.id, current.version, entries)
        assert caught.value.fields == [field], field
    with pytest.raises(ValidationError) as caught:
        svc.set_attendance(
            row.id,
            current.version,
            [AttendanceInput(ann, "attended"), AttendanceInput(ann, "refused", "changed mind")],
        )
    assert caught.value.fields == ["entries[1].resident_id"]
    for code in ("refused", "suspended"):
        with pytest.raises(ValidationError):
            svc.set_attendance(row.id, current.version, [AttendanceInput(ann, code)])
    assert counts(world) == before
    assert live_marks(world, row.id) == {ann: AttendanceCode.ATTENDED}
    assert svc.get(row.id).version == current.version


def test_stale_register_and_update_conflict_and_write_nothing(world):
    ann = world.admit("crowley")
    svc = service(world)
    row = svc.create(group(world))
    svc.set_attendance(row.id, row.version, [AttendanceInput(ann, AttendanceCode.ATTENDED)])
    before = counts(world)
    with pytest.raises(ConflictError):
        service(world, Role.MANAGER).set_attendance(
            row.id, row.version, [AttendanceInput(ann, AttendanceCode.REFUSED, "no")]
        )
    with pytest.raises(ConflictError):
        svc.update(row.id, row.version, group(world, observations="overwritten"))
    with pytest.raises(ConflictError):
        svc.archive(row.id, row.version)
    assert counts(world) == before
    assert svc.get(row.id).observations == row.observations


def test_update_changes_fields_and_facilitators_with_audit(world):
    svc = service(world)
    row = svc.create(group(world))
    manager = staff_id(world, Role.MANAGER)
    updated = svc.update(
        row.id,
        row.version,
        group(world, observations="Quieter week.", facilitator_ids=frozenset({manager})),
    )
    assert updated.facilitator_ids == (manager,)
    assert updated.observations == "Quieter week."
    with world.db.reading() as session:
        change = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_id == row.id)
            .order_by(AuditEvent.occurred_at.desc())
        ).first()
        link_actions = sorted(
            e.action.value
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "group_facilitators")
            )
        )
    assert change.action is AuditAction.UPDATE
    assert change.changes["observations"] == {
        "before": "Relaxed; lots of laughter.",
        "after": "Quieter week.",
    }
    assert link_actions == ["archive", "create", "create"]

    before = counts(world)
    with pytest.raises(ValidationError) as caught:
        svc.update(updated.id, updated.version, group(world, site="kirk"))
    assert "site_id" in caught.value.fields
    assert counts(world) == before


def test_moving_a_session_day_must_keep_the_register_valid(world):
    late = world.admit("crowley", arrival_days_ago=3)
    svc = service(world)
    row = svc.create(group(world, started_at=at(1)))
    row = svc.set_attendance(row.id, row.version, [AttendanceInput(late, "attended")])
    before = counts(world)
    with pytest.raises(ValidationError) as caught:
        svc.update(row.id, row.version, group(world, started_at=at(5)))
    assert caught.value.fields == ["started_at"]
    assert counts(world) == before
    moved = svc.update(row.id, row.version, group(world, started_at=at(2)))
    assert moved.session_day == local_today() - timedelta(days=2)


def test_kirk_key_worker_can_neither_read_nor_write_crowley(world):
    ann = world.admit("crowley")
    row = service(world).create(group(world))
    kirk_row = service(world, site="kirk").create(group(world, "kirk"))
    kirk = service(world, site="kirk")
    before = counts(world)
    for call in (
        lambda: kirk.create(group(world)),
        lambda: kirk.update(row.id, row.version, group(world)),
        lambda: kirk.set_attendance(row.id, row.version, [AttendanceInput(ann, "attended")]),
        lambda: kirk.archive(row.id, row.version),
        lambda: kirk.repeat(row.id, at(1)),
        lambda: kirk.register(row.id),
        lambda: kirk.rows(site_id=world.crowley.id),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert counts(world) == before
    with pytest.raises(NotFound):
        kirk.get(row.id)
    assert [r.id for r in kirk.rows()] == [kirk_row.id]
    assert kirk.count() == 1


def test_administrators_cannot_read_groups_or_registers(world):
    row = service(world).create(group(world))
    admin = service(world, Role.ADMINISTRATOR)
    for call in (
        admin.rows,
        admin.count,
        lambda: admin.get(row.id),
        lambda: admin.register(row.id),
        lambda: admin.create(group(world)),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_repeat_copies_last_weeks_session_without_register(world):
    ann = world.admit("crowley")
    svc = service(world)
    last_week = svc.create(group(world, started_at=at(7)))
    svc.set_attendance(last_week.id, last_week.version, [AttendanceInput(ann, "attended")])

    upcoming = svc.repeat(last_week.id, utc_now() + timedelta(days=1))
    assert upcoming.id != last_week.id
    assert upcoming.status is GroupStatus.PLANNED
    assert (upcoming.kind, upcoming.activity, upcoming.title) == (
        last_week.kind,
        last_week.activity,
        last_week.title,
    )
    assert upcoming.facilitator_ids == last_week.facilitator_ids
    assert upcoming.duration_minutes == last_week.duration_minutes
    assert upcoming.observations == ""
    assert upcoming.recorded == 0

    held = svc.repeat(last_week.id, at(0, hour=0))
    assert held.status is GroupStatus.HELD
    assert svc.count() == 3


def test_filters_search_paging_and_newest_first(world):
    svc = service(world)
    old = svc.create(group(world, started_at=at(20), activity="art", title="Collage"))
    mid = svc.create(
        group(
            world,
            started_at=at(10),
            kind=GroupKind.COMMUNITY_MEETING,
            activity="community meeting",
            title="House meeting",
            observations="Agreed new kitchen rota",
        )
    )
    new = svc.create(group(world, started_at=at(1)))
    archived = svc.create(group(world, started_at=at(3)))
    svc.archive(archived.id, archived.version)

    assert [r.id for r in svc.rows()] == [new.id, mid.id, old.id]
    assert [r.id for r in svc.rows(limit=1, offset=1)] == [mid.id]
    assert [r.id for r in svc.rows(kind="community_meeting")] == [mid.id]
    window = dict(
        date_from=local_today() - timedelta(days=10), date_to=local_today() - timedelta(days=2)
    )
    assert [r.id for r in svc.rows(**window)] == [mid.id]
    assert svc.count(**window) == 1
    assert [r.id for r in svc.rows(search="KITCHEN")] == [mid.id]
    assert [r.id for r in svc.rows(search="collage")] == [old.id]
    assert [r.id for r in svc.rows(site_id=world.crowley.id, status="held")] == [
        new.id,
        mid.id,
        old.id,
    ]
    assert svc.count(search="_") == 0
    with pytest.raises(NotFound):
        svc.get(archived.id)


def set_site_rules(world, site: str = "crowley", **settings) -> None:
    sites = SiteService(world.db, world.system)
    current = sites.get(world.site(site).id)
    sites.update_settings(current.id, current.version, SiteSettingsInput(**settings))


def test_register_codes_follow_the_site_settings(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer")
    bea = world.admit("crowley", given_name="Bea", family_name="Baker")
    karl = world.admit("kirk")
    svc = service(world)
    row = svc.create(group(world))
    # Saved before Crowley House stopped using "acceptable absence": that mark may stay.
    row = svc.set_attendance(
        row.id, row.version, [AttendanceInput(bea, AttendanceCode.ACCEPTABLE_ABSENCE)]
    )
    set_site_rules(
        world,
        attendance_codes=frozenset({"attended", "acceptable_absence", "refused", "not_required"}),
        note_codes=frozenset({"refused", "not_required"}),
    )
    set_site_rules(
        world,
        attendance_codes=frozenset({"attended", "refused", "not_required"}),
        note_codes=frozenset({"refused", "not_required"}),
    )
    before = counts(world)
    bad = {
        "entries[0].code": [AttendanceInput(ann, AttendanceCode.SUSPENDED, "for a week")],
        "entries[1].note": [
            AttendanceInput(ann, AttendanceCode.ATTENDED),
            AttendanceInput(bea, AttendanceCode.NOT_REQUIRED),
        ],
    }
    for field, entries in bad.items():
        with pytest.raises(ValidationError) as caught:
            svc.set_attendance(row.id, row.version, entries)
        assert caught.value.fields == [field], field
    with pytest.raises(ValidationError) as caught:
        svc.set_attendance(row.id, row.version, [AttendanceInput(bea, "unacceptable_absence")])
    (problem,) = caught.value.problems
    assert problem.message == (
        "'unacceptable_absence' is not an attendance code used at Crowley House "
        "(they are: attended, refused, not_required)"
    )
    assert counts(world) == before

    # The old mark unchanged, a site code needing a note with its note: saved.
    saved = svc.set_attendance(
        row.id,
        row.version,
        [
            AttendanceInput(ann, AttendanceCode.NOT_REQUIRED, "At work"),
            AttendanceInput(bea, AttendanceCode.ACCEPTABLE_ABSENCE),
        ],
    )
    assert live_marks(world, row.id) == {
        ann: AttendanceCode.NOT_REQUIRED,
        bea: AttendanceCode.ACCEPTABLE_ABSENCE,
    }
    # Kirk Lodge keeps the usual codes: suspended (with its note) is fine there.
    kirk = service(world, site="kirk")
    theirs = kirk.create(group(world, site="kirk"))
    kirk.set_attendance(
        theirs.id, theirs.version, [AttendanceInput(karl, AttendanceCode.SUSPENDED, "Recalled")]
    )
    assert live_marks(world, theirs.id) == {karl: AttendanceCode.SUSPENDED}
    with pytest.raises(ValidationError) as caught:
        kirk.set_attendance(theirs.id, theirs.version + 1, [AttendanceInput(karl, "suspended")])
    assert caught.value.fields == ["entries[0].note"]
    assert saved.recorded == 2


def test_activity_templates_are_the_sites_own_or_the_usual_ones(world):
    assert activity_templates(world.crowley) == DEFAULT_TEMPLATES
    assert ActivityTemplate("Cooking", GroupKind.SOCIALLY_CREATIVE, 90) in DEFAULT_TEMPLATES
    own = (
        ActivityTemplate("Pizza night", "socially_creative", 120),
        ActivityTemplate("Residents' forum", "community_meeting", 45),
    )
    set_site_rules(world, activity_templates=own)
    crowley = SiteService(world.db, world.system).get(world.crowley.id)
    assert activity_templates(crowley) == own
    kirk = SiteService(world.db, world.system).get(world.kirk.id)
    assert activity_templates(kirk) == DEFAULT_TEMPLATES


def test_filter_by_facilitator_in_the_database(world):
    svc = service(world)
    manager = staff_id(world, Role.MANAGER)
    mine = svc.create(group(world, started_at=at(3)))
    shared = svc.create(
        group(world, started_at=at(2), facilitator_ids=frozenset({staff_id(world), manager}))
    )
    theirs = svc.create(group(world, started_at=at(1), facilitator_ids=frozenset({manager})))
    assert [r.id for r in svc.rows(facilitator_id=manager)] == [theirs.id, shared.id]
    assert svc.count(facilitator_id=manager) == 2
    assert [r.id for r in svc.rows(facilitator_id=staff_id(world))] == [shared.id, mine.id]
    # A facilitator taken off a session no longer finds it.
    svc.update(shared.id, shared.version, group(world, started_at=at(2)))
    assert [r.id for r in svc.rows(facilitator_id=manager, limit=5)] == [theirs.id]
    assert svc.count(facilitator_id=manager, search="curry", kind="socially_creative") == 1
    assert svc.count(facilitator_id=manager, site_id=world.crowley.id, search="zzz") == 0


def test_register_history_names_each_residents_changes(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer")
    bea = world.admit("crowley", given_name="Bea", family_name="Baker")
    svc = service(world)
    row = svc.create(group(world))
    row = svc.set_attendance(row.id, row.version, [AttendanceInput(ann, "attended")])
    row = svc.set_attendance(
        row.id,
        row.version,
        [AttendanceInput(ann, "refused", "Felt ill"), AttendanceInput(bea, "attended")],
    )
    svc.set_attendance(row.id, row.version, [AttendanceInput(bea, "attended")])

    history = svc.register_history(row.id)
    seen = [(c.resident_name, c.change.action, c.change.username) for c in history]
    me = "key_worker_crowley"
    assert seen[0] == ("Ann Archer", AuditAction.CREATE, me)
    assert sorted(seen[1:3]) == [  # one save: the order within it is not kept
        ("Ann Archer", AuditAction.UPDATE, me),
        ("Bea Baker", AuditAction.CREATE, me),
    ]
    assert seen[3] == ("Ann Archer", AuditAction.ARCHIVE, me)
    (changed,) = [c.change for c in history if c.change.action == AuditAction.UPDATE]
    assert changed.changes["code"] == {"before": "attended", "after": "refused"}
    assert [c.change.occurred_at for c in history] == sorted(c.change.occurred_at for c in history)
    with pytest.raises(PermissionDenied):
        service(world, site="kirk").register_history(row.id)


def test_update_with_the_register_is_one_action(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer")
    bea = world.admit("crowley", given_name="Bea", family_name="Baker")
    svc = service(world)
    row = svc.create(group(world))
    before = counts(world)
    with pytest.raises(ValidationError) as caught:
        svc.update(
            row.id,
            row.version,
            group(world, title="Curry club"),
            [AttendanceInput(ann, "attended"), AttendanceInput(bea, "refused")],
        )
    assert caught.value.fields == ["entries[1].note"]
    assert counts(world) == before and svc.get(row.id).title == "Curry night"

    saved = svc.update(
        row.id,
        row.version,
        group(world, title="Curry club"),
        [AttendanceInput(ann, "attended"), AttendanceInput(bea, "refused", "Unwell")],
    )
    assert saved.version > row.version
    assert (saved.title, saved.attended, saved.recorded) == ("Curry club", 1, 2)
    assert live_marks(world, row.id) == {
        ann: AttendanceCode.ATTENDED,
        bea: AttendanceCode.REFUSED,
    }
    # Moving the day with a register for the new day: checked against who was placed then.
    late = world.admit("crowley", given_name="Late", family_name="Comer", arrival_days_ago=1)
    with pytest.raises(ValidationError) as caught:
        svc.update(
            row.id,
            saved.version,
            group(world, started_at=at(5)),
            [AttendanceInput(late, "attended")],
        )
    assert caught.value.fields == ["entries[0].resident_id"]
    moved = svc.update(row.id, saved.version, group(world, started_at=at(0, 0)), [])
    assert moved.recorded == 0 and live_marks(world, row.id) == {}
