"""Sites (premises) and their settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from pipe_app.domain import Site
from pipe_app.domain.enums import APType
from pipe_app.services.base import Service, check_version, get_live
from pipe_app.services.errors import NotFound
from pipe_app.services.permissions import Permission
from pipe_app.services.validation import Checks


@dataclass(frozen=True)
class SiteRow:
    id: uuid.UUID
    version: int
    name: str
    code: str
    ap_type: APType
    address: str
    beds: int
    key_work_frequency_days: int
    evidence_review_months: int
    settings: dict[str, Any]


@dataclass(frozen=True)
class SiteInput:
    name: str
    code: str
    ap_type: APType | str
    beds: int
    address: str = ""
    key_work_frequency_days: int = 7
    evidence_review_months: int = 12


def site_row(site: Site) -> SiteRow:
    return SiteRow(
        site.id,
        site.version,
        site.name,
        site.code,
        site.ap_type,
        site.address,
        site.beds,
        site.key_work_frequency_days,
        site.evidence_review_months,
        dict(site.settings or {}),
    )


class SiteService(Service):
    def rows(self) -> list[SiteRow]:
        """The sites this user works at (all of them for administrators)."""
        with self._reading() as session:
            query = select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)
            sites = session.scalars(query).all()
        return [site_row(site) for site in sites if self._visible(site.id)]

    def _visible(self, site_id: uuid.UUID) -> bool:
        return self.actor.is_system or site_id in self.actor.site_ids

    def get(self, site_id: uuid.UUID) -> SiteRow:
        with self._reading() as session:
            site = get_live(session, Site, site_id, "site")
        if not self._visible(site.id):
            raise NotFound("that site does not exist or is not one of yours")
        return site_row(site)

    def find_by_name(self, name: str) -> SiteRow | None:
        with self._reading() as session:
            site = session.scalars(
                select(Site).where(
                    func.lower(Site.name) == name.strip().lower(), Site.archived_at.is_(None)
                )
            ).one_or_none()
        if site is None or not self._visible(site.id):
            return None
        return site_row(site)

    def _checked(self, data: SiteInput) -> tuple[str, str, APType | None, int, str, int, int]:
        checks = Checks()
        name = checks.text("name", data.name, max_length=120)
        code = checks.text("code", data.code, max_length=8).upper()
        ap_type = checks.choice("ap_type", data.ap_type, APType)
        beds = checks.whole("beds", data.beds, low=1, high=200)
        address = checks.text("address", data.address, max_length=2000, required=False)
        frequency = checks.whole(
            "key_work_frequency_days", data.key_work_frequency_days, low=1, high=90
        )
        months = checks.whole("evidence_review_months", data.evidence_review_months, low=1, high=60)
        checks.raise_if_any()
        return name, code, ap_type, beds, address, frequency, months

    def _unique(self, session: Any, name: str, code: str, exclude: uuid.UUID | None) -> None:
        checks = Checks()
        for field, column, value in (("name", Site.name, name), ("code", Site.code, code)):
            query = select(Site.id).where(func.lower(column) == value.lower())
            if exclude is not None:
                query = query.where(Site.id != exclude)
            if session.scalars(query).first() is not None:
                checks.fail(field, f"another site already uses {value!r}")
        checks.raise_if_any()

    def create(self, data: SiteInput) -> SiteRow:
        self.actor.require(Permission.SITE_CREATE)
        name, code, ap_type, beds, address, frequency, months = self._checked(data)
        with self._writing() as session:
            self._unique(session, name, code, None)
            site = Site(
                name=name,
                code=code,
                ap_type=ap_type,
                beds=beds,
                address=address,
                key_work_frequency_days=frequency,
                evidence_review_months=months,
                settings={},
            )
            session.add(site)
            session.flush()
            return site_row(site)

    def update(self, site_id: uuid.UUID, version: int, data: SiteInput) -> SiteRow:
        self.actor.require(Permission.SITE_MANAGE, site_id)
        name, code, ap_type, beds, address, frequency, months = self._checked(data)
        with self._writing() as session:
            site = get_live(session, Site, site_id, "site")
            check_version(site, version)
            self._unique(session, name, code, site.id)
            site.name, site.code, site.beds, site.address = name, code, beds, address
            assert ap_type is not None
            site.ap_type = ap_type
            site.key_work_frequency_days = frequency
            site.evidence_review_months = months
            session.flush()
            return site_row(site)
