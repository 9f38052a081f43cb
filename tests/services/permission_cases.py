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


@case("SiteService", "update_settings", frozenset({MGR, ADM}), frozenset({ADM}))
def _(world, site):
    from pipe_app.services.sites import ActivityTemplate, SiteSettingsInput

    site_id = world.site(site).id
    settings = SiteSettingsInput(
        activity_templates=(ActivityTemplate("Cooking", "socially_creative", 90),)
    )

    def call(actor: Actor) -> object:
        current = SiteService(world.db, world.system).get(site_id)
        return SiteService(world.db, actor).update_settings(site_id, current.version, settings)

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


@case("ResidentService", "placement", CARE)
def _(world, site):
    row = _resident(world, site)
    return lambda actor: ResidentService(world.db, actor).placement(row.placement_id)


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


@case("GroupService", "register_history", CARE)
def _(world, site):
    row = _group(world, site)
    return lambda actor: GroupService(world.db, actor).register_history(row.id)


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


# ---- frameworks (shared reference data: no site, so own and other are the same) ---------

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from pipe_app.domain.enums import (  # noqa: E402
    EvidenceKind,
    SelfAssessmentRating,
    SupervisionKind,
)
from pipe_app.services.accreditation import AccreditationService, CycleInput  # noqa: E402
from pipe_app.services.evidence import EvidenceInput, EvidenceService  # noqa: E402
from pipe_app.services.frameworks import FrameworkService, FrameworkTree  # noqa: E402
from pipe_app.services.supervision import (  # noqa: E402
    ActionInput,
    SupervisionDetail,
    SupervisionInput,
    SupervisionService,
)
from pipe_app.services.training import (  # noqa: E402
    CourseInput,
    TrainingRecordInput,
    TrainingRecordRow,
    TrainingService,
)

OVERSEERS = frozenset({MGR, PSY})
_files = tempfile.TemporaryDirectory(prefix="pipe-permission-cases-")
MATRIX_FRAMEWORK = "Matrix Framework"
_FRAMEWORK_YAML = """\
name: {name}
version: "{version}"
standards:
  - code: "1"
    name: Belonging
    statement: The nature and quality of relationships are of primary importance
    criteria:
      - code: "1.1"
        text: Every resident knows their key worker
      - code: "1.2"
        text: Residents help plan activities
"""


def _framework_file(version: str) -> Path:
    path = Path(_files.name) / f"framework-{next(_unique)}.yaml"
    path.write_text(_FRAMEWORK_YAML.format(name=MATRIX_FRAMEWORK, version=version), "utf-8")
    return path


def _framework(world: Any) -> FrameworkTree:
    """One small framework per world, imported on first use."""
    frameworks = FrameworkService(world.db, world.system)
    row = frameworks.find(MATRIX_FRAMEWORK, "base")
    if row is None:
        row = frameworks.import_file(_framework_file("base"))
    return frameworks.tree(row.id)


@case("FrameworkService", "rows", EVERYONE, EVERYONE)
def _(world, site):
    return lambda actor: FrameworkService(world.db, actor).rows()


@case("FrameworkService", "find", EVERYONE, EVERYONE)
def _(world, site):
    _framework(world)
    return lambda actor: FrameworkService(world.db, actor).find(MATRIX_FRAMEWORK, "base")


@case("FrameworkService", "tree", EVERYONE, EVERYONE)
def _(world, site):
    tree = _framework(world)
    return lambda actor: FrameworkService(world.db, actor).tree(tree.id)


@case("FrameworkService", "install_builtin", frozenset({MGR, ADM}), frozenset({MGR, ADM}))
def _(world, site):
    return lambda actor: FrameworkService(world.db, actor).install_builtin()


@case("FrameworkService", "import_file", frozenset({MGR, ADM}), frozenset({MGR, ADM}))
def _(world, site):
    path = _framework_file(f"v{next(_unique)}")
    return lambda actor: FrameworkService(world.db, actor).import_file(path)


# ---- training courses (shared by every site) ---------------------------------------------


def _course_input() -> CourseInput:
    n = next(_unique)
    return CourseInput(
        f"MX{n}",
        f"Matrix course {n}",
        renewal_months=12,
        mandatory_for=frozenset({StaffRole.RESIDENTIAL_WORKER}),
    )


