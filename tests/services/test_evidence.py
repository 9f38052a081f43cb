"""Evidence on both backends: items, approval, links to criteria and attached files."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from pipe_app.domain import Attachment, Criterion, EvidenceItem, Framework, Standard
from pipe_app.domain.enums import EvidenceKind, EvidenceStatus, Role
from pipe_app.services import audit
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.services.evidence import (
    MAX_ATTACHMENT_BYTES,
    NEWEST_FIRST,
    AttachmentRow,
    EvidenceInput,
    EvidenceService,
    EvidenceSort,
)
from pipe_app.services.ordering import Order
from pipe_app.timeutil import local_today

KW, MGR, PSY = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST


def make_framework(
    world, name: str = "Enabling Environments", criteria: int = 2
) -> list[uuid.UUID]:
    """A tiny framework written straight to the database; returns its criteria ids."""
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        framework = Framework(name=name, framework_version="test")
        standard = Standard(
            framework=framework, code="1", name="Belonging", statement="Relationships", position=1
        )
        made = [
            Criterion(standard=standard, code=f"1.{n}", text=f"Criterion {n}", position=n)
            for n in range(1, criteria + 1)
        ]
        session.add(framework)
        session.flush()
        return [criterion.id for criterion in made]


def service(world, role: Role = MGR, site: str = "crowley") -> EvidenceService:
    return EvidenceService(world.db, world.actor(role, site))


def entry(world, **changes) -> EvidenceInput:
    data = EvidenceInput(
        site_id=world.crowley.id,
        title="Community meeting minutes, March",
        kind=EvidenceKind.MINUTES,
        effective_on=date(2026, 3, 12),
        author_id=world.staff[(KW, "crowley")].id,
        narrative="Residents chose the summer outing.",
        review_by=date(2027, 3, 12),
    )
    return replace(data, **changes)


def count(world, model) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_create_update_approve_and_archive(world):
    mgr = service(world)
    row = service(world, PSY).create(entry(world))
    assert (row.status, row.approved_at, row.criterion_ids) == (
        EvidenceStatus.DRAFT,
        None,
        frozenset(),
    )
    approved = mgr.approve(row.id, row.version)
    assert approved.status == EvidenceStatus.APPROVED
    assert approved.approved_by_id == world.actor(MGR).user_id and approved.approved_at
    with pytest.raises(ValidationError) as caught:
        mgr.approve(approved.id, approved.version)
    assert caught.value.fields == ["status"]

    same = mgr.update(row.id, approved.version, entry(world))
    assert same.status == EvidenceStatus.APPROVED  # nothing changed, approval stands
    edited = mgr.update(row.id, same.version, entry(world, title="Minutes, March (corrected)"))
    assert (edited.status, edited.approved_by_id) == (EvidenceStatus.DRAFT, None)

    assert [r.id for r in service(world, KW).rows()] == [row.id]
    assert mgr.rows(status=EvidenceStatus.APPROVED) == []
    mgr.archive(edited.id, edited.version)
    assert mgr.rows() == []
    assert [r.archived for r in mgr.rows(include_archived=True)] == [True]


def test_evidence_rules_name_their_fields(world):
    mgr = service(world)
    cases = [
        (dict(title=" "), ["title"]),
        (dict(title="x" * 201), ["title"]),
        (dict(kind="rumour"), ["kind"]),
        (dict(effective_on=local_today() + timedelta(days=1)), ["effective_on"]),
        (dict(effective_on=None), ["effective_on"]),
        (dict(review_by=date(2026, 3, 11)), ["review_by"]),
        (dict(author_id=world.staff[(KW, "kirk")].id), ["author_id"]),
        (dict(author_id=uuid.uuid4()), ["author_id"]),
    ]
    for changes, expected in cases:
        with pytest.raises(ValidationError) as caught:
            mgr.create(entry(world, **changes))
        assert caught.value.fields == expected, changes
    assert count(world, EvidenceItem) == 0


def test_who_may_write_and_approve(world):
    with pytest.raises(PermissionDenied):
        service(world, KW).create(entry(world))
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").create(entry(world))
    row = service(world).create(entry(world))
    for role in (KW, PSY):
        with pytest.raises(PermissionDenied):
            service(world, role).approve(row.id, row.version)
    for role in (KW, MGR, PSY):
        kirk = service(world, role, "kirk")
        assert kirk.rows() == []
        with pytest.raises(NotFound):
            kirk.get(row.id)
        with pytest.raises(NotFound):
            kirk.approve(row.id, row.version)
        with pytest.raises(NotFound):
            kirk.update(row.id, row.version, entry(world, title="Changed from Kirk"))
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").rows(site_id=world.crowley.id)
    assert service(world).get(row.id).item == row


def test_details_of_rows_finds_only_items_at_the_users_sites(world):
    """The rows come from the caller: one dressed as another site's is not found."""
    crowley = service(world).create(entry(world))
    kirk_row = EvidenceService(world.db, world.system).create(
        entry(world, site_id=world.kirk.id, author_id=world.staff[(KW, "kirk")].id)
    )
    assert service(world).details_of([crowley])[0].item == crowley
    dressed = replace(kirk_row, site_id=world.crowley.id)
    with pytest.raises(NotFound):
        service(world).details_of([crowley, dressed])
    with pytest.raises(PermissionDenied):
        service(world).details_of([kirk_row])


