"""Today's training section reads only the records that lapse, through indexes, in one query."""

from __future__ import annotations

from pipe_app.services.auth import sign_in
from pipe_app.services.training import TrainingService
from pipe_app.timeutil import local_today
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded, selects
from tests.perf.test_query_plans import _postgres_scans, _sqlite_scans


def test_lapsing_training_uses_indexes(make_db: MakeDb) -> None:
    db = make_db(12)
    actor = sign_in(db, "manager.crowley", "demo-manager-2026")
    with recorded(db) as seen:
        TrainingService(db, actor).lapsing(local_today(), 30)
    explained = selects(seen)
    assert explained
    scans = _sqlite_scans if db.is_sqlite else _postgres_scans
    problems = {sql: found for sql, params in explained if (found := scans(db, sql, params))}
    assert not problems, f"full scans {problems}"


def test_lapsing_training_sends_one_select_however_many_rows(make_db: MakeDb) -> None:
    counts = []
    for n in (5, 50):
        db = make_db(n)
        actor = sign_in(db, "manager.crowley", "demo-manager-2026")
        with recorded(db) as seen:
            found = TrainingService(db, actor).lapsing(local_today(), 30)
        counts.append(len(selects(seen)))
        assert found or n == 5  # the bigger database has records that lapse
    assert counts == [1, 1]