def _course(world: Any) -> Any:
    return TrainingService(world.db, world.system).create_course(_course_input())


@case("TrainingService", "courses", EVERYONE, EVERYONE)
def _(world, site):
    return lambda actor: TrainingService(world.db, actor).courses()


@case("TrainingService", "create_course", frozenset({MGR, ADM}), frozenset({MGR, ADM}))
def _(world, site):
    data = _course_input()
    return lambda actor: TrainingService(world.db, actor).create_course(data)


@case("TrainingService", "update_course", frozenset({MGR, ADM}), frozenset({MGR, ADM}))
def _(world, site):
    course = _course(world)
    data = _course_input()
    return lambda actor: TrainingService(world.db, actor).update_course(
        course.id, course.version, data
    )


@case("TrainingService", "archive_course", frozenset({MGR, ADM}), frozenset({MGR, ADM}))
def _(world, site):
    course = _course(world)
    return lambda actor: TrainingService(world.db, actor).archive_course(course.id, course.version)


# ---- training records (staff records: readable by staff readers, written by MGR and PSY) --


def _training_input(world: Any, site: str, course_id: Any, days_ago: int = 30) -> Any:
    return TrainingRecordInput(
        world.staff[(KW, site)].id, course_id, local_today() - timedelta(days=days_ago), hours=3
    )


def _training(world: Any, site: str, *, certificate: bool = False) -> TrainingRecordRow:
    training = TrainingService(world.db, world.system)
    row = training.record(_training_input(world, site, _course(world).id))
    if certificate:
        row = training.attach_certificate(
            row.id, row.version, "certificate.pdf", "application/pdf", b"%PDF-1.4 certificate"
        )
    return row


@case("TrainingService", "record", OVERSEERS)
def _(world, site):
    data = _training_input(world, site, _course(world).id)
    return lambda actor: TrainingService(world.db, actor).record(data)


@case("TrainingService", "update", OVERSEERS)
def _(world, site):
    row = _training(world, site)
    data = _training_input(world, site, row.course_id, days_ago=20)
    return lambda actor: TrainingService(world.db, actor).update(row.id, row.version, data)


@case("TrainingService", "archive", OVERSEERS)
def _(world, site):
    row = _training(world, site)
    return lambda actor: TrainingService(world.db, actor).archive(row.id, row.version)


@case("TrainingService", "attach_certificate", OVERSEERS)
def _(world, site):
    row = _training(world, site)
    return lambda actor: TrainingService(world.db, actor).attach_certificate(
        row.id, row.version, "certificate.pdf", "application/pdf", b"%PDF-1.4 certificate"
    )


@case("TrainingService", "rows", EVERYONE, frozenset({ADM}))
def _(world, site):
    return lambda actor: TrainingService(world.db, actor).rows(site_id=world.site(site).id)


@case("TrainingService", "count", EVERYONE, frozenset({ADM}))
def _(world, site):
    return lambda actor: TrainingService(world.db, actor).count(site_id=world.site(site).id)


@case("TrainingService", "lapsing", EVERYONE, EVERYONE)  # reads only the actor's own sites
def _(world, site):
    _training(world, site)
    return lambda actor: TrainingService(world.db, actor).lapsing(local_today(), 30)


@case("TrainingService", "get", EVERYONE, frozenset({ADM}))
def _(world, site):
    row = _training(world, site)
    return lambda actor: TrainingService(world.db, actor).get(row.id)


@case("TrainingService", "certificate", EVERYONE, frozenset({ADM}))
def _(world, site):
    row = _training(world, site, certificate=True)
    return lambda actor: TrainingService(world.db, actor).certificate(row.id)


@case("TrainingService", "certificate_content", EVERYONE, frozenset({ADM}))
def _(world, site):
    row = _training(world, site, certificate=True)
    return lambda actor: TrainingService(world.db, actor).certificate_content(row.id)


@case("TrainingService", "matrix", EVERYONE, frozenset({ADM}))
def _(world, site):
    _training(world, site)
    return lambda actor: TrainingService(world.db, actor).matrix(world.site(site).id)


@case("TrainingService", "sheet", EVERYONE, frozenset({ADM}))
def _(world, site):
    _training(world, site)
    return lambda actor: TrainingService(world.db, actor).sheet(world.site(site).id)


