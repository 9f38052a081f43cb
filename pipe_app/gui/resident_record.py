"""Everything a resident's page shows, read in one go through the site-scoped services (off
the GUI thread): the resident, their placements here, key-worker history, timeline and the key
work due today."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from pipe_app.services.key_work import DueRow, KeyWorkService
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.residents import AssignmentRow, PlacementRow, ResidentRow, ResidentService
from pipe_app.services.sites import SiteService
from pipe_app.services.timeline import TimelineEntry, TimelineService
from pipe_app.storage.database import Database


@dataclass(frozen=True)
class ResidentRecord:
    resident: ResidentRow
    placements: tuple[PlacementRow, ...]  # newest first
    history: dict[uuid.UUID, tuple[AssignmentRow, ...]]
    timeline: tuple[TimelineEntry, ...]
    due: DueRow | None
    frequency_days: dict[uuid.UUID, int]


def load_resident(
    db: Database, actor: Actor, resident_id: uuid.UUID, today: date
) -> ResidentRecord:
    """Runs off the GUI thread; every read goes through a site-scoped service."""
    residents = ResidentService(db, actor)
    resident = residents.get(resident_id)
    placements = tuple(residents.placements(resident_id))
    history = {p.id: tuple(residents.key_worker_history(p.id)) for p in placements}
    timeline = tuple(TimelineService(db, actor).entries(resident_id))
    frequency = {site.id: site.key_work_frequency_days for site in SiteService(db, actor).rows()}
    due = None
    current = next((p for p in placements if placed_on(p, today)), None)
    if current is not None and actor.can(Permission.RESIDENT_READ, current.site_id):
        due = next(
            (
                row
                for row in KeyWorkService(db, actor).due(current.site_id, today)
                if row.placement_id == current.id
            ),
            None,
        )
    return ResidentRecord(resident, placements, history, timeline, due, frequency)


def placed_on(placement: PlacementRow, day: date) -> bool:
    """Arrived by ``day`` and not left before it, as the registers count."""
    arrived = placement.actual_arrival
    left = placement.actual_departure
    return arrived is not None and arrived <= day and (left is None or left >= day)
