"""A returning resident: a new placement after the last one ended, on registers from the
arrival day, never two placements at once (at any site), refusals naming the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from pipe_app.domain import AuditEvent
from pipe_app.domain.enums import Role
from pipe_app.services.errors import NotFound, PermissionDenied, ValidationError
from pipe_app.services.residents import ResidentService
from pipe_app.timeutil import local_today
from tests.services.test_residents import _counts, _placement, _resident


def today() -> date:
    """Asked as each test runs (not when collected): a run may cross midnight."""
    return local_today()


def left() -> date:
    """The day ``_left_resident`` left: 60 days ago."""
    return today() - timedelta(days=60)


def _left_resident(world, site: str = "crowley"):
    """A resident whose stay at ``site`` ended 60 days ago (arrived 200 days ago)."""
    manager = ResidentService(world.db, world.actor(Role.MANAGER, site))
    return manager.admit(
        _resident(),
        _placement(
            world,
            site,
            expected_arrival=today() - timedelta(days=200),
            actual_arrival=today() - timedelta(days=200),
            expected_departure=left(),
            actual_departure=left(),
            departure_reason="recall_curfew",
        ),
    )


def test_a_returning_resident_is_placed_again_and_on_registers_from_arrival(world) -> None:
    row = _left_resident(world)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    back = today() - timedelta(days=10)
    worker = world.staff[(Role.KEY_WORKER, "crowley")]

    added = manager.add_placement(
        row.id, _placement(world, expected_arrival=back, actual_arrival=back, rosh_overall="low")
    )

    assert (added.resident_id, added.actual_arrival, added.actual_departure) == (row.id, back, None)
    assert (added.key_worker_id, added.key_worker_name) == (worker.id, worker.full_name)
    newest, first = manager.placements(row.id)
    assert (newest.id, first.id) == (added.id, row.placement_id)  # newest first
    assert [(h.staff_name, h.from_date) for h in manager.key_worker_history(added.id)] == [
        (worker.full_name, back)
    ]

    def register(day) -> list:
        return [r.id for r in manager.placed_on(world.crowley.id, day)]

    assert register(back - timedelta(days=1)) == []
    assert register(back) == [row.id]
    assert register(today()) == [row.id]
    assert register(left()) == [row.id]  # the first stay still counts on its own days
    assert manager.get(row.id).placement_id == added.id
    with world.db.reading() as session:
        created = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == added.id, AuditEvent.action == "create"
            )
        ).one()
    assert created.username == "manager_crowley"


def test_an_expected_return_is_not_on_registers_until_arrival(world) -> None:
    row = _left_resident(world)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    coming = today() + timedelta(days=7)
    added = manager.add_placement(
        row.id,
        _placement(
            world,
            expected_arrival=coming,
            actual_arrival=None,
            expected_departure=coming + timedelta(days=90),
            key_worker_id=None,
        ),
    )
    assert added.actual_arrival is None and added.key_worker_name == ""
    assert row.id not in {r.id for r in manager.placed_on(world.crowley.id, today())}
    assert manager.key_worker_history(added.id) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        # Back on the very day they left: two placements on one day.
        (
            lambda: {"expected_arrival": left(), "actual_arrival": left()},
            "actual_arrival",
            lambda: (
                "overlaps the placement at Crowley House from "
                f"{today() - timedelta(days=200):%d %b %Y} to {left():%d %b %Y}"
            ),
        ),
        # Expected during the first stay, not yet arrived.
        (
            lambda: {"expected_arrival": left() - timedelta(days=5), "actual_arrival": None},
            "expected_arrival",
            lambda: "overlaps the placement at Crowley House",
        ),
        # A stay booked earlier whose expected end runs into the recorded one.
        (
            lambda: {
                "expected_arrival": today() - timedelta(days=300),
                "actual_arrival": None,
                "expected_departure": today() - timedelta(days=150),
            },
            "expected_departure",
            lambda: "overlaps the placement at Crowley House",
        ),
    ],  # the days are worked out as each test runs, not when collected
)
def test_overlapping_stays_are_refused_naming_the_field(world, changes, field, words) -> None:
    row = _left_resident(world)
    before = _counts(world)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    with pytest.raises(ValidationError) as caught:
        manager.add_placement(row.id, _placement(world, **changes()))
    assert caught.value.fields == [field]
    assert caught.value.problems[0].message.startswith(words())
    assert _counts(world) == before


def test_a_stay_without_a_recorded_departure_blocks_any_later_one(world) -> None:
    rid = world.admit("crowley", arrival_days_ago=30)  # still placed, expected to leave later
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    later = today() + timedelta(days=400)  # after even the expected departure
    with pytest.raises(ValidationError) as caught:
        manager.add_placement(
            rid,
            _placement(
                world,
                expected_arrival=later,
                actual_arrival=None,
                expected_departure=later + timedelta(days=90),
            ),
        )
    assert caught.value.fields == ["expected_arrival"]
    assert caught.value.problems[0].message.endswith("which has no departure recorded yet")
    assert len(manager.placements(rid)) == 1


def test_a_placement_at_another_site_blocks_without_showing_its_dates(world) -> None:
    row = _left_resident(world)
    ResidentService(world.db, world.system).add_placement(
        row.id, _placement(world, "kirk", expected_arrival=today() - timedelta(days=20))
    )
    crowley = ResidentService(world.db, world.actor(Role.MANAGER))
    with pytest.raises(ValidationError) as caught:
        crowley.add_placement(row.id, _placement(world))  # arrived 20 days ago, here
    [problem] = caught.value.problems
    assert (problem.field, problem.message) == (
        "actual_arrival",
        "overlaps another placement of this resident",
    )
    assert len(crowley.placements(row.id)) == 1  # only the Crowley House stay is visible


def test_bad_input_and_strangers_are_refused_and_nothing_is_written(world) -> None:
    row = _left_resident(world)
    before = _counts(world)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    with pytest.raises(ValidationError) as caught:
        manager.add_placement(row.id, _placement(world, rosh_overall=None, sentence_type=""))
    assert caught.value.fields == ["sentence_type", "rosh_overall"]
    kirk_worker = world.staff[(Role.KEY_WORKER, "kirk")].id
    with pytest.raises(ValidationError) as caught:
        manager.add_placement(row.id, _placement(world, key_worker_id=kirk_worker))
    assert caught.value.fields == ["key_worker"]
    with pytest.raises(NotFound):
        ResidentService(world.db, world.actor(Role.MANAGER, "kirk")).add_placement(
            row.id, _placement(world, "kirk")
        )
    with pytest.raises(PermissionDenied):
        ResidentService(world.db, world.actor(Role.KEY_WORKER)).add_placement(
            row.id, _placement(world)
        )
    assert _counts(world) == before
