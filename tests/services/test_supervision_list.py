"""The supervision list a page at a time: paging, counting, search and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pipe_app.domain.enums import Role, SupervisionKind, SupervisionStatus
from pipe_app.services.errors import PermissionDenied
from pipe_app.timeutil import local_today
from tests.services.test_supervision import KW, MGR, at, draft, service, staff


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