@case("TrainingService", "status_for", EVERYONE, frozenset({ADM}))
def _(world, site):
    row = _training(world, site)
    return lambda actor: TrainingService(world.db, actor).status_for(
        row.staff_member_id, row.course_id
    )


# ---- evidence (site records: care roles read, MGR and PSY write, MGR approves) -----------


def _evidence_input(world: Any, site: str, title: str = "Community meeting minutes") -> Any:
    return EvidenceInput(
        world.site(site).id,
        title,
        EvidenceKind.MINUTES,
        local_today() - timedelta(days=10),
        world.staff[(KW, site)].id,
        "Residents chose the summer outing.",
    )


def _evidence(world: Any, site: str) -> Any:
    return EvidenceService(world.db, world.system).create(_evidence_input(world, site))


def _criterion_id(world: Any) -> Any:
    return _framework(world).criteria()[0].id


@case("EvidenceService", "rows", CARE)
def _(world, site):
    _evidence(world, site)
    return lambda actor: EvidenceService(world.db, actor).rows(site_id=world.site(site).id)


@case("EvidenceService", "count", CARE)
def _(world, site):
    _evidence(world, site)
    return lambda actor: EvidenceService(world.db, actor).count(
        site_id=world.site(site).id, search="minutes"
    )


@case("EvidenceService", "get", CARE)
def _(world, site):
    row = _evidence(world, site)
    return lambda actor: EvidenceService(world.db, actor).get(row.id)


@case("EvidenceService", "attachment_content", CARE)
def _(world, site):
    row = _evidence(world, site)
    attachment = EvidenceService(world.db, world.system).add_attachment(
        row.id, "minutes.txt", "text/plain", b"minutes"
    )
    return lambda actor: EvidenceService(world.db, actor).attachment_content(attachment.id)


@case("EvidenceService", "details", CARE)
def _(world, site):
    rows = [_evidence(world, site), _evidence(world, site)]
    return lambda actor: EvidenceService(world.db, actor).details([r.id for r in rows])


@case("EvidenceService", "details_of", CARE)
def _(world, site):
    rows = [_evidence(world, site), _evidence(world, site)]
    return lambda actor: EvidenceService(world.db, actor).details_of(rows)


@case("EvidenceService", "linked_details", CARE)
def _(world, site):
    criterion = _criterion_id(world)
    service = EvidenceService(world.db, world.system)
    row = _evidence(world, site)
    service.link(row.id, criterion)
    return lambda actor: EvidenceService(world.db, actor).linked_details(
        world.site(site).id, {criterion}
    )


@case("EvidenceService", "attachment_contents", CARE)
def _(world, site):
    service = EvidenceService(world.db, world.system)
    row = _evidence(world, site)
    files = [service.add_attachment(row.id, f"m{n}.txt", "text/plain", b"%d" % n) for n in (1, 2)]
    return lambda actor: EvidenceService(world.db, actor).attachment_contents([f.id for f in files])


@case("EvidenceService", "create", OVERSEERS)
def _(world, site):
    data = _evidence_input(world, site)
    return lambda actor: EvidenceService(world.db, actor).create(data)


@case("EvidenceService", "update", OVERSEERS)
def _(world, site):
    row = _evidence(world, site)
    data = _evidence_input(world, site, title="Community meeting minutes, April")
    return lambda actor: EvidenceService(world.db, actor).update(row.id, row.version, data)


@case("EvidenceService", "archive", OVERSEERS)
def _(world, site):
    row = _evidence(world, site)
    return lambda actor: EvidenceService(world.db, actor).archive(row.id, row.version)


@case("EvidenceService", "approve", frozenset({MGR}))
def _(world, site):
    row = _evidence(world, site)
    return lambda actor: EvidenceService(world.db, actor).approve(row.id, row.version)


@case("EvidenceService", "link", OVERSEERS)
def _(world, site):
    row = _evidence(world, site)
    criterion = _criterion_id(world)
    return lambda actor: EvidenceService(world.db, actor).link(row.id, criterion, "shows it")


@case("EvidenceService", "unlink", OVERSEERS)
def _(world, site):
    row = _evidence(world, site)
    criterion = _criterion_id(world)
    EvidenceService(world.db, world.system).link(row.id, criterion)
    return lambda actor: EvidenceService(world.db, actor).unlink(row.id, criterion)


