"""Build a small world through the real services: two sites, staff and a login per role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count

from pipe_app.domain.enums import APType, ReleaseType, Role, RoshLevel, SentenceType, StaffRole
from pipe_app.services.auth import sign_in
from pipe_app.services.permissions import Actor
from pipe_app.services.residents import PlacementInput, ResidentInput, ResidentService
from pipe_app.services.sites import SiteInput, SiteRow, SiteService
from pipe_app.services.staff import StaffInput, StaffRow, StaffService
from pipe_app.services.users import UserInput, UserService
from pipe_app.storage.database import Database
from pipe_app.timeutil import local_today

PASSWORD = "correct horse battery"
_crns = count(100000)

CARE_ROLES = (Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST)
STAFF_ROLE_FOR = {
    Role.KEY_WORKER: StaffRole.RESIDENTIAL_WORKER,
    Role.MANAGER: StaffRole.MANAGER,
    Role.PSYCHOLOGIST: StaffRole.PSYCHOLOGIST,
    Role.ADMINISTRATOR: StaffRole.ADMINISTRATOR,
}


def next_crn(letter: str = "X") -> str:
    return f"{letter}{next(_crns)}"


@dataclass
class World:
    db: Database
    system: Actor
    crowley: SiteRow
    kirk: SiteRow
    staff: dict[tuple[Role, str], StaffRow] = field(default_factory=dict)
    actors: dict[tuple[Role, str], Actor] = field(default_factory=dict)

    def actor(self, role: Role, site: str = "crowley") -> Actor:
        return self.actors[(role, site)]

    def site(self, name: str) -> SiteRow:
        return self.crowley if name == "crowley" else self.kirk

    def admit(
        self, site: str = "crowley", *, arrival_days_ago: int = 30, **resident: object
    ) -> uuid.UUID:
        """Admit a resident with the site key worker assigned; returns the resident id."""
        site_row = self.site(site)
        today = local_today()
        data = ResidentInput(
            crn=str(resident.get("crn", next_crn())),
            given_name=str(resident.get("given_name", "Alex")),
            family_name=str(resident.get("family_name", "Example")),
            preferred_name=str(resident.get("preferred_name", "")),
            date_of_birth=date(1990, 5, 17),
            gender="female" if site == "crowley" else "male",
        )
        placement = PlacementInput(
            site_id=site_row.id,
            expected_arrival=today - timedelta(days=arrival_days_ago),
            actual_arrival=today - timedelta(days=arrival_days_ago),
            expected_departure=today + timedelta(days=150),
            sentence_type=SentenceType.STANDARD_DETERMINATE,
            release_type=ReleaseType.LICENCE,
            rosh_overall=RoshLevel.HIGH,
            key_worker_id=self.staff[(Role.KEY_WORKER, site)].id,
        )
        row = ResidentService(self.db, self.system).admit(data, placement)
        return row.id


def build_world(db: Database) -> World:
    system = Actor.system()
    sites = SiteService(db, system)
    crowley = sites.create(SiteInput("Crowley House", "CH", APType.PIPE, 22, "Birmingham", 7))
    kirk = sites.create(SiteInput("Kirk Lodge", "KL", APType.PIPE, 26, "Leicester", 14))
    world = World(db, system, crowley, kirk)
    staff_service = StaffService(db, system)
    users = UserService(db, system)
    start = local_today() - timedelta(days=800)
    for role in Role:
        for key, site in (("crowley", crowley), ("kirk", kirk)):
            member = staff_service.create(
                StaffInput(
                    "Sam",
                    f"{role.value.title()} {site.code}",
                    STAFF_ROLE_FOR[role],
                    start,
                    frozenset({site.id}),
                )
            )
            world.staff[(role, key)] = member
            username = f"{role.value}_{key}"
            users.create(
                UserInput(
                    username, member.full_name, frozenset({role}), frozenset({site.id}), member.id
                ),
                PASSWORD,
            )
            world.actors[(role, key)] = sign_in(db, username, PASSWORD)
    return world
