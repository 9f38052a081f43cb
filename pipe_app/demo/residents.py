"""Demo residents: each bed is filled in turn over the 18 months, with realistic endings."""

from __future__ import annotations

import string
import uuid
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipe_app.demo.context import (
    KEY_WORKER_ROLES,
    Assignment,
    DemoContext,
    DemoPlacement,
    DemoSite,
    new_id,
)
from pipe_app.demo.people import MEN_GIVEN, RESIDENT_FAMILY, WOMEN_GIVEN
from pipe_app.demo.phrases import DEPARTURE_NOTES
from pipe_app.domain import KeyWorkerAssignment, Placement, Resident, Site
from pipe_app.domain.enums import DepartureReason, ReleaseType, RoshLevel, SentenceType

OCCUPANCY = 0.85  # share of beds the demo keeps filled
PIPE_WEEKS, LODGER_WEEKS = 26, 12
EARLY_ENDINGS = (
    DepartureReason.OWN_VOLITION,
    DepartureReason.HOSPITAL,
    DepartureReason.BED_WITHDRAWN,
    DepartureReason.RECALL_ABSCOND,
    DepartureReason.RECALL_BEHAVIOUR,
    DepartureReason.RECALL_CURFEW,
    DepartureReason.RECALL_HOUSE_RULES,
    DepartureReason.RECALL_CONDITION,
    DepartureReason.RECALL_DRUGS_TEST,
    DepartureReason.OTHER,
)
# (sentence, release) pairs that go together, per site population.
WOMEN_SENTENCES = (
    (SentenceType.COMMUNITY_ORDER, ReleaseType.IN_COMMUNITY),
    (SentenceType.STANDARD_DETERMINATE, ReleaseType.LICENCE),
    (SentenceType.STANDARD_DETERMINATE, ReleaseType.POST_SENTENCE_SUPERVISION),
    (SentenceType.STANDARD_DETERMINATE, ReleaseType.STANDARD_RECALL),
    (SentenceType.EXTENDED_DETERMINATE, ReleaseType.EXTENDED_DETERMINATE_LICENCE),
    (SentenceType.LIFE, ReleaseType.PAROLE_DIRECTED_LICENCE),
)
MEN_SENTENCES = (
    (SentenceType.STANDARD_DETERMINATE, ReleaseType.LICENCE),
    (SentenceType.STANDARD_DETERMINATE, ReleaseType.FIXED_TERM_RECALL),
    (SentenceType.EXTENDED_DETERMINATE, ReleaseType.EXTENDED_DETERMINATE_LICENCE),
    (SentenceType.LIFE, ReleaseType.PAROLE_DIRECTED_LICENCE),
    (SentenceType.IPP, ReleaseType.PAROLE_DIRECTED_LICENCE),
    (SentenceType.BAIL_PLACEMENT, ReleaseType.NOT_APPLICABLE),
    (SentenceType.NON_STATUTORY, ReleaseType.NOT_APPLICABLE),
)


