"""Everything an evidence pack shows, read through the services as the signed-in user.

Reading through the services means the pack shows only what the user may read. Nothing here
is laid out; ``evidence_pack`` turns it into pages.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import count

from pipe_app.domain.enums import EvidenceKind, EvidenceStatus
from pipe_app.reports.pdf_base import Cancelled
from pipe_app.reports.pseudonyms import Pseudonyms, site_identities
from pipe_app.services.accreditation import AccreditationService
from pipe_app.services.coverage import CoverageReport, CoverageService
from pipe_app.services.derived_figures import DerivedFigureService, Figure
from pipe_app.services.errors import NotFound, ValidationError
from pipe_app.services.evidence import AttachmentRow, EvidenceRow, EvidenceService, LinkRow
from pipe_app.services.frameworks import BUILTIN_SOURCE, FrameworkRow, FrameworkService
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteRow, SiteService
from pipe_app.storage.database import Database

Progress = Callable[[int, int, str], None]
CancelCheck = Callable[[], bool]


@dataclass(frozen=True)
class PackAttachment:
    label: str  # "A3"
    row: AttachmentRow
    evidence_ref: str
    content: bytes


@dataclass(frozen=True)
class PackEvidence:
    ref: str  # "E5"
    item: EvidenceRow
    links: tuple[LinkRow, ...]
    attachments: tuple[PackAttachment, ...]


@dataclass(frozen=True)
class PackData:
    site: SiteRow
    framework: FrameworkRow
    start: date
    end: date
    prepared_by: str
    generated_at: datetime
    coverage: CoverageReport
    figures: tuple[Figure, ...]
    evidence: tuple[PackEvidence, ...]
    pseudonyms: Pseudonyms

    @property
    def attachments(self) -> tuple[PackAttachment, ...]:
        return tuple(a for item in self.evidence for a in item.attachments)


def choose_framework(
    db: Database,
    actor: Actor,
    site_id: uuid.UUID,
    name: str | None,
    *,
    frameworks: list[FrameworkRow] | None = None,
) -> FrameworkRow:
    """The named framework (newest version of that name), else the site's cycle's, else the
    built-in one; ``frameworks``: the installed frameworks, if already read."""
    if frameworks is None:
        frameworks = FrameworkService(db, actor).rows()
    if name is not None:
        wanted = name.strip().casefold()
        matches = [f for f in frameworks if wanted in (f.name.casefold(), f.title.casefold())]
        if not matches:
            known = "; ".join(f.title for f in frameworks) or "none installed"
            raise NotFound(f"there is no framework called {name!r} (known: {known})")
        return max(matches, key=lambda f: (f.created_at, f.framework_version))
    cycles = AccreditationService(db, actor).rows(site_id=site_id)
    by_id = {f.id: f for f in frameworks}
    for cycle in cycles:
        if cycle.framework_id in by_id:
            return by_id[cycle.framework_id]
    builtin = [f for f in frameworks if f.source == BUILTIN_SOURCE]
    if builtin or frameworks:
        return (builtin or frameworks)[0]
    raise NotFound("no framework is installed: run `pipe-app init` or import one")


def gather(
    db: Database,
    actor: Actor,
    site_id: uuid.UUID,
    start: date,
    end: date,
    *,
    framework_id: uuid.UUID | None,
    prepared_by: str,
    generated_at: datetime,
    progress: Progress,
    cancelled: CancelCheck,
) -> PackData:
    if end < start:
        raise ValidationError.single("date_to", "must be on or after the start of the period")
    actor.require(Permission.EVIDENCE_READ, site_id)
    actor.require(Permission.RESIDENT_READ, site_id)
    site = SiteService(db, actor).get(site_id)
    installed = FrameworkService(db, actor).rows()
    frameworks = {f.id: f for f in installed}
    framework = (
        frameworks.get(framework_id)
        if framework_id is not None
        else choose_framework(db, actor, site_id, None, frameworks=installed)
    )
    if framework is None:
        raise NotFound("that framework does not exist or has been archived")

    def step(done: int, text: str) -> None:
        if cancelled():
            raise Cancelled
        progress(done, 100, text)

    step(2, "Working out coverage")
    coverage = CoverageService(db, actor).coverage(site_id, framework.id, end)
    step(6, "Computing figures from the records")
    figures = DerivedFigureService(db, actor).figures(site_id, start, end)
    step(10, "Reading residents for pseudonyms")
    pseudonyms = Pseudonyms(site_identities(db, actor, site_id))
    step(12, "Reading evidence, its links and attachments")
    evidence_service = EvidenceService(db, actor)
    criteria = {c.criterion_id: c for s in coverage.standards for c in s.criteria}
    order = {c: n for n, c in enumerate(criteria)}
    details = evidence_service.linked_details(
        site_id,
        criteria.keys(),
        status=EvidenceStatus.APPROVED,
        effective_from=start,
        effective_to=end,
    )
    # In the order the pack shows them: by first criterion, then date and title.
    details.sort(
        key=lambda d: (
            min(order[c] for c in d.item.criterion_ids if c in order),
            d.item.effective_on,
            d.item.title,
        )
    )
    step(35, "Reading attached files")
    contents = evidence_service.attachment_contents(
        [attachment.id for detail in details for attachment in detail.attachments]
    )
    items: list[PackEvidence] = []
    labels = count(1)
    for number, detail in enumerate(details, start=1):
        attached = tuple(
            PackAttachment(f"A{next(labels)}", attachment, f"E{number}", contents[attachment.id])
            for attachment in detail.attachments
        )
        links = tuple(link for link in detail.links if link.criterion_id in criteria)
        items.append(PackEvidence(f"E{number}", detail.item, links, attached))
    step(52, "Evidence read")
    return PackData(
        site,
        framework,
        start,
        end,
        prepared_by,
        generated_at,
        coverage,
        tuple(figures),
        tuple(items),
        pseudonyms,
    )


KIND_LABELS = {
    EvidenceKind.DOCUMENT: "Document",
    EvidenceKind.PHOTO: "Photo",
    EvidenceKind.MINUTES: "Minutes",
    EvidenceKind.QUESTIONNAIRE: "Questionnaire",
    EvidenceKind.NARRATIVE: "Narrative",
    EvidenceKind.RECORD_DERIVED: "Record-derived figure",
}
