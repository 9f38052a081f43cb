"""Residents and placements: validation, scoping, key-worker history, audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pipe_app.domain import AuditEvent, Placement, Resident
from pipe_app.domain.enums import Role, StaffRole
from pipe_app.services import audit
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.services.residents import (
    PlacementInput,
    ResidentInput,
    ResidentOrder,
    ResidentService,
    ResidentSort,
)
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.timeutil import local_today
from tests.factories import next_crn


def _resident(crn: str | None = None, **changes) -> ResidentInput:
    base = ResidentInput(crn or next_crn("B"), "Dana", "Fictional", date(1985, 3, 4), "female")
    return replace(base, **changes)


def _placement(world, site: str = "crowley", **changes) -> PlacementInput:
    base = PlacementInput(
        site_id=world.site(site).id,
        expected_arrival=local_today() - timedelta(days=20),
        actual_arrival=local_today() - timedelta(days=20),
        expected_departure=local_today() + timedelta(days=160),
        sentence_type="standard_determinate",
        release_type="licence",
        rosh_overall="high",
        key_worker_id=world.staff[(Role.KEY_WORKER, site)].id,
    )
    return replace(base, **changes)


def _dated(values: dict) -> dict:
    """Days given as offsets become dates counted from the day the test runs (not the day
    it was collected: a run that crosses midnight would find them a day off)."""
    return {
        key: local_today() + value if isinstance(value, timedelta) else value
        for key, value in values.items()
    }


def _counts(world) -> tuple[int, int]:
    with world.db.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Resident)),
            session.scalar(select(func.count()).select_from(Placement)),
        )


def test_admit_and_read_back(world) -> None:
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    row = manager.admit(_resident("x123456", preferred_name="Dee"), _placement(world))
    assert row.crn == "X123456"
    assert row.display_name == "Dee Fictional"
    assert row.site_name == "Crowley House"
    assert row.resident_on(local_today())
    [placement] = manager.placements(row.id)
    assert placement.key_worker_name == world.staff[(Role.KEY_WORKER, "crowley")].full_name


@pytest.mark.parametrize(
    ("resident", "placement", "field"),
    [
        ({"crn": "12345"}, {}, "crn"),
        ({"crn": "XX12345"}, {}, "crn"),
        ({"given_name": "  "}, {}, "given_name"),
        ({"family_name": "x" * 81}, {}, "family_name"),
        ({"date_of_birth": timedelta(days=1)}, {}, "date_of_birth"),
        ({}, {"expected_departure": timedelta(days=-30)}, "expected_departure"),
        ({}, {"actual_departure": timedelta(days=-30)}, "actual_departure"),
        ({}, {"actual_arrival": timedelta(days=3)}, "actual_arrival"),
        ({}, {"actual_departure": timedelta(days=-1)}, "departure_reason"),
        ({}, {"departure_reason": "planned_move_on"}, "departure_reason"),
        ({}, {"sentence_type": "community service"}, "sentence_type"),
        ({}, {"rosh_overall": None}, "rosh_overall"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, resident, placement, field) -> None:
    before = _counts(world)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    with pytest.raises(ValidationError) as caught:
        manager.admit(_resident(**_dated(resident)), _placement(world, **_dated(placement)))
    assert field in caught.value.fields
    assert _counts(world) == before


def test_key_worker_must_work_at_the_residents_site(world) -> None:
    before = _counts(world)
    kirk_worker = world.staff[(Role.KEY_WORKER, "kirk")].id
    with pytest.raises(ValidationError) as caught:
        ResidentService(world.db, world.actor(Role.MANAGER)).admit(
            _resident(), _placement(world, key_worker_id=kirk_worker)
        )
    assert caught.value.fields == ["key_worker"]
    assert _counts(world) == before  # the resident row was rolled back too


def test_overlapping_placements_are_refused(world) -> None:
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    row = manager.admit(_resident(), _placement(world))
    with pytest.raises(ValidationError, match="overlaps"):
        manager.add_placement(
            row.id, _placement(world, actual_arrival=local_today() - timedelta(days=5))
        )


def test_sites_never_see_each_others_residents(world) -> None:
    crowley_id = world.admit("crowley", given_name="Cora")
    kirk_id = world.admit("kirk", given_name="Ken")
    kirk_worker = ResidentService(world.db, world.actor(Role.KEY_WORKER, "kirk"))
    assert [row.id for row in kirk_worker.rows()] == [kirk_id]
    assert kirk_worker.rows(search="Cora") == []
    with pytest.raises(NotFound):
        kirk_worker.get(crowley_id)
    with pytest.raises(PermissionDenied):
        kirk_worker.rows(site_id=world.crowley.id)
    with pytest.raises(PermissionDenied):
        ResidentService(world.db, world.actor(Role.ADMINISTRATOR)).rows()


def test_the_list_statement_is_kept_per_database_and_scope(world, monkeypatch) -> None:
    """Opening the list, F5 and each page read run one statement, built for the same sites,
    day and order the first time only (twice then: one copy read, one kept); another user's
    sites get their own; a search's words and an unlimited read are built afresh."""
    crowley_id = world.admit("crowley", given_name="Cora")
    kirk_id = world.admit("kirk", given_name="Ken")
    built: list[object] = []
    build = ResidentService._query
    monkeypatch.setattr(
        ResidentService, "_query", lambda self, *a, **k: built.append(a) or build(self, *a, **k)
    )
    crowley = ResidentService(world.db, world.actor(Role.KEY_WORKER, "crowley"))
    kirk = ResidentService(world.db, world.actor(Role.KEY_WORKER, "kirk"))
    for offset in (0, 0, 5):
        assert [row.id for row in crowley.rows(limit=5, offset=offset)] == (
            [crowley_id] if offset == 0 else []
        )
    assert len(built) == 2
    assert [row.id for row in kirk.rows(limit=5)] == [kirk_id]
    assert len(built) == 4
    assert [row.id for row in kirk.rows(search="en", limit=5)] == [kirk_id]
    assert [row.id for row in kirk.rows()] == [kirk_id]
    assert len(built) == 6


