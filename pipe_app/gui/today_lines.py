"""What the Today page lists for the signed-in user, gathered from the services (no Qt).

Each section appears only when the user's role may see it; each line names the page and the
record it opens (None: a new record, e.g. a local draft of an unsaved form). Runs off the GUI
thread: a handful of queries per site, no widgets.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pipe_app.domain.enums import GroupStatus, Role, SessionStatus, SupervisionStatus
from pipe_app.gui.drafts import DraftKey, drafts_for, page_for
from pipe_app.services.accreditation import AccreditationService
from pipe_app.services.errors import NotFound
from pipe_app.services.groups import GroupService
from pipe_app.services.key_work import KeyWorkService
from pipe_app.services.permissions import Actor, Permission
from pipe_app.services.sites import SiteService
from pipe_app.services.supervision import SupervisionRow, SupervisionService
from pipe_app.services.training import TrainingService
from pipe_app.storage.database import Database
from pipe_app.timeutil import format_local, local_day, to_local, utc_now

log = logging.getLogger(__name__)

TRAINING_WARNING_DAYS = 30
ACCREDITATION_WARNING_DAYS = 90
ACKNOWLEDGE_WITHIN_DAYS = 7  # good practice: the supervisee signs within about a week


class Level(StrEnum):
    """How urgent a line is; always shown as words and an icon as well as colour."""

    OVERDUE = "overdue"
    DUE = "due"
    SOON = "soon"
    INFO = "info"


@dataclass(frozen=True)
class TodayLine:
    text: str
    detail: str
    status: str
    level: Level
    page_key: str
    record_id: uuid.UUID | DraftKey | None  # a DraftKey: reopen that unsaved form

    @property
    def accessible_text(self) -> str:
        return f"{self.text}. {self.status}. {self.detail}"


@dataclass(frozen=True)
class TodaySection:
    key: str
    title: str
    lines: tuple[TodayLine, ...]
    empty_text: str


def days_text(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def kind_text(value: str) -> str:
    return value.replace("_", " ").capitalize()


def gather_today(db: Database, actor: Actor, today: date) -> list[TodaySection]:
    """Every section this user may see, in the order the page shows them."""
    sites = {site.id: site.name for site in SiteService(db, actor).rows()}
    return [build() for build in _sections(db, actor, today, sites, kept_here=True)]


def warm_today(db: Database, today: date) -> None:
    """Read Today for no one: a made-up manager, key worker and psychologist at a made-up
    site, so the statements Today sends are compiled before the first person signs in
    (start-up runs this while they type). No record of a resident or member of staff can
    match; it keeps nothing it reads (the sites' own rows) and writes nothing, not even a
    drafts folder. Key work due asks for its site after its first statement: the two it
    sends only when someone is placed there stay for the first real read."""
    site = uuid.uuid4()
    for role in (Role.MANAGER, Role.KEY_WORKER, Role.PSYCHOLOGIST):
        nobody = Actor(uuid.uuid4(), "", "", frozenset({role}), frozenset({site}), uuid.uuid4())
        SiteService(db, nobody).rows()
        for build in _sections(db, nobody, today, {site: ""}, kept_here=False):
            try:
                build()
            except NotFound:  # the made-up site, looked up by key work due
                continue


def _sections(
    db: Database, actor: Actor, today: date, sites: dict[uuid.UUID, str], *, kept_here: bool
) -> list[Callable[[], TodaySection]]:
    """How to read each section this user may see, in the order the page shows them;
    ``kept_here``: their unsaved forms kept on this computer are listed too."""
    many_sites = len(sites) > 1
    builders: list[tuple[bool, Callable[[], TodaySection]]] = [
        (
            actor.can(Permission.RESIDENT_READ),
            lambda: _key_work_due(db, actor, today, sites, many_sites),
        ),
        (actor.can(Permission.RESIDENT_READ), lambda: _groups(db, actor, today, many_sites)),
        (
            actor.can(Permission.KEY_WORK_WRITE) and actor.staff_member_id is not None,
            lambda: _drafts(db, actor, kept_here),
        ),
        (actor.can(Permission.SUPERVISION_SIGN_OFF), lambda: _sign_off(db, actor)),
        (
            actor.can(Permission.SUPERVISION_READ) and actor.staff_member_id is not None,
            lambda: _acknowledge(db, actor),
        ),
        (
            actor.can(Permission.TRAINING_WRITE)
            or (actor.can(Permission.STAFF_READ) and actor.staff_member_id is not None),
            lambda: _training(db, actor, today),
        ),
        (
            actor.can(Permission.ACCREDITATION_MANAGE),
            lambda: _accreditation(db, actor, today, sites),
        ),
    ]
    return [build for allowed, build in builders if allowed]


def _key_work_due(
    db: Database, actor: Actor, today: date, sites: dict[uuid.UUID, str], many_sites: bool
) -> TodaySection:
    everyone = Role.MANAGER in actor.roles
    service = KeyWorkService(db, actor)
    found: list[tuple[int, TodayLine]] = []
    for site_id, site_name in sites.items():
        if not actor.can(Permission.RESIDENT_READ, site_id):
            continue
        mine = None if everyone else actor.staff_member_id
        if not everyone and mine is None:
            break  # no staff record: nobody's key worker
        for row in service.due(site_id, today, key_worker_id=mine):
            if row.next_due_on > today:
                continue
            if not everyone and row.key_worker_id != actor.staff_member_id:
                continue
            if row.last_session_on is None:
                detail = f"No key work since arriving on {row.arrival:%d %b %Y}"
            else:
                detail = f"Last key work {row.last_session_on:%d %b %Y}"
            if everyone:
                detail += f" · key worker {row.key_worker_name or 'not assigned'}"
            if many_sites:
                detail += f" · {site_name}"
            overdue = row.days_overdue
            found.append(
                (
                    overdue,
                    TodayLine(
                        f"{row.resident_name} ({row.crn})",
                        detail,
                        f"{days_text(overdue)} overdue" if overdue else "Due today",
                        Level.OVERDUE if overdue else Level.DUE,
                        "residents",
                        row.resident_id,
                    ),
                )
            )
    found.sort(key=lambda pair: (-pair[0], pair[1].text))
    return TodaySection(
        "key_work_due",
        "Key work due at your sites" if everyone else "Your residents due key work",
        tuple(line for _, line in found),
        "Nobody is due key work today." if everyone else "None of your residents is due today.",
    )


def _groups(db: Database, actor: Actor, today: date, many_sites: bool) -> TodaySection:
    rows = GroupService(db, actor).rows(date_from=today, date_to=today)
    lines = []
    for row in reversed(rows):  # the service lists newest first; the day reads in time order
        if row.status == GroupStatus.CANCELLED:
            status = "Cancelled"
        elif row.status == GroupStatus.HELD:
            status = f"Held · {row.attended} attended" if row.recorded else "Held · no register"
        else:
            status = "Planned"
        people = ", ".join(row.facilitator_names)
        detail = f"{kind_text(row.kind.value)} · {people}" if people else kind_text(row.kind.value)
        if many_sites:
            detail += f" · {row.site_name}"
        lines.append(
            TodayLine(
                f"{to_local(row.started_at):%H:%M}  {row.title}",
                detail,
                status,
                Level.DUE if status == "Held · no register" else Level.INFO,
                "groups",
                row.id,
            )
        )
    return TodaySection("groups", "Today's groups", tuple(lines), "No groups are planned today.")


def _drafts(db: Database, actor: Actor, kept_here: bool) -> TodaySection:
    rows = KeyWorkService(db, actor).rows(
        status=SessionStatus.DRAFT, key_worker_id=actor.staff_member_id
    )
    lines = [
        TodayLine(
            f"Key work with {row.resident_name} ({row.crn})",
            f"Started {format_local(row.started_at)} · {row.site_name}",
            "Draft, not finished",
            Level.DUE,
            "key_work",
            row.id,
        )
        for row in rows
    ]
    if kept_here:
        lines.extend(_local_drafts(actor.username))
    return TodaySection(
        "drafts", "Your unfinished drafts", tuple(lines), "You have no unfinished drafts."
    )


def _local_drafts(username: str) -> list[TodayLine]:
    """Typing kept on this computer after a crash or a forced close, not yet saved."""
    try:
        found = drafts_for(username)
    except OSError:  # an unreadable drafts folder must not stop Today from showing
        log.exception("could not read the local drafts")
        return []
    return [
        TodayLine(
            info.title or "Unsaved form",
            f"Kept on this computer since {format_local(info.saved_at)}",
            "Not saved yet",
            Level.DUE,
            page,
            info.key,
        )
        for info in found
        if (page := page_for(info.kind)) is not None
    ]


def _submitted_days(row: SupervisionRow) -> int:
    return (utc_now() - row.submitted_at).days if row.submitted_at else 0


def _supervision_text(row: SupervisionRow) -> str:
    return f"{kind_text(row.kind.value)}, {local_day(row.started_at):%d %b %Y}"


def _sign_off(db: Database, actor: Actor) -> TodaySection:
    lines = []
    for row in SupervisionService(db, actor).review_queue():
        ready = row.status == SupervisionStatus.ACKNOWLEDGED
        waited = _submitted_days(row)
        lines.append(
            TodayLine(
                _supervision_text(row),
                f"Supervisor {row.supervisor_name} · with {', '.join(row.supervisee_names)}",
                "Ready for your sign-off"
                if ready
                else "Waiting for acknowledgement" + (f" ({days_text(waited)})" if waited else ""),
                Level.DUE if ready else Level.INFO,
                "supervision",
                row.id,
            )
        )
    return TodaySection(
        "sign_off",
        "Supervision awaiting your sign-off",
        tuple(lines),
        "No supervision records are waiting for you.",
    )


def _acknowledge(db: Database, actor: Actor) -> TodaySection:
    service = SupervisionService(db, actor)
    me = actor.staff_member_id
    lines = []
    for row in service.rows(status=SupervisionStatus.SUBMITTED):
        if me not in row.supervisee_ids:
            continue
        if len(row.supervisee_ids) > 1:  # others may still be reading: have I acknowledged?
            detail = service.get(row.id)
            if any(s.staff_member_id == me and s.acknowledged_at for s in detail.supervisees):
                continue
        waited = _submitted_days(row)
        lines.append(
            TodayLine(
                _supervision_text(row),
                f"Written by {row.supervisor_name}; read it and acknowledge",
                f"Waiting {days_text(waited)}" if waited else "Sent to you today",
                Level.OVERDUE if waited > ACKNOWLEDGE_WITHIN_DAYS else Level.DUE,
                "supervision",
                row.id,
            )
        )
    return TodaySection(
        "acknowledge",
        "Supervision awaiting your acknowledgement",
        tuple(lines),
        "Nothing to acknowledge.",
    )


def _training(db: Database, actor: Actor, today: date) -> TodaySection:
    everyone = actor.can(Permission.TRAINING_WRITE)
    mine = None if everyone else actor.staff_member_id
    lines = []
    for record in TrainingService(db, actor).lapsing(
        today, TRAINING_WARNING_DAYS, staff_member_id=mine
    ):
        assert record.expires_on is not None  # lapsing() returns only records that expire
        left = (record.expires_on - today).days
        if left > 0:
            status, level = f"Expires in {days_text(left)}", Level.SOON
        else:
            status = "Expired today" if left == 0 else f"Expired {days_text(-left)} ago"
            level = Level.OVERDUE
        lines.append(
            TodayLine(
                f"{record.staff_name}: {record.course_name}" if everyone else record.course_name,
                f"Completed {record.completed_on:%d %b %Y}; "
                f"valid until {record.expires_on - timedelta(days=1):%d %b %Y}",
                status,
                level,
                "staff",
                record.staff_member_id,
            )
        )
    lines.sort(key=lambda line: (line.level != Level.OVERDUE, line.status, line.text))
    return TodaySection(
        "training",
        "Training expiring" if everyone else "Your training expiring",
        tuple(lines),
        f"No training expires in the next {TRAINING_WARNING_DAYS} days.",
    )


MILESTONE_NAMES = (
    ("portfolio_due_on", "Portfolio of evidence due"),
    ("interim_assessment_on", "Interim assessment"),
    ("award_visit_on", "Award visit"),
    ("expires_on", "Award expires"),
)


def _accreditation(
    db: Database, actor: Actor, today: date, sites: dict[uuid.UUID, str]
) -> TodaySection:
    limit = today + timedelta(days=ACCREDITATION_WARNING_DAYS)
    found = []
    for cycle in AccreditationService(db, actor).rows():
        for field, name in MILESTONE_NAMES:
            day = getattr(cycle, field)
            if day is None or not today <= day <= limit:
                continue
            left = (day - today).days
            found.append(
                (
                    day,
                    TodayLine(
                        f"{name}: {sites.get(cycle.site_id, 'another site')}",
                        f"{cycle.framework_name} · {day:%d %b %Y}",
                        "Today" if left == 0 else f"In {days_text(left)}",
                        Level.SOON if left <= TRAINING_WARNING_DAYS else Level.INFO,
                        "accreditation",
                        cycle.id,
                    ),
                )
            )
    found.sort(key=lambda pair: pair[0])
    return TodaySection(
        "accreditation",
        "Accreditation deadlines",
        tuple(line for _, line in found),
        f"No accreditation deadlines in the next {ACCREDITATION_WARNING_DAYS} days.",
    )
