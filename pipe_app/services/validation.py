"""Input checks shared by services. Each collects problems so a form can show them all."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from pipe_app.services.errors import FieldProblem, ValidationError
from pipe_app.timeutil import utc_now

CRN_PATTERN = re.compile(r"[A-Z][0-9]{6}")
MIN_MINUTES, MAX_MINUTES = 5, 480
CLOCK_SKEW = timedelta(minutes=5)

S = TypeVar("S", bound=StrEnum)


class Checks:
    """Collects field problems; ``raise_if_any()`` raises one ValidationError naming them all."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(FieldProblem(field, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationError(list(self.problems))

    def text(self, field: str, value: object, *, max_length: int, required: bool = True) -> str:
        """Trimmed, NFC-normalised text without control characters (newlines and tabs allowed)."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(field, "must be text")
            return ""
        cleaned = unicodedata.normalize("NFC", value).strip()
        bad = [
            ch for ch in cleaned if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t"
        ]
        if bad:
            self.fail(field, "contains control characters that cannot be stored")
        elif required and not cleaned:
            self.fail(field, "is required")
        elif len(cleaned) > max_length:
            self.fail(field, f"is {len(cleaned)} characters long; the most allowed is {max_length}")
        return cleaned

    def name(self, field: str, value: object, *, required: bool = True) -> str:
        return self.text(field, value, max_length=80, required=required)

    def crn(self, field: str, value: object) -> str:
        raw = value.strip().upper() if isinstance(value, str) else ""
        if not CRN_PATTERN.fullmatch(raw):
            self.fail(field, "must be one letter followed by six digits, for example X123456")
        return raw

    def choice(
        self, field: str, value: object, enum_type: type[S], *, required: bool = True
    ) -> S | None:
        if value is None or value == "":
            if required:
                self.fail(field, "is required")
            return None
        try:
            return enum_type(str(value))
        except ValueError:
            allowed = ", ".join(member.value for member in enum_type)
            self.fail(field, f"must be one of: {allowed}")
            return None

    def minutes(self, field: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, "must be a whole number of minutes")
            return 0
        if not MIN_MINUTES <= value <= MAX_MINUTES:
            self.fail(field, f"must be between {MIN_MINUTES} and {MAX_MINUTES} minutes")
        return value

    def whole(self, field: str, value: object, *, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, "must be a whole number")
            return low
        if not low <= value <= high:
            self.fail(field, f"must be between {low} and {high}")
        return value

    def past_time(self, field: str, value: object) -> datetime | None:
        """A time that has happened (a session cannot be recorded for the future)."""
        if not isinstance(value, datetime):
            self.fail(field, "must be a date and time")
            return None
        if value.tzinfo is None:
            self.fail(field, "must carry a time zone")
            return None
        if value > utc_now() + CLOCK_SKEW:
            self.fail(field, "cannot be in the future")
        return value

    def day(self, field: str, value: object, *, required: bool = True) -> date | None:
        if value is None:
            if required:
                self.fail(field, "is required")
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(field, "must be a date")
            return None
        if not date(1900, 1, 1) <= value <= date(2200, 1, 1):
            self.fail(field, "is not a plausible date")
        return value

    def order(
        self, earlier_field: str, earlier: date | None, later_field: str, later: date | None
    ) -> None:
        if earlier is not None and later is not None and later < earlier:
            self.fail(later_field, f"cannot be before {earlier_field.replace('_', ' ')}")

    def tags(self, field: str, value: object, *, max_items: int = 20) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.fail(field, "must be a list")
            return []
        cleaned: list[str] = []
        for item in value:
            tag = self.text(field, item, max_length=60)
            if tag and tag not in cleaned:
                cleaned.append(tag)
        if len(cleaned) > max_items:
            self.fail(field, f"has {len(cleaned)} entries; the most allowed is {max_items}")
        return cleaned
