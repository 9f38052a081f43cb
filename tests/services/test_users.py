"""Logins: one per staff member."""

from __future__ import annotations

import pytest

from pipe_app.domain.enums import Role
from pipe_app.services.errors import ValidationError


def test_a_staff_member_has_at_most_one_login(world) -> None:
    from pipe_app.services.users import UserInput, UserService

    users = UserService(world.db, world.actor(Role.ADMINISTRATOR))
    member = world.staff[(Role.KEY_WORKER, "crowley")]
    data = UserInput(
        "second.login",
        "Second",
        frozenset({Role.KEY_WORKER}),
        frozenset({world.crowley.id}),
        member.id,
    )
    with pytest.raises(ValidationError) as caught:
        users.create(data, "a long password")
    assert caught.value.fields == ["staff_member_id"]