class _Residents:
    def __init__(self, session: Session, ctx: DemoContext) -> None:
        self.session, self.ctx, self.rng = session, ctx, ctx.rng
        self.crns = set(session.scalars(select(Resident.crn)))
        self.names: set[str] = set()
        self.returners: dict[str, list[DemoPlacement]] = {}

    def crn(self) -> str:
        while True:
            value = self.rng.choice(string.ascii_uppercase) + f"{self.rng.randint(0, 999999):06d}"
            if value not in self.crns:
                self.crns.add(value)
                return value

    def resident(self, site: DemoSite) -> tuple[Resident, str]:
        given_names = WOMEN_GIVEN if site.women else MEN_GIVEN
        while True:
            given, family = self.rng.choice(given_names), self.rng.choice(RESIDENT_FAMILY)
            if f"{given} {family}" not in self.names:
                self.names.add(f"{given} {family}")
                break
        age_days = self.rng.randint(21 * 365, 62 * 365)
        pronouns = ("she/her" if site.women else "he/him") if self.rng.random() > 0.05 else None
        if self.rng.random() < 0.03:
            pronouns = "they/them"
        crn = self.crn()
        resident = Resident(
            id=new_id(),
            crn=crn,
            given_name=given,
            family_name=family,
            preferred_name=given[:3] if self.rng.random() < 0.1 else None,
            date_of_birth=self.ctx.today - timedelta(days=age_days),
            gender="female" if site.women else "male",
            pronouns=pronouns,
        )
        self.session.add(resident)
        self.ctx.counts["residents"] += 1
        return resident, crn

    def placement(self, site: DemoSite, arrival: date) -> date | None:
        """One stay starting ``arrival``; returns the day the bed is free again (None: still in)."""
        rng, today = self.rng, self.ctx.today
        is_pipe = rng.random() > 0.15
        weeks = PIPE_WEEKS if is_pipe else LODGER_WEEKS
        expected_departure = arrival + timedelta(weeks=weeks)
        if rng.random() < 0.3:
            reason = rng.choice(EARLY_ENDINGS)
            departure = arrival + timedelta(days=rng.randint(10, weeks * 7 - 10))
        else:
            reason = DepartureReason.PLANNED_MOVE_ON
            departure = expected_departure + timedelta(days=rng.randint(-14, 14))
        arrived = arrival <= today
        if not arrived or departure >= today:
            departure_on, reason_on = None, None
        else:
            departure_on, reason_on = departure, reason
        resident_id, crn = self._who(site, arrival)
        sentence, release = rng.choice(WOMEN_SENTENCES if site.women else MEN_SENTENCES)
        levels = [RoshLevel.MEDIUM, RoshLevel.HIGH] if site.women else [RoshLevel.HIGH]
        overall = rng.choice([*levels, RoshLevel.HIGH, RoshLevel.VERY_HIGH])
        placement = Placement(
            id=new_id(),
            resident_id=resident_id,
            site_id=site.id,
            expected_arrival=arrival - timedelta(days=rng.choice((0, 0, 0, 1, 3))),
            actual_arrival=arrival if arrived else None,
            expected_departure=expected_departure,
            actual_departure=departure_on,
            sentence_type=sentence,
            release_type=release,
            rosh_overall=overall,
            rosh_children=rng.choice(list(RoshLevel)),
            rosh_public=overall,
            rosh_known_adult=rng.choice([RoshLevel.MEDIUM, RoshLevel.HIGH, overall]),
            rosh_staff=rng.choice([RoshLevel.LOW, RoshLevel.MEDIUM]),
            is_pipe=is_pipe,
            departure_reason=reason_on,
            departure_notes=DEPARTURE_NOTES.get(reason_on, "") if reason_on else "",
        )
        self.session.add(placement)
        demo = DemoPlacement(
            placement.id,
            resident_id,
            crn,
            site.id,
            arrival if arrived else None,
            departure_on,
            is_pipe,
        )
        self.ctx.placements.append(demo)
        self.ctx.counts["placements"] += 1
        if departure_on is not None and reason_on is not None and reason_on.startswith("recall"):
            self.returners.setdefault(site.key, []).append(demo)
        if not arrived:
            return None
        return departure_on

    def _who(self, site: DemoSite, arrival: date) -> tuple[uuid.UUID, str]:
        """Mostly someone new; now and then a recalled resident returns for a second stay."""
        waiting = [
            p
            for p in self.returners.get(site.key, [])
            if p.departure is not None and (arrival - p.departure).days > 90
        ]
        if waiting and self.rng.random() < 0.08:
            back = waiting[0]
            self.returners[site.key].remove(back)
            return back.resident_id, back.crn
        resident, crn = self.resident(site)
        return resident.id, crn