def test_search_by_name_or_crn_and_paging(world) -> None:
    ids = [world.admit("crowley", family_name=f"Family{n:02d}") for n in range(5)]
    service = ResidentService(world.db, world.actor(Role.KEY_WORKER))
    assert service.count() == 5
    assert [row.id for row in service.rows(limit=2, offset=2)] == ids[2:4]
    crn = service.get(ids[3]).crn
    assert [row.id for row in service.rows(search=crn.lower())] == [ids[3]]
    assert [row.id for row in service.rows(search="family04")] == [ids[4]]


def test_key_worker_history_is_kept(world) -> None:
    rid = world.admit("crowley")
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    placement = manager.placements(rid)[0]
    newcomer = StaffService(world.db, world.system).create(
        StaffInput(
            "Robin",
            "Newcomer",
            StaffRole.RESIDENTIAL_WORKER,
            local_today() - timedelta(days=60),
            frozenset({world.crowley.id}),
        )
    )
    history = manager.assign_key_worker(placement.id, newcomer.id, local_today())
    assert [(h.staff_name, h.to_date) for h in history] == [
        (world.staff[(Role.KEY_WORKER, "crowley")].full_name, local_today()),
        ("Robin Newcomer", None),
    ]
    with pytest.raises(ValidationError) as caught:
        manager.assign_key_worker(
            placement.id, world.staff[(Role.KEY_WORKER, "kirk")].id, local_today()
        )
    assert caught.value.fields == ["key_worker"]


def test_updates_are_audited_with_before_and_after(world) -> None:
    rid = world.admit("crowley", given_name="Old")
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    row = manager.get(rid)
    same = ResidentInput(row.crn, "New", row.family_name, row.date_of_birth, row.gender)
    manager.update(rid, row.version, same)
    with world.db.reading() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == rid, AuditEvent.action == "update")
        ).one()
    assert event.username == "manager_crowley"
    assert event.changes == {"given_name": {"before": "Old", "after": "New"}}
    with pytest.raises(ConflictError):
        manager.update(rid, row.version, replace(same, given_name="Stale"))
    assert manager.get(rid).given_name == "New"


odd_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(given_name=odd_text, family_name=odd_text, gender=odd_text, crn=st.text(max_size=9))
def test_any_input_is_stored_exactly_or_refused_clearly(
    world, given_name, family_name, gender, crn
):
    before = _counts(world)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    data = _resident(crn, given_name=given_name, family_name=family_name, gender=gender)
    try:
        row = manager.admit(data, _placement(world))
    except ValidationError as error:
        assert error.problems and all(p.field and p.message for p in error.problems)
        assert _counts(world) == before
        return
    import unicodedata

    assert row.given_name == unicodedata.normalize("NFC", given_name).strip()
    assert row.family_name == unicodedata.normalize("NFC", family_name).strip()
    manager.archive(row.id, row.version)


def _departure(placement, **changes) -> PlacementInput:
    """The placement as it is, with ``changes`` (a departure, say)."""
    values = {
        "site_id": placement.site_id,
        "expected_arrival": placement.expected_arrival,
        "actual_arrival": placement.actual_arrival,
        "expected_departure": placement.expected_departure,
        "actual_departure": placement.actual_departure,
        "departure_reason": placement.departure_reason,
        "sentence_type": placement.sentence_type,
        "release_type": placement.release_type,
        "rosh_overall": placement.rosh_overall,
    }
    return PlacementInput(**{**values, **changes})


