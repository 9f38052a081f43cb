"""Supervision summary PDF: who was supervised, overdue staff, the chart; no resident named."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from pypdf import PdfReader

from pipe_app.domain.enums import Role, StaffRole, SupervisionKind
from pipe_app.reports.supervision_summary import build_summary, export, summary_pdf
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.supervision import SupervisionInput, SupervisionService
from pipe_app.timeutil import local_today, to_utc

KW, MGR, PSY = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST
CRN_LIKE = re.compile(r"[A-Za-z][0-9]{6}")


def at(day: date) -> datetime:
    return to_utc(datetime.combine(day, time(10)))


def record(world, day: date, *, cases=(), themes=(), lock=True):
    psy = SupervisionService(world.db, world.actor(PSY))
    detail = psy.create(
        SupervisionInput(
            site_id=world.crowley.id,
            kind=SupervisionKind.INDIVIDUAL_CLINICAL,
            supervisor_id=world.staff[(PSY, "crowley")].id,
            supervisee_ids=(world.staff[(KW, "crowley")].id,),
            started_at=at(day),
            duration_minutes=90,
            themes=themes,
            cases_discussed=cases,
            summary="Talked it through.",
        )
    )
    if not lock:
        return
    row = psy.submit(detail.record.id, detail.record.version).record
    row = SupervisionService(world.db, world.actor(KW)).acknowledge(row.id).record
    psy.sign_off(row.id, row.version)


@pytest.fixture
def scene(world):
    """Two residents discussed (one also named in a theme), one CRN of nobody we know."""
    world.admit("crowley", crn="A111111", given_name="Philippa", family_name="Quartermaine")
    world.admit("crowley", crn="B222222", given_name="Rosalind", family_name="Ashcombe")
    svc = SupervisionService(world.db, world.system)
    svc.set_requirement(world.crowley.id, StaffRole.RESIDENTIAL_WORKER, "individual_clinical", 28)
    svc.set_requirement(world.crowley.id, StaffRole.MANAGER, "line_management", 42)
    today = local_today()
    record(
        world,
        today - timedelta(days=50),
        cases=("A111111", "B222222", "Z999999"),
        themes=("splitting around Philippa Quartermaine", "boundaries"),
    )
    record(world, today - timedelta(days=20), cases=("a111111",), themes=("endings",))
    record(world, today - timedelta(days=2), cases=("B222222",), lock=False)  # a draft
    return world


def text_of(pdf: bytes) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    return pages, "\n".join(pages)


def test_summary_counts_signed_off_records_and_finds_overdue_staff(scene):
    world = scene
    start, end = local_today() - timedelta(days=90), local_today()
    summary = build_summary(world.db, world.actor(PSY), world.crowley.id, start, end)
    assert summary.by_kind == {SupervisionKind.INDIVIDUAL_CLINICAL: (2, 180, 1)}
    kw = next(p for p in summary.people if p.name == world.staff[(KW, "crowley")].full_name)
    assert kw.total == 2 and kw.last_on == local_today() - timedelta(days=20)
    assert [(r.staff_name, r.status) for r in summary.overdue] == [
        (world.staff[(MGR, "crowley")].full_name, "never")
    ]
    assert len(summary.series) == 12
    assert summary.series[-1].required == 2 and summary.series[-1].met == 1
    first, second = summary.cases
    philippa, rosalind, unknown = first.cases  # pseudonyms follow resident ids, not order
    assert {philippa, rosalind} == {"Resident R-01", "Resident R-02"}
    assert unknown == "[a resident]"
    assert first.themes == (f"splitting around {philippa}", "boundaries")
    assert second.cases == (philippa,)
    short = build_summary(
        world.db, world.actor(PSY), world.crowley.id, end - timedelta(days=30), end
    )
    assert short.by_kind == {SupervisionKind.INDIVIDUAL_CLINICAL: (1, 90, 1)}


def test_pdf_names_staff_but_no_resident_and_no_crn(scene, tmp_path):
    world = scene
    start, end = local_today() - timedelta(days=90), local_today()
    summary = build_summary(world.db, world.actor(MGR), world.crowley.id, start, end)
    pages, text = text_of(summary_pdf(summary))
    assert world.staff[(KW, "crowley")].full_name in text
    assert world.staff[(MGR, "crowley")].full_name in text  # overdue (never supervised)
    for heading in ("Supervision by kind", "Who was supervised", "Overdue", "twelve months"):
        assert heading in text
    assert "Resident R-01" in text and "Resident R-02" in text
    assert not CRN_LIKE.search(text), CRN_LIKE.search(text)
    for secret in ("Philippa", "Quartermaine", "Rosalind", "Ashcombe"):
        assert secret.lower() not in text.lower()
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in page
    path = tmp_path / "summary.pdf"
    export(summary, path)
    assert path.read_bytes().startswith(b"%PDF")


def test_refused_for_key_workers_other_sites_and_a_backwards_period(scene):
    world = scene
    today = local_today()
    with pytest.raises(PermissionDenied):
        build_summary(world.db, world.actor(KW), world.crowley.id, today, today)
    with pytest.raises(PermissionDenied):
        build_summary(world.db, world.actor(PSY, "kirk"), world.crowley.id, today, today)
    with pytest.raises(ValidationError):
        build_summary(world.db, world.actor(PSY), world.crowley.id, today, today - timedelta(1))


def test_an_empty_period_still_prints(world):
    today = local_today()
    summary = build_summary(world.db, world.actor(PSY), world.crowley.id, today, today)
    _, text = text_of(summary_pdf(summary))
    assert "No signed-off supervision in this period." in text
    assert "Nobody is overdue." in text
