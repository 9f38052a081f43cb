"""The supervision list a page at a time: paging, counting, search and who sees what."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from pipe_app.domain import SupervisionSupervisee
from pipe_app.domain.enums import Role, SupervisionKind, SupervisionStatus
from pipe_app.services.errors import PermissionDenied
from pipe_app.services.supervision import ActionInput
from pipe_app.timeutil import local_today
from tests.services.test_supervision import KW, MGR, PSY, at, draft, entry, service, staff


def test_pages_are_newest_first_without_gaps_or_repeats(world):
    made = [draft(world, started_at=at(days)).record.id for days in range(1, 8)]
    psy = service(world)
    pages = [psy.rows(limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [row.id for page in pages for row in page] == made
    assert psy.rows(limit=3, offset=9) == []
    assert psy.count() == 7


def test_count_matches_rows_for_every_filter(world):
    psy = service(world)
    old = draft(world, started_at=at(30)).record
    recent = draft(world, started_at=at(2), kind=SupervisionKind.CASE_CONSULTATION).record
    psy.submit(recent.id, recent.version)
    today = local_today()
    for filters in (
        {},
        {"site_id": world.crowley.id},
        {"status": SupervisionStatus.DRAFT},
        {"kind": SupervisionKind.CASE_CONSULTATION},
        {"from_day": today - timedelta(days=5)},
        {"to_day": today - timedelta(days=5)},
        {"search": "difficult"},
        {"search": "no such words"},
    ):
        found = psy.rows(**filters)
        assert psy.count(**filters) == len(found), filters
    assert [r.id for r in psy.rows(status=SupervisionStatus.DRAFT)] == [old.id]
    assert psy.count(kind=SupervisionKind.CASE_CONSULTATION, status=SupervisionStatus.DRAFT) == 0


def test_search_finds_names_themes_cases_and_summary_in_any_case(world):
    worker = world.staff[(KW, "crowley")]
    psy = service(world)
    named = draft(world, themes=("burnout",), cases_discussed=("X111111",)).record
    other = draft(
        world,
        themes=("risk",),
        cases_discussed=(),
        summary="Caseload review 100% done",
        supervisee_ids=(staff(world, MGR),),
        actions=(),
    ).record
    assert [r.id for r in psy.rows(search="BURNOUT")] == [named.id]
    assert [r.id for r in psy.rows(search="x111111")] == [named.id]
    assert [r.id for r in psy.rows(search=worker.family_name.upper())] == [named.id]
    assert [r.id for r in psy.rows(search=worker.full_name)] == [named.id]
    assert [r.id for r in psy.rows(search="caseload")] == [other.id]
    assert [r.id for r in psy.rows(search="100%")] == [other.id]
    assert psy.rows(search="1%0") == []  # % is a character to find, not a wildcard
    assert psy.count(search="  caseload  ") == 1
    supervisor = world.staff[(Role.PSYCHOLOGIST, "crowley")].given_name
    assert {r.id for r in psy.rows(search=supervisor)} == {named.id, other.id}


def test_a_key_worker_counts_only_records_they_are_named_in(world):
    mine = draft(world).record
    draft(world, supervisee_ids=(staff(world, MGR),), actions=())
    key_worker = service(world, KW)
    assert [r.id for r in key_worker.rows(limit=10)] == [mine.id]
    assert key_worker.count() == 1
    assert service(world, MGR).count() == 2


def test_another_sites_records_are_neither_listed_nor_counted(world):
    draft(world)
    kirk = service(world, Role.PSYCHOLOGIST, "kirk")
    assert kirk.count() == 0 and kirk.rows(limit=5) == []
    with pytest.raises(PermissionDenied):
        kirk.count(site_id=world.crowley.id)
    with pytest.raises(PermissionDenied):
        service(world, Role.ADMINISTRATOR).count()


def test_list_and_queue_rows_are_the_records_with_their_live_supervisees(world):
    """The list and the queue read plain columns: each row is what ``get`` says of the record,
    with the supervisees still named on it (in the same order) and their names."""
    psy = service(world)
    group = draft(
        world,
        kind=SupervisionKind.GROUP,
        supervisee_ids=(staff(world, KW), staff(world, MGR)),
        started_at=at(6),
    ).record
    dropped = draft(
        world,
        kind=SupervisionKind.GROUP,
        supervisee_ids=(staff(world, KW), staff(world, MGR)),
        started_at=at(5),
    ).record
    detail = psy.get(dropped.id)
    dropped = psy.update(  # the key worker's link is archived, not deleted
        dropped.id,
        dropped.version,
        replace(_input_of(world, detail), supervisee_ids=(staff(world, MGR),)),
    ).record
    with world.db.reading() as session:
        links = session.scalars(
            select(SupervisionSupervisee).where(SupervisionSupervisee.session_id == dropped.id)
        ).all()
        assert sorted(link.archived_at is None for link in links) == [False, True]
    one_to_one = draft(world, started_at=at(4)).record
    for record in (group, dropped):
        psy.submit(record.id, psy.get(record.id).record.version)

    listed = psy.rows(limit=10)
    assert [r.id for r in listed] == [one_to_one.id, dropped.id, group.id]
    assert listed == [psy.get(r.id).record for r in listed]
    by_id = {r.id: r for r in listed}
    assert set(by_id[group.id].supervisee_ids) == {staff(world, KW), staff(world, MGR)}
    assert by_id[dropped.id].supervisee_ids == (staff(world, MGR),)
    names = {p.id: p.full_name for p in world.staff.values()}
    for row in listed:
        assert row.supervisee_names == tuple(names[p] for p in row.supervisee_ids)
        assert row.supervisor_name == names[staff(world, PSY)]

    queue = psy.review_queue()
    assert [r.id for r in queue] == [group.id, dropped.id]  # oldest first
    assert queue == [psy.get(r.id).record for r in queue]


def test_the_queue_leaves_out_records_the_reviewer_is_supervised_in(world):
    psy = service(world)
    hers = draft(
        world, supervisor_id=staff(world, MGR), supervisee_ids=(staff(world, PSY),), actions=()
    ).record
    psy.submit(hers.id, hers.version)
    theirs = draft(world).record
    psy.submit(theirs.id, theirs.version)
    assert [r.id for r in psy.review_queue()] == [theirs.id]
    assert {r.id for r in psy.rows()} == {hers.id, theirs.id}


def _input_of(world, detail):
    """The input that writes ``detail``'s record again, unchanged."""
    record = detail.record
    return replace(
        entry(world),
        kind=record.kind,
        supervisor_id=record.supervisor_id,
        supervisee_ids=record.supervisee_ids,
        started_at=record.started_at,
        actions=tuple(ActionInput(a.description, a.owner_id, a.due_on) for a in detail.actions),
    )
