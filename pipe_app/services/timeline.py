"""One resident's story at the user's sites, newest first: key work, groups and placement events.

The resident page shows everything that happened in one list rather than one tab per record
kind, because staff read a placement as a sequence (arrived, met the key worker, came to
cooking, moved on). Only placements at the user's sites are included, and only what was
recorded under those placements.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import select

from pipe_app.domain import (
    Attendance,
    GroupSession,
    KeyWorkerAssignment,
    KeyWorkSession,
    Placement,
    Site,
    StaffMember,
)
from pipe_app.domain.enums import (
    DepartureReason,
    ReleaseType,
    RoshLevel,
    SentenceType,
    SessionStatus,
)
from pipe_app.services.base import Service
from pipe_app.services.errors import NotFound
from pipe_app.services.permissions import Permission
from pipe_app.timeutil import LONDON, local_day


class EventKind(StrEnum):
    ARRIVAL = "arrival"
    KEY_WORKER = "key_worker"
    KEY_WORK = "key_work"
    GROUP = "group"
    DEPARTURE = "departure"


# Within one day: arrival first, then the key worker, then sessions by time, then departure.
_DAY_ORDER = {
    EventKind.ARRIVAL: 0,
    EventKind.KEY_WORKER: 1,
    EventKind.KEY_WORK: 2,
    EventKind.GROUP: 2,
    EventKind.DEPARTURE: 3,
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline; ``record_id`` is the key-work or group session, if any."""

    kind: EventKind
    day: date
    at: datetime | None
    site_name: str
    title: str
    detail: str
    record_id: uuid.UUID | None = None
    placement_id: uuid.UUID | None = None
    draft: bool = False
    attendance_code: str | None = None

    @property
    def sort_key(self) -> tuple[date, int, datetime]:
        moment = self.at or datetime.combine(self.day, time.min, tzinfo=LONDON)
        return (self.day, _DAY_ORDER[self.kind], moment)


# The national AP service's own wording for the reference lists (DOMAIN.md), shared by the
# timeline and the resident page so a departure reads the same in both.
SENTENCE_WORDS = {
    SentenceType.STANDARD_DETERMINATE: "Standard determinate custody",
    SentenceType.LIFE: "Life sentence",
    SentenceType.IPP: "IPP",
    SentenceType.EXTENDED_DETERMINATE: "Extended determinate custody",
    SentenceType.COMMUNITY_ORDER: "Community order / suspended sentence order",
    SentenceType.BAIL_PLACEMENT: "Bail placement",
    SentenceType.NON_STATUTORY: "Non-statutory (MAPPA case)",
}
RELEASE_WORDS = {
    ReleaseType.LICENCE: "Licence",
    ReleaseType.ROTL: "ROTL",
    ReleaseType.HDC: "HDC",
    ReleaseType.POST_SENTENCE_SUPERVISION: "Post-sentence supervision",
    ReleaseType.IN_COMMUNITY: "In community",
    ReleaseType.EXTENDED_DETERMINATE_LICENCE: "Extended determinate licence",
    ReleaseType.PAROLE_DIRECTED_LICENCE: "Parole-directed licence",
    ReleaseType.STANDARD_RECALL: "Re-released after standard recall",
    ReleaseType.FIXED_TERM_RECALL: "Re-released after fixed-term recall",
    ReleaseType.NOT_APPLICABLE: "Not applicable",
}
DEPARTURE_WORDS = {
    DepartureReason.PLANNED_MOVE_ON: "Planned move-on",
    DepartureReason.OWN_VOLITION: "Left of own volition",
    DepartureReason.HOSPITAL: "Admitted to hospital",
    DepartureReason.BED_WITHDRAWN: "Bed withdrawn",
    DepartureReason.RECALL_ABSCOND: "Breach/recall: abscond",
    DepartureReason.RECALL_BEHAVIOUR: "Breach/recall: behaviour or increasing risk",
    DepartureReason.RECALL_CURFEW: "Breach/recall: curfew",
    DepartureReason.RECALL_HOUSE_RULES: "Breach/recall: house rules",
    DepartureReason.RECALL_CONDITION: "Breach/recall: licence or bail condition",
    DepartureReason.RECALL_DRUGS_TEST: "Breach/recall: positive drugs test",
    DepartureReason.RECALL_OTHER: "Breach/recall: other",
    DepartureReason.DIED: "Died",
    DepartureReason.OTHER: "Other",
}
ROSH_WORDS = {
    RoshLevel.LOW: "Low",
    RoshLevel.MEDIUM: "Medium",
    RoshLevel.HIGH: "High",
    RoshLevel.VERY_HIGH: "Very high",
}


def _words(value: str) -> str:
    return value.replace("_", " ")


