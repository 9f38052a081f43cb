"""Property tests: bad, huge or odd-unicode input to the forms' services is either stored
exactly (trimmed and NFC-normalised) or refused with a message naming a field, and a refusal
writes nothing. Never another exception, never a partial write."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipe_app.domain.enums import Role, StaffRole
from pipe_app.services.errors import ValidationError
from pipe_app.services.evidence import EvidenceInput, EvidenceService
from pipe_app.services.groups import GroupInput, GroupService
from pipe_app.services.key_work import KeyWorkInput, KeyWorkService
from pipe_app.services.staff import StaffInput, StaffService
from pipe_app.services.supervision import SupervisionInput, SupervisionService
from pipe_app.storage.backup import row_counts
from pipe_app.timeutil import local_today, utc_now

ODD = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60),
    st.text(max_size=3, alphabet="\x00\x07\u200b\u202e\ufeff\r\n\t "),
    st.builds(lambda ch, n: ch * n, st.sampled_from("aé😀\u0301"), st.integers(0, 6000)),
)
FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def stored(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _counts(world: Any) -> dict[str, int]:
    with world.db.engine.connect() as conn:
        return row_counts(conn)


def check(
    world: Any,
    attempt: Callable[[], Any],
    expected: dict[str, str],
    read: Callable[[Any], dict[str, str]],
) -> None:
    before = _counts(world)
    try:
        row = attempt()
    except ValidationError as error:
        assert error.problems
        assert all(problem.field and problem.message for problem in error.problems)
        assert _counts(world) == before
        return
    assert read(row) == {field: stored(value) for field, value in expected.items()}


@FUZZ
@given(summary=ODD, voice=ODD, topic=ODD)
def test_key_work_text(world, summary: str, voice: str, topic: str) -> None:
    resident_id = world.admit("crowley")
    actor = world.actor(Role.KEY_WORKER)
    from pipe_app.services.residents import ResidentService

    placement = ResidentService(world.db, actor).get(resident_id).placement_id
    data = KeyWorkInput(
        placement,
        world.staff[(Role.KEY_WORKER, "crowley")].id,
        utc_now() - timedelta(hours=1),
        summary=summary,
        resident_voice=voice,
        topics=[topic],
    )
    check(
        world,
        lambda: KeyWorkService(world.db, actor).record(data),
        {"summary": summary, "voice": voice},
        lambda row: {"summary": row.summary, "voice": row.resident_voice},
    )


@FUZZ
@given(title=ODD, observations=ODD)
def test_group_text(world, title: str, observations: str) -> None:
    data = GroupInput(
        world.crowley.id,
        "socially_creative",
        "art",
        title,
        utc_now() - timedelta(hours=2),
        facilitator_ids=frozenset({world.staff[(Role.KEY_WORKER, "crowley")].id}),
        observations=observations,
    )
    expected = {"title": title if stored(title) else "Art", "observations": observations}
    check(
        world,
        lambda: GroupService(world.db, world.actor(Role.KEY_WORKER)).create(data),
        expected,
        lambda row: {"title": row.title, "observations": row.observations},
    )


@FUZZ
@given(given_name=ODD, family_name=ODD)
def test_staff_names(world, given_name: str, family_name: str) -> None:
    data = StaffInput(
        given_name,
        family_name,
        StaffRole.RESIDENTIAL_WORKER,
        local_today(),
        frozenset({world.crowley.id}),
    )
    check(
        world,
        lambda: StaffService(world.db, world.actor(Role.MANAGER)).create(data),
        {"given": given_name, "family": family_name},
        lambda row: {"given": row.given_name, "family": row.family_name},
    )


@FUZZ
@given(title=ODD, narrative=ODD)
def test_evidence_text(world, title: str, narrative: str) -> None:
    data = EvidenceInput(world.crowley.id, title, "narrative", local_today(), narrative=narrative)
    check(
        world,
        lambda: EvidenceService(world.db, world.actor(Role.MANAGER)).create(data),
        {"title": title, "narrative": narrative},
        lambda row: {"title": row.title, "narrative": row.narrative},
    )


@FUZZ
@given(summary=ODD, case=st.one_of(ODD, st.from_regex(r"[A-Z][0-9]{6}", fullmatch=True)))
def test_supervision_text_and_cases(world, summary: str, case: str) -> None:
    data = SupervisionInput(
        world.crowley.id,
        "individual_clinical",
        world.staff[(Role.PSYCHOLOGIST, "crowley")].id,
        [world.staff[(Role.KEY_WORKER, "crowley")].id],
        utc_now() - timedelta(hours=3),
        60,
        cases_discussed=[case],
        summary=summary,
    )
    check(
        world,
        lambda: SupervisionService(world.db, world.actor(Role.PSYCHOLOGIST)).create(data).record,
        {"summary": summary, "case": case},
        lambda row: {"summary": row.summary, "case": ",".join(row.cases_discussed)},
    )