@case("EvidenceService", "add_attachment", OVERSEERS)
def _(world, site):
    row = _evidence(world, site)
    return lambda actor: EvidenceService(world.db, actor).add_attachment(
        row.id, "minutes.txt", "text/plain", b"minutes"
    )


@case("EvidenceService", "archive_attachment", OVERSEERS)
def _(world, site):
    row = _evidence(world, site)
    attachment = EvidenceService(world.db, world.system).add_attachment(
        row.id, "minutes.txt", "text/plain", b"minutes"
    )
    return lambda actor: EvidenceService(world.db, actor).archive_attachment(attachment.id)


# ---- accreditation (care roles read; the manager runs the cycle) --------------------------


def _cycle_input(world: Any, site: str, framework_id: Any, **changes: Any) -> CycleInput:
    today = local_today()
    values: dict[str, Any] = {
        "site_id": world.site(site).id,
        "framework_id": framework_id,
        "membership_on": today - timedelta(days=200),
        "portfolio_due_on": today + timedelta(days=30),
    }
    values.update(changes)
    return CycleInput(**values)


def _cycle(world: Any, site: str) -> Any:
    data = _cycle_input(world, site, _framework(world).id)
    return AccreditationService(world.db, world.system).create(data)


@case("AccreditationService", "rows", CARE)
def _(world, site):
    _cycle(world, site)
    return lambda actor: AccreditationService(world.db, actor).rows(site_id=world.site(site).id)


@case("AccreditationService", "get", CARE)
def _(world, site):
    row = _cycle(world, site)
    return lambda actor: AccreditationService(world.db, actor).get(row.id)


@case("AccreditationService", "create", frozenset({MGR}))
def _(world, site):
    data = _cycle_input(world, site, _framework(world).id)
    return lambda actor: AccreditationService(world.db, actor).create(data)


@case("AccreditationService", "update", frozenset({MGR}))
def _(world, site):
    row = _cycle(world, site)
    data = _cycle_input(
        world, site, row.framework_id, interim_assessment_on=local_today() + timedelta(days=90)
    )
    return lambda actor: AccreditationService(world.db, actor).update(row.id, row.version, data)


@case("AccreditationService", "archive", frozenset({MGR}))
def _(world, site):
    row = _cycle(world, site)
    return lambda actor: AccreditationService(world.db, actor).archive(row.id, row.version)


@case("AccreditationService", "set_self_assessment", frozenset({MGR}))
def _(world, site):
    row = _cycle(world, site)
    criterion = _criterion_id(world)
    return lambda actor: AccreditationService(world.db, actor).set_self_assessment(
        row.id, criterion, SelfAssessmentRating.PARTLY_MET, "Most residents know"
    )


# ---- supervision (personal: overseers at the site, or the people named on the record) ----


def _supervision_input(world: Any, site: str, **changes: Any) -> SupervisionInput:
    """The site's psychologist supervises the site's key worker, who owns one action."""
    key_worker = world.staff[(KW, site)].id
    values: dict[str, Any] = {
        "site_id": world.site(site).id,
        "kind": SupervisionKind.INDIVIDUAL_CLINICAL,
        "supervisor_id": world.staff[(PSY, site)].id,
        "supervisee_ids": (key_worker,),
        "started_at": utc_now() - timedelta(days=2),
        "duration_minutes": 60,
        "summary": "Reflected on a difficult handover.",
        "actions": (ActionInput("Read the KUF notes", key_worker, local_today()),),
    }
    values.update(changes)
    return SupervisionInput(**values)


_STEPS = ("draft", "submitted", "acknowledged", "locked")


def _supervision(world: Any, site: str, status: str = "draft", **changes: Any) -> SupervisionDetail:
    """A record taken through the workflow to ``status`` by the people who would do it."""
    steps = _STEPS[1 : _STEPS.index(status) + 1]
    detail = SupervisionService(world.db, world.system).create(
        _supervision_input(world, site, **changes)
    )
    for step in steps:
        record = detail.record
        if step == "submitted":
            detail = SupervisionService(world.db, world.system).submit(record.id, record.version)
        elif step == "acknowledged":
            supervisee = SupervisionService(world.db, world.actor(KW, site))
            detail = supervisee.acknowledge(record.id)
        else:
            detail = SupervisionService(world.db, world.actor(PSY, site)).sign_off(
                record.id, record.version
            )
    return detail