def test_after_a_departure_the_resident_leaves_later_registers(world) -> None:
    rid = world.admit("crowley", given_name="Leaving", arrival_days_ago=30)
    stays = world.admit("crowley", given_name="Staying")
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    placement = manager.placement(manager.get(rid).placement_id)
    left = local_today() - timedelta(days=3)
    row = manager.update_placement(
        placement.id,
        placement.version,
        _departure(placement, actual_departure=left, departure_reason="planned_move_on"),
    )
    assert (row.actual_departure, row.departure_reason) == (left, "planned_move_on")
    assert row.version == placement.version + 1

    def register(day: date) -> set:
        return {r.id for r in manager.placed_on(world.crowley.id, day)}

    assert register(left - timedelta(days=1)) == {rid, stays}
    assert register(left) == {rid, stays}  # the day they leave they are still placed
    assert register(left + timedelta(days=1)) == {stays}
    assert register(local_today()) == {stays}
    [history] = manager.key_worker_history(placement.id)
    assert history.to_date == left  # their key worker's work with them ended that day


def test_correcting_a_departure_moves_the_key_workers_end_and_clearing_it_reopens(world) -> None:
    rid = world.admit("crowley")
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    placement = manager.placement(manager.get(rid).placement_id)
    first = local_today() - timedelta(days=3)
    for day in (first, first + timedelta(days=1)):
        placement = manager.update_placement(
            placement.id,
            placement.version,
            _departure(placement, actual_departure=day, departure_reason="own_volition"),
        )
        assert [h.to_date for h in manager.key_worker_history(placement.id)] == [day]
    placement = manager.update_placement(
        placement.id,
        placement.version,
        _departure(placement, actual_departure=None, departure_reason=None),
    )
    assert [h.to_date for h in manager.key_worker_history(placement.id)] == [None]
    assert placement.key_worker_name == world.staff[(Role.KEY_WORKER, "crowley")].full_name
    assert rid in {r.id for r in manager.placed_on(world.crowley.id, local_today())}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"actual_departure": timedelta(days=-40), "departure_reason": "hospital"},
            "actual_departure",
            "cannot be before actual arrival",
        ),
        (
            {"actual_departure": timedelta(days=-25), "departure_reason": "hospital"},
            "actual_departure",
            "cannot be before the current key worker started",
        ),
        ({"actual_departure": timedelta(days=-1)}, "departure_reason", "is required"),
        ({"actual_departure": timedelta(days=1), "departure_reason": "hospital"}, None, ""),
        ({"expected_departure": timedelta(days=-60)}, "expected_departure", "cannot be"),
        ({"departure_notes": "x" * 4001}, "departure_notes", "is 4001 characters long"),
    ],
)
def test_a_bad_placement_change_names_the_field_and_changes_nothing(
    world, changes, field, message
) -> None:
    rid = world.admit("crowley", arrival_days_ago=30)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    placement = manager.placements(rid)[0]
    handover = StaffService(world.db, world.system).create(
        StaffInput(
            "Robin",
            "Later",
            StaffRole.RESIDENTIAL_WORKER,
            local_today() - timedelta(days=90),
            frozenset({world.crowley.id}),
        )
    )
    manager.assign_key_worker(placement.id, handover.id, local_today() - timedelta(days=20))
    placement = manager.placement(placement.id)
    with pytest.raises(ValidationError) as caught:
        manager.update_placement(
            placement.id, placement.version, _departure(placement, **_dated(changes))
        )
    problems = {p.field: p.message for p in caught.value.problems}
    if field is None:  # a departure in the future: "use the expected date"
        assert problems == {"actual_departure": "cannot be in the future (use the expected date)"}
    else:
        assert problems[field].startswith(message), problems
    assert manager.placement(placement.id) == placement
    assert [h.to_date for h in manager.key_worker_history(placement.id)][-1] is None


def test_changing_the_key_worker_is_checked_against_the_placement(world) -> None:
    rid = world.admit("crowley", arrival_days_ago=30)
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    placement = manager.placements(rid)[0]
    current = world.staff[(Role.KEY_WORKER, "crowley")]
    other = world.staff[(Role.MANAGER, "crowley")]
    with pytest.raises(ValidationError) as caught:
        manager.assign_key_worker(placement.id, current.id, local_today())
    assert {p.field: p.message for p in caught.value.problems} == {
        "key_worker": "is already the key worker"
    }
    left = local_today() - timedelta(days=2)
    manager.update_placement(
        placement.id,
        placement.version,
        _departure(placement, actual_departure=left, departure_reason="planned_move_on"),
    )
    with pytest.raises(ValidationError) as caught:
        manager.assign_key_worker(placement.id, other.id, local_today())
    assert caught.value.fields == ["from_date"]
    assert caught.value.problems[0].message == f"must be before the resident left ({left:%d %b %Y})"
    history = manager.assign_key_worker(placement.id, other.id, left - timedelta(days=1))
    assert [(h.staff_name, h.to_date) for h in history] == [
        (current.full_name, left - timedelta(days=1)),
        (other.full_name, left),  # a late correction: the new worker's work ended with the stay
    ]


