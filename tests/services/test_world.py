from pipe_app.domain.enums import Role
from pipe_app.services.residents import ResidentService


def test_world_copies_are_independent(world):
    rid = world.admit("crowley", given_name="Jo")
    rows = ResidentService(world.db, world.actor(Role.KEY_WORKER)).rows()
    assert [r.id for r in rows] == [rid]


def test_second_copy_starts_empty(world):
    assert ResidentService(world.db, world.actor(Role.KEY_WORKER)).rows() == []