@case("SupervisionService", "rows", CARE)
def _(world, site):
    _supervision(world, site)
    return lambda actor: SupervisionService(world.db, actor).rows(site_id=world.site(site).id)


@case("SupervisionService", "count", CARE)
def _(world, site):
    _supervision(world, site)
    return lambda actor: SupervisionService(world.db, actor).count(site_id=world.site(site).id)


@case("SupervisionService", "get", CARE)
def _(world, site):
    row = _supervision(world, site).record
    return lambda actor: SupervisionService(world.db, actor).get(row.id)


@case("SupervisionService", "create", OVERSEERS)
def _(world, site):
    data = _supervision_input(world, site)
    return lambda actor: SupervisionService(world.db, actor).create(data)


@case("SupervisionService", "update", OVERSEERS)
def _(world, site):
    row = _supervision(world, site).record
    data = _supervision_input(world, site, summary="Reflected on a handover and on boundaries.")
    return lambda actor: SupervisionService(world.db, actor).update(row.id, row.version, data)


@case("SupervisionService", "discard", OVERSEERS)
def _(world, site):
    row = _supervision(world, site).record
    return lambda actor: SupervisionService(world.db, actor).discard(row.id, row.version)


@case("SupervisionService", "submit", OVERSEERS)
def _(world, site):
    row = _supervision(world, site).record
    return lambda actor: SupervisionService(world.db, actor).submit(row.id, row.version)


@case("SupervisionService", "acknowledge", CARE)
def _(world, site):
    # Group supervision by an outside psychologist with every role's staff member at the site
    # as a supervisee: each named person may acknowledge, except the administrator, who has no
    # access to supervision content at all. The Crowley actors are named only at Crowley.
    supervisor = StaffService(world.db, world.system).create(
        StaffInput(
            "Pat",
            f"Supervisor{next(_unique)}",
            StaffRole.PSYCHOLOGIST,
            local_today() - timedelta(days=900),
            frozenset({world.site(site).id}),
        )
    )
    row = _supervision(
        world,
        site,
        "submitted",
        kind=SupervisionKind.GROUP,
        supervisor_id=supervisor.id,
        supervisee_ids=tuple(world.staff[(role, site)].id for role in Role),
    ).record
    return lambda actor: SupervisionService(world.db, actor).acknowledge(row.id)


@case("SupervisionService", "sign_off", frozenset({PSY}))
def _(world, site):
    row = _supervision(world, site, "acknowledged").record
    return lambda actor: SupervisionService(world.db, actor).sign_off(row.id, row.version)


@case("SupervisionService", "add_addendum", CARE)
def _(world, site):
    row = _supervision(world, site, "locked").record
    return lambda actor: SupervisionService(world.db, actor).add_addendum(
        row.id, "The refresher is booked."
    )


@case("SupervisionService", "mark_action_done", CARE)
def _(world, site):
    action = _supervision(world, site).actions[0]
    return lambda actor: SupervisionService(world.db, actor).mark_action_done(action.id)


@case("SupervisionService", "review_queue", frozenset({PSY}), frozenset({PSY}))
def _(world, site):
    row = _supervision(world, site, "submitted").record

    def call(actor: Actor) -> object:
        queue = SupervisionService(world.db, actor).review_queue()
        shown = row.id in {item.id for item in queue}
        assert shown == (site == "crowley"), f"review queue shows {site} record: {shown}"
        return queue

    return call


def _requirement(world: Any, site: str) -> Any:
    return SupervisionService(world.db, world.system).set_requirement(
        world.site(site).id, StaffRole.RESIDENTIAL_WORKER, SupervisionKind.INDIVIDUAL_CLINICAL, 42
    )


@case("SupervisionService", "requirements", CARE)
def _(world, site):
    _requirement(world, site)
    return lambda actor: SupervisionService(world.db, actor).requirements(
        site_id=world.site(site).id
    )


@case("SupervisionService", "set_requirement", OVERSEERS)
def _(world, site):
    return lambda actor: SupervisionService(world.db, actor).set_requirement(
        world.site(site).id, StaffRole.RESIDENTIAL_WORKER, SupervisionKind.INDIVIDUAL_CLINICAL, 28
    )


