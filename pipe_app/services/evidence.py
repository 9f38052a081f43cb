"""Evidence for accreditation: items, their links to criteria, and attached files.

Files live in the database (one backup holds everything). Rows never carry file content;
``attachment_content`` is the one way to read it, so lists stay light and reads are deliberate.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from pipe_app.domain import (
    Attachment,
    Criterion,
    EvidenceItem,
    EvidenceLink,
    Site,
    StaffMember,
    StaffSite,
    Standard,
)
from pipe_app.domain.enums import EvidenceKind, EvidenceStatus
from pipe_app.services.base import Service, check_version, get_live
from pipe_app.services.errors import NotFound, ValidationError
from pipe_app.services.ordering import Order, SortColumns, in_enum_order, order_clauses
from pipe_app.services.permissions import Permission
from pipe_app.services.text_match import holds
from pipe_app.services.validation import Checks
from pipe_app.timeutil import local_today, utc_now

MAX_ATTACHMENT_MB = 25
MAX_ATTACHMENT_BYTES = MAX_ATTACHMENT_MB * 1024 * 1024
MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


def checked_file(file_name: str, media_type: str, content: bytes) -> tuple[str, str]:
    """A file fit to store: a plain name, a media type, and content within the size limit."""
    checks = Checks()
    name = checks.text("file_name", file_name, max_length=255)
    if "/" in name or "\\" in name:
        checks.fail("file_name", "must be a file name without folders")
    media = checks.text("media_type", media_type, max_length=120).lower()
    if media and not MEDIA_TYPE.fullmatch(media):
        checks.fail("media_type", "must look like type/subtype, for example application/pdf")
    if not isinstance(content, bytes | bytearray):
        checks.fail("content", "must be the file's bytes")
    elif not content:
        checks.fail("content", "the file is empty")
    elif len(content) > MAX_ATTACHMENT_BYTES:
        size = len(content) / (1024 * 1024)
        checks.fail(
            "content", f"the file is {size:.1f} MB; the largest allowed is {MAX_ATTACHMENT_MB} MB"
        )
    checks.raise_if_any()
    return name, media


def new_attachment(
    evidence_item_id: uuid.UUID | None, file_name: str, media_type: str, content: bytes
) -> Attachment:
    data = bytes(content)
    return Attachment(
        evidence_item_id=evidence_item_id,
        file_name=file_name,
        media_type=media_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )


@dataclass(frozen=True)
class EvidenceInput:
    site_id: uuid.UUID
    title: str
    kind: EvidenceKind | str
    effective_on: date
    author_id: uuid.UUID | None = None
    narrative: str = ""
    review_by: date | None = None


@dataclass(frozen=True)
class EvidenceRow:
    id: uuid.UUID
    version: int
    site_id: uuid.UUID
    title: str
    kind: EvidenceKind
    effective_on: date
    author_id: uuid.UUID | None
    narrative: str
    status: EvidenceStatus
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None
    review_by: date | None
    criterion_ids: frozenset[uuid.UUID]
    attachment_count: int
    archived: bool


@dataclass(frozen=True)
class LinkRow:
    id: uuid.UUID
    evidence_item_id: uuid.UUID
    criterion_id: uuid.UUID
    criterion_code: str
    standard_code: str
    rationale: str


@dataclass(frozen=True)
class AttachmentRow:
    """What is known about a stored file; the bytes come only from ``attachment_content``."""

    id: uuid.UUID
    evidence_item_id: uuid.UUID | None
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class EvidenceDetail:
    item: EvidenceRow
    links: tuple[LinkRow, ...]
    attachments: tuple[AttachmentRow, ...]


def evidence_row(item: EvidenceItem) -> EvidenceRow:
    return EvidenceRow(
        item.id,
        item.version,
        item.site_id,
        item.title,
        item.kind,
        item.effective_on,
        item.author_id,
        item.narrative,
        item.status,
        item.approved_by_id,
        item.approved_at,
        item.review_by,
        frozenset(link.criterion_id for link in item.links if link.archived_at is None),
        sum(1 for attachment in item.attachments if attachment.archived_at is None),
        item.archived_at is not None,
    )


def attachment_row(attachment: Attachment) -> AttachmentRow:
    return AttachmentRow(
        attachment.id,
        attachment.evidence_item_id,
        attachment.file_name,
        attachment.media_type,
        attachment.size_bytes,
        attachment.sha256,
        attachment.created_at,
    )


class EvidenceSort(StrEnum):
    TITLE = "title"
    STATUS = "status"
    KIND = "kind"
    EFFECTIVE = "effective"
    REVIEW_BY = "review_by"


EvidenceOrder = Order[EvidenceSort]
NEWEST_FIRST = EvidenceOrder(EvidenceSort.EFFECTIVE, descending=True)
_SORTS: dict[EvidenceSort, SortColumns] = {
    EvidenceSort.TITLE: (func.lower(EvidenceItem.title),),
    EvidenceSort.STATUS: (in_enum_order(EvidenceItem.status, EvidenceStatus),),
    EvidenceSort.KIND: (in_enum_order(EvidenceItem.kind, EvidenceKind),),
    EvidenceSort.EFFECTIVE: (EvidenceItem.effective_on,),
    EvidenceSort.REVIEW_BY: (EvidenceItem.review_by,),
}
# An item's own columns, in EvidenceRow's field order (the links and files are counted apart).
_ITEM_COLUMNS = (
    EvidenceItem.id,
    EvidenceItem.version,
    EvidenceItem.site_id,
    EvidenceItem.title,
    EvidenceItem.kind,
    EvidenceItem.effective_on,
    EvidenceItem.author_id,
    EvidenceItem.narrative,
    EvidenceItem.status,
    EvidenceItem.approved_by_id,
    EvidenceItem.approved_at,
    EvidenceItem.review_by,
)


def _search(text: str, sqlite: bool) -> ColumnElement[bool]:
    """The title or the author's name holds ``text`` (any case)."""
    authors = select(StaffMember.id).where(
        holds(StaffMember.given_name + " " + StaffMember.family_name, text, sqlite)
    )
    return or_(
        holds(EvidenceItem.title, text, sqlite),
        EvidenceItem.author_id.in_(authors),
    )


