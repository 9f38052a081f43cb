"""Time: stored in UTC, shown in UK local time (Europe/London, across clock changes)."""

from __future__ import annotations

from datetime import UTC, date, datetime
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
