"""Pseudonyms are stable, and scrubbing removes every known identifier, whole words only."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from pipe_app.domain import Placement
from pipe_app.domain.enums import Role
from pipe_app.reports.pseudonyms import (
    DOB_REMOVED,
    WITHHELD,
    Pseudonyms,
    ResidentIdentity,
    date_forms,
    site_identities,
)
from pipe_app.services import audit
from pipe_app.services.errors import PermissionDenied
from pipe_app.services.residents import PlacementInput, ResidentService
from pipe_app.timeutil import local_today, utc_now

A = ResidentIdentity(
    uuid.UUID(int=2), "X123456", "Philippa", "Ravensworth", "Pip", date(1985, 3, 9)
)
B = ResidentIdentity(uuid.UUID(int=1), "Y654321", "Oswin", "Tremayne", None, date(1979, 11, 30))
C = ResidentIdentity(uuid.UUID(int=3), "Z111111", "Oswin", "Hale", None, date(1990, 1, 2))


def test_pseudonyms_follow_resident_id_order_whatever_the_input_order() -> None:
    one, two = Pseudonyms([A, B, C]), Pseudonyms([C, A, B])
    assert one.name(B.id) == two.name(B.id) == "Resident R-01"
    assert one.name(A.id) == "Resident R-02"
    assert one.name(uuid.uuid4()) == WITHHELD


def test_names_and_crns_are_replaced_as_whole_words_in_any_case() -> None:
    p = Pseudonyms([A, B, C])
    text = "PHILIPPA ravensworth (x123456) met Pip; Pipeline and Philippastreet stay."
    scrubbed = p.scrub(text)
    assert scrubbed == (
        "Resident R-02 (Resident R-02) met Resident R-02; Pipeline and Philippastreet stay."
    )
    assert p.scrub("Ravensworth's plan") == "Resident R-02's plan"


def test_a_name_two_residents_share_is_withheld_but_full_names_are_not() -> None:
    p = Pseudonyms([A, B, C])
    assert p.scrub("Oswin said") == f"{WITHHELD} said"
    assert p.scrub("Oswin Tremayne said") == "Resident R-01 said"
    assert p.scrub("Oswin Hale said") == "Resident R-03 said"


def test_dates_of_birth_are_removed_in_common_forms() -> None:
    p = Pseudonyms([A])
    for form in ("09/03/1985", "9/3/1985", "1985-03-09", "9 March 1985", "09 Mar 1985"):
        assert form in date_forms(A.date_of_birth)
        assert p.scrub(f"born {form}.") == f"born {DOB_REMOVED}."
    assert p.scrub("seen 09/03/1986") == "seen 09/03/1986"


def test_nothing_to_scrub() -> None:
    assert Pseudonyms([]).scrub("Any text at all") == "Any text at all"
    assert Pseudonyms([A]).scrub("") == ""


def test_the_same_text_scrubbed_twice_gives_the_same_text() -> None:
    p = Pseudonyms([A, B, C])
    first = p.scrub("Pip met Oswin Hale on 09/03/1985.")
    assert p.scrub("Pip met Oswin Hale on 09/03/1985.") == first
    assert first == f"Resident R-02 met Resident R-03 on {DOB_REMOVED}."


def test_identities_are_the_residents_the_sites_list(world) -> None:
    """The narrow read for pseudonyms gives exactly the residents ``ResidentService.rows``
    lists for the site: not archived, with a live placement there (an earlier stay too)."""
    service = ResidentService(world.db, world.system)
    here = world.admit("crowley", given_name="Ada", family_name="Here")
    elsewhere = world.admit("kirk", given_name="Bo", family_name="Elsewhere")
    archived = world.admit("crowley", given_name="Cy", family_name="Archived")
    service.archive(archived, service.get(archived).version)
    unplaced = world.admit("crowley", given_name="Di", family_name="Unplaced")
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        session.execute(
            update(Placement).where(Placement.resident_id == unplaced).values(archived_at=utc_now())
        )
    returned = world.admit("kirk", given_name="Ed", family_name="Returned")
    today = local_today()
    earlier = PlacementInput(
        site_id=world.crowley.id,
        expected_arrival=today - timedelta(days=400),
        actual_arrival=today - timedelta(days=400),
        expected_departure=today - timedelta(days=200),
        actual_departure=today - timedelta(days=200),
        sentence_type="standard_determinate",
        release_type="licence",
        rosh_overall="high",
        departure_reason="planned_move_on",
    )
    service.add_placement(returned, earlier)
    for site in (world.crowley, world.kirk):
        for actor in (
            world.system,
            world.actor(Role.MANAGER, "crowley" if site is world.crowley else "kirk"),
        ):
            listed = sorted(
                (
                    ResidentIdentity(
                        r.id, r.crn, r.given_name, r.family_name, r.preferred_name, r.date_of_birth
                    )
                    for r in ResidentService(world.db, actor).rows(site_id=site.id)
                ),
                key=lambda identity: identity.id,
            )
            assert site_identities(world.db, actor, site.id) == listed
    ids = {identity.id for identity in site_identities(world.db, world.system, world.crowley.id)}
    assert {here, returned} <= ids
    assert not ids & {elsewhere, archived, unplaced}
    with pytest.raises(PermissionDenied):
        site_identities(world.db, world.actor(Role.MANAGER, "kirk"), world.crowley.id)