class EvidenceService(Service):
    # ---- reads -------------------------------------------------------------------------

    def _sites(self, site_id: uuid.UUID | None) -> list[uuid.UUID] | None:
        if site_id is not None:
            self.actor.require(Permission.EVIDENCE_READ, site_id)
            return [site_id]
        self.actor.require(Permission.EVIDENCE_READ)
        return None if self.actor.is_system else sorted(self.actor.site_ids)

    def _scope(self, site_id: uuid.UUID | None) -> list[ColumnElement[bool]]:
        sites = self._sites(site_id)
        return [] if sites is None else [EvidenceItem.site_id.in_(sites)]

    @staticmethod
    def _query(conditions: Sequence[ColumnElement[bool]]) -> Select[EvidenceItem]:
        """Items meeting ``conditions``, with the links and files their rows count."""
        return (
            select(EvidenceItem)
            .options(selectinload(EvidenceItem.links), selectinload(EvidenceItem.attachments))
            .where(*conditions)
        )

    def _conditions(
        self,
        site_id: uuid.UUID | None,
        status: EvidenceStatus | str | None,
        kind: EvidenceKind | str | None,
        criterion_id: uuid.UUID | None,
        include_archived: bool,
        effective_from: date | None,
        effective_to: date | None,
        search: str,
    ) -> list[ColumnElement[bool]]:
        conditions = self._scope(site_id)
        if not include_archived:
            conditions.append(EvidenceItem.archived_at.is_(None))
        if status is not None:
            conditions.append(EvidenceItem.status == EvidenceStatus(status))
        if kind is not None:
            conditions.append(EvidenceItem.kind == EvidenceKind(kind))
        if effective_from is not None:
            conditions.append(EvidenceItem.effective_on >= effective_from)
        if effective_to is not None:
            conditions.append(EvidenceItem.effective_on <= effective_to)
        if criterion_id is not None:
            conditions.append(
                exists().where(
                    EvidenceLink.evidence_item_id == EvidenceItem.id,
                    EvidenceLink.criterion_id == criterion_id,
                    EvidenceLink.archived_at.is_(None),
                )
            )
        text = search.strip().lower()
        if text:
            conditions.append(_search(text, self.db.is_sqlite))
        return conditions

    def rows(
        self,
        *,
        site_id: uuid.UUID | None = None,
        status: EvidenceStatus | str | None = None,
        kind: EvidenceKind | str | None = None,
        criterion_id: uuid.UUID | None = None,
        include_archived: bool = False,
        effective_from: date | None = None,
        effective_to: date | None = None,
        search: str = "",
        order: EvidenceOrder = NEWEST_FIRST,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[EvidenceRow]:
        """Newest first unless ``order`` says otherwise, ties by title then id;
        ``effective_from``/``effective_to`` keep items effective in the period (inclusive);
        ``search`` looks in the title and the author's name. All chosen by the database."""
        conditions = self._conditions(
            site_id,
            status,
            kind,
            criterion_id,
            include_archived,
            effective_from,
            effective_to,
            search,
        )
        *terms, by_id = order_clauses(order, _SORTS, EvidenceItem.id)
        query = self._query(conditions).order_by(*terms, EvidenceItem.title, by_id)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self._reading() as session:
            return [evidence_row(item) for item in session.scalars(query)]

    def count(
        self,
        *,
        site_id: uuid.UUID | None = None,
        status: EvidenceStatus | str | None = None,
        kind: EvidenceKind | str | None = None,
        criterion_id: uuid.UUID | None = None,
        include_archived: bool = False,
        effective_from: date | None = None,
        effective_to: date | None = None,
        search: str = "",
    ) -> int:
        """How many items ``rows`` would return with the same filters."""
        conditions = self._conditions(
            site_id,
            status,
            kind,
            criterion_id,
            include_archived,
            effective_from,
            effective_to,
            search,
        )
        query = select(func.count()).select_from(EvidenceItem).where(*conditions)
        with self._reading() as session:
            return int(session.scalar(query) or 0)

    def get(self, evidence_item_id: uuid.UUID) -> EvidenceDetail:
        return self.details([evidence_item_id])[0]

    def details(self, evidence_item_ids: Sequence[uuid.UUID]) -> list[EvidenceDetail]:
        """Items with their links and files, in the order asked, in the same few statements
        however many (for reports); an item at a site the user may not read is not found."""
        query = self._query(self._scope(None))
        wanted = list(dict.fromkeys(evidence_item_ids))
        if not wanted:
            return []
        with self._reading() as session:
            items = {
                item.id: item for item in session.scalars(query.where(EvidenceItem.id.in_(wanted)))
            }
            if len(items) < len(wanted):
                raise NotFound("that evidence does not exist or belongs to another site")
            links = self._link_rows(session, wanted)
            return [
                EvidenceDetail(
                    evidence_row(items[item_id]),
                    tuple(links[item_id]),
                    tuple(
                        attachment_row(attachment)
                        for attachment in sorted(
                            items[item_id].attachments, key=lambda a: a.created_at
                        )
                        if attachment.archived_at is None
                    ),
                )
                for item_id in wanted
            ]

    def details_of(self, rows: Sequence[EvidenceRow]) -> list[EvidenceDetail]:
        """``details`` of items already read by ``rows``, in the order given: only their links
        and files are read (two statements however many; the items are not read again).
        Files of one item added at the same moment come in id order."""
        for site_id in sorted({row.site_id for row in rows}):
            self.actor.require(Permission.EVIDENCE_READ, site_id)
        chosen = list({row.id: row for row in rows}.values())
        wanted = [row.id for row in chosen]
        if not wanted:
            return []
        with self._reading() as session:
            # The rows are the caller's: their items must still be at the user's sites.
            readable = select(EvidenceItem.id).where(
                *self._scope(None), EvidenceItem.id.in_(wanted)
            )
            if len(set(session.scalars(readable))) < len(wanted):
                raise NotFound("that evidence does not exist or belongs to another site")
            links = self._link_rows(session, wanted)
            files = self._file_rows(session, wanted)
        return [EvidenceDetail(row, tuple(links[row.id]), tuple(files[row.id])) for row in chosen]

    def linked_details(
        self,
        site_id: uuid.UUID,
        criterion_ids: Collection[uuid.UUID],
        *,
        status: EvidenceStatus | str | None = None,
        effective_from: date | None = None,
        effective_to: date | None = None,
    ) -> list[EvidenceDetail]:
        """``details`` of the items ``rows`` gives for the site with these filters that are
        linked to any of ``criterion_ids``, in ``rows``' order (newest first, then title and
        id): items, links and files in three statements of plain columns however many (for
        reports)."""
        conditions = self._conditions(
            site_id, status, None, None, False, effective_from, effective_to, ""
        )
        *terms, by_id = order_clauses(NEWEST_FIRST, _SORTS, EvidenceItem.id)
        query = (
            select(*_ITEM_COLUMNS).where(*conditions).order_by(*terms, EvidenceItem.title, by_id)
        )
        wanted = set(criterion_ids)
        with self._reading() as session:
            items: Sequence[Any] = session.execute(query).all()  # rows in EvidenceRow order
            if not items:
                return []
            links = self._link_rows(session, [item.id for item in items])
            chosen = [
                (item, links[item.id])
                for item in items
                if any(link.criterion_id in wanted for link in links[item.id])
            ]
            files = self._file_rows(session, [item.id for item, _ in chosen]) if chosen else {}
        return [
            EvidenceDetail(
                EvidenceRow(
                    *(
                        *item,
                        frozenset(link.criterion_id for link in mine),
                        len(files[item.id]),
                        False,  # archived items are not read
                    )
                ),
                tuple(mine),
                tuple(files[item.id]),
            )
            for item, mine in chosen
        ]

    @staticmethod
    def _link_rows(session: Session, wanted: list[uuid.UUID]) -> dict[uuid.UUID, list[LinkRow]]:
        """The live links of each item, with their criterion's and standard's codes."""
        links: dict[uuid.UUID, list[LinkRow]] = {item_id: [] for item_id in wanted}
        for row in session.execute(
            select(
                EvidenceLink.id,
                EvidenceLink.evidence_item_id,
                EvidenceLink.criterion_id,
                Criterion.code,
                Standard.code,
                EvidenceLink.rationale,
            )
            .join(Criterion, Criterion.id == EvidenceLink.criterion_id)
            .join(Standard, Standard.id == Criterion.standard_id)
            .where(EvidenceLink.evidence_item_id.in_(wanted), EvidenceLink.archived_at.is_(None))
            .order_by(Standard.position, Criterion.position)
        ):
            links[row.evidence_item_id].append(LinkRow(*row))
        return links

    @staticmethod
    def _file_rows(
        session: Session, wanted: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[AttachmentRow]]:
        """The live files of each item, oldest first (files added at the same moment in id
        order)."""
        files: dict[uuid.UUID, list[AttachmentRow]] = {item_id: [] for item_id in wanted}
        for row in session.execute(
            select(
                Attachment.id,
                Attachment.evidence_item_id,
                Attachment.file_name,
                Attachment.media_type,
                Attachment.size_bytes,
                Attachment.sha256,
                Attachment.created_at,
            )
            .where(Attachment.evidence_item_id.in_(wanted), Attachment.archived_at.is_(None))
            .order_by(Attachment.created_at, Attachment.id)
        ):
            files[row.evidence_item_id].append(AttachmentRow(*row))
        return files

    def attachment_content(self, attachment_id: uuid.UUID) -> bytes:
        """The file itself, for opening or printing; only for someone who may read the item."""
        return self.attachment_contents([attachment_id])[attachment_id]

    def attachment_contents(self, attachment_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bytes]:
        """Files by id in one statement however many (for reports); only for someone who may
        read their items."""
        sites = self._sites(None)
        wanted = set(attachment_ids)
        if not wanted:
            return {}
        query = (
            select(Attachment.id, Attachment.content)
            .join(EvidenceItem, EvidenceItem.id == Attachment.evidence_item_id)
            .where(Attachment.id.in_(wanted), Attachment.archived_at.is_(None))
        )
        if sites is not None:
            query = query.where(EvidenceItem.site_id.in_(sites))
        with self._reading() as session:
            found = {file_id: bytes(content or b"") for file_id, content in session.execute(query)}
        if len(found) < len(wanted):
            raise NotFound("that file does not exist, has been archived or belongs to another site")
        return found

    # ---- writes ------------------------------------------------------------------------

    def _values(self, data: EvidenceInput) -> dict[str, object]:
        checks = Checks()
        effective = checks.day("effective_on", data.effective_on)
        if effective is not None and effective > local_today():
            checks.fail("effective_on", "cannot be in the future")
        review_by = checks.day("review_by", data.review_by, required=False)
        checks.order("effective_on", effective, "review_by", review_by)
        values: dict[str, object] = {
            "site_id": data.site_id,
            "title": checks.text("title", data.title, max_length=200),
            "kind": checks.choice("kind", data.kind, EvidenceKind),
            "effective_on": effective,
            "author_id": data.author_id,
            "narrative": checks.text("narrative", data.narrative, max_length=20000, required=False),
            "review_by": review_by,
        }
        checks.raise_if_any()
        return values

    @staticmethod
    def _check_author(session: Session, author_id: uuid.UUID | None, site_id: uuid.UUID) -> None:
        if author_id is None:
            return
        known = session.scalar(
            select(StaffMember.id)
            .join(StaffSite, StaffSite.staff_member_id == StaffMember.id)
            .where(
                StaffMember.id == author_id,
                StaffMember.archived_at.is_(None),
                StaffSite.site_id == site_id,
                StaffSite.archived_at.is_(None),
            )
        )
        if known is None:
            raise ValidationError.single("author_id", "must be a member of staff at this site")

    def _item_for_write(
        self, session: Session, evidence_item_id: uuid.UUID, permission: Permission
    ) -> EvidenceItem:
        item = get_live(session, EvidenceItem, evidence_item_id, "evidence")
        if not self.actor.can(Permission.EVIDENCE_READ, item.site_id):
            raise NotFound("that evidence does not exist or belongs to another site")
        self.actor.require(permission, item.site_id)
        return item

    def create(self, data: EvidenceInput) -> EvidenceRow:
        values = self._values(data)
        self.actor.require(Permission.EVIDENCE_WRITE, data.site_id)
        with self._writing() as session:
            get_live(session, Site, data.site_id, "site")
            self._check_author(session, data.author_id, data.site_id)
            item = EvidenceItem(**values, links=[], attachments=[])
            session.add(item)
            session.flush()
            return evidence_row(item)

    def update(self, evidence_item_id: uuid.UUID, version: int, data: EvidenceInput) -> EvidenceRow:
        """A changed item needs approving again: the approval was for what it said before."""
        values = self._values(data)
        with self._writing() as session:
            item = self._item_for_write(session, evidence_item_id, Permission.EVIDENCE_WRITE)
            if data.site_id != item.site_id:
                raise ValidationError.single("site_id", "evidence cannot move to another site")
            check_version(item, version)
            self._check_author(session, data.author_id, item.site_id)
            changed = any(getattr(item, key) != value for key, value in values.items())
            for key, value in values.items():
                setattr(item, key, value)
            if changed and item.status == EvidenceStatus.APPROVED:
                item.status = EvidenceStatus.DRAFT
                item.approved_by_id, item.approved_at = None, None
            session.flush()
            return evidence_row(item)

    def archive(self, evidence_item_id: uuid.UUID, version: int) -> None:
        with self._writing() as session:
            item = self._item_for_write(session, evidence_item_id, Permission.EVIDENCE_WRITE)
            check_version(item, version)
            item.archived_at = utc_now()

    def approve(self, evidence_item_id: uuid.UUID, version: int) -> EvidenceRow:
        with self._writing() as session:
            item = self._item_for_write(session, evidence_item_id, Permission.EVIDENCE_APPROVE)
            check_version(item, version)
            if item.status == EvidenceStatus.APPROVED:
                raise ValidationError.single("status", "this evidence is already approved")
            item.status = EvidenceStatus.APPROVED
            item.approved_by_id, item.approved_at = self.actor.user_id, utc_now()
            session.flush()
            return evidence_row(item)

    def link(
        self, evidence_item_id: uuid.UUID, criterion_id: uuid.UUID, rationale: str = ""
    ) -> LinkRow:
        """Link to a criterion, or restore or re-explain an existing link."""
        checks = Checks()
        why = checks.text("rationale", rationale, max_length=4000, required=False)
        checks.raise_if_any()
        with self._writing() as session:
            item = self._item_for_write(session, evidence_item_id, Permission.EVIDENCE_WRITE)
            criterion = session.get(Criterion, criterion_id)
            if criterion is None or criterion.archived_at is not None:
                raise ValidationError.single("criterion_id", "is not a current criterion")
            link = next((ln for ln in item.links if ln.criterion_id == criterion_id), None)
            if link is None:
                link = EvidenceLink(criterion_id=criterion_id, rationale=why)
                item.links.append(link)
            else:
                link.archived_at, link.rationale = None, why
            session.flush()
            standard = session.get_one(Standard, criterion.standard_id)
            return LinkRow(link.id, item.id, criterion.id, criterion.code, standard.code, why)

    def unlink(self, evidence_item_id: uuid.UUID, criterion_id: uuid.UUID) -> None:
        with self._writing() as session:
            item = self._item_for_write(session, evidence_item_id, Permission.EVIDENCE_WRITE)
            for link in item.links:
                if link.criterion_id == criterion_id and link.archived_at is None:
                    link.archived_at = utc_now()
                    return
            raise NotFound("that evidence is not linked to that criterion")

    def add_attachment(
        self, evidence_item_id: uuid.UUID, file_name: str, media_type: str, content: bytes
    ) -> AttachmentRow:
        name, media = checked_file(file_name, media_type, content)
        digest = hashlib.sha256(bytes(content)).hexdigest()
        with self._writing() as session:
            item = self._item_for_write(session, evidence_item_id, Permission.EVIDENCE_WRITE)
            same = session.scalar(
                select(Attachment.file_name).where(
                    Attachment.evidence_item_id == item.id,
                    Attachment.sha256 == digest,
                    Attachment.archived_at.is_(None),
                )
            )
            if same is not None:
                raise ValidationError.single(
                    "content", f"this file is already attached to this evidence as {same!r}"
                )
            attachment = new_attachment(item.id, name, media, content)
            session.add(attachment)
            session.flush()
            return attachment_row(attachment)

    def archive_attachment(self, attachment_id: uuid.UUID) -> None:
        with self._writing() as session:
            attachment = get_live(session, Attachment, attachment_id, "file")
            if attachment.evidence_item_id is None:
                raise NotFound("that file is not part of any evidence")
            self._item_for_write(session, attachment.evidence_item_id, Permission.EVIDENCE_WRITE)
            attachment.archived_at = utc_now()
