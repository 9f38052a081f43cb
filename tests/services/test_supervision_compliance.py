"""Supervision compliance: statuses at their date boundaries, the monthly series, scope, queries."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import event, select

from pipe_app.domain import SupervisionSupervisee
from pipe_app.domain.enums import Role, StaffRole, SupervisionKind, SupervisionStatus
from pipe_app.services import audit
from pipe_app.services.errors import PermissionDenied
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.supervision import SupervisionInput, SupervisionService
from pipe_app.services.supervision_compliance import (
    SupervisionComplianceService,
    month_ends,
    status_on,
)
from pipe_app.timeutil import local_today, to_utc, utc_now

KW, MGR, PSY = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST
CLINICAL = SupervisionKind.INDIVIDUAL_CLINICAL


def at(day: date, hour: int = 10) -> datetime:
    return to_utc(datetime.combine(day, time(hour)))


def supervise(
    world, supervisee: uuid.UUID, day: date, *, sign: bool = True, site: str = "crowley"
) -> None:
    """A one-to-one clinical supervision on ``day``, signed off (locked) unless ``sign`` is off."""
    system = SupervisionService(world.db, world.system)
    detail = system.create(
        SupervisionInput(
            site_id=world.site(site).id,
            kind=CLINICAL,
            supervisor_id=world.staff[(PSY, site)].id,
            supervisee_ids=(supervisee,),
            started_at=at(day),
            duration_minutes=60,
            summary="Talked about boundaries.",
        )
    )
    if not sign:
        return
    record = system.submit(detail.record.id, detail.record.version).record
    # Acknowledged as the supervisee would (they need not have a login of their own).
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        link = session.scalars(
            select(SupervisionSupervisee).where(SupervisionSupervisee.session_id == record.id)
        ).one()
        link.acknowledged_at = utc_now()
        link.session.status = SupervisionStatus.ACKNOWLEDGED
    record = system.get(record.id).record
    SupervisionService(world.db, world.actor(PSY, site)).sign_off(record.id, record.version)


def requirement(world, role=StaffRole.RESIDENTIAL_WORKER, kind=CLINICAL, days=28, site="crowley"):
    SupervisionService(world.db, world.system).set_requirement(
        world.site(site).id, role, kind, days
    )


def compliance(world, role: Role = PSY, site: str = "crowley") -> SupervisionComplianceService:
    return SupervisionComplianceService(world.db, world.actor(role, site))


# ---- pure rules --------------------------------------------------------------------------


def test_status_boundaries_around_the_due_date():
    last, start = date(2026, 3, 1), date(2020, 1, 1)
    due = date(2026, 3, 29)
    assert status_on(last, 28, start, due - timedelta(days=8)) == (due, 0, "on time")
    assert status_on(last, 28, start, due - timedelta(days=7)) == (due, 0, "due soon")
    assert status_on(last, 28, start, due) == (due, 0, "due soon")
    assert status_on(last, 28, start, due + timedelta(days=1)) == (due, 1, "overdue")
    assert status_on(last, 28, start, due + timedelta(days=10)) == (due, 10, "overdue")


def test_never_supervised_counts_from_the_start_date():
    start = date(2026, 1, 1)
    assert status_on(None, 30, start, date(2026, 1, 5)) == (date(2026, 1, 31), 0, "never")
    assert status_on(None, 30, start, date(2026, 2, 3)) == (date(2026, 1, 31), 3, "never")


def test_month_ends_measure_the_current_month_on_the_day():
    assert month_ends(date(2026, 3, 15), 3) == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 15)),
    ]
    assert len(month_ends(date(2026, 1, 31))) == 12
    assert month_ends(date(2026, 1, 31))[0] == (date(2025, 2, 1), date(2025, 2, 28))


# ---- against the database ------------------------------------------------------------------


def test_statuses_at_their_boundaries_from_signed_off_records(world):
    requirement(world, days=28)
    requirement(world, role=StaffRole.MANAGER, kind=SupervisionKind.LINE_MANAGEMENT, days=42)
    kw = world.staff[(KW, "crowley")].id
    last = local_today() - timedelta(days=40)
    supervise(world, kw, last)
    supervise(world, kw, local_today() - timedelta(days=5), sign=False)  # a draft never counts
    service = compliance(world)
    due = last + timedelta(days=28)

    def kw_row(on: date):
        (row,) = [r for r in service.rows(world.crowley.id, on) if r.staff_member_id == kw]
        return row

    assert kw_row(last - timedelta(days=1)).status == "never"
    assert kw_row(due - timedelta(days=8)).status == "on time"
    assert kw_row(due - timedelta(days=7)).status == "due soon"
    assert kw_row(due).status == "due soon"
    late = kw_row(due + timedelta(days=1))
    assert (late.status, late.days_overdue, late.last_on, late.next_due) == (
        "overdue",
        1,
        last,
        due,
    )
    rows = service.rows(world.crowley.id)
    assert {(r.job_role, r.kind) for r in rows} == {
        (StaffRole.RESIDENTIAL_WORKER, CLINICAL),
        (StaffRole.MANAGER, SupervisionKind.LINE_MANAGEMENT),
    }
    manager = next(r for r in rows if r.job_role == StaffRole.MANAGER)
    assert manager.status == "never" and manager.staff_name.startswith("Sam Manager")
    assert all(r.staff_member_id != world.staff[(KW, "kirk")].id for r in rows)


def test_a_later_supervision_resets_the_clock(world):
    requirement(world, days=28)
    kw = world.staff[(KW, "crowley")].id
    supervise(world, kw, local_today() - timedelta(days=60))
    supervise(world, kw, local_today() - timedelta(days=3))
    (row,) = compliance(world).rows(world.crowley.id)
    assert row.last_on == local_today() - timedelta(days=3)
    assert row.status == "on time"


def test_series_counts_met_requirements_at_each_month_end(world):
    requirement(world, days=60)
    kw = world.staff[(KW, "crowley")].id
    last = local_today() - timedelta(days=100)
    supervise(world, kw, last)
    points = compliance(world).series(world.crowley.id)
    assert len(points) == 12
    assert points[-1].measured_on == local_today()
    expected = [1 if last <= p.measured_on <= last + timedelta(days=60) else 0 for p in points]
    assert [p.met for p in points] == expected
    assert all(p.required == 1 for p in points)
    assert {p.percent for p in points} <= {0.0, 100.0}
    assert sum(expected) >= 1


def test_no_requirements_gives_empty_rows_and_no_percent(world):
    assert compliance(world).rows(world.crowley.id) == []
    assert all(p.percent is None for p in compliance(world).series(world.crowley.id))


def test_scope_other_site_refused_and_key_worker_sees_only_themselves(world):
    requirement(world, days=28)
    requirement(world, role=StaffRole.MANAGER, kind=SupervisionKind.LINE_MANAGEMENT, days=42)
    with pytest.raises(PermissionDenied):
        compliance(world, PSY, "kirk").rows(world.crowley.id)
    with pytest.raises(PermissionDenied):
        compliance(world, PSY, "kirk").series(world.crowley.id)
    mine = compliance(world, KW).rows(world.crowley.id)
    assert [r.staff_member_id for r in mine] == [world.staff[(KW, "crowley")].id]
    assert len(compliance(world, MGR).rows(world.crowley.id)) == 2
    with pytest.raises(PermissionDenied):
        compliance(world, Role.ADMINISTRATOR).rows(world.crowley.id)


def test_a_fixed_number_of_queries_however_many_staff(world):
    requirement(world, days=28)
    service = compliance(world)

    def statements() -> int:
        counted: list[str] = []

        def count(conn, cursor, statement, *args):
            counted.append(statement)

        event.listen(world.db.engine, "before_cursor_execute", count)
        try:
            service.rows(world.crowley.id)
            service.series(world.crowley.id)
        finally:
            event.remove(world.db.engine, "before_cursor_execute", count)
        return len(counted)

    supervise(world, world.staff[(KW, "crowley")].id, local_today() - timedelta(days=10))
    few = statements()
    staff = StaffService(world.db, world.system)
    for n in range(6):
        member = staff.create(
            StaffInput(
                "Extra",
                f"Worker{n}",
                StaffRole.RESIDENTIAL_WORKER,
                local_today() - timedelta(days=400),
                frozenset({world.crowley.id}),
            )
        )
        supervise(world, member.id, local_today() - timedelta(days=n + 1))
    assert len(compliance(world).rows(world.crowley.id)) == 7
    assert statements() == few


def test_a_psychologist_at_both_sites_sees_both_in_one_call(world):
    requirement(world, days=28)
    requirement(world, days=14, site="kirk")
    supervise(world, world.staff[(KW, "kirk")].id, local_today() - timedelta(days=20), site="kirk")
    both = replace(world.actor(PSY), site_ids=frozenset({world.crowley.id, world.kirk.id}))
    rows = SupervisionComplianceService(world.db, both).rows(on=local_today())
    by_site = {(r.site_id, r.staff_member_id): r for r in rows}
    crowley = by_site[(world.crowley.id, world.staff[(KW, "crowley")].id)]
    kirk = by_site[(world.kirk.id, world.staff[(KW, "kirk")].id)]
    assert (crowley.frequency_days, crowley.status) == (28, "never")
    assert (kirk.frequency_days, kirk.status, kirk.days_overdue) == (14, "overdue", 6)
    assert len(rows) == 2
    assert len(compliance(world).rows()) == 1  # the Crowley psychologist: Crowley only


def test_overview_is_rows_and_series_from_one_read(world):
    requirement(world, days=60)
    supervise(world, world.staff[(KW, "crowley")].id, local_today() - timedelta(days=100))
    service = compliance(world)
    counted: list[str] = []

    def count(conn, cursor, statement, *args):
        counted.append(statement)

    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        overview = service.overview(world.crowley.id)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    assert overview.rows == service.rows(world.crowley.id)
    assert overview.points == service.series(world.crowley.id)
    assert len([s for s in counted if s.lstrip().upper().startswith("SELECT")]) == 3
