"""Searches find words in any case, letters beyond ASCII too, and take ``%`` and ``_`` as
typed, on both backends (``services/text_match.py``): on SQLite, words of ASCII letters
match the column as it is (its LIKE ignores their case) and other words match the column
lowered by Python."""

from __future__ import annotations

import pytest

from pipe_app.services.residents import ResidentService
from tests.services.test_key_work import at, entry, service


@pytest.fixture
def people(world) -> dict[str, object]:
    return {
        "emile": world.admit(given_name="Émile", family_name="Ørsted", crn="E123456"),
        "oxana": world.admit(given_name="Oxana", family_name="Oxley", crn="O654321"),
    }


def _residents(world, words: str) -> set[object]:
    return {row.id for row in ResidentService(world.db, world.system).rows(search=words)}


@pytest.mark.parametrize("words", ["émile", "ÉMILE", "Émile", "ørsted", "ØRSTED", "mile Ør"])
def test_a_resident_is_found_by_a_name_beyond_ascii_in_any_case(world, people, words):
    assert _residents(world, words) == {people["emile"]}


@pytest.mark.parametrize("words", ["OXLEY", "oXaNa", "o6543", "e123456"])
def test_a_resident_is_found_by_ascii_words_in_any_case(world, people, words):
    found = people["oxana"] if words.lower().startswith("o") else people["emile"]
    assert _residents(world, words) == {found}


@pytest.mark.parametrize("words", ["ox_e", "%", "o%y", "_"])
def test_a_percent_or_underscore_is_a_character_not_a_wildcard(world, people, words):
    assert _residents(world, words) == set()


def test_key_work_is_found_by_its_resident_s_name_beyond_ascii(world, people):
    svc = service(world)
    emile = svc.record(entry(world, people["emile"], started_at=at(3)))
    svc.record(entry(world, people["oxana"], started_at=at(2)))
    for words in ("ÉMILE", "ørsted", "Émile"):
        assert [row.id for row in svc.rows(search=words)] == [emile.id], words
        assert svc.count(search=words) == 1, words