def test_stale_version_conflicts_and_nothing_is_written(world):
    mgr = service(world)
    row = mgr.create(entry(world))
    fresh = mgr.update(row.id, row.version, entry(world, title="Second title"))
    with pytest.raises(ConflictError):
        mgr.update(row.id, row.version, entry(world, title="Stale title"))
    with pytest.raises(ConflictError):
        mgr.approve(row.id, row.version)
    assert mgr.get(row.id).item == fresh


def test_links_to_criteria_are_made_restored_and_archived(world):
    first, second = make_framework(world)
    mgr = service(world)
    row = mgr.create(entry(world))
    link = mgr.link(row.id, first, "Shows residents deciding together.")
    assert (link.criterion_code, link.standard_code) == ("1.1", "1")
    mgr.link(row.id, second)
    relinked = mgr.link(row.id, first, "Better reason.")
    assert relinked.id == link.id
    detail = mgr.get(row.id)
    assert [(ln.criterion_code, ln.rationale) for ln in detail.links] == [
        ("1.1", "Better reason."),
        ("1.2", ""),
    ]
    assert [r.id for r in mgr.rows(criterion_id=first)] == [row.id]
    mgr.unlink(row.id, first)
    assert mgr.rows(criterion_id=first) == []
    assert mgr.get(row.id).item.criterion_ids == frozenset({second})
    with pytest.raises(NotFound):
        mgr.unlink(row.id, first)
    assert mgr.link(row.id, first).id == link.id  # restored, not duplicated
    with pytest.raises(ValidationError) as caught:
        mgr.link(row.id, uuid.uuid4())
    assert caught.value.fields == ["criterion_id"]
    with pytest.raises(PermissionDenied):
        service(world, KW).link(row.id, second)


def test_attachments_store_size_and_hash_and_never_expose_content(world):
    mgr = service(world)
    row = mgr.create(entry(world))
    content = b"%PDF-1.7 minutes"
    stored = mgr.add_attachment(row.id, "minutes.pdf", "application/PDF", content)
    assert (stored.size_bytes, stored.sha256, stored.media_type) == (
        len(content),
        hashlib.sha256(content).hexdigest(),
        "application/pdf",
    )
    assert "content" not in {f.name for f in fields(AttachmentRow)}
    detail = mgr.get(row.id)
    assert detail.attachments == (stored,)
    assert detail.item.attachment_count == 1
    assert service(world, KW).attachment_content(stored.id) == content
    with pytest.raises(NotFound):
        service(world, KW, "kirk").attachment_content(stored.id)

    with pytest.raises(ValidationError) as caught:
        mgr.add_attachment(row.id, "copy of minutes.pdf", "application/pdf", content)
    assert caught.value.fields == ["content"]
    assert "minutes.pdf" in str(caught.value)

    mgr.archive_attachment(stored.id)
    assert mgr.get(row.id).attachments == ()
    again = mgr.add_attachment(row.id, "minutes.pdf", "application/pdf", content)
    assert again.id != stored.id