def test_a_same_day_change_of_key_worker_corrects_the_assignment(world) -> None:
    rid = world.admit("crowley", arrival_days_ago=0)  # admitted today with the wrong worker
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    placement = manager.placements(rid)[0]
    right = world.staff[(Role.MANAGER, "crowley")]
    history = manager.assign_key_worker(placement.id, right.id, local_today())
    assert [(h.staff_name, h.from_date, h.to_date) for h in history] == [
        (right.full_name, local_today(), None)
    ]
    with world.db.reading() as session:
        archived = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "key_worker_assignments", AuditEvent.action == "archive"
            )
        ).all()
    assert len(archived) == 1  # the mistaken assignment is kept in the audit trail


def test_an_earlier_stay_counts_on_its_own_days_after_a_return(world) -> None:
    manager = ResidentService(world.db, world.actor(Role.MANAGER))
    first_left = local_today() - timedelta(days=100)
    row = manager.admit(
        _resident(),
        _placement(
            world,
            expected_arrival=local_today() - timedelta(days=200),
            actual_arrival=local_today() - timedelta(days=200),
            expected_departure=first_left,
            actual_departure=first_left,
            departure_reason="recall_curfew",
        ),
    )
    manager.add_placement(row.id, _placement(world))  # back 20 days ago

    def register(day: date) -> list:
        return [r.id for r in manager.placed_on(world.crowley.id, day)]

    assert register(first_left) == [row.id]  # the first stay's last day
    assert register(first_left + timedelta(days=1)) == []
    assert register(local_today()) == [row.id]
    assert manager.count(current_on=first_left - timedelta(days=10)) == 1
    assert [r.arrival for r in manager.rows(current_on=first_left)] == [
        local_today() - timedelta(days=200)
    ]


def test_the_list_shows_the_latest_placement_among_the_sites_asked_for(world) -> None:
    """A resident placed at one site, then at another: each reader sees their latest
    placement among the sites they look at (and the stay of the day when one is asked for);
    an archived placement does not count. Readers at several sites and at one site go
    through different queries, so both are checked."""
    system = ResidentService(world.db, world.system)
    first_left = local_today() - timedelta(days=100)
    moved = system.admit(
        _resident(family_name="Mover"),
        _placement(
            world,
            expected_arrival=local_today() - timedelta(days=200),
            actual_arrival=local_today() - timedelta(days=200),
            expected_departure=first_left,
            actual_departure=first_left,
            departure_reason="recall_curfew",
        ),
    )
    kirk_stay = system.add_placement(moved.id, _placement(world, "kirk"))
    stayed = world.admit("crowley", family_name="Stayer")
    both = replace(
        world.actor(Role.PSYCHOLOGIST), site_ids=frozenset({world.crowley.id, world.kirk.id})
    )
    psychologist = ResidentService(world.db, both)
    crowley_manager = ResidentService(world.db, world.actor(Role.MANAGER))

    def sites(service: ResidentService, **filters) -> dict:
        return {row.id: row.site_id for row in service.rows(**filters)}

    crowley, kirk = world.crowley.id, world.kirk.id
    assert sites(psychologist) == {moved.id: kirk, stayed: crowley}
    assert sites(system) == {moved.id: kirk, stayed: crowley}
    assert sites(crowley_manager) == {moved.id: crowley, stayed: crowley}
    assert sites(psychologist, site_id=crowley) == {moved.id: crowley, stayed: crowley}
    assert sites(psychologist, current_on=first_left) == {moved.id: crowley}
    assert sites(psychologist, current_on=local_today()) == {moved.id: kirk, stayed: crowley}
    assert sites(psychologist, search="mover") == {moved.id: kirk}
    by_site = psychologist.rows(order=ResidentOrder(ResidentSort.SITE, descending=True))
    assert [(row.id, row.site_id) for row in by_site] == [(moved.id, kirk), (stayed, crowley)]
    assert crowley_manager.count() == 2
    assert psychologist.get(moved.id).placement_id == kirk_stay.id
    assert psychologist.count() == 2
    assert psychologist.count(current_on=first_left) == 1
    assert [row.family_name for row in psychologist.rows(limit=1, offset=1)] == ["Stayer"]

    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:  # later one archived
        session.get_one(Placement, kirk_stay.id).archived_at = datetime.now(UTC)
    assert sites(psychologist) == {moved.id: crowley, stayed: crowley}
    assert sites(psychologist, current_on=local_today()) == {stayed: crowley}
    assert psychologist.count(current_on=local_today()) == 1
