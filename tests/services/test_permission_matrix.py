"""Every service function x role x own/other site: allowed, or refused with nothing written."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import pipe_app.services
from pipe_app.domain.enums import Role
from pipe_app.services.base import Service
from pipe_app.services.errors import NotFound, PermissionDenied
from pipe_app.storage.backup import row_counts
from tests.services.permission_cases import CASES, Case

OTHER = {"crowley": "kirk", "kirk": "crowley"}


def _service_functions() -> set[str]:
    found = set()
    for module in pkgutil.iter_modules(pipe_app.services.__path__):
        loaded = importlib.import_module(f"pipe_app.services.{module.name}")
        for name, cls in inspect.getmembers(loaded, inspect.isclass):
            if (
                issubclass(cls, Service)
                and cls is not Service
                and cls.__module__ == loaded.__name__
            ):
                for function, _ in inspect.getmembers(cls, inspect.isfunction):
                    if not function.startswith("_"):
                        found.add(f"{name}.{function}")
    return found


def test_every_service_function_is_in_the_matrix() -> None:
    missing = _service_functions() - {case.id for case in CASES}
    assert not missing, f"add these to tests/services/permission_cases.py: {sorted(missing)}"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(world, case: Case) -> None:
    outcomes = {}
    for role in Role:
        for target in ("crowley", "kirk"):
            actor = world.actor(role, "crowley")
            call = case.prepare(world, target)
            allowed = role in (case.own if target == "crowley" else case.other)
            with world.db.engine.connect() as conn:
                before = row_counts(conn)
            try:
                call(actor)
                outcome = "allowed"
            except (PermissionDenied, NotFound):
                outcome = "refused"
                with world.db.engine.connect() as conn:
                    after = row_counts(conn)
                changed = {t for t in before if before[t] != after[t]} - {"audit_events"}
                assert not changed, f"{role} at {target}: refused but wrote to {changed}"
            outcomes[(role.value, target)] = outcome
            expected = "allowed" if allowed else "refused"
            assert outcome == expected, f"{case.id}: {role.value} at {target} was {outcome}"
