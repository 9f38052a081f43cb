"""Time: stored in UTC, shown in UK local time (Europe/London, across clock changes)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_utc(value: datetime) -> datetime:
    """An aware time in UTC; a naive time is read as UK local time (what staff type)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(UTC)


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime: stored times are always UTC-aware")
    return value.astimezone(LONDON)


def local_today() -> date:
    return utc_now().astimezone(LONDON).date()


def format_local(value: datetime) -> str:
    """``26 Nov 2026 14:05`` in UK local time."""
    return to_local(value).strftime("%d %b %Y %H:%M")


def local_day(moment: datetime) -> date:
    """The UK calendar day a stored time falls on (what staff mean by "the session day")."""
    return to_local(moment).date()


def day_start(day: date) -> datetime:
    """Midnight UK time at the start of ``day``, as aware UTC (for date-range filters)."""
    return to_utc(datetime.combine(day, time.min))


def add_months(day: date, months: int) -> date:
    """Calendar months later; a day past the end of the month becomes its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
