"""Staff members and the sites they work at."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipe_app.domain import Site, StaffMember, StaffSite
from pipe_app.domain.enums import StaffRole
from pipe_app.services.base import Service, check_version, get_live, sync_links
from pipe_app.services.errors import NotFound
from pipe_app.services.permissions import Permission
from pipe_app.services.validation import Checks
from pipe_app.timeutil import local_today


@dataclass(frozen=True)
class StaffRow:
    id: uuid.UUID
    version: int
    given_name: str
    family_name: str
    job_role: StaffRole
    email: str | None
    start_date: date
    end_date: date | None
    site_ids: frozenset[uuid.UUID]

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


@dataclass(frozen=True)
class StaffInput:
    given_name: str
    family_name: str
    job_role: StaffRole | str
    start_date: date
    site_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    email: str | None = None
    end_date: date | None = None


def staff_row(member: StaffMember) -> StaffRow:
    return StaffRow(
        member.id,
        member.version,
        member.given_name,
        member.family_name,
        member.job_role,
        member.email,
        member.start_date,
        member.end_date,
        frozenset(link.site_id for link in member.site_links if link.archived_at is None),
    )


# StaffRow's fields but the sites, in order.
_ROW_COLUMNS = (
    StaffMember.id,
    StaffMember.version,
    StaffMember.given_name,
    StaffMember.family_name,
    StaffMember.job_role,
    StaffMember.email,
    StaffMember.start_date,
    StaffMember.end_date,
)


def works_at(session: Session, staff_member_id: uuid.UUID, site_id: uuid.UUID, day: date) -> bool:
    """Whether the staff member works at the site and is employed on that day."""
    member = session.get(StaffMember, staff_member_id)
    if member is None or member.archived_at is not None:
        return False
    if member.start_date > day or (member.end_date is not None and member.end_date < day):
        return False
    return any(link.site_id == site_id and link.archived_at is None for link in member.site_links)


class StaffService(Service):
    def rows(
        self, *, site_id: uuid.UUID | None = None, include_left: bool = False
    ) -> list[StaffRow]:
        visible = self._visible_sites()
        wanted = visible if site_id is None else visible & {site_id}
        at_wanted = select(StaffSite.staff_member_id).where(  # only staff at those sites
            StaffSite.archived_at.is_(None), StaffSite.site_id.in_(wanted)
        )
        with self._reading() as session:  # plain columns: no ORM objects for 400 staff
            links: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
            for staff_id, link_site in session.execute(
                select(StaffSite.staff_member_id, StaffSite.site_id).where(
                    StaffSite.archived_at.is_(None), StaffSite.staff_member_id.in_(at_wanted)
                )
            ):
                links[staff_id].add(link_site)
            members = [
                StaffRow(*values, frozenset(links[values[0]]))
                for values in session.execute(
                    select(*_ROW_COLUMNS)
                    .where(StaffMember.archived_at.is_(None), StaffMember.id.in_(at_wanted))
                    .order_by(StaffMember.family_name, StaffMember.given_name)
                )
            ]
        today = local_today()
        return [
            row
            for row in members
            if row.site_ids & visible
            and (site_id is None or site_id in row.site_ids)
            and (include_left or row.end_date is None or row.end_date >= today)
        ]

    def _visible_sites(self) -> frozenset[uuid.UUID]:
        self.actor.require(Permission.STAFF_READ)
        if self.actor.is_system:
            with self._reading() as session:
                return frozenset(session.scalars(select(Site.id)))
        return self.actor.site_ids

    def get(self, staff_member_id: uuid.UUID) -> StaffRow:
        with self._reading() as session:
            member = get_live(session, StaffMember, staff_member_id, "staff member")
            row = staff_row(member)
        if not row.site_ids & self._visible_sites():
            raise NotFound("that staff member does not exist or works at none of your sites")
        return row

    def _checked(self, data: StaffInput) -> tuple[str, str, StaffRole | None, str | None]:
        checks = Checks()
        given = checks.name("given_name", data.given_name)
        family = checks.name("family_name", data.family_name)
        role = checks.choice("job_role", data.job_role, StaffRole)
        email = checks.text("email", data.email, max_length=200, required=False) or None
        if email is not None and "@" not in email:
            checks.fail("email", "is not an email address")
        start = checks.day("start_date", data.start_date)
        end = checks.day("end_date", data.end_date, required=False)
        checks.order("start_date", start, "end_date", end)
        if not data.site_ids:
            checks.fail("sites", "choose at least one site")
        checks.raise_if_any()
        for site_id in data.site_ids:
            self.actor.require(Permission.STAFF_WRITE, site_id)
        return given, family, role, email

    def create(self, data: StaffInput) -> StaffRow:
        self.actor.require(Permission.STAFF_WRITE)
        given, family, role, email = self._checked(data)
        with self._writing() as session:
            assert role is not None
            member = StaffMember(
                given_name=given,
                family_name=family,
                job_role=role,
                email=email,
                start_date=data.start_date,
                end_date=data.end_date,
            )
            member.site_links = [StaffSite(site_id=site_id) for site_id in data.site_ids]
            session.add(member)
            session.flush()
            return staff_row(member)

    def update(self, staff_member_id: uuid.UUID, version: int, data: StaffInput) -> StaffRow:
        self.actor.require(Permission.STAFF_WRITE)
        given, family, role, email = self._checked(data)
        with self._writing() as session:
            member = get_live(session, StaffMember, staff_member_id, "staff member")
            check_version(member, version)
            current = {link.site_id for link in member.site_links if link.archived_at is None}
            for site_id in current:
                self.actor.require(Permission.STAFF_WRITE, site_id)
            assert role is not None
            member.given_name, member.family_name, member.job_role = given, family, role
            member.email, member.start_date, member.end_date = email, data.start_date, data.end_date
            sync_links(member.site_links, data.site_ids, lambda site_id: StaffSite(site_id=site_id))
            session.flush()
            return staff_row(member)