def test_attachment_rules_name_their_fields(world):
    mgr = service(world)
    row = mgr.create(entry(world))
    too_big = bytes(MAX_ATTACHMENT_BYTES + 1)
    cases = [
        (("big.pdf", "application/pdf", too_big), ["content"], "25 MB"),
        (("empty.pdf", "application/pdf", b""), ["content"], "empty"),
        (("", "application/pdf", b"x"), ["file_name"], "required"),
        (("../etc/passwd", "text/plain", b"x"), ["file_name"], "folders"),
        (("a.pdf", "pdf", b"x"), ["media_type"], "type/subtype"),
    ]
    for args, expected, words in cases:
        with pytest.raises(ValidationError) as caught:
            mgr.add_attachment(row.id, *args)
        assert caught.value.fields == expected
        assert words in str(caught.value)
    assert count(world, Attachment) == 0
    exactly = mgr.add_attachment(row.id, "max.bin", "application/octet-stream", too_big[:-1])
    assert exactly.size_bytes == MAX_ATTACHMENT_BYTES
    with pytest.raises(PermissionDenied):
        service(world, KW).add_attachment(row.id, "k.txt", "text/plain", b"k")


def test_rows_in_a_period_are_chosen_by_the_database(world):
    evidence = service(world)
    for day in (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1)):
        evidence.create(entry(world, title=f"Minutes {day:%d %b}", effective_on=day))
    march = evidence.rows(
        site_id=world.crowley.id, effective_from=date(2026, 3, 1), effective_to=date(2026, 3, 31)
    )
    assert [row.title for row in march] == ["Minutes 31 Mar", "Minutes 01 Mar"]  # ends included
    later = evidence.rows(site_id=world.crowley.id, effective_from=date(2026, 3, 31))
    assert [row.title for row in later] == ["Minutes 01 Apr", "Minutes 31 Mar"]
    assert len(evidence.rows(site_id=world.crowley.id, effective_to=date(2026, 2, 28))) == 1


def test_list_pages_filters_search_and_order_in_the_database(world):
    evidence = service(world)
    manager = world.staff[(MGR, "crowley")].id
    made = {
        "Minutes 100%_done": (EvidenceKind.MINUTES, date(2026, 3, 1), None),
        "Garden photo": (EvidenceKind.PHOTO, date(2026, 3, 2), manager),
        "Outing photo": (EvidenceKind.PHOTO, date(2026, 3, 2), None),
        "Questionnaire": (EvidenceKind.QUESTIONNAIRE, date(2026, 3, 4), None),
        "Annual narrative": (EvidenceKind.NARRATIVE, date(2026, 3, 5), manager),
    }
    rows = {
        title: evidence.create(entry(world, title=title, kind=kind, effective_on=on, author_id=who))
        for title, (kind, on, who) in made.items()
    }
    evidence.approve(rows["Garden photo"].id, rows["Garden photo"].version)
    service(world, MGR, "kirk").create(
        entry(world, site_id=world.kirk.id, title="Kirk photo", author_id=None)
    )
    crowley = world.crowley.id

    pages = [evidence.rows(site_id=crowley, limit=2, offset=n) for n in (0, 2, 4)]
    titles = [row.title for page in pages for row in page]
    assert titles == [
        "Annual narrative",
        "Questionnaire",
        "Garden photo",  # same day: by title
        "Outing photo",
        "Minutes 100%_done",
    ]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert evidence.count(site_id=crowley) == 5
    assert [r.title for r in evidence.rows(site_id=crowley)] == titles  # unpaged, same order

    by_title = evidence.rows(site_id=crowley, order=Order(EvidenceSort.TITLE), limit=3)
    assert [r.title for r in by_title] == ["Annual narrative", "Garden photo", "Minutes 100%_done"]
    newest_kind = evidence.rows(site_id=crowley, order=Order(EvidenceSort.KIND, descending=True))
    assert newest_kind[0].kind == EvidenceKind.NARRATIVE
    assert evidence.rows(site_id=crowley, order=NEWEST_FIRST) == evidence.rows(site_id=crowley)

    assert [r.title for r in evidence.rows(site_id=crowley, status="approved")] == ["Garden photo"]
    photos = evidence.rows(site_id=crowley, kind=EvidenceKind.PHOTO)
    assert [r.title for r in photos] == ["Garden photo", "Outing photo"]  # not Kirk's
    assert evidence.count(site_id=crowley, kind="photo", status=EvidenceStatus.DRAFT) == 1
    assert evidence.count(site_id=crowley, effective_from=date(2026, 3, 2), kind="photo") == 2

    author = world.staff[(MGR, "crowley")]
    by_author = evidence.rows(site_id=crowley, search=f"  {author.full_name.upper()} ")
    assert [r.title for r in by_author] == ["Annual narrative", "Garden photo"]
    assert evidence.count(site_id=crowley, search="PHOTO") == 2
    assert [r.title for r in evidence.rows(site_id=crowley, search="100%_")] == [
        "Minutes 100%_done"
    ]
    assert evidence.count(site_id=crowley, search="0%d") == 0  # % and _ are not wildcards
    with pytest.raises(ValueError):
        evidence.rows(site_id=crowley, kind="poster")


