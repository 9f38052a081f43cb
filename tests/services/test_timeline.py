"""A resident's timeline on both backends: what it holds, its order, and who may read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest

from pipe_app.domain.enums import DepartureReason, Role, SessionStatus
from pipe_app.services.errors import NotFound, PermissionDenied
from pipe_app.services.groups import AttendanceInput, GroupInput, GroupService
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import PlacementInput, ResidentService
from pipe_app.services.timeline import EventKind, TimelineService
from pipe_app.timeutil import local_today, to_utc


def at(days_ago: int, hour: int = 14) -> datetime:
    return to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(hour)))


@dataclass(frozen=True)
class Story:
    resident_id: uuid.UUID
    placement_id: uuid.UUID
    first_session: uuid.UUID
    draft_session: uuid.UUID
    group_id: uuid.UUID


def story(world, site: str = "crowley", **names: object) -> Story:
    """Arrived 40 days ago; key work 30 days ago; key worker changed 20 days ago (to the
    site manager); cooking group 10 days ago, attended; a draft key-work session yesterday."""
    system = world.system
    rid = world.admit(site, arrival_days_ago=40, **names)
    residents = ResidentService(world.db, system)
    placement = residents.get(rid).placement_id
    key_work = KeyWorkService(world.db, system)
    first = key_work.record(
        KeyWorkInput(
            placement,
            world.staff[(Role.KEY_WORKER, site)].id,
            at(30),
            topics=("housing",),
            summary="Talked about move-on.\nSecond line.",
        )
    )
    manager = world.staff[(Role.MANAGER, site)].id
    residents.assign_key_worker(placement, manager, local_today() - timedelta(days=20))
    groups = GroupService(world.db, system)
    group = groups.create(
        GroupInput(
            site_id=world.site(site).id,
            kind="socially_creative",
            activity="cooking",
            title="Cooking together",
            started_at=at(10, 18),
            facilitator_ids=frozenset({manager}),
        )
    )
    groups.set_attendance(group.id, group.version, [AttendanceInput(rid, "attended")])
    draft = key_work.record(
        KeyWorkInput(placement, manager, at(1, 10), status=SessionStatus.DRAFT, summary="Half")
    )
    return Story(rid, placement, first.id, draft.id, group.id)


def test_timeline_holds_every_kind_newest_first(world):
    told = story(world)
    entries = TimelineService(world.db, world.actor(Role.KEY_WORKER, "crowley")).entries(
        told.resident_id
    )
    kinds = [entry.kind for entry in entries]
    assert kinds == [
        EventKind.KEY_WORK,
        EventKind.GROUP,
        EventKind.KEY_WORKER,
        EventKind.KEY_WORK,
        EventKind.KEY_WORKER,
        EventKind.ARRIVAL,
    ]
    draft, group, change, first, assigned, arrival = entries
    assert draft.record_id == told.draft_session and draft.draft
    assert group.record_id == told.group_id
    assert group.attendance_code == "attended"
    assert group.title == "Group: Cooking together"
    assert change.title == "Key worker: Sam Manager CH"
    assert change.detail == "Key worker changed"
    assert first.record_id == told.first_session
    assert first.detail == "housing · Talked about move-on."
    assert assigned.detail == "First key worker for this placement"
    assert arrival.day == local_today() - timedelta(days=40)
    assert arrival.title == "Arrived at Crowley House"


def test_departure_is_the_newest_event(world):
    told = story(world)
    residents = ResidentService(world.db, world.system)
    p = residents.placements(told.resident_id)[0]
    residents.update_placement(
        p.id,
        p.version,
        PlacementInput(
            site_id=p.site_id,
            expected_arrival=p.expected_arrival,
            actual_arrival=p.actual_arrival,
            expected_departure=p.expected_departure,
            actual_departure=local_today(),
            departure_reason=DepartureReason.RECALL_CURFEW,
            sentence_type=p.sentence_type,
            release_type=p.release_type,
            rosh_overall=p.rosh_overall,
        ),
    )
    entries = TimelineService(world.db, world.system).entries(told.resident_id)
    assert entries[0].kind == EventKind.DEPARTURE
    assert entries[0].detail == "Breach/recall: curfew"


def test_other_site_and_administrators_are_refused(world):
    told = story(world)
    with pytest.raises(NotFound):
        TimelineService(world.db, world.actor(Role.MANAGER, "kirk")).entries(told.resident_id)
    with pytest.raises(PermissionDenied):
        TimelineService(world.db, world.actor(Role.ADMINISTRATOR, "crowley")).entries(
            told.resident_id
        )
    with pytest.raises(NotFound):
        TimelineService(world.db, world.system).entries(uuid.uuid4())
