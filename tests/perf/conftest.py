"""Small generated databases for query-plan and query-count tests (never the busy scale).

The databases are only read (apart from sign-in stamps), so each backend and size is
generated once per module.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator

import pytest

from pipe_app.scale import ScalePlan, generate_scale
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

MakeDb = Callable[[int], Database]


def small_plan(n: int) -> ScalePlan:
    """About ``n`` rows of each list per site (two sites, one year)."""
    return ScalePlan(
        sites=2,
        years=1,
        beds=n,
        placements=2 * n,
        key_work=2 * n,
        group_sessions=2 * n,
        attendances=2 * n * 3,
        staff=0,
        supervision=2 * n,
        training_records=2 * n,
        evidence=2 * n,
        attachments=2,
    )


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def make_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MakeDb]:
    """``make_db(n)``: a migrated database on the backend, filled from ``small_plan(n)``."""
    backend = str(request.param)
    made: dict[int, Database] = {}

    def make(n: int) -> Database:
        if n in made:
            return made[n]
        if backend == "postgresql":
            url = request.getfixturevalue("postgres").new()
        else:
            path = tmp_path_factory.mktemp("perf") / f"perf-{n}.sqlite3"
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
            url = f"sqlite:///{path}"
        db = Database.open(url)
        generate_scale(db, small_plan(n), today=local_today(), analyze=False)
        made[n] = db
        return db

    yield make
    for db in made.values():
        db.dispose()
