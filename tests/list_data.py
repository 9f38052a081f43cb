"""Generated lists (many rows sharing a site, status, kind or day) for the sorting tests.

Import ``scaled`` into a test module to use it: one database per backend and module, only
read by the tests (apart from sign-in stamps).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from pipe_app.scale import generate_scale
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.perf.conftest import small_plan

MANAGER = ("manager.crowley", "demo-manager-2026")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def scaled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").new()
    else:
        path = tmp_path_factory.mktemp("lists") / "lists.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    db = Database.open(url)
    generate_scale(db, small_plan(24), today=local_today(), analyze=False)
    yield db
    db.dispose()
