"""Accreditation cycles and self-assessment on both backends, and the status by date."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from pipe_app.domain import AccreditationCycle, Framework, SelfAssessment
from pipe_app.domain.enums import CycleStatus, Role, SelfAssessmentRating
from pipe_app.services.accreditation import (
    AccreditationService,
    CycleInput,
    award_expiry,
    cycle_status,
)
from pipe_app.services.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from pipe_app.timeutil import add_months, local_today
from tests.services.test_evidence import make_framework

KW, MGR, PSY = Role.KEY_WORKER, Role.MANAGER, Role.PSYCHOLOGIST


def test_cycle_status_is_the_latest_milestone_reached():
    dates = {
        "membership_on": date(2024, 1, 10),
        "portfolio_due_on": date(2024, 5, 1),
        "interim_assessment_on": date(2024, 7, 1),
        "award_visit_on": date(2024, 9, 1),
        "award_on": date(2024, 11, 1),
    }
    expires = date(2027, 11, 1)
    expected = [
        (date(2024, 1, 9), CycleStatus.MEMBERSHIP),
        (date(2024, 4, 30), CycleStatus.MEMBERSHIP),
        (date(2024, 5, 1), CycleStatus.PORTFOLIO),
        (date(2024, 7, 1), CycleStatus.INTERIM_ASSESSMENT),
        (date(2024, 8, 31), CycleStatus.INTERIM_ASSESSMENT),
        (date(2024, 9, 1), CycleStatus.AWARD_VISIT),
        (date(2024, 11, 1), CycleStatus.AWARDED),
        (date(2027, 10, 31), CycleStatus.AWARDED),
        (date(2027, 11, 1), CycleStatus.LAPSED),
    ]
    for on, status in expected:
        assert cycle_status(dates, expires, on) == status, on
    assert cycle_status({"membership_on": date(2024, 1, 10)}, None, date(2030, 1, 1)) == (
        CycleStatus.MEMBERSHIP
    )


def service(world, role: Role = MGR, site: str = "crowley") -> AccreditationService:
    return AccreditationService(world.db, world.actor(role, site))


def framework_id(world, name: str = "Enabling Environments") -> uuid.UUID:
    with world.db.reading() as session:
        return session.scalars(select(Framework.id).where(Framework.name == name)).one()


def entry(world, **changes) -> CycleInput:
    data = CycleInput(
        site_id=world.crowley.id,
        framework_id=framework_id(world),
        membership_on=date(2024, 2, 29),
        portfolio_due_on=date(2024, 6, 30),
        interim_assessment_on=date(2024, 8, 15),
        award_visit_on=date(2024, 10, 1),
    )
    return replace(data, **changes)


def count(world, model) -> int:
    with world.db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_award_sets_a_three_year_expiry(world):
    make_framework(world)
    mgr = service(world)
    cycle = mgr.create(entry(world))
    assert (cycle.expires_on, cycle.status) == (None, CycleStatus.AWARD_VISIT)
    awarded = mgr.update(
        cycle.id,
        cycle.version,
        entry(
            world,
            portfolio_due_on=None,
            interim_assessment_on=None,
            award_visit_on=date(2024, 2, 29),
            award_on=date(2024, 2, 29),
        ),
    )
    assert awarded.expires_on == date(2027, 2, 28)
    assert awarded.status == (
        CycleStatus.LAPSED if local_today() >= date(2027, 2, 28) else CycleStatus.AWARDED
    )
    recent = local_today() - timedelta(days=10)
    renewed = mgr.update(
        cycle.id,
        awarded.version,
        entry(
            world,
            membership_on=recent - timedelta(days=300),
            portfolio_due_on=None,
            interim_assessment_on=None,
            award_visit_on=recent,
            award_on=recent,
        ),
    )
    assert renewed.status == CycleStatus.AWARDED
    assert renewed.expires_on == add_months(recent, 36)
    assert [c.id for c in service(world, KW).rows()] == [cycle.id]
    assert service(world, PSY).get(cycle.id).cycle == renewed


def test_the_forms_expiry_preview_is_the_rule_the_service_stores(world):
    make_framework(world)
    assert award_expiry(None) is None
    stored = service(world).create(entry(world, award_on=date(2024, 10, 31)))
    assert stored.expires_on == award_expiry(date(2024, 10, 31)) == date(2027, 10, 31)
    assert award_expiry(date(2024, 2, 29)) == date(2027, 2, 28)


def test_dates_must_be_in_order_and_each_rule_names_its_field(world):
    make_framework(world)
    mgr = service(world)
    cases = [
        (dict(membership_on=None), ["membership_on"]),
        (dict(portfolio_due_on=date(2024, 2, 1)), ["portfolio_due_on"]),
        (dict(interim_assessment_on=date(2024, 6, 1)), ["interim_assessment_on"]),
        (dict(award_visit_on=date(2024, 8, 1)), ["award_visit_on"]),
        (dict(award_on=date(2024, 9, 30)), ["award_on"]),
        (
            dict(portfolio_due_on=None, interim_assessment_on=date(2024, 1, 1)),
            ["interim_assessment_on"],
        ),
        (dict(framework_id=uuid.uuid4()), ["framework_id"]),
        (dict(award_visit_on="soon"), ["award_visit_on"]),
    ]
    for changes, expected in cases:
        with pytest.raises(ValidationError) as caught:
            mgr.create(entry(world, **changes))
        assert caught.value.fields == expected, changes
    assert count(world, AccreditationCycle) == 0


def test_only_managers_at_the_site_manage_cycles(world):
    make_framework(world)
    for role in (KW, PSY):
        with pytest.raises(PermissionDenied):
            service(world, role).create(entry(world))
    with pytest.raises(PermissionDenied):
        service(world, MGR, "kirk").create(entry(world))
    cycle = service(world).create(entry(world))
    kirk = service(world, MGR, "kirk")
    assert kirk.rows() == []
    with pytest.raises(NotFound):
        kirk.get(cycle.id)
    with pytest.raises(NotFound):
        kirk.update(cycle.id, cycle.version, entry(world))
    with pytest.raises(PermissionDenied):
        kirk.rows(site_id=world.crowley.id)
    with pytest.raises(PermissionDenied):
        service(world, PSY).update(cycle.id, cycle.version, entry(world))
    assert count(world, AccreditationCycle) == 1


def test_stale_version_conflicts_and_nothing_is_written(world):
    make_framework(world)
    mgr = service(world)
    cycle = mgr.create(entry(world))
    fresh = mgr.update(cycle.id, cycle.version, entry(world, award_visit_on=date(2024, 10, 2)))
    with pytest.raises(ConflictError):
        mgr.update(cycle.id, cycle.version, entry(world, award_visit_on=date(2024, 10, 3)))
    with pytest.raises(ConflictError):
        mgr.archive(cycle.id, cycle.version)
    assert mgr.get(cycle.id).cycle == fresh
    mgr.archive(fresh.id, fresh.version)
    assert mgr.rows() == []


def test_self_assessment_needs_justification_for_not_met_and_not_applicable(world):
    first, second = make_framework(world)
    (elsewhere,) = make_framework(world, "HMIP standards", criteria=1)
    mgr = service(world)
    cycle = mgr.create(entry(world))
    for rating in (SelfAssessmentRating.NOT_MET, "not_applicable"):
        with pytest.raises(ValidationError) as caught:
            mgr.set_self_assessment(cycle.id, first, rating, "  ")
        assert caught.value.fields == ["justification"]
    with pytest.raises(ValidationError) as caught:
        mgr.set_self_assessment(cycle.id, first, "brilliant")
    assert caught.value.fields == ["rating"]
    with pytest.raises(ValidationError) as caught:
        mgr.set_self_assessment(cycle.id, elsewhere, SelfAssessmentRating.MET)
    assert caught.value.fields == ["criterion_id"]
    assert count(world, SelfAssessment) == 0

    met = mgr.set_self_assessment(cycle.id, first, SelfAssessmentRating.MET)
    assert (met.rating, met.criterion_code, met.standard_code) == (
        SelfAssessmentRating.MET,
        "1.1",
        "1",
    )
    changed = mgr.set_self_assessment(
        cycle.id, first, "not_met", "No minutes since March.", version=met.version
    )
    assert changed.id == met.id and changed.justification == "No minutes since March."
    with pytest.raises(ConflictError):
        mgr.set_self_assessment(cycle.id, first, "met", version=met.version)
    mgr.set_self_assessment(cycle.id, second, SelfAssessmentRating.PARTLY_MET)
    detail = service(world, KW).get(cycle.id)
    assert [(a.criterion_code, a.rating) for a in detail.self_assessments] == [
        ("1.1", SelfAssessmentRating.NOT_MET),
        ("1.2", SelfAssessmentRating.PARTLY_MET),
    ]
    with pytest.raises(PermissionDenied):
        service(world, KW).set_self_assessment(cycle.id, first, "met")
    with pytest.raises(NotFound):
        service(world, MGR, "kirk").set_self_assessment(cycle.id, first, "met")
    with pytest.raises(ValidationError) as caught:
        mgr.update(
            cycle.id,
            cycle.version,
            entry(world, framework_id=framework_id(world, "HMIP standards")),
        )
    assert caught.value.fields == ["framework_id"]
