"""`pipe-app demo` on SQLite and PostgreSQL, then backup and restore, through real processes."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pipe_app.demo import DEMO_LOGINS, generate
from pipe_app.domain import (
    AccreditationCycle,
    Attendance,
    EvidenceLink,
    GroupSession,
    KeyWorkerAssignment,
    KeyWorkSession,
    Placement,
    Resident,
    Site,
    StaffMember,
    StaffSite,
    SupervisionSession,
    TrainingRecord,
)
from pipe_app.domain.enums import APType, GroupKind, Role, StaffRole, SupervisionStatus
from pipe_app.logs import CRN_SHAPED
from pipe_app.services.auth import sign_in
from pipe_app.services.frameworks import FrameworkService
from pipe_app.services.permissions import Actor
from pipe_app.services.sites import SiteInput, SiteService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today
from tests.cli.helpers import ok, one_line_failure, row_counts, run_cli

SEED = "11"


def _count(session: Session, query: Select[tuple[int]]) -> int:
    return int(session.scalar(query) or 0)


def check_demo(url: str) -> None:
    """What the demo promises: enough of everything, in every state the app shows."""
    today = local_today()
    db = Database.open(url)
    try:
        with db.reading() as s:
            sites = {site.name: site for site in s.scalars(select(Site))}
            assert set(sites) == {"Crowley House", "Kirk Lodge"}
            assert (sites["Crowley House"].beds, sites["Kirk Lodge"].beds) == (22, 26)
            assert sites["Crowley House"].key_work_frequency_days == 7
            assert sites["Kirk Lodge"].key_work_frequency_days == 14
            assert {site.ap_type for site in sites.values()} == {APType.PIPE}

            crns = list(s.scalars(select(Resident.crn)))
            assert len(crns) >= 40
            assert all(re.fullmatch(r"[A-Z][0-9]{6}", crn) for crn in crns)
            placements = list(s.scalars(select(Placement)))
            assert any(not p.is_pipe for p in placements), "some lodgers"
            departed = [p for p in placements if p.actual_departure is not None]
            assert departed and all(p.departure_reason is not None for p in departed)
            assert len({p.departure_reason for p in departed}) >= 3
            assert any(p.actual_departure is None and p.actual_arrival for p in placements)
            changes = s.execute(
                select(KeyWorkerAssignment.placement_id)
                .group_by(KeyWorkerAssignment.placement_id)
                .having(func.count() > 1)
            ).all()
            assert changes, "some placements changed key worker"

            staff = list(s.scalars(select(StaffMember)))
            assert len(staff) >= 25
            assert {member.job_role for member in staff} == set(StaffRole)
            psychologist = next(m for m in staff if m.job_role is StaffRole.PSYCHOLOGIST)
            psych_sites = s.scalars(
                select(StaffSite.site_id).where(StaffSite.staff_member_id == psychologist.id)
            )
            assert set(psych_sites) == {site.id for site in sites.values()}

            for site in sites.values():
                kw = select(func.count()).select_from(KeyWorkSession)
                assert _count(s, kw.where(KeyWorkSession.site_id == site.id)) > 50
                kinds = set(
                    s.scalars(select(GroupSession.kind).where(GroupSession.site_id == site.id))
                )
                assert {GroupKind.SOCIALLY_CREATIVE, GroupKind.COMMUNITY_MEETING} <= kinds
            dna = select(func.count()).select_from(KeyWorkSession)
            assert _count(s, dna.where(KeyWorkSession.did_not_attend.is_(True))) > 0
            assert len(set(s.scalars(select(Attendance.code)))) >= 5
            statuses = set(s.scalars(select(SupervisionSession.status)))
            assert {
                SupervisionStatus.DRAFT,
                SupervisionStatus.SUBMITTED,
                SupervisionStatus.ACKNOWLEDGED,
                SupervisionStatus.LOCKED,
            } <= statuses
            expiries = [e for e in s.scalars(select(TrainingRecord.expires_on)) if e is not None]
            assert any(e < today for e in expiries), "some training expired"
            assert any(today < e <= today + timedelta(days=60) for e in expiries), "expiring"
            assert _count(s, select(func.count()).select_from(EvidenceLink)) > 0
            assert _count(s, select(func.count()).select_from(AccreditationCycle)) == 2
        for login in DEMO_LOGINS:
            actor = sign_in(db, login.username, login.password)
            assert actor.roles == frozenset({login.role})
            if login.role is Role.KEY_WORKER:  # has residents to see and key work to do
                with db.reading() as s:
                    mine = select(func.count()).select_from(KeyWorkerAssignment)
                    mine = mine.where(
                        KeyWorkerAssignment.staff_member_id == actor.staff_member_id,
                        KeyWorkerAssignment.to_date.is_(None),
                    )
                    assert _count(s, mine) > 0
    finally:
        db.dispose()


def _people(db: Database) -> list[tuple[str, str, str, str]]:
    """Residents with their key workers and attendance codes, in a comparable order."""
    with db.reading() as s:
        codes = {
            resident_id: ",".join(sorted(c.value for c in group))
            for resident_id, group in _grouped(
                s.execute(select(Attendance.resident_id, Attendance.code)).all()
            ).items()
        }
        rows = s.execute(
            select(Resident.id, Resident.crn, Resident.given_name, Resident.family_name)
        )
        return sorted((crn, given, family, codes.get(rid, "")) for rid, crn, given, family in rows)


def _grouped(pairs: list[Any]) -> dict[Any, list[Any]]:
    grouped: dict[Any, list[Any]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def _log_text(home: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (home / "logs").glob("pipe-desk.log*"))


def test_demo_on_sqlite_then_backup_and_restore(
    app_home: Path, tmp_path: Path, sqlite_template: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    day = local_today()
    out = ok(run_cli(app_home, "--database", url, "demo", "--seed", SEED))
    for login in DEMO_LOGINS:
        assert login.username in out and login.password in out
    check_demo(url)

    # A second demo run is refused in one line, naming --force.
    refused = one_line_failure(run_cli(app_home, "--database", url, "demo"), 1)
    assert "--force" in refused and "residents" in refused

    # The log names no resident, no CRN and no password.
    log = _log_text(app_home)
    assert "demo data written" in log
    db = Database.open(url)
    try:
        people = _people(db)
    finally:
        db.dispose()
    assert CRN_SHAPED.search(log) is None
    for crn, given, family, _ in people:
        assert crn not in log and f"{given} {family}" not in log and family not in log
    for login in DEMO_LOGINS:
        assert login.password not in log

    # The same seed gives the same records (unless the day changed during the test).
    same = tmp_path / "same-seed.sqlite3"
    shutil.copyfile(sqlite_template, same)
    again = Database.open(f"sqlite:///{same}")
    try:
        FrameworkService(again, Actor.system()).install_builtin()
        summary = generate(again, int(SEED))
        again_people = _people(again)
    finally:
        again.dispose()
    if local_today() == day:
        assert again_people == people
        assert "evidence_items" in summary.counts
        for name, count in summary.counts.items():
            assert f"  {name.replace('_', ' ')}: {count}\n" in out

    # Backup, change, restore: the rows are the backup's again (plus the restore's audit row).
    backup = tmp_path / "demo-backup.sqlite3"
    assert "verified" in ok(run_cli(app_home, "--database", url, "backup", str(backup)))
    in_backup = row_counts(f"sqlite:///{backup}")
    live = row_counts(url)
    assert live == {**in_backup, "audit_events": in_backup["audit_events"] + 1}  # backup audited
    db = Database.open(url)
    try:
        SiteService(db, Actor.system()).create(SiteInput("Third House", "TH", APType.PIPE, 12))
    finally:
        db.dispose()
    assert row_counts(url)["sites"] == 3
    restored = ok(run_cli(app_home, "--database", url, "restore", str(backup), "--yes"))
    assert f"{sum(in_backup.values())} rows" in restored
    assert row_counts(url) == {**in_backup, "audit_events": in_backup["audit_events"] + 1}
    safety = list((app_home / "data" / "backups").glob("pipe-desk-before-restore-*.sqlite3"))
    assert len(safety) == 1 and f"The data it replaced is kept in {safety[0]}" in restored


@pytest.mark.postgres
def test_demo_on_postgresql(app_home: Path, postgres: object) -> None:
    url = postgres.new(migrated=False)  # type: ignore[attr-defined]
    out = ok(run_cli(app_home, "--database", url, "demo", "--seed", SEED))
    assert "Created the database" in out
    check_demo(url)