class TimelineService(Service):
    def entries(self, resident_id: uuid.UUID) -> list[TimelineEntry]:
        """Newest first. Four queries, whatever the length of the placement."""
        self.actor.require(Permission.RESIDENT_READ)
        with self._reading() as session:
            query = (
                select(Placement, Site.name)
                .join(Site, Site.id == Placement.site_id)
                .where(Placement.resident_id == resident_id, Placement.archived_at.is_(None))
            )
            if not self.actor.is_system:
                query = query.where(Placement.site_id.in_(sorted(self.actor.site_ids)))
            placements = list(session.execute(query))
            if not placements:
                raise NotFound("that resident does not exist or is not placed at your sites")
            site_of = {placement.id: name for placement, name in placements}
            ids = list(site_of)
            entries: list[TimelineEntry] = []
            for placement, name in placements:
                entries.extend(self._placement_events(placement, name))
            assignments = session.execute(
                select(KeyWorkerAssignment, StaffMember)
                .join(StaffMember, StaffMember.id == KeyWorkerAssignment.staff_member_id)
                .where(
                    KeyWorkerAssignment.placement_id.in_(ids),
                    KeyWorkerAssignment.archived_at.is_(None),
                )
                .order_by(KeyWorkerAssignment.from_date)
            )
            seen: set[uuid.UUID] = set()
            for assignment, member in assignments:
                first = assignment.placement_id not in seen
                seen.add(assignment.placement_id)
                entries.append(
                    TimelineEntry(
                        EventKind.KEY_WORKER,
                        assignment.from_date,
                        None,
                        site_of[assignment.placement_id],
                        f"Key worker: {member.full_name}",
                        "First key worker for this placement" if first else "Key worker changed",
                        placement_id=assignment.placement_id,
                    )
                )
            sessions = session.execute(
                select(KeyWorkSession, StaffMember)
                .join(StaffMember, StaffMember.id == KeyWorkSession.key_worker_id)
                .where(KeyWorkSession.placement_id.in_(ids), KeyWorkSession.archived_at.is_(None))
            )
            for kw, worker in sessions:
                entries.append(self._key_work_entry(kw, worker, site_of[kw.placement_id]))
            groups = session.execute(
                select(Attendance, GroupSession)
                .join(GroupSession, GroupSession.id == Attendance.group_session_id)
                .where(
                    Attendance.placement_id.in_(ids),
                    Attendance.archived_at.is_(None),
                    GroupSession.archived_at.is_(None),
                )
            )
            for mark, group in groups:
                code = mark.code.value
                entries.append(
                    TimelineEntry(
                        EventKind.GROUP,
                        local_day(group.started_at),
                        group.started_at,
                        site_of[mark.placement_id],
                        f"Group: {group.title}",
                        _words(code).capitalize() + (f": {mark.note}" if mark.note else ""),
                        record_id=group.id,
                        placement_id=mark.placement_id,
                        attendance_code=code,
                    )
                )
        return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)

    @staticmethod
    def _placement_events(placement: Placement, site_name: str) -> list[TimelineEntry]:
        kind_of_stay = "on the PIPE" if placement.is_pipe else "as a lodger"
        events = []
        if placement.actual_arrival is not None:
            events.append(
                TimelineEntry(
                    EventKind.ARRIVAL,
                    placement.actual_arrival,
                    None,
                    site_name,
                    f"Arrived at {site_name}",
                    f"Placed {kind_of_stay}; expected to leave "
                    f"{placement.expected_departure:%d %b %Y}",
                    placement_id=placement.id,
                )
            )
        if placement.actual_departure is not None:
            reason = placement.departure_reason
            detail = DEPARTURE_WORDS[reason] if reason else "Reason not recorded"
            if placement.departure_notes:
                detail += f": {placement.departure_notes}"
            events.append(
                TimelineEntry(
                    EventKind.DEPARTURE,
                    placement.actual_departure,
                    None,
                    site_name,
                    f"Left {site_name}",
                    detail,
                    placement_id=placement.id,
                )
            )
        return events

    @staticmethod
    def _key_work_entry(kw: KeyWorkSession, worker: StaffMember, site_name: str) -> TimelineEntry:
        if kw.did_not_attend:
            detail = f"Did not attend: {kw.dna_reason}"
        else:
            summary = kw.summary.strip()
            first_line = summary.splitlines()[0] if summary else ""
            detail = " · ".join(part for part in (", ".join(kw.topics or ()), first_line) if part)
        if kw.risk_concern:
            detail = f"Risk concern raised. {detail}".strip()
        draft = kw.status == SessionStatus.DRAFT
        return TimelineEntry(
            EventKind.KEY_WORK,
            local_day(kw.started_at),
            kw.started_at,
            site_name,
            f"Key work with {worker.full_name}" + (" (draft)" if draft else ""),
            detail,
            record_id=kw.id,
            placement_id=kw.placement_id,
            draft=draft,
        )
