"""Residents as stable pseudonyms, and scrubbing of their identifiers from free text.

Whatever leaves the premises names no resident (DOMAIN.md, data protection). Staff write
narratives and titles freely, so every piece of text that goes into a pack passes through
``Pseudonyms.scrub``: each known given, family and preferred name and CRN of the site's
residents (whole words, any case) becomes the resident's pseudonym, and dates of birth in
common written forms are removed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

WORD = re.compile(r"\w+")
# Anything written like a date (numeric, "9 March 1985", "March 9, 1985"); replaced only
# when it is one of the residents' dates of birth.
DATE_LIKE = re.compile(
    r"(?<!\w)(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
    r"|\d{1,2} [^\W\d_]+ \d{4}"
    r"|[^\W\d_]+ \d{1,2}, \d{4})(?!\w)"
)
WITHHELD = "[a resident]"
DOB_REMOVED = "[date removed]"


@dataclass(frozen=True)
class ResidentIdentity:
    id: uuid.UUID
    crn: str
    given_name: str
    family_name: str
    preferred_name: str | None
    date_of_birth: date


def date_forms(day: date) -> list[str]:
    """Ways a date is commonly written in UK records."""
    d, m, y = day.day, day.month, day.year
    return sorted(
        {
            f"{d:02d}/{m:02d}/{y}",
            f"{d}/{m}/{y}",
            f"{d:02d}-{m:02d}-{y}",
            f"{d:02d}.{m:02d}.{y}",
            f"{d:02d}/{m:02d}/{y % 100:02d}",
            day.isoformat(),
            f"{d} {day:%B} {y}",
            f"{d} {day:%b} {y}",
            f"{d:02d} {day:%B} {y}",
            f"{d:02d} {day:%b} {y}",
            f"{day:%B} {d}, {y}",
        },
        key=len,
        reverse=True,
    )


class Pseudonyms:
    """Pseudonyms assigned in order of resident id, so the same data gives the same names."""

    def __init__(self, residents: Iterable[ResidentIdentity]) -> None:
        people = sorted({r.id: r for r in residents}.values(), key=lambda r: r.id)
        width = max(2, len(str(len(people))))
        self._names = {r.id: f"Resident R-{n:0{width}d}" for n, r in enumerate(people, start=1)}
        replacement: dict[str, str] = {}
        owners: dict[str, set[uuid.UUID]] = {}
        for person in people:
            words = {person.crn, person.given_name, person.family_name, person.preferred_name or ""}
            firsts = {person.given_name, person.preferred_name or ""} - {""}
            phrases = {f"{first} {person.family_name}" for first in firsts}
            for token in (words | phrases) - {""}:
                owners.setdefault(token.strip().casefold(), set()).add(person.id)
        for token, ids in owners.items():
            if token:
                replacement[token] = self._names[next(iter(ids))] if len(ids) == 1 else WITHHELD
        self._replacement = replacement
        self._longest = max((len(WORD.findall(key)) for key in replacement), default=0)
        self._dobs = {form.casefold() for r in people for form in date_forms(r.date_of_birth)}

    def name(self, resident_id: uuid.UUID) -> str:
        return self._names.get(resident_id, WITHHELD)

    def __len__(self) -> int:
        return len(self._names)

    def scrub(self, text: str) -> str:
        """The text with every known resident identifier replaced.

        Words are matched as whole runs of word characters, longest known phrase first, by
        dictionary look-up: a site has hundreds of residents, too many for one fast regex.
        """
        if not text:
            return text
        if self._dobs:
            text = DATE_LIKE.sub(
                lambda m: DOB_REMOVED if m.group(0).casefold() in self._dobs else m.group(0), text
            )
        if not self._replacement:
            return text
        words = list(WORD.finditer(text))
        out: list[str] = []
        position = index = 0
        while index < len(words):
            for length in range(min(self._longest, len(words) - index), 0, -1):
                first, last = words[index], words[index + length - 1]
                found = self._replacement.get(text[first.start() : last.end()].casefold())
                if found is not None:
                    out += [text[position : first.start()], found]
                    position, index = last.end(), index + length
                    break
            else:
                index += 1
        out.append(text[position:])
        return "".join(out)