@case("SupervisionService", "remove_requirement", OVERSEERS)
def _(world, site):
    row = _requirement(world, site)
    return lambda actor: SupervisionService(world.db, actor).remove_requirement(row.id, row.version)


# ---- resident timeline (care roles, own site only) ---------------------------------------

from pipe_app.services.timeline import TimelineService  # noqa: E402


@case("TimelineService", "entries", CARE)
def _(world, site):
    resident = _resident(world, site)
    return lambda actor: TimelineService(world.db, actor).entries(resident.id)


# ---- supervision compliance (care roles at the site; key workers see only their own line) --

from pipe_app.services.supervision_compliance import SupervisionComplianceService  # noqa: E402


@case("SupervisionComplianceService", "rows", CARE)
def _(world, site):
    _requirement(world, site)
    return lambda actor: SupervisionComplianceService(world.db, actor).rows(world.site(site).id)


@case("SupervisionComplianceService", "series", CARE)
def _(world, site):
    _requirement(world, site)
    return lambda actor: SupervisionComplianceService(world.db, actor).series(world.site(site).id)


@case("SupervisionComplianceService", "overview", CARE)
def _(world, site):
    _requirement(world, site)
    return lambda actor: SupervisionComplianceService(world.db, actor).overview(world.site(site).id)


# ---- coverage and record-derived figures (care roles read; the manager maps figures) -----

from pipe_app.services.coverage import CoverageService  # noqa: E402
from pipe_app.services.derived_figures import DerivedFigureService  # noqa: E402


@case("CoverageService", "coverage", CARE)
def _(world, site):
    framework = _framework(world)
    return lambda actor: CoverageService(world.db, actor).coverage(
        world.site(site).id, framework.id, local_today()
    )


@case("DerivedFigureService", "figures", CARE)
def _(world, site):
    today = local_today()
    return lambda actor: DerivedFigureService(world.db, actor).figures(
        world.site(site).id, today - timedelta(days=90), today
    )


@case("DerivedFigureService", "standards_mapping", CARE)
def _(world, site):
    return lambda actor: DerivedFigureService(world.db, actor).standards_mapping(
        world.site(site).id
    )


@case("DerivedFigureService", "set_standards_mapping", frozenset({MGR}))
def _(world, site):
    return lambda actor: DerivedFigureService(world.db, actor).set_standards_mapping(
        world.site(site).id, {"key_work": ["Belonging"]}
    )


# ---- training import (writes through TrainingService: managers and psychologists) --------

from pipe_app.services.training_import import TrainingImportService  # noqa: E402


def _training_csv(world: Any, site: str) -> Path:
    course = _course(world)
    name = world.staff[(KW, site)].full_name
    path = Path(_files.name) / f"training-{next(_unique)}.csv"
    day = (local_today() - timedelta(days=10)).isoformat()
    path.write_text(
        f"Staff Name,Course Code,Completion Date\n{name},{course.code},{day}\n", "utf-8"
    )
    return path


@case("TrainingImportService", "preview", OVERSEERS, OVERSEERS)
def _(world, site):
    # Previewing reads no other site's data: there, the staff member is simply unknown.
    path = _training_csv(world, site)

    def call(actor: Actor) -> object:
        preview = TrainingImportService(world.db, actor).preview(path)
        assert preview.has_errors == (site != "crowley"), preview.rows
        return preview

    return call


@case("TrainingImportService", "commit", OVERSEERS)
def _(world, site):
    preview = TrainingImportService(world.db, world.system).preview(_training_csv(world, site))
    return lambda actor: TrainingImportService(world.db, actor).commit(preview)


# ---- backups ----------------------------------------------------------------------------

from pipe_app.services.backups import BackupService  # noqa: E402


@case("BackupService", "back_up", frozenset({ADM}), frozenset({ADM}))
def _(world, site):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="pipe-backup-case-"))
    return lambda actor: BackupService(world.db, actor).back_up(folder)


@case("BackupService", "restore", frozenset({ADM}), frozenset({ADM}))
def _(world, site):
    import tempfile
    from pathlib import Path

    copy = BackupService(world.db, world.system).back_up(Path(tempfile.mkdtemp()))
    return lambda actor: BackupService(world.db, actor).restore(copy.path)
