"""What the demo phases share: the random source, the dates, and plain notes of what exists.

Phases pass plain data between them (never live ORM objects), because each phase writes in
its own transaction.
"""

from __future__ import annotations

import calendar
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pipe_app.domain.enums import StaffRole
from pipe_app.timeutil import to_utc

WINDOW_MONTHS = 18
KEY_WORKER_ROLES = frozenset({StaffRole.RESIDENTIAL_WORKER, StaffRole.PROBATION_SERVICES_OFFICER})


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UK local time on ``day``, as the aware UTC datetime the database stores."""
    return to_utc(datetime.combine(day, time(hour, minute)))


def new_id() -> uuid.UUID:
    """Ids are random, so demo code must never order or choose by them (the seed decides)."""
    return uuid.uuid4()


@dataclass
class DemoSite:
    id: uuid.UUID
    key: str
    code: str
    women: bool
    frequency_days: int
    review_months: int


@dataclass
class DemoStaff:
    id: uuid.UUID
    name: str
    job_role: StaffRole
    site_ids: frozenset[uuid.UUID]
    start: date
    end: date | None
    user_id: uuid.UUID | None = None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


@dataclass
class Assignment:
    staff_id: uuid.UUID
    start: date
    end: date | None


@dataclass
class DemoPlacement:
    id: uuid.UUID
    resident_id: uuid.UUID
    crn: str
    site_id: uuid.UUID
    arrival: date | None  # None: expected, not yet arrived
    departure: date | None
    is_pipe: bool
    assignments: list[Assignment] = field(default_factory=list)

    def placed_on(self, day: date) -> bool:
        return (
            self.arrival is not None
            and self.arrival <= day
            and (self.departure is None or self.departure > day)
        )

    def key_worker_on(self, day: date) -> uuid.UUID | None:
        for assignment in self.assignments:
            if assignment.start <= day and (assignment.end is None or day < assignment.end):
                return assignment.staff_id
        return None


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    now: datetime
    sites: list[DemoSite] = field(default_factory=list)
    staff: list[DemoStaff] = field(default_factory=list)
    placements: list[DemoPlacement] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def start(self) -> date:
        """The first day of the demo's history: 18 months before today."""
        return add_months(self.today, -WINDOW_MONTHS)

    def days(self, first: date, last: date) -> list[date]:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def staff_at(
        self, site: DemoSite, day: date, roles: frozenset[StaffRole] | None = None
    ) -> list[DemoStaff]:
        return [
            member
            for member in self.staff
            if site.id in member.site_ids
            and member.active_on(day)
            and (roles is None or member.job_role in roles)
        ]

    def placed(self, site: DemoSite, day: date, *, pipe_only: bool = False) -> list[DemoPlacement]:
        return [
            placement
            for placement in self.placements
            if placement.site_id == site.id
            and placement.placed_on(day)
            and (placement.is_pipe or not pipe_only)
        ]

    def user_for(self, site: DemoSite, role: StaffRole) -> uuid.UUID | None:
        for member in self.staff:
            if member.job_role == role and site.id in member.site_ids and member.user_id:
                return member.user_id
        return None
