"""A service read sends the same number of statements for 5 rows as for 50 (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from pipe_app.domain import GroupFacilitator, GroupSession
from pipe_app.services.auth import sign_in
from pipe_app.services.evidence import EvidenceService
from pipe_app.services.groups import GroupService
from pipe_app.services.key_work import KeyWorkService
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import ResidentService
from pipe_app.services.supervision import SupervisionService
from pipe_app.services.training import TrainingService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded

# (name, call, how many rows the call returns), each given the database and a Crowley manager.
Call = Callable[[Database, Actor], Any]


def _site(actor: Actor) -> Any:
    return next(iter(actor.site_ids))


def _register(db: Database, actor: Actor) -> Any:
    service = GroupService(db, actor)
    held = [row for row in service.rows(site_id=_site(actor)) if row.recorded]
    return service.register(held[0].id)


def _groups_page(db: Database, actor: Actor) -> Any:
    """One page of the Groups list by its busiest facilitator, and its count."""
    with db.reading() as session:
        facilitator = session.scalar(
            select(GroupFacilitator.staff_member_id)
            .join(GroupSession, GroupSession.id == GroupFacilitator.group_session_id)
            .where(GroupSession.site_id == _site(actor))
            .group_by(GroupFacilitator.staff_member_id)
            .order_by(func.count().desc(), GroupFacilitator.staff_member_id)
            .limit(1)
        )
    service = GroupService(db, actor)
    service.count(facilitator_id=facilitator, search="")
    return service.rows(facilitator_id=facilitator, search="", limit=200, offset=0)


CALLS: dict[str, Call] = {
    "ResidentService.rows": lambda db, a: ResidentService(db, a).rows(site_id=_site(a)),
    "KeyWorkService.rows": lambda db, a: KeyWorkService(db, a).rows(site_id=_site(a)),
    "KeyWorkService.due": lambda db, a: KeyWorkService(db, a).due(_site(a), local_today()),
    "GroupService.rows": lambda db, a: GroupService(db, a).rows(site_id=_site(a)),
    "GroupService.register": _register,
    "GroupService.rows page by facilitator": _groups_page,
    "TrainingService.matrix": lambda db, a: TrainingService(db, a).matrix(_site(a)),
    "TrainingService.rows page": lambda db, a: TrainingService(db, a).rows(
        site_id=_site(a), limit=200, offset=0
    ),
    "SupervisionService.rows": lambda db, a: SupervisionService(db, a).rows(site_id=_site(a)),
    "SupervisionService.rows page": lambda db, a: SupervisionService(db, a).rows(
        site_id=_site(a), limit=200, offset=0
    ),
    "SupervisionService.review_queue": lambda db, a: SupervisionService(db, a).review_queue(),
    "EvidenceService.rows page": lambda db, a: EvidenceService(db, a).rows(
        site_id=_site(a), search="e", limit=200, offset=0
    ),
}


# The matrix is staff x courses (fixed by the posts); what grows is the records behind it.
SIZES: dict[str, Call] = {
    "TrainingService.matrix": lambda db, a: TrainingService(db, a).rows(site_id=_site(a)),
}


# Calls for someone else than the Crowley manager: only a psychologist signs supervision off.
LOGINS: dict[str, tuple[str, str]] = {
    "SupervisionService.review_queue": ("psychologist", "demo-psych-2026"),
}


# Fewer rows than this leaves the review queue empty: only the latest records await review.
FEW: dict[str, int] = {"SupervisionService.review_queue": 20}


def _count(db: Database, name: str) -> tuple[int, int]:
    """(statements sent, rows behind the answer) for one call, after a warm-up call."""
    actor = sign_in(db, *LOGINS.get(name, ("manager.crowley", "demo-manager-2026")))
    call = CALLS[name]
    call(db, actor)  # first use may load metadata; count the steady state
    with recorded(db) as seen:
        rows = call(db, actor)
    if name in SIZES:
        rows = SIZES[name](db, actor)
    return len(seen), len(rows)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_statement_count_does_not_grow_with_rows(make_db: MakeDb, name: str) -> None:
    few_db, many_db = make_db(FEW.get(name, 5)), make_db(50)
    few, few_rows = _count(few_db, name)
    many, many_rows = _count(many_db, name)
    assert many_rows > few_rows, "the larger database must return more rows to prove anything"
    assert few_rows, "an empty answer may skip statements: it proves nothing"
    assert many == few, f"{name}: {few} statements for {few_rows} rows, {many} for {many_rows}"
