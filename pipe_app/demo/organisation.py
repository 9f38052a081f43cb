"""Demo sites, staff and one login per role, with passwords documented for trying the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipe_app.demo.context import DemoContext, DemoSite, DemoStaff, new_id
from pipe_app.demo.people import STAFF_FAMILY, STAFF_GIVEN
from pipe_app.domain import Site, StaffMember, StaffSite, User, UserRole, UserSite
from pipe_app.domain.enums import APType, Role, StaffRole
from pipe_app.services.auth import hash_password


@dataclass(frozen=True)
class SitePlan:
    key: str
    name: str
    code: str
    address: str
    beds: int
    frequency_days: int
    women: bool


SITES = (
    SitePlan("crowley", "Crowley House", "CH", "1 Example Street, Birmingham", 22, 7, True),
    SitePlan("kirk", "Kirk Lodge", "KL", "2 Example Road, Leicester", 26, 14, False),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    site_key: str | None  # None: every site
    staff_role: StaffRole | None  # the staff member the login belongs to

    @property
    def where(self) -> str:
        return next((plan.name for plan in SITES if plan.key == self.site_key), "all sites")


# Documented in the README; only ever for a demo database.
DEMO_LOGINS = (
    DemoLogin("admin", "demo-admin-2026", Role.ADMINISTRATOR, None, None),
    DemoLogin("manager.crowley", "demo-manager-2026", Role.MANAGER, "crowley", StaffRole.MANAGER),
    DemoLogin("manager.kirk", "demo-manager-2026", Role.MANAGER, "kirk", StaffRole.MANAGER),
    DemoLogin(
        "keyworker.crowley",
        "demo-keywork-2026",
        Role.KEY_WORKER,
        "crowley",
        StaffRole.RESIDENTIAL_WORKER,
    ),
    DemoLogin(
        "keyworker.kirk", "demo-keywork-2026", Role.KEY_WORKER, "kirk", StaffRole.RESIDENTIAL_WORKER
    ),
    DemoLogin("psychologist", "demo-psych-2026", Role.PSYCHOLOGIST, None, StaffRole.PSYCHOLOGIST),
)

# Per site: job role -> how many. The psychologist works at both sites (added once).
TEAM = (
    (StaffRole.MANAGER, 1),
    (StaffRole.DEPUTY_MANAGER, 1),
    (StaffRole.PROBATION_SERVICES_OFFICER, 2),
    (StaffRole.RESIDENTIAL_WORKER, 7),
    (StaffRole.ASSISTANT_PSYCHOLOGIST, 1),
    (StaffRole.ADMINISTRATOR, 1),
)


def add_sites(session: Session, ctx: DemoContext) -> None:
    """Both sites; a site already there (same name) is used as it is."""
    for plan in SITES:
        site = session.scalars(
            select(Site).where(func.lower(Site.name) == plan.name.lower())
        ).one_or_none()
        if site is None:
            code = plan.code
            taken = set(session.scalars(select(Site.code)))
            suffix = 2
            while code in taken:
                code, suffix = f"{plan.code}{suffix}", suffix + 1
            site = Site(
                id=new_id(),
                name=plan.name,
                code=code,
                ap_type=APType.PIPE,
                address=plan.address,
                beds=plan.beds,
                key_work_frequency_days=plan.frequency_days,
                evidence_review_months=12,
                settings={},
            )
            session.add(site)
            ctx.counts["sites"] += 1
        else:
            ctx.notes.append(f"kept the existing site {plan.name}")
        ctx.sites.append(
            DemoSite(
                site.id,
                plan.key,
                site.code,
                plan.women,
                site.key_work_frequency_days or plan.frequency_days,
                site.evidence_review_months or 12,
            )
        )


def _name(ctx: DemoContext, used: set[str]) -> tuple[str, str]:
    while True:
        given, family = ctx.rng.choice(STAFF_GIVEN), ctx.rng.choice(STAFF_FAMILY)
        if f"{given} {family}" not in used:
            used.add(f"{given} {family}")
            return given, family


def _member(
    session: Session,
    ctx: DemoContext,
    used: set[str],
    role: StaffRole,
    sites: list[DemoSite],
    start: date,
    end: date | None = None,
) -> DemoStaff:
    given, family = _name(ctx, used)
    member = StaffMember(
        id=new_id(),
        given_name=given,
        family_name=family,
        job_role=role,
        email=f"{given}.{family}@example.org".lower().replace(" ", ""),
        start_date=start,
        end_date=end,
    )
    session.add(member)
    for site in sites:
        session.add(StaffSite(id=new_id(), staff_member_id=member.id, site_id=site.id))
    demo = DemoStaff(
        member.id, f"{given} {family}", role, frozenset(site.id for site in sites), start, end
    )
    ctx.staff.append(demo)
    ctx.counts["staff"] += 1
    return demo


def add_staff(session: Session, ctx: DemoContext) -> None:
    """A full team per site, a psychologist for both, and a leaver and joiner at each."""
    used: set[str] = set()
    rng = ctx.rng

    def long_ago() -> date:
        return ctx.start - timedelta(days=rng.randint(60, 2500))

    _member(session, ctx, used, StaffRole.PSYCHOLOGIST, ctx.sites, long_ago())
    for site in ctx.sites:
        for role, how_many in TEAM:
            for _ in range(how_many):
                _member(session, ctx, used, role, [site], long_ago())
        left = ctx.start + timedelta(days=rng.randint(120, 300))
        _member(session, ctx, used, StaffRole.RESIDENTIAL_WORKER, [site], long_ago(), left)
        joined = left + timedelta(days=rng.randint(10, 40))
        _member(session, ctx, used, StaffRole.RESIDENTIAL_WORKER, [site], joined)


def add_logins(session: Session, ctx: DemoContext) -> None:
    """One login per role (each linked to a staff member); existing usernames are left alone."""
    taken = {name.lower() for name in session.scalars(select(User.username))}
    all_sites = frozenset(site.id for site in ctx.sites)
    for login in DEMO_LOGINS:
        if login.username in taken:
            ctx.notes.append(f"kept the existing login {login.username} (password unchanged)")
            continue
        site_ids = all_sites
        if login.site_key is not None:
            site_ids = frozenset(site.id for site in ctx.sites if site.key == login.site_key)
        member = next(
            (
                staff
                for staff in ctx.staff
                if staff.job_role == login.staff_role
                and staff.site_ids == site_ids
                and staff.end is None
                and staff.user_id is None
            ),
            None,
        )
        display = member.name if member else "Demo Administrator"
        user = User(
            id=new_id(),
            username=login.username,
            display_name=display,
            password_hash=hash_password(login.password),
            staff_member_id=member.id if member else None,
            failed_sign_ins=0,
            must_change_password=False,
        )
        session.add(user)
        session.add(UserRole(id=new_id(), user_id=user.id, role=login.role))
        if login.role is not Role.ADMINISTRATOR:
            for site_id in sorted(site_ids):
                session.add(UserSite(id=new_id(), user_id=user.id, site_id=site_id))
        if member is not None:
            member.user_id = user.id
        ctx.counts["logins"] += 1
