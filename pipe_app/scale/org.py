"""Sites, staff (posts held one after another over the years) and the demo logins."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from pipe_app.demo.organisation import DEMO_LOGINS, SITES
from pipe_app.demo.people import RESIDENT_FAMILY, STAFF_FAMILY, STAFF_GIVEN
from pipe_app.domain import Site, StaffMember, StaffSite, User, UserRole, UserSite
from pipe_app.domain.enums import APType, Role, StaffRole
from pipe_app.scale.context import Post, ScaleContext, ScaleSite, write
from pipe_app.services.auth import hash_password

R = StaffRole
SITE_POSTS = (
    R.MANAGER,
    R.DEPUTY_MANAGER,
    R.PROBATION_SERVICES_OFFICER,
    R.PROBATION_SERVICES_OFFICER,
    R.ASSISTANT_PSYCHOLOGIST,
    R.ADMINISTRATOR,
    *(R.RESIDENTIAL_WORKER,) * 8,
)
SITE_KEYS = ("crowley", "kirk")


def add_sites(conn: Connection, ctx: ScaleContext) -> None:
    """The two demo sites first, then more fictional premises for the stress scale."""
    rows = []
    for index in range(ctx.plan.sites):
        if index < len(SITES):
            plan = SITES[index]
            name, code, address, women = plan.name, plan.code, plan.address, plan.women
            frequency = plan.frequency_days
        else:
            name = f"{RESIDENT_FAMILY[index % len(RESIDENT_FAMILY)]} House"
            code, address = f"S{index + 1}", f"{index + 1} Example Lane"
            women, frequency = index % 3 == 0, 7 if index % 2 else 14
        site = ScaleSite(ctx.new_id(), name, women, frequency)
        ctx.sites.append(site)
        rows.append(
            ctx.stamp(
                {
                    "id": site.id,
                    "name": name,
                    "code": code,
                    "ap_type": APType.PIPE,
                    "address": address,
                    "beds": ctx.plan.beds,
                    "key_work_frequency_days": frequency,
                    "evidence_review_months": 12,
                    "settings": {},
                }
            )
        )
    write(conn, Site, rows, ctx)


def add_staff(conn: Connection, ctx: ScaleContext) -> None:
    """Every post always has a holder; extra people become earlier holders (turnover)."""
    ctx.posts = [Post(R.PSYCHOLOGIST, None)]
    for index in range(len(ctx.sites)):
        ctx.posts += [Post(role, index) for role in SITE_POSTS]
    people = [1] * len(ctx.posts)
    for extra in range(max(0, ctx.plan.staff - len(ctx.posts))):
        people[1 + extra % (len(ctx.posts) - 1)] += 1
    staff: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    used: set[tuple[str, str]] = set()
    for post, how_many in zip(ctx.posts, people, strict=True):
        changes = sorted(
            ctx.day_between(ctx.start, ctx.today - timedelta(days=30)) for _ in range(how_many - 1)
        )
        starts = [ctx.start - timedelta(days=ctx.rng.randint(30, 700)), *changes]
        for number, start in enumerate(starts):
            end = starts[number + 1] - timedelta(days=1) if number + 1 < len(starts) else None
            given, family = _name(ctx, used)
            staff_id = ctx.new_id()
            post.holders.append((staff_id, start, end))
            staff.append(_staff_row(ctx, staff_id, given, family, post.role, start, end))
            sites = ctx.sites if post.site_index is None else [ctx.sites[post.site_index]]
            for site in sites:
                links.append(ctx.stamp({"staff_member_id": staff_id, "site_id": site.id}))
    write(conn, StaffMember, staff, ctx)
    write(conn, StaffSite, links, ctx)


def _name(ctx: ScaleContext, used: set[tuple[str, str]]) -> tuple[str, str]:
    for _ in range(1000):
        pair = ctx.rng.choice(STAFF_GIVEN), ctx.rng.choice(STAFF_FAMILY)
        if pair not in used:
            break
    used.add(pair)
    return pair


def _staff_row(
    ctx: ScaleContext,
    staff_id: object,
    given: str,
    family: str,
    role: StaffRole,
    start: date,
    end: date | None,
) -> dict[str, Any]:
    return ctx.stamp(
        {
            "id": staff_id,
            "given_name": given,
            "family_name": family,
            "job_role": role,
            "email": f"{given}.{family}@example.org".lower(),
            "start_date": start,
            "end_date": end,
        }
    )


def add_logins(conn: Connection, ctx: ScaleContext) -> None:
    """The demo's documented sign-ins, each linked to the current holder of that post."""
    hashes = {login.password: hash_password(login.password) for login in DEMO_LOGINS}
    users, roles, links = [], [], []
    for login in DEMO_LOGINS:
        site_index = SITE_KEYS.index(login.site_key) if login.site_key else None
        if site_index is not None and site_index >= len(ctx.sites):
            continue
        staff_id = None
        for post in ctx.posts:
            if post.role == login.staff_role and post.site_index == site_index:
                staff_id = post.holders[-1][0]
                break
        user_id = ctx.new_id()
        ctx.users[login.username] = user_id
        users.append(
            ctx.stamp(
                {
                    "id": user_id,
                    "username": login.username,
                    "display_name": login.username,
                    "password_hash": hashes[login.password],
                    "staff_member_id": staff_id,
                    "failed_sign_ins": 0,
                    "locked_until": None,
                    "must_change_password": False,
                    "last_sign_in_at": None,
                }
            )
        )
        roles.append(ctx.stamp({"user_id": user_id, "role": login.role}))
        if login.role is Role.ADMINISTRATOR:
            continue
        for index, site in enumerate(ctx.sites):
            if site_index in (None, index):
                links.append(ctx.stamp({"user_id": user_id, "site_id": site.id}))
    write(conn, User, users, ctx)
    write(conn, UserRole, roles, ctx)
    write(conn, UserSite, links, ctx)
