"""The scale generator: meets its plan, writes no audit rows, and is repeatable."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from pipe_app.domain import (
    AccreditationCycle,
    AuditEvent,
    Criterion,
    GroupSession,
    KeyWorkSession,
    Placement,
    Resident,
    SelfAssessment,
    Site,
    SupervisionSession,
    TrainingRecord,
)
from pipe_app.domain.enums import CycleStatus
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


def test_ten_years_hold_award_cycles_at_every_site_each_with_its_self_assessment(
    tmp_path: Path, sqlite_template: Path
) -> None:
    path = tmp_path / "cycles.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(f"sqlite:///{path}")
    today = date(2026, 3, 1)
    try:
        generate_scale(db, replace(small_plan(2), years=10), today=today, analyze=False)
        with db.reading() as session:
            cycles = session.execute(
                select(AccreditationCycle).order_by(AccreditationCycle.membership_on)
            ).scalars()
            rows = [(c.site_id, c.id, c.status, c.membership_on, c.award_on) for c in cycles]
            rated = dict(
                session.execute(
                    select(SelfAssessment.cycle_id, func.count()).group_by(SelfAssessment.cycle_id)
                ).all()
            )
            criteria = int(session.scalar(select(func.count()).select_from(Criterion)) or 0)
            sites = set(session.scalars(select(Site.id)))
    finally:
        db.dispose()
    assert {site for site, *_ in rows} == sites
    for site in sites:
        mine = [row for row in rows if row[0] == site]
        assert len(mine) >= 3, "ten years hold three cycles or more"
        assert all(m <= today for *_, m, _a in mine)
        *older, newest = mine
        for _s, cycle, status, _m, award in older:  # every finished cycle: awarded, all rated
            assert (status, rated[cycle]) == (CycleStatus.AWARDED, criteria)
            assert award is not None and award <= today
        assert (newest[2] == CycleStatus.AWARDED) is (newest[4] is not None)
        assert 0 < rated[newest[1]] <= criteria
