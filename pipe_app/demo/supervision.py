"""Demo supervision: monthly clinical and group supervision, six-weekly line management.

Older records are signed off, which locks them; the last few weeks run through every stage
(draft, submitted, acknowledged) so the review queue has something in it. The database
refuses new parts on a locked record, so records are written first and locked after.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipe_app.demo import phrases
from pipe_app.demo.context import DemoContext, DemoSite, DemoStaff, at, new_id
from pipe_app.domain import (
    SupervisionAction,
    SupervisionAddendum,
    SupervisionRequirement,
    SupervisionSession,
    SupervisionSupervisee,
)
from pipe_app.domain.enums import StaffRole, SupervisionKind, SupervisionStatus

R, K, S = StaffRole, SupervisionKind, SupervisionStatus
FRONT_LINE = frozenset({R.RESIDENTIAL_WORKER, R.PROBATION_SERVICES_OFFICER})
CLINICAL_SUPERVISEES = (R.MANAGER, R.DEPUTY_MANAGER, R.ASSISTANT_PSYCHOLOGIST)
REQUIREMENTS = (
    (R.RESIDENTIAL_WORKER, K.LINE_MANAGEMENT, 42),
    (R.PROBATION_SERVICES_OFFICER, K.LINE_MANAGEMENT, 42),
    (R.RESIDENTIAL_WORKER, K.REFLECTIVE_PRACTICE, 31),
    (R.PROBATION_SERVICES_OFFICER, K.REFLECTIVE_PRACTICE, 31),
    (R.MANAGER, K.INDIVIDUAL_CLINICAL, 31),
    (R.DEPUTY_MANAGER, K.INDIVIDUAL_CLINICAL, 31),
    (R.ASSISTANT_PSYCHOLOGIST, K.INDIVIDUAL_CLINICAL, 31),
)


def add_supervision(session: Session, ctx: DemoContext) -> None:
    _requirements(session, ctx)
    writers = [_Writer(session, ctx, site) for site in ctx.sites]
    for writer in writers:
        _site(ctx, writer)
    session.flush()
    for writer in writers:
        writer.lock()
    session.flush()
    for writer in writers:
        writer.add_addenda()


def _requirements(session: Session, ctx: DemoContext) -> None:
    existing = {
        (row.site_id, row.job_role, row.kind)
        for row in session.scalars(select(SupervisionRequirement))
    }
    for site in ctx.sites:
        for role, kind, days in REQUIREMENTS:
            if (site.id, role, kind) not in existing:
                session.add(
                    SupervisionRequirement(
                        id=new_id(), site_id=site.id, job_role=role, kind=kind, frequency_days=days
                    )
                )
                ctx.counts["supervision_requirements"] += 1


def _one(ctx: DemoContext, site: DemoSite, day: date, role: StaffRole) -> DemoStaff | None:
    found = ctx.staff_at(site, day, frozenset({role}))
    return found[0] if found else None


def _in_month(ctx: DemoContext, month: date) -> date:
    return month + timedelta(days=ctx.rng.randint(2, 25))


def _site(ctx: DemoContext, writer: _Writer) -> None:
    rng, today, site = ctx.rng, ctx.today, writer.site
    month = ctx.start.replace(day=1)
    while month <= today:
        psych = _one(ctx, site, month, R.PSYCHOLOGIST)
        if psych is not None:
            for role in CLINICAL_SUPERVISEES:
                supervisee = _one(ctx, site, month, role)
                if supervisee is not None:
                    writer.write(K.INDIVIDUAL_CLINICAL, psych, [supervisee], _in_month(ctx, month))
            day = _in_month(ctx, month)
            team = ctx.staff_at(site, day, FRONT_LINE | {R.DEPUTY_MANAGER})
            writer.write(K.REFLECTIVE_PRACTICE, psych, rng.sample(team, min(len(team), 6)), day)
            day = _in_month(ctx, month)
            team = ctx.staff_at(site, day, FRONT_LINE)
            writer.write(
                K.CASE_CONSULTATION, psych, rng.sample(team, min(len(team), rng.randint(2, 4))), day
            )
        month = (month + timedelta(days=32)).replace(day=1)
    manager = _one(ctx, site, today, R.MANAGER)
    if manager is not None:
        for member in ctx.staff:
            if site.id in member.site_ids and member.job_role in FRONT_LINE:
                day = max(member.start, ctx.start) + timedelta(days=rng.randint(0, 40))
                while day < today and member.active_on(day):
                    writer.write(K.LINE_MANAGEMENT, manager, [member], day)
                    day += timedelta(days=rng.randint(35, 49))
    psych = _one(ctx, site, today, R.PSYCHOLOGIST)
    assistant = _one(ctx, site, today, R.ASSISTANT_PSYCHOLOGIST)
    if psych is not None and assistant is not None:  # always something in each queue
        writer.write(K.INDIVIDUAL_CLINICAL, psych, [assistant], today - timedelta(days=2))
        writer.write(K.INDIVIDUAL_CLINICAL, psych, [assistant], today - timedelta(days=10))


class _Writer:
    def __init__(self, session: Session, ctx: DemoContext, site: DemoSite) -> None:
        self.session, self.ctx, self.site = session, ctx, site
        self.disagreements = 0
        self.to_lock: list[SupervisionSession] = []

    def _status(self, day: date) -> SupervisionStatus:
        age, rng = (self.ctx.today - day).days, self.ctx.rng
        if age <= 5:
            return S.DRAFT
        if age <= 14:
            return S.SUBMITTED
        if age <= 28:
            return S.ACKNOWLEDGED if rng.random() < 0.6 else S.SUBMITTED
        return S.LOCKED if rng.random() < 0.97 else S.ACKNOWLEDGED  # a few await sign-off

    def _when(self, after: datetime, low: int, high: int) -> datetime:
        later = after + timedelta(days=self.ctx.rng.randint(low, high), hours=2)
        return min(later, self.ctx.now)

    def write(
        self, kind: SupervisionKind, supervisor: DemoStaff, supervisees: list[DemoStaff], day: date
    ) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        if not supervisees or day >= ctx.today or day < ctx.start:
            return
        status = self._status(day)
        if status is S.LOCKED and supervisor.user_id is None:
            status = S.ACKNOWLEDGED  # nobody with a login to sign it
        started = at(day, rng.randint(9, 16))
        cases: list[str] = []
        if kind in (K.CASE_CONSULTATION, K.INDIVIDUAL_CLINICAL):
            placed = ctx.placed(self.site, day, pipe_only=True)
            cases = sorted(p.crn for p in rng.sample(placed, min(len(placed), rng.randint(1, 2))))
        record = SupervisionSession(
            id=new_id(),
            site_id=self.site.id,
            kind=kind,
            supervisor_id=supervisor.id,
            started_at=started,
            duration_minutes=90 if kind is K.REFLECTIVE_PRACTICE else rng.choice((45, 60, 60, 75)),
            themes=sorted(rng.sample(phrases.SUPERVISION_THEMES, rng.randint(1, 3))),
            cases_discussed=cases,
            summary=rng.choice(phrases.SUPERVISION_SUMMARIES),
            risk_ethical_issues=(
                "Discussed information sharing with probation after a disclosure."
                if rng.random() < 0.15
                else ""
            ),
            development_needs=(
                rng.choice(phrases.DEVELOPMENT_NEEDS) if len(supervisees) == 1 else ""
            ),
            status=status,
        )
        order = list(S)
        reached = order.index(status)
        if reached >= order.index(S.SUBMITTED):
            record.submitted_at = self._when(started, 0, 3)
        acknowledged: datetime | None = None
        if reached >= order.index(S.ACKNOWLEDGED):
            assert record.submitted_at is not None
            acknowledged = self._when(record.submitted_at, 1, 6)
        if status is S.LOCKED:  # signing off locks the record (locked_at is set after its parts)
            assert acknowledged is not None
            record.signed_off_at = self._when(acknowledged, 1, 5)
            record.signed_off_by_id = supervisor.user_id
            self.to_lock.append(record)
        self.session.add(record)
        ctx.counts["supervision_sessions"] += 1
        ctx.counts[f"supervision_{status.value}"] += 1
        self._supervisees(record, supervisees, acknowledged)
        self._actions(record, supervisor, supervisees, day)

    def lock(self) -> None:
        for record in self.to_lock:
            record.locked_at = record.signed_off_at

    def _supervisees(
        self, record: SupervisionSession, people: list[DemoStaff], acknowledged: datetime | None
    ) -> None:
        for member in people:
            note = ""
            if acknowledged and self.disagreements < 1 and record.status is S.LOCKED:
                note = "I remember the incident differently: I had asked for support beforehand."
                self.disagreements += 1
            self.session.add(
                SupervisionSupervisee(
                    id=new_id(),
                    session_id=record.id,
                    staff_member_id=member.id,
                    acknowledged_at=acknowledged,
                    disagreement_note=note,
                )
            )

    def _actions(
        self,
        record: SupervisionSession,
        supervisor: DemoStaff,
        people: list[DemoStaff],
        day: date,
    ) -> None:
        rng, today = self.ctx.rng, self.ctx.today
        for _ in range(rng.randint(0, 2)):
            due = day + timedelta(days=rng.choice((14, 28)))
            done = None
            if due < today - timedelta(days=3) and rng.random() < 0.85:
                done = at(due - timedelta(days=rng.randint(0, 5)), 12)
            self.session.add(
                SupervisionAction(
                    id=new_id(),
                    session_id=record.id,
                    description=rng.choice(phrases.SUPERVISION_ACTIONS),
                    owner_id=rng.choice([supervisor, *people]).id,
                    due_on=due,
                    done_at=done,
                )
            )
            self.ctx.counts["supervision_actions"] += 1

    def add_addenda(self) -> None:
        """Two locked records get a later correction, the only way a locked record grows."""
        for record in self.ctx.rng.sample(self.to_lock, min(2, len(self.to_lock))):
            assert record.locked_at is not None and record.signed_off_by_id is not None
            self.session.add(
                SupervisionAddendum(
                    id=new_id(),
                    session_id=record.id,
                    author_user_id=record.signed_off_by_id,
                    written_at=self._when(record.locked_at, 1, 10),
                    text=(
                        "Addendum: the action due date was moved by agreement after the record "
                        "was locked; the record above is unchanged."
                    ),
                )
            )
            self.ctx.counts["supervision_addenda"] += 1
