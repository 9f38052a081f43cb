"""Start-up readies what signing in and Today send while the person types: every statement
is compiled, nothing real is read, nothing is written (not even a drafts folder)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine.default import CACHE_HIT

from pipe_app import paths
from pipe_app.domain.enums import Role
from pipe_app.gui import today_lines
from pipe_app.gui.app import warm_statements
from pipe_app.gui.today_lines import gather_today
from pipe_app.services.auth import sign_in
from pipe_app.services.groups import GroupInput, GroupService
from pipe_app.services.training import CourseInput, TrainingRecordInput, TrainingService
from pipe_app.storage.database import Database
from pipe_app.timeutil import add_months, local_today, to_utc
from tests.factories import PASSWORD

DUE_ONLY_WHEN_PLACED = (
    "SELECT key_work_sessions.placement_id, max(key_work_sessions.started_at)",
    "SELECT key_worker_assignments.placement_id, staff_members.",
)


def _busy_day(world) -> None:
    """Something in every kind of Today section a manager or key worker sees."""
    world.admit("crowley", arrival_days_ago=30)
    training = TrainingService(world.db, world.system)
    course = training.create_course(CourseInput("FA", "First aid", renewal_months=12))
    completed = add_months(local_today(), -12) + timedelta(days=10)
    member = world.staff[(Role.KEY_WORKER, "crowley")]
    training.record(TrainingRecordInput(member.id, course.id, completed))
    GroupService(world.db, world.system).create(
        GroupInput(
            site_id=world.crowley.id,
            kind="community_meeting",
            activity="Planning the week",
            title="Community meeting",
            started_at=to_utc(datetime.combine(local_today(), time(23, 30))),
            status="planned",  # later today, whenever the test runs
            duration_minutes=60,
            facilitator_ids=frozenset({member.id}),
        )
    )


def _selects(db: Database) -> tuple[list[tuple[str, bool]], Any]:
    sent: list[tuple[str, bool]] = []

    def on_execute(_conn, _cursor, sql: str, _params, context, _many) -> None:
        if sql.lstrip().startswith("SELECT"):
            sent.append((sql, context.cache_hit is CACHE_HIT))

    event.listen(db.engine, "before_cursor_execute", on_execute)
    return sent, on_execute


@pytest.mark.parametrize("role", [Role.MANAGER, Role.KEY_WORKER, Role.PSYCHOLOGIST])
def test_after_the_warm_up_the_user_lookup_and_today_send_compiled_statements(world, role):
    _busy_day(world)
    actor = world.actor(role, "crowley")
    started = Database.open(world.db.url)  # as the app starts: nothing compiled yet
    try:
        warm_statements(started)
        sent, listener = _selects(started)
        try:
            signed_in = sign_in(started, actor.username, PASSWORD)
            lookups = len(sent)
            sections = gather_today(started, signed_in, local_today())
        finally:
            event.remove(started.engine, "before_cursor_execute", listener)
    finally:
        started.dispose()
    assert any(section.lines for section in sections)  # the day has something in it
    looked_up = sent[0]  # the user by name; then their roles and sites
    assert "users" in looked_up[0] and looked_up[1], looked_up
    today = sent[lookups:]
    assert len(today) > 5
    missed = [sql for sql, hit in today if not hit]
    # key work due's last sessions and key workers: sent only when someone is placed
    assert len(missed) == (2 if role != Role.PSYCHOLOGIST else 0), missed
    assert all(sql.startswith(DUE_ONLY_WHEN_PLACED) for sql in missed), missed


def test_the_warm_up_finds_nothing_and_keeps_no_drafts_folder(world, monkeypatch):
    _busy_day(world)
    found: list[today_lines.TodaySection] = []
    real = today_lines._sections

    def sections(*args: Any, **kwargs: Any) -> list[Any]:
        def kept(build: Any) -> Any:
            return lambda: found.append(build()) or found[-1]

        return [kept(build) for build in real(*args, **kwargs)]

    monkeypatch.setattr(today_lines, "_sections", sections)
    drafts = paths.data_dir() / "drafts"
    before = sorted(drafts.iterdir()) if drafts.exists() else []
    warm_statements(world.db)
    # a manager's and a key worker's six sections but key work due; a psychologist's five
    assert {section.key for section in found} >= {"groups", "drafts", "sign_off", "training"}
    assert all(section.lines == () for section in found), found
    assert (sorted(drafts.iterdir()) if drafts.exists() else []) == before
    monkeypatch.undo()
    real_day = gather_today(world.db, world.actor(Role.MANAGER, "crowley"), local_today())
    assert any(section.lines for section in real_day)  # a real read of the same day
