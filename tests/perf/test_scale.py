"""The scale generator: meets its plan, writes no audit rows, and is repeatable."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from pipe_app.domain import (
    AuditEvent,
    GroupSession,
    KeyWorkSession,
    Placement,
    Resident,
    SupervisionSession,
    TrainingRecord,
)
from pipe_app.scale import generate_scale
from pipe_app.storage.database import Database
from tests.perf.conftest import MakeDb, small_plan


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_counts_match_the_plan_and_nothing_is_audited(make_db: MakeDb) -> None:
    db = make_db(5)
    plan = small_plan(5)
    assert _count(db, Placement) == plan.placements
    assert _count(db, KeyWorkSession) == plan.key_work
    assert _count(db, GroupSession) == plan.group_sessions
    assert _count(db, SupervisionSession) == plan.supervision
    assert _count(db, TrainingRecord) == plan.training_records
    with db.reading() as session:
        audited = set(session.scalars(select(AuditEvent.entity_type).distinct()))
    assert not audited & {"residents", "placements", "key_work_sessions", "group_sessions"}


def test_same_seed_and_day_give_the_same_data(tmp_path: Path, sqlite_template: Path) -> None:
    found = []
    for name in ("one", "two"):
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(sqlite_template, path)
        db = Database.open(f"sqlite:///{path}")
        try:
            generate_scale(db, small_plan(4), seed=7, today=date(2026, 3, 1), analyze=False)
            with db.reading() as session:
                found.append(
                    (
                        sorted(session.execute(select(Resident.id, Resident.crn)).all()),
                        sorted(session.scalars(select(KeyWorkSession.id))),
                    )
                )
        finally:
            db.dispose()
    assert found[0] == found[1]
    assert found[0][0], "something was generated"
