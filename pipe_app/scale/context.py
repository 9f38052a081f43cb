"""What the scale phases share: the seeded random source, the calendar and plain notes."""

from __future__ import annotations

import random
import uuid
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from pipe_app.domain import Base
from pipe_app.domain.enums import StaffRole
from pipe_app.scale.plans import ScalePlan
from pipe_app.timeutil import to_utc

CHUNK = 5_000


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UK local time on ``day``, as the aware UTC datetime the database stores."""
    return to_utc(datetime.combine(day, time(hour, minute)))


@dataclass
class Post:
    """A job at a site held by a chain of staff, one after another, so it is never vacant."""

    role: StaffRole
    site_index: int | None  # None: every site (the psychologist)
    holders: list[tuple[uuid.UUID, date, date | None]] = field(default_factory=list)

    def holder_on(self, day: date) -> uuid.UUID:
        for staff_id, start, end in self.holders:
            if start <= day and (end is None or day <= end):
                return staff_id
        return self.holders[-1][0] if day > self.holders[-1][1] else self.holders[0][0]


@dataclass
class ScaleSite:
    id: uuid.UUID
    name: str
    women: bool
    frequency_days: int


@dataclass
class ScalePlacement:
    id: uuid.UUID
    resident_id: uuid.UUID
    site_index: int
    bed: int
    arrival: date
    departure: date | None  # None: still here (or not yet arrived)
    arrived: bool
    assignments: list[tuple[uuid.UUID, date, date | None]] = field(default_factory=list)

    def last_day(self, today: date) -> date:
        return min(self.departure or today, today)

    def worker_on(self, day: date) -> uuid.UUID:
        for staff_id, start, end in self.assignments:
            if start <= day and (end is None or day < end):
                return staff_id
        return self.assignments[-1][0]


@dataclass
class ScaleContext:
    plan: ScalePlan
    rng: random.Random
    today: date
    now: datetime
    sites: list[ScaleSite] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    placements: list[ScalePlacement] = field(default_factory=list)
    # per site, per bed: placements in date order (for "who is placed on this day")
    beds: list[list[list[ScalePlacement]]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    _arrivals: list[list[list[date]]] = field(default_factory=list)

    @property
    def start(self) -> date:
        return self.today - timedelta(days=365 * self.plan.years)

    def new_id(self) -> uuid.UUID:
        """From the seeded source, so the same seed gives the same ids."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def posts_at(self, site_index: int, roles: frozenset[StaffRole]) -> list[Post]:
        return [
            post
            for post in self.posts
            if post.role in roles and post.site_index in (site_index, None)
        ]

    def placed_on(self, site_index: int, day: date) -> list[ScalePlacement]:
        if len(self._arrivals) != len(self.beds):
            self._arrivals = [[[p.arrival for p in chain] for chain in s] for s in self.beds]
        found = []
        for chain, arrivals in zip(self.beds[site_index], self._arrivals[site_index], strict=True):
            index = bisect_right(arrivals, day) - 1
            if index < 0:
                continue
            placement = chain[index]
            if placement.arrived and (placement.departure is None or placement.departure > day):
                found.append(placement)
        return found

    def stamp(self, row: dict[str, Any]) -> dict[str, Any]:
        """The columns every record has; generated rows all share one creation time."""
        row.setdefault("id", self.new_id())
        row.update(created_at=self.now, updated_at=self.now, version=1, archived_at=None)
        return row


def write(
    conn: Connection, model: type[Base], rows: list[dict[str, Any]], ctx: ScaleContext
) -> None:
    """Core bulk insert of the model's own table: no ORM objects, so no audit rows."""
    table = Base.metadata.tables[model.__tablename__]
    for first in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[first : first + CHUNK])
    ctx.counts[model.__tablename__] += len(rows)
