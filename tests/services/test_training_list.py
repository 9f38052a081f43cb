"""The training records list read a page at a time: order, paging, count and filters in SQL."""

from __future__ import annotations

from datetime import timedelta

from pipe_app.domain.enums import Role
from pipe_app.services.ordering import Order
from pipe_app.services.training import (
    EXPIRING_WITHIN_DAYS,
    CourseInput,
    TrainingRecordInput,
    TrainingService,
    TrainingSort,
)
from pipe_app.timeutil import add_months, local_today
from tests.factories import CARE_ROLES


def _records(world):
    """Crowley staff with records on both sides of each status boundary, and one at Kirk."""
    training = TrainingService(world.db, world.system)
    yearly = training.create_course(CourseInput("Y1", "Yearly 100% course", renewal_months=12))
    forever = training.create_course(CourseInput("F1", "Forever course"))
    today = local_today()
    members = [world.staff[(role, "crowley")] for role in CARE_ROLES]
    # Expiring on: today (expired), tomorrow (expiring), the last expiring day, the day after.
    expiries = [
        today,
        today + timedelta(days=1),
        today + timedelta(days=EXPIRING_WITHIN_DAYS),
        today + timedelta(days=EXPIRING_WITHIN_DAYS + 1),
    ]
    made = {}
    for number, expires in enumerate(expiries):
        completed = add_months(expires, -12)
        while add_months(completed, 12) != expires:  # month ends: find the day that gives it
            completed -= timedelta(days=1)
        member = members[number % len(members)]
        made[expires] = training.record(TrainingRecordInput(member.id, yearly.id, completed))
    made[None] = training.record(
        TrainingRecordInput(members[0].id, forever.id, today - timedelta(days=3), hours=2)
    )
    kirk = world.staff[(Role.KEY_WORKER, "kirk")]
    training.record(TrainingRecordInput(kirk.id, forever.id, today))
    return TrainingService(world.db, world.actor(Role.MANAGER, "crowley")), made, expiries


def test_status_filters_follow_the_status_rule(world):
    service, made, (today, tomorrow, last, after) = _records(world)

    def ids(status):
        return {row.id for row in service.rows(status=status)}

    assert ids("expired") == {made[today].id}
    assert ids("expiring") == {made[tomorrow].id, made[last].id}
    assert ids("current") == {made[after].id, made[None].id}
    for row in service.rows():
        assert row.id in ids(row.status_on(local_today()))
    assert service.count(status="expiring") == 2


def test_pages_follow_the_order_without_repeats_and_count_matches(world):
    service, _made, _expiries = _records(world)
    everything = service.rows()
    assert len(everything) == service.count() == 5  # Kirk's record is not at Crowley
    for key in TrainingSort:
        for descending in (False, True):
            order = Order(key, descending=descending)
            pages = [service.rows(order=order, limit=2, offset=n) for n in (0, 2, 4)]
            assert [len(page) for page in pages] == [2, 2, 1]
            assert [r.id for p in pages for r in p] == [r.id for r in service.rows(order=order)]
            assert {r.id for p in pages for r in p} == {r.id for r in everything}
    by_expiry = [r.expires_on for r in service.rows(order=Order(TrainingSort.EXPIRES))]
    assert by_expiry[-1] is None  # never expiring goes last
    assert by_expiry[:-1] == sorted(d for d in by_expiry if d is not None)


def test_search_and_date_filters_run_in_the_database(world):
    service, made, _expiries = _records(world)
    psychologist = world.staff[(Role.PSYCHOLOGIST, "crowley")]
    found = service.rows(search=psychologist.family_name.upper())
    assert found and {r.staff_name for r in found} == {psychologist.full_name}
    assert service.count(search="forever") == 1
    assert len(service.rows(search="100%")) == 4  # the % is matched as itself
    assert service.rows(search="1_0%") == []
    recent = made[None].completed_on
    assert [r.id for r in service.rows(completed_from=recent)] == [made[None].id]
    assert service.count(completed_to=recent - timedelta(days=1)) == 4
    assert service.count(completed_from=recent, completed_to=recent) == 1
