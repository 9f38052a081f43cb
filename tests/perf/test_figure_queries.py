"""The pack's figures are counted by the database: the same few aggregate statements in one
session for a site with 5 of everything as for 50, however long its history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pipe_app.domain import Site
from pipe_app.services.derived_figures import DerivedFigureService
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded, selects

MOST = 10  # site, staff, key work, groups, attendance, courses, training, requirements, supervision


def _count(db: Database) -> tuple[int, int, int]:
    """(SELECTs, BEGINs, key-work sessions held) for the first site over the last year."""
    with db.reading() as session:
        site_id = session.scalars(select(Site.id).order_by(Site.name)).first()
    assert site_id is not None
    service = DerivedFigureService(db, Actor.system())
    today = local_today()
    service.figures(site_id, today - timedelta(days=365), today)  # first use may load metadata
    with recorded(db) as seen:
        figures = service.figures(site_id, today - timedelta(days=365), today)
    begins = sum(1 for sql, _ in seen if sql.strip().upper().startswith("BEGIN"))
    held = int(dict(figures[0].numbers)["Sessions held"])
    return len(selects(seen)), begins, held


def test_figures_take_a_few_statements_whatever_the_data(make_db: MakeDb) -> None:
    few, few_begins, few_held = _count(make_db(5))
    many, many_begins, many_held = _count(make_db(50))
    assert many_held > few_held > 0
    assert few == many <= MOST, f"{few} statements for 5 of each, {many} for 50"
    assert few_begins == many_begins <= 1  # one session, not one per figure
