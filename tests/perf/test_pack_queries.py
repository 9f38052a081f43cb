"""Gathering an evidence pack's data sends the same statements for 5 evidence items and files
as for 50 (no N+1: items, their links and their files are each read in one go)."""

from __future__ import annotations

from datetime import timedelta

from pipe_app.domain.enums import EvidenceStatus
from pipe_app.reports.pack_data import PackData, gather
from pipe_app.services.auth import sign_in
from pipe_app.services.evidence import EvidenceService
from pipe_app.services.permissions import Actor
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today, utc_now
from tests.perf.conftest import MakeDb
from tests.perf.statements import recorded


def _pack_data(db: Database, actor: Actor) -> PackData:
    today = local_today()
    return gather(
        db,
        actor,
        next(iter(actor.site_ids)),
        today - timedelta(days=365),
        today,
        framework_id=None,
        prepared_by="Test",
        generated_at=utc_now(),
        progress=lambda done, total, text: None,
        cancelled=lambda: False,
    )


def _count(db: Database, files: int) -> tuple[int, PackData]:
    """(statements sent, what was gathered), after attaching ``files`` more files to the
    approved evidence of the manager's site (the generated data has only two)."""
    actor = sign_in(db, "manager.crowley", "demo-manager-2026")
    evidence = EvidenceService(db, Actor.system())
    approved = evidence.rows(site_id=next(iter(actor.site_ids)), status=EvidenceStatus.APPROVED)
    for n, row in enumerate(approved[:files]):
        evidence.add_attachment(row.id, f"notes-{n}.txt", "text/plain", f"notes {n}".encode())
    _pack_data(db, actor)  # first use may load metadata; count the steady state
    with recorded(db) as seen:
        data = _pack_data(db, actor)
    return len(seen), data


def test_pack_data_statements_do_not_grow_with_evidence(make_db: MakeDb) -> None:
    few, few_data = _count(make_db(5), files=2)
    many, many_data = _count(make_db(50), files=12)
    assert len(many_data.evidence) > len(few_data.evidence) > 0
    assert len(many_data.attachments) > len(few_data.attachments) > 0
    assert many == few, (
        f"{few} statements for {len(few_data.evidence)} items, {many} for {len(many_data.evidence)}"
    )


def test_details_of_rows_read_are_their_details(make_db: MakeDb) -> None:
    """The pack reads its items' links and files for the rows it has read, without reading the
    items again: the same details as ``details`` gives."""
    db = make_db(5)
    evidence = EvidenceService(db, Actor.system())
    rows = evidence.rows()
    assert any(row.attachment_count for row in rows) and len(rows) > 5
    assert evidence.details_of(rows) == evidence.details([row.id for row in rows])
    assert evidence.details_of([]) == []
