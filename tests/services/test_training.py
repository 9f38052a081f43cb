"""Training: expiry arithmetic and status boundaries, courses and records on both backends."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from pipe_app.domain import TrainingCourse, TrainingRecord
from pipe_app.domain.enums import Role, StaffRole
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.services.training import (
    CourseInput,
    CourseRow,
    TrainingRecordInput,
    TrainingRecordRow,
    TrainingService,
    add_months,
    expiry_for,
    staff_training_status,
    training_status,
)
from pipe_app.timeutil import local_today

KW, MGR, PSY, ADMIN = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST, Role.ADMINISTRATOR

# ---- pure date arithmetic --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 3, 31), 6, date(2025, 9, 30)),
        (date(2025, 5, 10), 120, date(2035, 5, 10)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_expiry_is_none_for_courses_that_never_expire():
    assert expiry_for(date(2025, 1, 1), None) is None
    assert expiry_for(date(2025, 1, 1), 36) == date(2028, 1, 1)


def test_training_status_boundaries():
    expires = date(2026, 6, 30)
    assert training_status(None, expires) == "current"
    assert training_status(expires, expires - timedelta(days=61)) == "current"
    assert training_status(expires, expires - timedelta(days=60)) == "expiring"
    assert training_status(expires, expires - timedelta(days=1)) == "expiring"
    assert training_status(expires, expires) == "expired"
    assert training_status(expires, expires + timedelta(days=1)) == "expired"
    assert training_status(expires, expires - timedelta(days=8), expiring_within_days=7) == (
        "current"
    )
    assert training_status(expires, expires - timedelta(days=7), expiring_within_days=7) == (
        "expiring"
    )


def _course(mandatory: frozenset[StaffRole] = frozenset(), renewal: int | None = 12) -> CourseRow:
    return CourseRow(uuid.uuid4(), 1, "C", "Course", "", "", renewal, mandatory, False)


def _record(staff_id, course, completed: date) -> TrainingRecordRow:
    return TrainingRecordRow(
        uuid.uuid4(),
        1,
        staff_id,
        "Sam",
        course.id,
        course.name,
        completed,
        expiry_for(completed, course.renewal_months),
        1.0,
        "",
        None,
    )


def test_staff_training_status_missing_not_required_and_latest_record_wins():
    person = uuid.uuid4()
    on = date(2026, 6, 1)
    required = _course(frozenset({StaffRole.RESIDENTIAL_WORKER}))
    optional = _course()
    worker, manager = StaffRole.RESIDENTIAL_WORKER, StaffRole.MANAGER
    assert staff_training_status(person, worker, required, [], on).status == "missing"
    assert staff_training_status(person, manager, required, [], on).status == "not required"
    assert staff_training_status(person, worker, optional, [], on).status == "not required"

    old = _record(person, required, date(2024, 1, 10))
    assert staff_training_status(person, worker, required, [old], on).status == "expired"
    soon = _record(person, required, date(2025, 7, 1))
    result = staff_training_status(person, worker, required, [old, soon], on)
    assert (result.status, result.record_id, result.required) == ("expiring", soon.id, True)
    assert result.expires_on == date(2026, 7, 1)
    fresh = _record(person, required, date(2026, 5, 1))
    assert staff_training_status(person, worker, required, [fresh, old], on).status == "current"
    # Someone else's record does not count.
    assert staff_training_status(uuid.uuid4(), worker, required, [fresh], on).status == "missing"


# ---- courses ---------------------------------------------------------------------------


def service(world, role: Role = MGR, site: str = "crowley") -> TrainingService:
    return TrainingService(world.db, world.actor(role, site))


def course(world, **changes) -> CourseRow:
    data = CourseInput(
        code="SAFEG",
        name="Safeguarding adults",
        provider="Trust",
        renewal_months=12,
        mandatory_for=frozenset({StaffRole.RESIDENTIAL_WORKER}),
    )
    return service(world).create_course(replace(data, **changes))


def count(world, model) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_courses_are_created_updated_and_archived(world):
    made = course(world)
    assert made.mandatory_for == frozenset({StaffRole.RESIDENTIAL_WORKER})
    admin = service(world, ADMIN)
    changed = admin.update_course(
        made.id, made.version, CourseInput("SAFEG", "Safeguarding adults", renewal_months=None)
    )
    assert changed.renewal_months is None and changed.mandatory_for == frozenset()
    assert [c.name for c in service(world, KW).courses()] == ["Safeguarding adults"]
    admin.archive_course(changed.id, changed.version)
    assert service(world).courses() == []
    assert [c.archived for c in service(world).courses(include_archived=True)] == [True]


def test_course_rules_name_their_fields(world):
    course(world)
    mgr = service(world)
    cases = [
        (CourseInput("", "Name"), ["code"]),
        (CourseInput("C1", ""), ["name"]),
        (CourseInput("C1", "N", renewal_months=0), ["renewal_months"]),
        (CourseInput("C1", "N", renewal_months=121), ["renewal_months"]),
        (CourseInput("C1", "N", renewal_months="12"), ["renewal_months"]),  # type: ignore[arg-type]
        (CourseInput("C1", "N", mandatory_for=frozenset({"cook"})), ["mandatory_for"]),
        (CourseInput("C1", "safeguarding ADULTS"), ["name"]),
        (CourseInput("safeg", "Other"), ["code"]),
    ]
    for data, fields in cases:
        with pytest.raises(ValidationError) as caught:
            mgr.create_course(data)
        assert caught.value.fields == fields, data
    assert count(world, TrainingCourse) == 1


def test_only_course_managers_manage_courses(world):
    for role in (KW, PSY):
        with pytest.raises(PermissionDenied):
            service(world, role).create_course(CourseInput("FA", "First aid"))
    made = course(world)
    with pytest.raises(PermissionDenied):
        service(world, PSY).archive_course(made.id, made.version)
    assert count(world, TrainingCourse) == 1


def test_stale_course_version_conflicts(world):
    made = course(world)
    service(world).update_course(made.id, made.version, CourseInput("SAFEG", "Renamed"))
    with pytest.raises(ConflictError):
        service(world).update_course(made.id, made.version, CourseInput("SAFEG", "Stale"))
    assert [c.name for c in service(world).courses()] == ["Renamed"]


# ---- records ---------------------------------------------------------------------------


def entry(world, course_ref: uuid.UUID, /, **changes) -> TrainingRecordInput:
    data = TrainingRecordInput(
        staff_member_id=world.staff[(KW, "crowley")].id,
        course_id=course_ref,
        completed_on=date(2026, 1, 31),
        hours=6.5,
        notes="Classroom day",
    )
    return replace(data, **changes)


def test_recording_training_computes_expiry_and_rows_are_scoped(world):
    made = course(world, renewal_months=1)
    forever = course(world, code="KUF", name="KUF awareness", renewal_months=None)
    mgr = service(world)
    row = mgr.record(entry(world, made.id))
    assert (row.expires_on, row.hours, row.course_name) == (date(2026, 2, 28), 6.5, made.name)
    kept = service(world, PSY).record(entry(world, forever.id, hours=14))
    assert kept.expires_on is None
    kirk_row = service(world, MGR, "kirk").record(
        entry(world, made.id, staff_member_id=world.staff[(KW, "kirk")].id)
    )

    assert {r.id for r in mgr.rows()} == {row.id, kept.id}
    assert [r.id for r in mgr.rows(course_id=forever.id)] == [kept.id]
    assert [r.id for r in service(world, KW).rows(staff_member_id=row.staff_member_id)] == [
        kept.id,
        row.id,
    ]
    assert [r.id for r in service(world, MGR, "kirk").rows()] == [kirk_row.id]
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").rows(site_id=world.crowley.id)
    with pytest.raises(NotFound):
        service(world, MGR, "kirk").get(row.id)
    assert mgr.get(row.id) == row


def test_record_rules_name_their_fields(world):
    made = course(world)
    mgr = service(world)
    tomorrow = local_today() + timedelta(days=1)
    cases = [
        (dict(completed_on=tomorrow), ["completed_on"]),
        (dict(completed_on=None), ["completed_on"]),
        (dict(hours=-0.5), ["hours"]),
        (dict(hours=500.1), ["hours"]),
        (dict(hours="six"), ["hours"]),
        (dict(notes="x" * 4001), ["notes"]),
        (dict(staff_member_id=uuid.uuid4()), ["staff_member_id"]),
        (dict(course_id=uuid.uuid4()), ["course_id"]),
        (dict(certificate_attachment_id=uuid.uuid4()), ["certificate_attachment_id"]),
    ]
    for changes, fields in cases:
        with pytest.raises(ValidationError) as caught:
            mgr.record(entry(world, made.id, **changes))
        assert caught.value.fields == fields, changes
    assert mgr.record(entry(world, made.id, hours=500, completed_on=local_today())).hours == 500
    assert count(world, TrainingRecord) == 1


def test_training_permissions_follow_role_and_site(world):
    made = course(world)
    with pytest.raises(PermissionDenied):
        service(world, KW).record(entry(world, made.id))
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").record(entry(world, made.id))
    row = service(world).record(entry(world, made.id))
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").update(row.id, row.version, entry(world, made.id, hours=1))
    with pytest.raises(PermissionDenied):
        service(world, PSY, "kirk").archive(row.id, row.version)
    assert count(world, TrainingRecord) == 1
    assert service(world).get(row.id) == row


def test_update_recomputes_expiry_and_stale_version_conflicts(world):
    made = course(world, renewal_months=12)
    mgr = service(world)
    row = mgr.record(entry(world, made.id))
    changed = mgr.update(row.id, row.version, entry(world, made.id, completed_on=date(2024, 2, 29)))
    assert changed.expires_on == date(2025, 2, 28)
    with pytest.raises(ConflictError):
        mgr.update(row.id, row.version, entry(world, made.id, hours=1))
    with pytest.raises(ConflictError):
        mgr.archive(row.id, row.version)
    assert mgr.get(row.id) == changed
    mgr.archive(changed.id, changed.version)
    assert mgr.rows() == []


def test_matrix_shows_missing_current_and_not_required(world):
    made = course(world)
    mgr = service(world)
    matrix = {(c.staff_member_id, c.course_id): c for c in mgr.matrix(world.crowley.id)}
    worker, manager = world.staff[(KW, "crowley")].id, world.staff[(MGR, "crowley")].id
    assert matrix[(worker, made.id)].status == "missing"
    assert matrix[(manager, made.id)].status == "not required"
    assert world.staff[(KW, "kirk")].id not in {key[0] for key in matrix}
    mgr.record(entry(world, made.id, completed_on=local_today() - timedelta(days=30)))
    assert mgr.status_for(worker, made.id).status == "current"
    assert mgr.status_for(worker, made.id, local_today() + timedelta(days=400)).status == "expired"
    with pytest.raises(NotFound):
        service(world, MGR, "kirk").status_for(worker, made.id)


def test_certificates_are_stored_with_the_record(world):
    made = course(world)
    mgr = service(world)
    row = mgr.record(entry(world, made.id))
    with pytest.raises(NotFound):
        mgr.certificate_content(row.id)
    with_file = mgr.attach_certificate(row.id, row.version, "cert.pdf", "application/pdf", b"%PDF")
    assert with_file.certificate_attachment_id is not None
    assert mgr.certificate_content(row.id) == b"%PDF"
    with pytest.raises(NotFound):
        service(world, MGR, "kirk").certificate_content(row.id)
    with pytest.raises(ValidationError) as caught:
        mgr.attach_certificate(row.id, with_file.version, "", "application/pdf", b"")
    assert caught.value.fields == ["file_name", "content"]
