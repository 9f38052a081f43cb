"""Fill an empty database with years of generated records, fast, for benchmarks and plans.

Rows go straight into the models' own tables with Core bulk inserts: no ORM objects, so the
audit hook writes **no audit rows** for generated data (a real database would hold one per
change; the benchmarks say so). The built-in framework is installed through its service, as
``pipe-app demo`` does, so those few rows are audited. The same seed and ``today`` give the
same records, ids included.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock

from sqlalchemy import Connection, func, select

from pipe_app.domain import Resident
from pipe_app.scale.context import ScaleContext
from pipe_app.scale.cycles import add_cycles
from pipe_app.scale.evidence import add_evidence
from pipe_app.scale.org import add_logins, add_sites, add_staff
from pipe_app.scale.plans import ScalePlan
from pipe_app.scale.residents import add_residents
from pipe_app.scale.sessions import add_groups, add_key_work
from pipe_app.scale.staff_work import add_supervision, add_training
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.storage.migrations import upgrade
from pipe_app.timeutil import local_today

log = logging.getLogger(__name__)
DEFAULT_SEED = 2026
Phase = Callable[[Connection, ScaleContext], None]

PHASES: tuple[tuple[str, Phase], ...] = (
    ("sites", add_sites),
    ("staff", add_staff),
    ("logins", add_logins),
    ("residents and placements", add_residents),
    ("key work", add_key_work),
    ("group sessions and registers", add_groups),
    ("training", add_training),
    ("supervision", add_supervision),
    ("evidence", add_evidence),
    ("accreditation cycles", add_cycles),
)


class NotEmpty(Exception):
    """Generated data is only for an empty database."""


@dataclass(frozen=True)
class ScaleSummary:
    seed: int
    counts: dict[str, int]
    seconds: float


def generate_scale(
    db: Database,
    plan: ScalePlan,
    seed: int = DEFAULT_SEED,
    *,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    analyze: bool = True,
) -> ScaleSummary:
    """Migrate ``db`` if needed, then write ``plan``'s rows; refuses a database with residents.

    ``analyze`` refreshes the planner's statistics afterwards, as a database in use would have
    them; tests of query plans leave it off, so a tiny table's plan still shows its index.
    """
    began = time.monotonic()
    upgrade(db, backup=False)
    with db.engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Resident)):
            raise NotEmpty(f"the database {db.describe()} already holds residents")
    FrameworkService(db, Actor.system()).install_builtin()
    day = today or local_today()
    now = datetime.combine(day, clock(6, 0), tzinfo=UTC)
    ctx = ScaleContext(plan, random.Random(seed), day, now)
    for name, phase in PHASES:
        if progress is not None:
            progress(name)
        with db.engine.begin() as conn:
            phase(conn, ctx)
    if not analyze:
        pass
    elif db.is_sqlite:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    seconds = time.monotonic() - began
    log.info("scale data written in %.1f s (seed %d)", seconds, seed)
    return ScaleSummary(seed, dict(sorted(ctx.counts.items())), seconds)
