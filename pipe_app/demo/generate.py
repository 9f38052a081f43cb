"""Fill a database with 18 months of fictional demo data, phase by phase.

Each phase writes in one transaction as the system actor, so every record is audited like
any other change. The same seed gives the same records (relative to today).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipe_app.demo.accreditation import add_accreditation
from pipe_app.demo.context import DemoContext
from pipe_app.demo.groups import add_groups
from pipe_app.demo.key_work import add_key_work
from pipe_app.demo.organisation import add_logins, add_sites, add_staff
from pipe_app.demo.residents import add_residents
from pipe_app.demo.supervision import add_supervision
from pipe_app.demo.training import add_training
from pipe_app.domain import Resident
from pipe_app.services import audit
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today, utc_now

log = logging.getLogger(__name__)

DEFAULT_SEED = 2026

Phase = Callable[[Session, DemoContext], None]


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    counts: dict[str, int]
    notes: tuple[str, ...]
    seconds: float


def resident_count(db: Database) -> int:
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Resident)) or 0)


def _org(session: Session, ctx: DemoContext) -> None:
    add_sites(session, ctx)
    session.flush()
    add_staff(session, ctx)
    add_logins(session, ctx)


PHASES: tuple[tuple[str, Phase], ...] = (
    ("sites, staff and logins", _org),
    ("residents and placements", add_residents),
    ("key work", add_key_work),
    ("group sessions", add_groups),
    ("training", add_training),
    ("supervision", add_supervision),
    ("evidence and accreditation", add_accreditation),
)


def generate(
    db: Database,
    seed: int = DEFAULT_SEED,
    *,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Write the demo data; the caller checks the database is meant for it."""
    began = time.monotonic()
    ctx = DemoContext(random.Random(seed), today or local_today(), utc_now())
    for name, phase in PHASES:
        if progress is not None:
            progress(name)
        with db.writing({audit.ACTOR_KEY: Actor.system()}) as session:
            phase(session, ctx)
        log.info("demo data: %s written", name)
    seconds = time.monotonic() - began
    log.info("demo data written in %.1f s (seed %d)", seconds, seed)
    return DemoSummary(seed, dict(sorted(ctx.counts.items())), tuple(ctx.notes), seconds)
