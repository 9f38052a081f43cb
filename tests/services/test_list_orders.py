"""The lists the GUI fetches a page at a time, in every order a header click can ask for.

On generated data (many rows share a site, a status, a kind, a day), reading each order a
page at a time gives exactly the full list in that order: no row twice, none missed, ties
broken by id; and the count does not depend on the order.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any, Protocol

import pytest
from sqlalchemy import select

from pipe_app.domain import Resident, StaffMember
from pipe_app.services.auth import sign_in
from pipe_app.services.groups import GroupRow, GroupService, GroupSort
from pipe_app.services.key_work import KeyWorkRow, KeyWorkService, KeyWorkSort
from pipe_app.services.ordering import Order
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentRow, ResidentService, ResidentSort
from pipe_app.services.supervision import SupervisionRow, SupervisionService, SupervisionSort
from pipe_app.storage.database import Database
from tests.list_data import MANAGER, scaled

__all__ = ["scaled"]  # the fixture

PAGE = 4  # small, so a list spans many pages and ties straddle page ends


class _Row(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


Fetch = Callable[[Order[Any], int | None, int], Sequence[_Row]]
Names = dict[uuid.UUID, tuple[str, str]]


@pytest.fixture
def manager(scaled: Database) -> Actor:
    return sign_in(scaled, *MANAGER)


def _names(db: Database, model: type[Resident] | type[StaffMember]) -> Names:
    with db.reading() as session:
        found = session.execute(select(model.id, model.family_name, model.given_name))
        return {row_id: (family.lower(), given.lower()) for row_id, family, given in found}


def _in_order(keys: list[Any], ids: list[uuid.UUID], descending: bool) -> bool:
    """Non-empty keys in the direction asked, ties by id in that direction too; empty keys
    all at one end."""
    empty = [key is None for key in keys]
    gaps, held = sum(empty), len(keys) - sum(empty)
    if empty not in ([True] * gaps + [False] * held, [False] * held + [True] * gaps):
        return False
    pairs = [(key, row_id) for key, row_id in zip(keys, ids, strict=True) if key is not None]
    for (key, row_id), (after, after_id) in itertools.pairwise(pairs):
        ahead = after < key if descending else after > key
        tie_ahead = after_id < row_id if descending else after_id > row_id
        if not (ahead or (after == key and tie_ahead)):
            return False
    return True


def check_every_order(
    sorts: type[StrEnum], fetch: Fetch, count: int, key_of: Callable[[Any, Any], Any]
) -> None:
    assert count > 3 * PAGE, "too few rows to span several pages"
    tied = False
    for key in sorts:
        for descending in (False, True):
            order = Order(key, descending=descending)
            full = list(fetch(order, None, 0))
            assert len(full) == count == len({row.id for row in full}), order
            paged: list[_Row] = []
            while page := fetch(order, PAGE, len(paged)):
                assert len(page) <= PAGE
                paged.extend(page)
            assert [row.id for row in paged] == [row.id for row in full], order
            keys = [key_of(key, row) for row in full]
            assert _in_order(keys, [row.id for row in full], descending), order
            tied = tied or any(a == b for a, b in itertools.pairwise(keys))
    assert tied, "the data has no equal sort keys: the tiebreak went untested"


def test_the_order_check_can_fail() -> None:
    ids = sorted(uuid.uuid4() for _ in range(3))
    assert _in_order([1, 1, 2], ids, descending=False)
    assert not _in_order([1, 1, 2], ids[::-1], descending=False)  # ties out of id order
    assert not _in_order([1, 2, 1], ids, descending=False)
    assert _in_order([2, 1, None], ids, descending=True)
    assert _in_order([2, 2, 1], ids[::-1], descending=True)  # ties the same way round
    assert not _in_order([2, 2, 1], ids, descending=True)
    assert not _in_order([None, 2, None], ids, descending=True)


def _enum_place(value: StrEnum) -> int:
    return list(type(value)).index(value)


def test_key_work_in_every_order(scaled: Database, manager: Actor) -> None:
    service = KeyWorkService(scaled, manager)
    residents, staff = _names(scaled, Resident), _names(scaled, StaffMember)

    def key_of(key: KeyWorkSort, row: KeyWorkRow) -> Any:
        return {
            KeyWorkSort.STARTED: row.started_at,
            KeyWorkSort.RESIDENT: residents[row.resident_id],
            KeyWorkSort.CRN: row.crn,
            KeyWorkSort.KEY_WORKER: staff[row.key_worker_id],
            KeyWorkSort.SITE: row.site_name,
            KeyWorkSort.MINUTES: row.duration_minutes,
            KeyWorkSort.RISK: row.risk_concern,
            KeyWorkSort.STATUS: _enum_place(row.status),
        }[key]

    check_every_order(
        KeyWorkSort,
        lambda order, limit, offset: service.rows(order=order, limit=limit, offset=offset),
        service.count(),
        key_of,
    )


def test_residents_in_every_order(scaled: Database, manager: Actor) -> None:
    service = ResidentService(scaled, manager)

    def key_of(key: ResidentSort, row: ResidentRow) -> Any:
        return {
            ResidentSort.NAME: (row.family_name.lower(), row.given_name.lower()),
            ResidentSort.CRN: row.crn,
            ResidentSort.SITE: row.site_name,
            ResidentSort.PLACEMENT: row.is_pipe,
            ResidentSort.ARRIVED: row.arrival,
            ResidentSort.EXPECTED_DEPARTURE: row.expected_departure,
            ResidentSort.LEFT: row.departure,
        }[key]

    check_every_order(
        ResidentSort,
        lambda order, limit, offset: service.rows(order=order, limit=limit, offset=offset),
        service.count(),
        key_of,
    )


def test_supervision_in_every_order(scaled: Database, manager: Actor) -> None:
    service = SupervisionService(scaled, manager)
    staff = _names(scaled, StaffMember)

    def key_of(key: SupervisionSort, row: SupervisionRow) -> Any:
        return {
            SupervisionSort.DATE: row.started_at,
            SupervisionSort.KIND: _enum_place(row.kind),
            SupervisionSort.SUPERVISOR: staff[row.supervisor_id],
            SupervisionSort.STATUS: _enum_place(row.status),
        }[key]

    check_every_order(
        SupervisionSort,
        lambda order, limit, offset: service.rows(order=order, limit=limit, offset=offset),
        service.count(),
        key_of,
    )


def test_groups_in_every_order(scaled: Database, manager: Actor) -> None:
    service = GroupService(scaled, manager)

    def key_of(key: GroupSort, row: GroupRow) -> Any:
        return {
            GroupSort.STARTS: row.started_at,
            GroupSort.TITLE: row.title.lower(),
            GroupSort.ACTIVITY: row.activity.lower(),
            GroupSort.KIND: _enum_place(row.kind),
            GroupSort.SITE: row.site_name,
            GroupSort.STATUS: _enum_place(row.status),
        }[key]

    check_every_order(
        GroupSort,
        lambda order, limit, offset: service.rows(order=order, limit=limit, offset=offset),
        service.count(),
        key_of,
    )


def test_a_filtered_list_pages_the_same_in_a_new_order(scaled: Database, manager: Actor) -> None:
    """Filters and order together: the count is the filter's, whatever the order."""
    service = KeyWorkService(scaled, manager)
    site_id = sorted(manager.site_ids)[0]
    order = Order(KeyWorkSort.KEY_WORKER, descending=True)
    full = service.rows(site_id=site_id, order=order)
    paged: list[KeyWorkRow] = []
    while page := service.rows(site_id=site_id, order=order, limit=PAGE, offset=len(paged)):
        paged.extend(page)
    assert [row.id for row in paged] == [row.id for row in full]
    assert len(full) == service.count(site_id=site_id)
