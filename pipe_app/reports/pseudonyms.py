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
from bisect import bisect_left
from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from pipe_app.domain import Placement, Resident
from pipe_app.services.permissions import Actor, Permission
from pipe_app.storage.database import Database

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


class ResidentIdentity(NamedTuple):
    id: uuid.UUID
    crn: str
    given_name: str
    family_name: str
    preferred_name: str | None
    date_of_birth: date


def site_identities(db: Database, actor: Actor, site_id: uuid.UUID) -> list[ResidentIdentity]:
    """What identifies each resident the site's lists show (``ResidentService.rows`` for the
    site: not archived, with a live placement there), in id order; one statement of just
    these columns, without working out anyone's latest placement."""
    actor.require(Permission.RESIDENT_READ, site_id)
    placed = select(Placement.resident_id).where(
        Placement.site_id == site_id, Placement.archived_at.is_(None)
    )
    query = (
        select(
            Resident.id,
            Resident.crn,
            Resident.given_name,
            Resident.family_name,
            Resident.preferred_name,
            Resident.date_of_birth,
        )
        .where(Resident.archived_at.is_(None), Resident.id.in_(placed))
        .order_by(Resident.id)
    )
    with db.reading() as session:
        return [ResidentIdentity._make(row) for row in session.execute(query)]


def date_forms(day: date) -> list[str]:
    """Ways a date is commonly written in UK records."""
    return sorted(_date_forms(day, f"{day:%B}", f"{day:%b}"), key=len, reverse=True)


def _date_forms(day: date, month: str, short: str) -> set[str]:
    """``date_forms`` unsorted, given the month's name and short name (looked up once a
    month, not once a date, when there are hundreds of dates)."""
    d, m, y = day.day, day.month, day.year
    return {
        f"{d:02d}/{m:02d}/{y}",
        f"{d}/{m}/{y}",
        f"{d:02d}-{m:02d}-{y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{d:02d}/{m:02d}/{y % 100:02d}",
        day.isoformat(),
        f"{d} {month} {y}",
        f"{d} {short} {y}",
        f"{d:02d} {month} {y}",
        f"{d:02d} {short} {y}",
        f"{month} {d}, {y}",
    }


class Pseudonyms:
    """Pseudonyms assigned in order of resident id, so the same data gives the same names."""

    def __init__(self, residents: Iterable[ResidentIdentity]) -> None:
        # By id as ids sort (comparing numbers is quicker than comparing UUID objects).
        people = sorted({r.id: r for r in residents}.values(), key=lambda r: r.id.int)
        width = max(2, len(str(len(people))))
        names = {r.id: f"Resident R-{n:0{width}d}" for n, r in enumerate(people, start=1)}
        # Each identifier (casefolded) becomes its resident's pseudonym; one that residents
        # share is withheld.
        replacement: dict[str, str] = {}
        for person, name in zip(people, names.values(), strict=True):
            family = person.family_name
            tokens = {person.crn, person.given_name, family, person.preferred_name or ""}
            for first in (person.given_name, person.preferred_name):
                if first:
                    tokens.add(f"{first} {family}")
            for token in {token.strip().casefold() for token in tokens}:
                if token:
                    replacement[token] = name if replacement.get(token, name) == name else WITHHELD
        self._names = names
        self._replacement = replacement
        self._keys = sorted(replacement)  # a word can start a known phrase: see ``scrub``
        # Most identifiers are one word (all word characters); only the others are split.
        self._longest = max(
            (len(WORD.findall(key)) if not key.isalnum() else 1 for key in replacement),
            default=0,
        )
        self._birthdays = {r.date_of_birth for r in people}
        self._dob_forms: set[str] | None = None  # made when a text first holds a date
        self._scrubbed: dict[str, str] = {}  # the same text scrubbed once

    @property
    def _dobs(self) -> set[str]:
        """Every written form of every resident's date of birth, casefolded."""
        if self._dob_forms is None:
            names = {
                month: (f"{date(2000, month, 1):%B}", f"{date(2000, month, 1):%b}")
                for month in range(1, 13)
            }
            self._dob_forms = {
                form.casefold()
                for day in self._birthdays
                for form in _date_forms(day, *names[day.month])
            }
        return self._dob_forms

    def name(self, resident_id: uuid.UUID) -> str:
        return self._names.get(resident_id, WITHHELD)

    def __len__(self) -> int:
        return len(self._names)

    def scrub(self, text: str) -> str:
        """The text with every known resident identifier replaced (worked out once a text:
        a pack repeats titles and rationales)."""
        done = self._scrubbed.get(text)
        if done is None:
            done = self._scrubbed[text] = self._scrub(text)
        return done

    def _scrub(self, text: str) -> str:
        """Words are matched as whole runs of word characters, longest known phrase first, by
        dictionary look-up: a site has hundreds of residents, too many for one fast regex.
        Phrases are looked up only from a word that some known phrase starts with (casefold
        works character by character, so a phrase found casefolded starts with its first
        word casefolded), found by bisection in the sorted phrases.
        """
        if not text:
            return text
        if self._birthdays:
            text = DATE_LIKE.sub(
                lambda m: DOB_REMOVED if m.group(0).casefold() in self._dobs else m.group(0), text
            )
        if not self._replacement:
            return text
        words = list(WORD.finditer(text))
        keys, count = self._keys, len(self._keys)
        out: list[str] = []
        position = index = 0
        while index < len(words):
            head = words[index].group().casefold()
            at = bisect_left(keys, head)
            if at == count or not keys[at].startswith(head):
                index += 1
                continue
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
