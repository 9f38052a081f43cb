"""TrainingService.lapsing: the newest record per person and course that has expired or expires
within the window, selected in SQL. It must give what Today used to work out from every record."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from pipe_app.domain.enums import Role
from pipe_app.services.training import (
    CourseInput,
    TrainingRecordInput,
    TrainingService,
    add_months,
)
from pipe_app.timeutil import local_today

WINDOW = 30


def _completed_for(expires_on: date, months: int) -> date:
    """The completion day whose expiry is ``expires_on`` for a course renewed every ``months``."""
    completed = expires_on - timedelta(days=31 * months)
    while add_months(completed, months) < expires_on:
        completed += timedelta(days=1)
    assert add_months(completed, months) == expires_on
    return completed


def _old_computation(
    service: TrainingService, on: date, staff_member_id: uuid.UUID | None = None
) -> set[uuid.UUID]:
    """What Today did before: read every record, keep each newest, then filter in Python."""
    records = service.rows(staff_member_id=staff_member_id) if staff_member_id else service.rows()
    latest = {}
    for record in records:
        key = (record.staff_member_id, record.course_id)
        if key not in latest or record.completed_on > latest[key].completed_on:
            latest[key] = record
    limit = on + timedelta(days=WINDOW)
    return {r.id for r in latest.values() if r.expires_on is not None and r.expires_on <= limit}


@pytest.fixture
def records(world) -> dict[str, uuid.UUID]:
    """Records around the window's edges, for Crowley staff and one Kirk worker."""
    service = TrainingService(world.db, world.system)
    yearly = service.create_course(CourseInput("FIRE", "Fire safety", renewal_months=12))
    first_aid = service.create_course(CourseInput("FA", "First aid", renewal_months=36))
    induction = service.create_course(CourseInput("IND", "Induction"))
    today = local_today()
    worker = world.staff[(Role.KEY_WORKER, "crowley")].id
    manager = world.staff[(Role.MANAGER, "crowley")].id
    kirk = world.staff[(Role.KEY_WORKER, "kirk")].id

    def add(who: uuid.UUID, course: uuid.UUID, completed: date) -> uuid.UUID:
        return service.record(TrainingRecordInput(who, course, completed)).id

    return {
        "last day in window": add(worker, yearly.id, _completed_for(today + timedelta(30), 12)),
        "first day after": add(manager, yearly.id, _completed_for(today + timedelta(31), 12)),
        "expires today": add(worker, first_aid.id, _completed_for(today, 36)),
        "renewed old": add(manager, first_aid.id, _completed_for(today - timedelta(100), 36)),
        "renewal": add(manager, first_aid.id, today - timedelta(days=10)),
        "never expires": add(worker, induction.id, today - timedelta(days=2000)),
        "other site": add(kirk, yearly.id, _completed_for(today - timedelta(5), 12)),
    }


@pytest.mark.parametrize("shift", [-1, 0, 1])
def test_lapsing_equals_the_old_computation_at_the_window_edges(world, records, shift) -> None:
    on = local_today() + timedelta(days=shift)
    service = TrainingService(world.db, world.actor(Role.MANAGER, "crowley"))
    found = {row.id for row in service.lapsing(on, WINDOW)}
    assert found == _old_computation(service, on)
    worker = world.staff[(Role.KEY_WORKER, "crowley")].id
    mine = {row.id for row in service.lapsing(on, WINDOW, staff_member_id=worker)}
    assert mine == _old_computation(service, on, worker)


def test_lapsing_keeps_the_edges_and_leaves_out_renewed_and_other_sites(world, records) -> None:
    service = TrainingService(world.db, world.actor(Role.MANAGER, "crowley"))
    found = {row.id for row in service.lapsing(local_today(), WINDOW)}
    assert found == {records["last day in window"], records["expires today"]}
    later = {row.id for row in service.lapsing(local_today() + timedelta(days=1), WINDOW)}
    assert records["first day after"] in later


def test_an_archived_renewal_brings_the_older_record_back(world, records) -> None:
    system = TrainingService(world.db, world.system)
    renewal = system.get(records["renewal"])
    system.archive(renewal.id, renewal.version)
    service = TrainingService(world.db, world.actor(Role.MANAGER, "crowley"))
    found = {row.id for row in service.lapsing(local_today(), WINDOW)}
    assert records["renewed old"] in found
    assert found == _old_computation(service, local_today())


def test_two_completions_on_one_day_give_one_line(world, records) -> None:
    system = TrainingService(world.db, world.system)
    first = system.get(records["expires today"])
    system.record(TrainingRecordInput(first.staff_member_id, first.course_id, first.completed_on))
    service = TrainingService(world.db, world.actor(Role.MANAGER, "crowley"))
    same = [r for r in service.lapsing(local_today(), WINDOW) if r.course_id == first.course_id]
    assert len(same) == 1
