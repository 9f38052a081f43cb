"""Searches find words in any case, letters beyond ASCII too, and take ``%`` and ``_`` as
typed, on both backends (``services/text_match.py``): on SQLite, words of ASCII letters
match the column as it is (its LIKE ignores their case) and other words match the column
lowered by Python."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from pipe_app.services.residents import ResidentService
from pipe_app.storage.migrations import downgrade, upgrade
from tests.services.test_key_work import at, entry, service
from tests.services.test_supervision import at as supervision_at
from tests.services.test_supervision import entry as supervision_entry
from tests.services.test_supervision import service as supervision_service


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


@pytest.mark.parametrize("words", ["émotions", "ÉMOTIONS", "Émotions", "santé"])
def test_key_work_is_found_by_a_topic_beyond_ascii(world, people, words):
    svc = service(world)
    held = svc.record(entry(world, people["oxana"], topics=("Émotions", "Santé mentale")))
    svc.record(entry(world, people["oxana"], started_at=at(4)))  # housing, family contact
    assert [row.id for row in svc.rows(search=words)] == [held.id]
    assert svc.count(search=words) == 1


@pytest.mark.parametrize("words", ["réflexion", "RÉFLEXION", "løsning"])
def test_supervision_is_found_by_a_theme_beyond_ascii(world, words):
    svc = supervision_service(world)
    held = svc.create(supervision_entry(world, themes=("Réflexion", "Løsning"))).record
    svc.create(supervision_entry(world, started_at=supervision_at(5)))
    assert [row.id for row in svc.rows(search=words)] == [held.id]


def test_json_lists_keep_letters_beyond_ascii_as_they_are(world, people):
    """Stored as typed, not as ``\\u00c9`` escapes, which no word typed matches."""
    service(world).record(entry(world, people["oxana"], topics=("Émotions",)))
    with world.db.engine.connect() as connection:
        stored = connection.exec_driver_sql(
            "SELECT CAST(topics AS TEXT) FROM key_work_sessions"
        ).scalar_one()
    assert "Émotions" in stored and "\\u" not in stored


def _escape_the_list(world, table: str, column: str, record_id) -> str:
    """Write a list back as the app kept it before migration 0010: with escapes."""
    if world.db.is_sqlite:
        record_id = record_id.hex  # as SQLite keeps ids
    with world.db.engine.begin() as connection:
        kept = connection.execute(
            text(f"SELECT CAST({column} AS TEXT) FROM {table} WHERE id = :id"), {"id": record_id}
        ).scalar_one()
        escaped = json.dumps(json.loads(kept))
        value = ":value" if world.db.is_sqlite else "CAST(:value AS JSON)"
        connection.execute(
            text(f"UPDATE {table} SET {column} = {value} WHERE id = :id"),
            {"id": record_id, "value": escaped},
        )
    assert "\\u00c9" in escaped
    return escaped


def test_topics_kept_with_escapes_are_found_once_migration_0010_rewrites_them(world, people):
    svc = service(world)
    held = svc.record(entry(world, people["oxana"], topics=("Émotions", "C:\\u done")))
    svc.record(entry(world, people["oxana"], started_at=at(4)))
    downgrade(world.db, "0009")
    _escape_the_list(world, "key_work_sessions", "topics", held.id)
    assert svc.rows(search="émotions") == []  # as stop 19 left it
    upgrade(world.db, backup=False)
    assert [row.id for row in svc.rows(search="émotions")] == [held.id]
    assert [row.id for row in svc.rows(search="\\u done")] == [held.id]  # typed, kept
    assert svc.get(held.id).topics == ("Émotions", "C:\\u done")


def test_supervision_themes_kept_with_escapes_are_found(world):
    svc = supervision_service(world)
    held = svc.create(supervision_entry(world, themes=("Émotions",))).record
    _escape_the_list(world, "supervision_sessions", "themes", held.id)
    assert [row.id for row in svc.rows(search="émotions")] == [held.id]
    assert [row.id for row in svc.rows(search="ÉMOTIONS")] == [held.id]


def test_a_theme_with_a_quote_is_found_as_typed(world):
    svc = supervision_service(world)
    held = svc.create(supervision_entry(world, themes=('The "good enough" AP',))).record
    svc.create(supervision_entry(world, started_at=supervision_at(5), themes=("good", "enough")))
    assert [row.id for row in svc.rows(search='"good enough"')] == [held.id]
