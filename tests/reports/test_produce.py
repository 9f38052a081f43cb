"""The shared report entry point: what is offered to a role is exactly what the report code,
reading through the services, lets that role produce; requests are checked field by field."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipe_app.domain.enums import Role
from pipe_app.reports.produce import (
    REPORTS,
    ReportKind,
    ReportRequest,
    check,
    may_produce,
    produce,
)
from pipe_app.services.errors import PermissionDenied, ValidationError
from pipe_app.services.frameworks import FrameworkService
from pipe_app.timeutil import local_today


def _request(kind: ReportKind, site_id, output: Path) -> ReportRequest:
    today = local_today()
    return ReportRequest(kind, site_id, output, today - timedelta(days=365), today)


def test_what_is_offered_is_what_the_services_allow(world, tmp_path: Path) -> None:
    FrameworkService(world.db, world.system).install_builtin()
    for role in Role:
        actor = world.actor(role, "crowley")
        for report in REPORTS:
            output = tmp_path / f"{role.value}-{report.kind.value}{report.suffixes[0]}"
            request = _request(report.kind, world.crowley.id, output)
            if may_produce(actor, report.kind, world.crowley.id):
                produced = produce(world.db, actor, request)
                assert produced.pages == len(PdfReader(output).pages)
                assert produced.sentence.startswith(f"Wrote the {report.title.split()[0].lower()}")
            else:
                with pytest.raises(PermissionDenied):
                    produce(world.db, actor, request)
                assert not output.exists()
    offered = {
        role: [r.kind for r in REPORTS if may_produce(world.actor(role), r.kind)] for role in Role
    }
    assert offered[Role.ADMINISTRATOR] == [ReportKind.TRAINING_MATRIX]
    assert offered[Role.KEY_WORKER] == [ReportKind.EVIDENCE_PACK, ReportKind.TRAINING_MATRIX]
    assert offered[Role.MANAGER] == list(ReportKind)
    assert not may_produce(world.actor(Role.MANAGER), ReportKind.EVIDENCE_PACK, world.kirk.id)


def test_a_request_is_checked_field_by_field(tmp_path: Path) -> None:
    import uuid

    today = date(2026, 11, 26)
    bad = ReportRequest(
        ReportKind.SUPERVISION_SUMMARY,
        uuid.uuid4(),
        tmp_path / "missing" / "summary.pdf",
        today + timedelta(days=1),
        today - timedelta(days=3),
    )
    with pytest.raises(ValidationError) as caught:
        check(bad, today)
    assert {p.field: p.message for p in caught.value.problems} == {
        "date_from": "is after today: nothing has been recorded yet",
        "date_to": "is before the start of the period: the period is empty",
        "output": f"cannot be written: the folder {tmp_path / 'missing'} does not exist",
    }
    matrix = ReportRequest(ReportKind.TRAINING_MATRIX, uuid.uuid4(), tmp_path / "m.xlsx")
    with pytest.raises(ValidationError) as caught:
        check(matrix, today)
    assert [str(p) for p in caught.value.problems] == ["output: must end in .pdf or .csv"]
    check(ReportRequest(ReportKind.TRAINING_MATRIX, uuid.uuid4(), tmp_path / "m.csv"), today)
