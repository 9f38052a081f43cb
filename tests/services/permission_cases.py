"""The permission matrix: every service function, who may call it at their own site and at
another. Each case prepares fresh data at a target site (as the system) and returns the call
to make as a given actor. Expectations are written out here, not derived from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

from pipe_app.domain.enums import APType, Role, StaffRole
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import PlacementInput, ResidentInput, ResidentService
from pipe_app.services.sites import SiteInput, SiteService
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.users import UserInput, UserService
from pipe_app.timeutil import local_today

KW, MGR, PSY, ADM = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST, Role.ADMINISTRATOR
CARE = frozenset({KW, MGR, PSY})
EVERYONE = frozenset(Role)
_unique = count(1)

Call = Callable[[Actor], object]


@dataclass(frozen=True)
class Case:
    """``own``: roles allowed at their own site; ``other``: roles allowed at the other site."""

    service: str
    function: str
    prepare: Callable[[Any, str], Call]
    own: frozenset[Role]
    other: frozenset[Role]

    @property
    def id(self) -> str:
        return f"{self.service}.{self.function}"


CASES: list[Case] = []


def case(service: str, function: str, own: frozenset[Role], other: frozenset[Role] = frozenset()):
    def register(prepare: Callable[[Any, str], Call]) -> Callable[[Any, str], Call]:
        CASES.append(Case(service, function, prepare, frozenset(own), frozenset(other)))
        return prepare

    return register


def _resident(world: Any, site: str) -> Any:
    rid = world.admit(site, given_name=f"Case{next(_unique)}")
    return ResidentService(world.db, world.system).get(rid)


def _placement_input(
    world: Any, site: str, *, days_ago: int = 400, **changes: Any
) -> PlacementInput:
    today = local_today()
    values: dict[str, Any] = {
        "site_id": world.site(site).id,
        "expected_arrival": today - timedelta(days=days_ago),
        "actual_arrival": today - timedelta(days=days_ago),
        "expected_departure": today - timedelta(days=days_ago - 100),
        "actual_departure": today - timedelta(days=days_ago - 90),
        "departure_reason": "planned_move_on",
        "sentence_type": "life",
        "release_type": "licence",
        "rosh_overall": "high",
    }
    values.update(changes)
    return PlacementInput(**values)


def _resident_input(crn: str, name: str = "Renamed") -> ResidentInput:
    from datetime import date

    return ResidentInput(crn, name, "Example", date(1988, 1, 2), "female")


# ---- sites ------------------------------------------------------------------------------


@case("SiteService", "rows", EVERYONE, EVERYONE)
def _(world, site):
    return lambda actor: SiteService(world.db, actor).rows()


@case("SiteService", "get", EVERYONE, frozenset({ADM}))
def _(world, site):
    return lambda actor: SiteService(world.db, actor).get(world.site(site).id)


@case("SiteService", "find_by_name", EVERYONE, EVERYONE)
def _(world, site):
    return lambda actor: SiteService(world.db, actor).find_by_name(world.site(site).name)


@case("SiteService", "create", frozenset({ADM}), frozenset({ADM}))
def _(world, site):
    n = next(_unique)
    return lambda actor: SiteService(world.db, actor).create(
        SiteInput(f"New House {n}", f"N{n}", APType.PIPE, 12)
    )


@case("SiteService", "update", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    row = SiteService(world.db, world.system).get(world.site(site).id)

    def call(actor: Actor) -> object:
        current = SiteService(world.db, world.system).get(row.id)
        return SiteService(world.db, actor).update(
            row.id,
            current.version,
            SiteInput(row.name, row.code, row.ap_type, row.beds + 1, row.address),
        )

    return call


# ---- staff ------------------------------------------------------------------------------


def _staff_input(world: Any, site: str, name: str) -> StaffInput:
    return StaffInput(
        "Casey", name, StaffRole.RESIDENTIAL_WORKER, local_today(), frozenset({world.site(site).id})
    )


@case("StaffService", "rows", EVERYONE, EVERYONE)
def _(world, site):
    return lambda actor: StaffService(world.db, actor).rows(site_id=world.site(site).id)


@case("StaffService", "get", EVERYONE, frozenset({ADM}))
def _(world, site):
    member = world.staff[(KW, site)]
    return lambda actor: StaffService(world.db, actor).get(member.id)


@case("StaffService", "create", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    return lambda actor: StaffService(world.db, actor).create(
        _staff_input(world, site, f"New{next(_unique)}")
    )


@case("StaffService", "update", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    member = StaffService(world.db, world.system).create(_staff_input(world, site, "Before"))
    return lambda actor: StaffService(world.db, actor).update(
        member.id, member.version, _staff_input(world, site, "After")
    )


# ---- users ------------------------------------------------------------------------------


def _user_input(world: Any, site: str) -> UserInput:
    n = next(_unique)
    return UserInput(
        f"case.user{n}", f"Case User {n}", frozenset({KW}), frozenset({world.site(site).id})
    )


@case("UserService", "rows", frozenset({MGR, ADM}), frozenset({MGR, ADM}))
def _(world, site):
    return lambda actor: UserService(world.db, actor).rows()


@case("UserService", "create", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    return lambda actor: UserService(world.db, actor).create(
        _user_input(world, site), "a long enough password"
    )


def _existing_user(world: Any, site: str) -> Any:
    return UserService(world.db, world.system).create(_user_input(world, site), "first password!")


@case("UserService", "update", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    user = _existing_user(world, site)
    data = UserInput(user.username, "New Name", user.roles, user.site_ids)
    return lambda actor: UserService(world.db, actor).update(user.id, user.version, data)


@case("UserService", "set_password", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    user = _existing_user(world, site)
    return lambda actor: UserService(world.db, actor).set_password(user.id, "another password")


@case("UserService", "unlock", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    user = _existing_user(world, site)
    return lambda actor: UserService(world.db, actor).unlock(user.id)


@case("UserService", "archive", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    user = _existing_user(world, site)
    return lambda actor: UserService(world.db, actor).archive(user.id, user.version)


# ---- residents --------------------------------------------------------------------------


@case("ResidentService", "rows", CARE)
def _(world, site):
    return lambda actor: ResidentService(world.db, actor).rows(site_id=world.site(site).id)


@case("ResidentService", "count", CARE)
def _(world, site):
    return lambda actor: ResidentService(world.db, actor).count(site_id=world.site(site).id)


@case("ResidentService", "placed_on", CARE)
def _(world, site):
    return lambda actor: ResidentService(world.db, actor).placed_on(
        world.site(site).id, local_today()
    )


@case("ResidentService", "get", CARE)
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).get(row.id)


@case("ResidentService", "placements", CARE)
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).placements(row.id)


@case("ResidentService", "key_worker_history", CARE)
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).key_worker_history(row.placement_id)


@case("ResidentService", "admit", frozenset({MGR}))
def _(world, site):
    from tests.factories import next_crn

    return lambda actor: ResidentService(world.db, actor).admit(
        _resident_input(next_crn("A")),
        _placement_input(world, site, days_ago=10, actual_departure=None, departure_reason=None),
    )


@case("ResidentService", "update", frozenset({MGR}))
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).update(
        row.id, row.version, _resident_input(row.crn)
    )


@case("ResidentService", "add_placement", frozenset({MGR}))
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).add_placement(
        row.id, _placement_input(world, site)
    )


@case("ResidentService", "update_placement", frozenset({MGR}))
def _(world, site):
    row = _resident(world, site)
    placement = ResidentService(world.db, world.system).placements(row.id)[0]
    data = _placement_input(
        world,
        site,
        days_ago=30,
        expected_departure=placement.expected_departure,
        actual_departure=None,
        departure_reason=None,
        rosh_overall="very_high",
    )
    return lambda actor: ResidentService(world.db, actor).update_placement(
        placement.id, placement.version, data
    )


@case("ResidentService", "assign_key_worker", frozenset({MGR}))
def _(world, site):
    row = _resident(world, site)
    other = StaffService(world.db, world.system).create(
        StaffInput(
            "Kim",
            f"Worker{next(_unique)}",
            StaffRole.RESIDENTIAL_WORKER,
            local_today() - timedelta(days=900),
            frozenset({world.site(site).id}),
        )
    )
    return lambda actor: ResidentService(world.db, actor).assign_key_worker(
        row.placement_id, other.id, local_today()
    )


@case("ResidentService", "archive", frozenset({MGR}))
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).archive(row.id, row.version)


# ---- key work ---------------------------------------------------------------------------

from pipe_app.services.groups import AttendanceInput, GroupInput, GroupService  # noqa: E402
from pipe_app.services.history import AuditTrailService  # noqa: E402
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService  # noqa: E402
from pipe_app.timeutil import utc_now  # noqa: E402


def _key_work_input(world: Any, site: str, **changes: Any) -> KeyWorkInput:
    resident = _resident(world, site)
    values: dict[str, Any] = {
        "placement_id": resident.placement_id,
        "key_worker_id": world.staff[(KW, site)].id,
        "started_at": utc_now() - timedelta(hours=2),
    }
    values.update(changes)
    return KeyWorkInput(**values)


def _key_work(world: Any, site: str) -> Any:
    return KeyWorkService(world.db, world.system).record(_key_work_input(world, site))


for _name in ("record", "create"):

    @case("KeyWorkService", _name, CARE)
    def _(world, site, _name=_name):
        data = _key_work_input(world, site)
        return lambda actor: getattr(KeyWorkService(world.db, actor), _name)(data)


@case("KeyWorkService", "rows", CARE)
def _(world, site):
    return lambda actor: KeyWorkService(world.db, actor).rows(site_id=world.site(site).id)


@case("KeyWorkService", "count", CARE)
def _(world, site):
    return lambda actor: KeyWorkService(world.db, actor).count(site_id=world.site(site).id)


@case("KeyWorkService", "get", CARE)
def _(world, site):
    row = _key_work(world, site)
    return lambda actor: KeyWorkService(world.db, actor).get(row.id)


@case("KeyWorkService", "due", CARE)
def _(world, site):
    return lambda actor: KeyWorkService(world.db, actor).due(world.site(site).id, local_today())


@case("KeyWorkService", "update", CARE)
def _(world, site):
    row = _key_work(world, site)
    data = KeyWorkInput(row.placement_id, row.key_worker_id, row.started_at, summary="changed")
    return lambda actor: KeyWorkService(world.db, actor).update(row.id, row.version, data)


@case("KeyWorkService", "archive", CARE)
def _(world, site):
    row = _key_work(world, site)
    return lambda actor: KeyWorkService(world.db, actor).archive(row.id, row.version)


# ---- groups -----------------------------------------------------------------------------


def _group_input(world: Any, site: str) -> GroupInput:
    return GroupInput(
        site_id=world.site(site).id,
        kind="socially_creative",
        activity="cooking",
        title="Cooking together",
        started_at=utc_now() - timedelta(hours=3),
        facilitator_ids=frozenset({world.staff[(KW, site)].id}),
    )


def _group(world: Any, site: str) -> Any:
    return GroupService(world.db, world.system).create(_group_input(world, site))


@case("GroupService", "create", CARE)
def _(world, site):
    data = _group_input(world, site)
    return lambda actor: GroupService(world.db, actor).create(data)


@case("GroupService", "rows", CARE)
def _(world, site):
    return lambda actor: GroupService(world.db, actor).rows(site_id=world.site(site).id)


@case("GroupService", "count", CARE)
def _(world, site):
    return lambda actor: GroupService(world.db, actor).count(site_id=world.site(site).id)


@case("GroupService", "get", CARE)
def _(world, site):
    row = _group(world, site)
    return lambda actor: GroupService(world.db, actor).get(row.id)


@case("GroupService", "register", CARE)
def _(world, site):
    row = _group(world, site)
    return lambda actor: GroupService(world.db, actor).register(row.id)


@case("GroupService", "update", CARE)
def _(world, site):
    row = _group(world, site)
    data = _group_input(world, site)
    return lambda actor: GroupService(world.db, actor).update(row.id, row.version, data)


@case("GroupService", "set_attendance", CARE)
def _(world, site):
    resident = _resident(world, site)
    row = _group(world, site)
    entries = [AttendanceInput(resident.id, "attended")]
    return lambda actor: GroupService(world.db, actor).set_attendance(row.id, row.version, entries)


@case("GroupService", "repeat", CARE)
def _(world, site):
    row = _group(world, site)
    return lambda actor: GroupService(world.db, actor).repeat(row.id, utc_now() + timedelta(days=7))


@case("GroupService", "archive", CARE)
def _(world, site):
    row = _group(world, site)
    return lambda actor: GroupService(world.db, actor).archive(row.id, row.version)


# ---- audit trail ------------------------------------------------------------------------


@case("AuditTrailService", "history", CARE)
def _(world, site):
    resident = _resident(world, site)
    return lambda actor: AuditTrailService(world.db, actor).history("residents", resident.id)
