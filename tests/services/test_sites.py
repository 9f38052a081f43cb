"""Site settings: each part validated with its field named, saved whole, audited."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from pipe_app.domain import AuditEvent, Site
from pipe_app.domain.enums import APType, AttendanceCode, AuditAction, Role
from pipe_app.services import audit
from pipe_app.services.errors import ConflictError, PermissionDenied, ValidationError
from pipe_app.services.sites import (
    ActivityTemplate,
    SiteInput,
    SiteService,
    SiteSettingsInput,
    checked_settings,
    site_settings,
)

A = AttendanceCode
SETTINGS = SiteSettingsInput(
    attendance_codes=frozenset({A.ATTENDED, A.REFUSED, A.SESSION_CANCELLED}),
    note_codes=frozenset({A.REFUSED}),
    activity_templates=(
        ActivityTemplate("Cooking", "socially_creative", 90),
        ActivityTemplate("Community meeting", "community_meeting", 45),
    ),
    training_warning_days=30,
    supervision_sign_days=10,
)


def test_a_new_site_has_the_default_settings(world):
    settings = site_settings(world.crowley)
    assert settings.attendance_codes == frozenset(AttendanceCode)
    assert A.REFUSED in settings.note_codes
    assert settings.activity_templates == ()
    assert settings.training_warning_days == 60


def test_manager_saves_settings_and_the_change_is_audited(world):
    manager = world.actor(Role.MANAGER, "crowley")
    row = SiteService(world.db, manager).update_settings(
        world.crowley.id, world.crowley.version, SETTINGS
    )
    assert row.version == world.crowley.version + 1
    again = site_settings(SiteService(world.db, manager).get(world.crowley.id))
    assert again.attendance_codes == SETTINGS.attendance_codes
    assert again.note_codes == frozenset({A.REFUSED})
    assert again.activity_templates == (
        ActivityTemplate("Cooking", "socially_creative", 90),
        ActivityTemplate("Community meeting", "community_meeting", 45),
    )
    assert (again.training_warning_days, again.supervision_sign_days) == (30, 10)
    with world.db.reading() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_id == world.crowley.id, AuditEvent.action == AuditAction.UPDATE
            )
        ).all()
    assert [event.username for event in events] == ["manager_crowley"]
    assert "settings" in events[0].changes


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"attendance_codes": frozenset()}, "attendance_codes", "at least one"),
        ({"attendance_codes": frozenset({A.REFUSED})}, "attendance_codes", "'attended'"),
        (
            {"attendance_codes": frozenset({"attended", "refused", "late"})},
            "attendance_codes",
            "one of",
        ),
        ({"note_codes": frozenset({A.SUSPENDED})}, "note_codes", "suspended"),
        (
            {"activity_templates": (ActivityTemplate(" ", "enrichment", 60),)},
            "activity_templates",
            "row 1: name is required",
        ),
        (
            {"activity_templates": (ActivityTemplate("Art", "painting", 60),)},
            "activity_templates",
            "row 1: kind must be one of",
        ),
        (
            {"activity_templates": (ActivityTemplate("Art", "enrichment", 2),)},
            "activity_templates",
            "row 1: minutes must be between",
        ),
        (
            {"activity_templates": (ActivityTemplate("Art", "enrichment", 60),) * 2},
            "activity_templates",
            "row 2: name 'Art' is listed twice",
        ),
        ({"training_warning_days": 0}, "training_warning_days", "between"),
        ({"supervision_sign_days": 61}, "supervision_sign_days", "between"),
    ],
)
def test_bad_settings_name_the_part_and_write_nothing(world, change, field, words):
    manager = world.actor(Role.MANAGER, "crowley")
    with pytest.raises(ValidationError) as caught:
        SiteService(world.db, manager).update_settings(
            world.crowley.id, world.crowley.version, replace(SETTINGS, **change)
        )
    assert caught.value.fields == [field]
    assert words in str(caught.value)
    assert SiteService(world.db, manager).get(world.crowley.id).version == world.crowley.version


def test_settings_keep_stored_keys_they_do_not_know(world):
    """Another version of the app may keep more in the JSON: saving must not drop it."""
    with world.db.writing({audit.ACTOR_KEY: world.system}) as session:
        site = session.get(Site, world.crowley.id)
        site.settings = {"later_setting": 3}
        session.flush()
        version = site.version
    row = SiteService(world.db, world.system).update_settings(world.crowley.id, version, SETTINGS)
    assert row.settings["later_setting"] == 3
    assert row.settings["note_codes"] == checked_settings(SETTINGS)["note_codes"] == ["refused"]


def test_stale_version_and_other_site_are_refused(world):
    manager = world.actor(Role.MANAGER, "crowley")
    service = SiteService(world.db, manager)
    service.update_settings(world.crowley.id, world.crowley.version, SETTINGS)
    with pytest.raises(ConflictError):
        service.update_settings(world.crowley.id, world.crowley.version, SETTINGS)
    with pytest.raises(PermissionDenied):
        service.update_settings(world.kirk.id, world.kirk.version, SETTINGS)


def test_an_administrator_manages_a_site_made_after_they_signed_in(world):
    admin = world.actor(Role.ADMINISTRATOR)
    made = SiteService(world.db, admin).create(
        SiteInput("Ashdown House", "AH", APType.PIPE, 18, "Bristol")
    )
    assert made.id not in admin.site_ids  # the actor from sign-in does not list it
    saved = SiteService(world.db, admin).update_settings(made.id, made.version, SETTINGS)
    assert site_settings(saved).training_warning_days == 30
    manager = world.actor(Role.MANAGER, "crowley")  # others still work only at their sites
    with pytest.raises(PermissionDenied):
        SiteService(world.db, manager).update_settings(saved.id, saved.version, SETTINGS)