def test_linked_details_are_the_details_of_the_rows_linked_to_the_criteria(world):
    """The report's read: the items ``rows`` gives that link to any criterion asked for, with
    the same links and files as ``details_of`` them, in ``rows``' order."""
    first, second, third = make_framework(world, criteria=3)
    mgr = service(world)

    def made(title: str, day: date, codes: list[uuid.UUID], approve: bool = True) -> uuid.UUID:
        row = mgr.create(entry(world, title=title, effective_on=day))
        for criterion in codes:
            mgr.link(row.id, criterion, f"Why {title}")
        if approve:
            mgr.approve(row.id, mgr.get(row.id).item.version)
        return row.id

    both = made("Both", date(2026, 3, 1), [first, third])
    for n in range(2):
        mgr.add_attachment(both, f"notes-{n}.txt", "text/plain", f"notes {n}".encode())
    made("Unwanted criterion", date(2026, 3, 5), [second])
    made("Draft", date(2026, 3, 5), [first], approve=False)
    made("Before the period", date(2026, 2, 27), [first])
    unlinked = made("Unlinked", date(2026, 3, 3), [third, second])
    mgr.unlink(unlinked, third)
    newest = made("Newest", date(2026, 3, 20), [second, first])
    dropped = mgr.add_attachment(newest, "old.txt", "text/plain", b"old")
    mgr.archive_attachment(dropped.id)
    kirk = EvidenceService(world.db, world.system)
    elsewhere = kirk.create(
        entry(world, site_id=world.kirk.id, author_id=world.staff[(KW, "kirk")].id)
    )
    kirk.link(elsewhere.id, first)
    kirk.approve(elsewhere.id, kirk.get(elsewhere.id).item.version)

    period = {"effective_from": date(2026, 3, 1), "effective_to": date(2026, 3, 31)}
    wanted = {first, third}
    found = mgr.linked_details(world.crowley.id, wanted, status=EvidenceStatus.APPROVED, **period)
    rows = mgr.rows(site_id=world.crowley.id, status=EvidenceStatus.APPROVED, **period)
    assert found == mgr.details_of([row for row in rows if row.criterion_ids & wanted])
    assert [detail.item.title for detail in found] == ["Newest", "Both"]
    assert [len(detail.attachments) for detail in found] == [0, 2]
    assert found[0].item.criterion_ids == frozenset({first, second})
    assert mgr.linked_details(world.crowley.id, set()) == []
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").linked_details(world.crowley.id, wanted)
