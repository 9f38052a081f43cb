"""Sites (premises) and their settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from pipe_app.domain import Site
from pipe_app.domain.enums import NOTE_REQUIRED_CODES, APType, AttendanceCode, GroupKind
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


DEFAULT_TRAINING_WARNING_DAYS = 60
DEFAULT_SUPERVISION_SIGN_DAYS = 7
MAX_ACTIVITY_TEMPLATES = 60


@dataclass(frozen=True)
class ActivityTemplate:
    """A group activity a site runs often, offered ready-filled when a session is recorded."""

    name: str
    kind: GroupKind | str
    minutes: int


@dataclass(frozen=True)
class SiteSettingsInput:
    """Settings kept in ``Site.settings`` because practice differs between sites.

    ``attendance_codes`` are the codes a register offers; ``note_codes`` those that need a note.
    The review windows: how many days before a course expires training shows as due, and how
    many days a supervisee has to sign a supervision record.
    """

    attendance_codes: frozenset[AttendanceCode | str] = frozenset(AttendanceCode)
    note_codes: frozenset[AttendanceCode | str] = NOTE_REQUIRED_CODES
    activity_templates: tuple[ActivityTemplate, ...] = field(default_factory=tuple)
    training_warning_days: int = DEFAULT_TRAINING_WARNING_DAYS
    supervision_sign_days: int = DEFAULT_SUPERVISION_SIGN_DAYS


def site_settings(site: SiteRow) -> SiteSettingsInput:
    """A site's settings with defaults for whatever it has not set (or stored oddly)."""
    stored = site.settings

    def codes(key: str, default: frozenset[AttendanceCode]) -> frozenset[AttendanceCode | str]:
        values = stored.get(key)
        if not isinstance(values, list):
            return frozenset(default)
        return frozenset(AttendanceCode(v) for v in values if v in set(AttendanceCode))

    def number(key: str, default: int) -> int:
        value = stored.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    templates = []
    for item in stored.get("activity_templates") or []:
        if isinstance(item, dict):
            minutes = item.get("minutes")
            templates.append(
                ActivityTemplate(
                    str(item.get("name", "")),
                    str(item.get("kind", "")),
                    minutes if isinstance(minutes, int) else 0,
                )
            )
    return SiteSettingsInput(
        codes("attendance_codes", frozenset(AttendanceCode)),
        codes("note_codes", NOTE_REQUIRED_CODES),
        tuple(templates),
        number("training_warning_days", DEFAULT_TRAINING_WARNING_DAYS),
        number("supervision_sign_days", DEFAULT_SUPERVISION_SIGN_DAYS),
    )


def checked_settings(data: SiteSettingsInput) -> dict[str, Any]:
    """The settings as stored JSON, or ValidationError naming each part that is wrong.

    Public so a form can check the settings before it saves anything else.
    """
    checks = Checks()
    in_use: list[AttendanceCode] = []
    for value in data.attendance_codes:
        code = checks.choice("attendance_codes", value, AttendanceCode)
        if code is not None:
            in_use.append(code)
    if not data.attendance_codes:
        checks.fail("attendance_codes", "must include at least one code")
    elif in_use and AttendanceCode.ATTENDED not in in_use:
        checks.fail("attendance_codes", "must include 'attended'")
    need_note: list[AttendanceCode] = []
    for value in data.note_codes:
        code = checks.choice("note_codes", value, AttendanceCode)
        if code is not None:
            need_note.append(code)
    unused = sorted(code.value for code in need_note if code not in in_use)
    if unused and in_use:
        checks.fail("note_codes", f"can only include codes in use, not {', '.join(unused)}")
    templates: list[dict[str, Any]] = []
    if len(data.activity_templates) > MAX_ACTIVITY_TEMPLATES:
        checks.fail(
            "activity_templates",
            f"has {len(data.activity_templates)} entries; the most allowed is "
            f"{MAX_ACTIVITY_TEMPLATES}",
        )
    seen: set[str] = set()
    for number, template in enumerate(data.activity_templates, start=1):
        row = Checks()
        name = row.text("name", template.name, max_length=80)
        kind = row.choice("kind", template.kind, GroupKind)
        minutes = row.minutes("minutes", template.minutes)
        if name and name.casefold() in seen:
            row.fail("name", f"{name!r} is listed twice")
        seen.add(name.casefold())
        for problem in row.problems:
            checks.fail("activity_templates", f"row {number}: {problem.field} {problem.message}")
        if not row.problems and kind is not None:
            templates.append({"name": name, "kind": kind.value, "minutes": minutes})
    training = checks.whole("training_warning_days", data.training_warning_days, low=7, high=365)
    signing = checks.whole("supervision_sign_days", data.supervision_sign_days, low=1, high=60)
    checks.raise_if_any()
    order = list(AttendanceCode)
    return {
        "attendance_codes": sorted(
            (c.value for c in set(in_use)), key=lambda v: order.index(AttendanceCode(v))
        ),
        "note_codes": sorted(
            (c.value for c in set(need_note)), key=lambda v: order.index(AttendanceCode(v))
        ),
        "activity_templates": templates,
        "training_warning_days": training,
        "supervision_sign_days": signing,
    }


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
        for part, column, value in (("name", Site.name, name), ("code", Site.code, code)):
            query = select(Site.id).where(func.lower(column) == value.lower())
            if exclude is not None:
                query = query.where(Site.id != exclude)
            if session.scalars(query).first() is not None:
                checks.fail(part, f"another site already uses {value!r}")
        checks.raise_if_any()

    def create(self, data: SiteInput, settings: SiteSettingsInput | None = None) -> SiteRow:
        """A new site, with its settings when given (one action: both or neither)."""
        self.actor.require(Permission.SITE_CREATE)
        name, code, ap_type, beds, address, frequency, months = self._checked(data)
        stored = checked_settings(settings) if settings is not None else {}
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
                settings=stored,
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

    def update_settings(self, site_id: uuid.UUID, version: int, data: SiteSettingsInput) -> SiteRow:
        """Replace the site's settings as a whole (other keys already stored are kept)."""
        self.actor.require(Permission.SITE_MANAGE, site_id)
        stored = checked_settings(data)
        with self._writing() as session:
            site = get_live(session, Site, site_id, "site")
            check_version(site, version)
            site.settings = {**(site.settings or {}), **stored}
            session.flush()
            return site_row(site)
