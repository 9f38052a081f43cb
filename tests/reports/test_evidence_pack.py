"""The evidence pack read back with pypdf: sections, outline, numbering and marking on every
page (merged pages too), the manifest's digests, approved evidence only, and no resident
identifiable anywhere, even when staff named one in a narrative."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from pipe_app.domain import Attachment, Resident
from pipe_app.domain.enums import (
    EvidenceKind,
    ReleaseType,
    Role,
    RoshLevel,
    SentenceType,
)
from pipe_app.reports.evidence_pack import Cancelled, build_evidence_pack
from pipe_app.reports.pseudonyms import date_forms
from pipe_app.services.accreditation import AccreditationService, CycleInput
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.residents import PlacementInput, ResidentInput, ResidentService
from pipe_app.timeutil import local_today, to_utc
from tests.factories import next_crn

KW, MGR = Role.KEY_WORKER, Role.MANAGER
GENERATED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PEOPLE = (
    ("Philippa", "Ravensworth", "Pip", date(1985, 3, 9)),
    ("Oswin", "Tremayne", None, date(1979, 11, 30)),
    ("Zelda", "Quillfeather", "Zee", date(1992, 7, 21)),
)


def pdf_bytes(text: str, pages: int = 2) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    for page in range(1, pages + 1):
        canvas.drawString(72, 700, f"{text} {page}")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 40)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Site:
    world: Any
    framework_id: Any
    residents: list[Any]
    start: date
    end: date


def _admit(world, given: str, family: str, preferred: str | None, born: date) -> Any:
    today = local_today()
    row = ResidentService(world.db, world.system).admit(
        ResidentInput(next_crn("W"), given, family, born, "female", preferred_name=preferred),
        PlacementInput(
            site_id=world.crowley.id,
            expected_arrival=today - timedelta(days=60),
            actual_arrival=today - timedelta(days=60),
            expected_departure=today + timedelta(days=100),
            sentence_type=SentenceType.LIFE,
            release_type=ReleaseType.LICENCE,
            rosh_overall=RoshLevel.HIGH,
            key_worker_id=world.staff[(KW, "crowley")].id,
        ),
    )
    KeyWorkService(world.db, world.system).record(
        KeyWorkInput(
            placement_id=row.placement_id,
            key_worker_id=world.staff[(KW, "crowley")].id,
            started_at=to_utc(datetime.combine(today - timedelta(days=3), time(10))),
            summary=f"Talked with {given}.",
        )
    )
    return row


def populate(world) -> Site:
    framework = FrameworkService(world.db, world.system).install_builtin()
    tree = FrameworkService(world.db, world.system).tree(framework.id)
    criteria = {c.code: c.id for c in tree.criteria()}
    residents = [_admit(world, *person) for person in PEOPLE]
    first = residents[0]
    today = local_today()
    evidence = EvidenceService(world.db, world.system)

    def item(title: str, narrative: str, codes: list[str], approve: bool, files=()) -> Any:
        row = evidence.create(
            EvidenceInput(
                world.crowley.id,
                title,
                EvidenceKind.NARRATIVE,
                today - timedelta(days=20),
                world.staff[(MGR, "crowley")].id,
                narrative,
            )
        )
        for code in codes:
            evidence.link(row.id, criteria[code], f"{first.given_name} led it")
        for name, media, content in files:
            evidence.add_attachment(row.id, name, media, content)
        if approve:
            row = evidence.get(row.id).item
            evidence.approve(row.id, row.version)
        return row

    item(
        "Garden day with Ravensworth",
        f"{first.given_name} {first.family_name} ({first.crn}, born "
        f"{first.date_of_birth:%d/%m/%Y}) planted herbs; Pip said it helped. "
        "Oswin Tremayne joined later.",
        ["1.1", "7.1"],
        True,
        [
            (f"{first.given_name}-{first.family_name}.png", "image/png", png_bytes()),
            (f"minutes-{first.crn}.pdf", "application/pdf", pdf_bytes("ATTACHED PDF PAGE")),
            ("notes Zelda.txt", "text/plain", b"Zelda Quillfeather attended."),
            ("register.pdf", "application/pdf", pdf_bytes(f"Present: {first.crn}")),
        ],
    )
    item("Draft item DO-NOT-SHOW", "Not approved yet.", ["1.2"], False)
    item("Community meeting minutes", "Residents chose the outing.", ["5.1"], True)
    cycles = AccreditationService(world.db, world.system)
    cycle = cycles.create(CycleInput(world.crowley.id, framework.id, today - timedelta(days=200)))
    cycles.set_self_assessment(
        cycle.id, criteria["1.1"], "partly_met", f"Mostly; see {first.family_name}'s plan."
    )
    return Site(world, framework.id, residents, today - timedelta(days=365), today)


def build(site: Site, path: Path, **options: Any) -> Any:
    return build_evidence_pack(
        site.world.db,
        site.world.system,
        site.world.crowley.id,
        site.start,
        site.end,
        path,
        prepared_by="Sam Manager CH",
        generated_at=GENERATED,
        **options,
    )


def outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for entry in items:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(str(entry.title))

    walk(reader.outline)
    return titles


def identifiers(world) -> list[str]:
    """Every resident identifier in the database, as text that must never appear."""
    with world.db.reading() as session:
        residents = list(session.scalars(select(Resident)))
    found = []
    for r in residents:
        found += [r.crn, r.given_name, r.family_name]
        found += [r.preferred_name] if r.preferred_name else []
        found += [f for f in date_forms(r.date_of_birth) if "/" in f or "-" in f or " " in f]
    return found


def test_pack_contents_numbering_marking_manifest_and_no_resident(world, tmp_path: Path) -> None:
    site = populate(world)
    seen: list[int] = []
    result = build(
        site, tmp_path / "pack.pdf", progress=lambda done, total, text: seen.append(done)
    )
    assert seen == sorted(seen) and seen[-1] == 100
    reader = PdfReader(tmp_path / "pack.pdf")
    pages = [page.extract_text() for page in reader.pages]
    total = len(pages)
    assert result.pages == total
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text, f"page {number} has no page number"
        assert text.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} is not marked top and foot"
    everything = "\n".join(pages)
    titles = outline_titles(reader)
    for wanted in (
        "Coverage summary",
        "Standard 1: Belonging",
        "Standard 10: Openness",
        "Appendix A: Attachments",
        "Appendix B: Manifest of attachments",
        "Attachment A2 (document).pdf",
    ):
        assert wanted in titles
        assert wanted in everything
    assert "Contents" in pages[1] and "Coverage summary" in pages[1]
    # The attached PDF's pages are merged in, each on a marked, numbered page.
    merged = [n for n, text in enumerate(pages, start=1) if "ATTACHED PDF PAGE" in text]
    assert len(merged) == 2
    # A PDF whose own text names a resident cannot be scrubbed, so it is withheld.
    assert "Not reproduced: this PDF names a resident" in re.sub(r"\s+", " ", everything)
    # The manifest lists every stored attachment with its digest.
    with world.db.reading() as session:
        digests = [
            hashlib.sha256(c).hexdigest() for c in session.scalars(select(Attachment.content))
        ]
    assert len(digests) == 4
    flat = re.sub(r"\s+", "", everything)
    for digest in digests:
        assert digest in flat
    # Approved evidence only.
    assert "Garden day with" in everything
    assert "Community meeting minutes" in everything
    assert "DO-NOT-SHOW" not in everything
    # Residents appear only as pseudonyms.
    assert "Resident R-0" in everything
    lowered = everything.casefold()
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values()).casefold()
    for identifier in identifiers(world):
        pattern = re.compile(rf"(?<!\w){re.escape(identifier.casefold())}(?!\w)")
        assert not pattern.search(lowered), f"{identifier!r} is in the pack"
        assert not pattern.search(metadata), f"{identifier!r} is in the metadata"
    assert reader.metadata is not None
    assert reader.metadata.author == "Crowley House"
    assert "Crowley House" in str(reader.metadata.title)
    # Attachments are renamed; the stored names never appear.
    assert "Attachment A1 (photo).png" in everything
    assert "Attachment A3 (file).txt" in everything
    assert "Pip-" not in everything and ".png" in everything


def test_same_data_same_pack(world, tmp_path: Path) -> None:
    site = populate(world)
    build(site, tmp_path / "one.pdf")
    build(site, tmp_path / "two.pdf")
    assert (tmp_path / "one.pdf").read_bytes() == (tmp_path / "two.pdf").read_bytes()


def test_cancel_leaves_no_file(world, tmp_path: Path) -> None:
    site = populate(world)
    out = tmp_path / "out"
    out.mkdir()
    calls = iter(range(100000))
    with pytest.raises(Cancelled):
        build(site, out / "pack.pdf", cancelled=lambda: next(calls) > 20)
    assert list(out.iterdir()) == []


def test_a_user_at_another_site_cannot_build_it(world, tmp_path: Path) -> None:
    from pipe_app.services.errors import PermissionDenied

    site = populate(world)
    with pytest.raises(PermissionDenied):
        build_evidence_pack(
            world.db,
            world.actor(MGR, "kirk"),
            world.crowley.id,
            site.start,
            site.end,
            tmp_path / "pack.pdf",
        )
    assert not (tmp_path / "pack.pdf").exists()


def test_dates_survive_a_resident_named_like_a_month(world, tmp_path: Path) -> None:
    """Only free text is scrubbed: a resident called Jan must not blank out "10 Jan 2026"."""
    site = populate(world)
    jan = _admit(world, "Jan", "Ormerod", None, date(1980, 1, 5))
    today = local_today()
    day = date(today.year if today.month > 1 or today.day > 10 else today.year - 1, 1, 10)
    evidence = EvidenceService(world.db, world.system)
    tree = FrameworkService(world.db, world.system).tree(site.framework_id)
    row = evidence.create(
        EvidenceInput(
            world.crowley.id, "New year party", EvidenceKind.PHOTO, day, None, "Jan Ormerod sang."
        )
    )
    evidence.link(row.id, tree.criteria()[0].id)
    evidence.approve(row.id, row.version)
    build(site, tmp_path / "pack.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "pack.pdf").pages)
    assert f"{day:%d %b %Y}" in text
    assert "Ormerod" not in text and "Jan Ormerod" not in text
    assert re.search(r"Resident R-\d+ sang", text)
    assert jan.crn not in text
