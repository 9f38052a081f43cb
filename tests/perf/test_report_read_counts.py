"""The report views' reads send as many statements for 5 rows a list as for 50 (no N+1), and the
training matrix reads the site, the courses and the staff once each."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from pipe_app.domain import EvidenceLink, SupervisionSupervisee, TrainingRecord
from pipe_app.reports.training_matrix import build_matrix
from pipe_app.services.auth import sign_in
from pipe_app.services.coverage import CoverageService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.services.supervision_compliance import SupervisionComplianceService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded, selects

Call = Callable[[Database, Actor], Any]


def _site(actor: Actor) -> Any:
    return next(iter(actor.site_ids))


def _coverage(db: Database, actor: Actor) -> Any:
    framework = FrameworkService(db, actor).rows()[0].id
    return CoverageService(db, actor).coverage(_site(actor), framework, local_today())


# Each call with the table whose rows grow behind it.
CALLS: dict[str, tuple[Call, Any]] = {
    "build_matrix": (lambda db, a: build_matrix(db, a, _site(a)), TrainingRecord),
    "SupervisionComplianceService.overview": (
        lambda db, a: SupervisionComplianceService(db, a).overview(_site(a)),
        SupervisionSupervisee,
    ),
    "CoverageService.coverage": (_coverage, EvidenceLink),
}


def _count(db: Database, name: str) -> tuple[list[tuple[str, Any]], int]:
    actor = sign_in(db, "manager.crowley", "demo-manager-2026")
    call, table = CALLS[name]
    call(db, actor)  # first use may load metadata; count the steady state
    with recorded(db) as seen:
        call(db, actor)
    with db.reading() as session:
        rows = int(session.scalar(select(func.count()).select_from(table)) or 0)
    return seen, rows


@pytest.mark.parametrize("name", sorted(CALLS))
def test_statement_count_does_not_grow_with_rows(make_db: MakeDb, name: str) -> None:
    few, few_rows = _count(make_db(5), name)
    many, many_rows = _count(make_db(50), name)
    assert many_rows > few_rows, "the larger database must hold more rows to prove anything"
    assert len(many) == len(few), f"{name}: {len(few)} statements, then {len(many)}"


def test_the_matrix_reads_site_courses_staff_and_records_once(make_db: MakeDb) -> None:
    seen, _ = _count(make_db(5), "build_matrix")
    tables = [re.findall(r"\bFROM\s+(\w+)", sql)[0] for sql, _ in selects(seen)]
    assert sorted(tables) == ["sites", "staff_members", "training_courses", "training_records"]