def add_residents(session: Session, ctx: DemoContext) -> None:
    """Fill each bed in turn from before the window to a few weeks ahead (expected arrivals)."""
    maker = _Residents(session, ctx)
    horizon = ctx.today + timedelta(days=21)
    for site in ctx.sites:
        beds = round(_beds(session, site) * OCCUPANCY)
        arrivals: list[date] = [
            ctx.start - timedelta(days=ctx.rng.randint(0, 150)) for _ in range(beds)
        ]
        for first in arrivals:
            day: date | None = first
            while day is not None and day <= horizon:
                free = maker.placement(site, day)
                day = None if free is None else free + timedelta(days=ctx.rng.randint(2, 20))
    assign_key_workers(session, ctx)


def _beds(session: Session, site: DemoSite) -> int:
    return session.get_one(Site, site.id).beds


def assign_key_workers(session: Session, ctx: DemoContext) -> None:
    """Least-loaded key worker on arrival; a hand-over when one leaves, and a few others."""
    rng = ctx.rng
    arrived = sorted(
        (p for p in ctx.placements if p.arrival is not None),
        key=lambda p: p.arrival or date.min,  # stable: ties keep creation order
    )
    sites = {site.id: site for site in ctx.sites}

    def least_loaded(placement: DemoPlacement, day: date, exclude: uuid.UUID | None) -> uuid.UUID:
        workers = [
            worker
            for worker in ctx.staff_at(sites[placement.site_id], day, KEY_WORKER_ROLES)
            if worker.id != exclude and (worker.end is None or worker.end > day)
        ]
        load = Counter(p.key_worker_on(day) for p in arrived if p.placed_on(day))
        return min(workers, key=lambda worker: (load[worker.id], rng.random())).id

    def hand_over(placement: DemoPlacement, day: date, to: uuid.UUID | None = None) -> None:
        current = placement.assignments[-1]
        if day <= current.start or (current.end is not None and day >= current.end):
            return
        worker = to or least_loaded(placement, day, current.staff_id)
        placement.assignments.append(Assignment(worker, day, current.end))
        current.end = day

    leaving = {member.id: member.end for member in ctx.staff if member.end is not None}

    def settle(placement: DemoPlacement) -> None:
        """Hand over from a key worker who leaves during the placement."""
        while (last_day := leaving.get(placement.assignments[-1].staff_id)) is not None:
            before = len(placement.assignments)
            hand_over(placement, last_day)
            if len(placement.assignments) == before:
                return

    for placement in arrived:
        assert placement.arrival is not None
        first = least_loaded(placement, placement.arrival, None)
        placement.assignments.append(Assignment(first, placement.arrival, placement.departure))
        settle(placement)
        if rng.random() < 0.08:
            hand_over(placement, placement.arrival + timedelta(days=rng.randint(20, 50)))
            settle(placement)
    # Each demo key-worker login has residents now, so "my key work" is never empty.
    for member in ctx.staff:
        if member.user_id is None or member.job_role not in KEY_WORKER_ROLES:
            continue
        current = [p for p in arrived if p.placed_on(ctx.today) and p.site_id in member.site_ids]
        mine = [p for p in current if p.key_worker_on(ctx.today) == member.id]
        others = [
            p
            for p in current
            if p not in mine and p.assignments[-1].start < ctx.today - timedelta(days=2)
        ]
        for placement in others[: max(0, 3 - len(mine))]:
            day = ctx.today - timedelta(days=rng.randint(7, 28))
            day = max(day, placement.assignments[-1].start + timedelta(days=1))
            hand_over(placement, day, to=member.id)
    for placement in arrived:
        for assignment in placement.assignments:
            session.add(
                KeyWorkerAssignment(
                    id=new_id(),
                    placement_id=placement.id,
                    staff_member_id=assignment.staff_id,
                    from_date=assignment.start,
                    to_date=assignment.end,
                )
            )
            ctx.counts["key_worker_assignments"] += 1
