"""The key-work search on both backends: what it finds, and the notes index (0008) behind it.

A session is found by its resident's CRN or names, its key worker's names, and, from three
letters on, the words of its summary or topics. The sessions that may match are looked up
first when they are few (``FEW``); otherwise the list is read in its order and each session
asked. Both ways must give the same answer, and the index must follow every change.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import event, text

from pipe_app.domain.enums import Role
from pipe_app.services import key_work
from pipe_app.services.key_work import held_row_matches
from pipe_app.storage.migrations import downgrade, upgrade
from tests.services.test_key_work import at, entry, service

WORDS = ("a1", "zo", "zoo", "ARCHER", "garden", '"no"', "100%", "ent", "qqq")


def _found(svc, words: str) -> tuple[list, int]:
    return [row.id for row in svc.rows(search=words)], svc.count(search=words)


def _index_is_sound(world) -> None:
    """SQLite: FTS5 checks its index against the sessions' own text (rank 1: against the
    content table too); it raises if they differ."""
    if world.db.is_sqlite:
        with world.db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO key_work_notes_index (key_work_notes_index, rank) "
                "VALUES ('integrity-check', 1)"
            )


@pytest.fixture
def sessions(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer", crn="A111111")
    bea = world.admit("crowley", given_name="Beatrice", family_name="Baker", crn="B222222")
    svc = service(world)
    zoo = svc.record(entry(world, bea, started_at=at(9), summary="Went to the zoo."))
    quoted = svc.record(
        entry(world, bea, started_at=at(8), summary='She said "no" twice.', topics=())
    )
    archer = svc.record(entry(world, ann, started_at=at(7), topics=("employment",)))
    return {"zoo": zoo, "quoted": quoted, "archer": archer}


def test_names_from_one_letter_and_notes_from_three(world, sessions) -> None:
    svc = service(world)
    zoo, quoted, archer = sessions["zoo"], sessions["quoted"], sessions["archer"]
    assert _found(svc, "a1") == ([archer.id], 1)  # a CRN fragment
    assert _found(svc, "zo") == ([], 0)  # two letters of a note: not looked for
    assert _found(svc, "zoo") == ([zoo.id], 1)
    assert _found(svc, "ZOO.") == ([zoo.id], 1)
    assert _found(svc, '"no"') == ([quoted.id], 1)  # quotes are the words, not syntax
    assert _found(svc, "100%") == ([], 0)
    assert _found(svc, "employ") == ([archer.id], 1)  # a topic


@pytest.mark.parametrize(("few", "many_ids"), [(0, 0), (1, 1), (1000, 0), (1000, 5000)])
def test_looking_up_the_few_and_reading_in_order_agree(
    world, sessions, monkeypatch: pytest.MonkeyPatch, few: int, many_ids: int
) -> None:
    """``FEW`` 0: every search reads the list in order; 1000: the few are looked up first.
    ``MANY_IDS`` 0: the residents and staff found are asked for inside the statement."""
    svc = service(world)
    expected = {words: _found(svc, words) for words in WORDS}
    monkeypatch.setattr(key_work, "FEW", few)
    monkeypatch.setattr(key_work, "MANY_IDS", many_ids)
    assert {words: _found(svc, words) for words in WORDS} == expected
    assert expected["zoo"] == ([sessions["zoo"].id], 1)


def test_the_sessions_of_more_people_than_it_lists_are_not_looked_up_first(
    world, sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People found beyond ``MANY_IDS`` have sessions far beyond ``FEW``: the search reads
    the list in its order at once, without asking for the few sessions first (a union of
    the people's sessions and the notes index's, cut at ``FEW`` + 1)."""
    svc = service(world)
    monkeypatch.setattr(key_work, "MANY_IDS", 0)  # every resident found is "many"
    sent: list[str] = []

    def on_execute(_c, _cur, sql: str, *_args) -> None:
        sent.append(sql)

    event.listen(world.db.engine, "before_cursor_execute", on_execute)
    try:
        rows = svc.rows(search="archer")
    finally:
        event.remove(world.db.engine, "before_cursor_execute", on_execute)
    assert [row.id for row in rows] == [sessions["archer"].id]
    assert not [sql for sql in sent if "UNION ALL" in sql], sent


def test_the_notes_index_follows_every_change(world, sessions) -> None:
    svc = service(world)
    zoo = sessions["zoo"]
    changed = svc.update(
        zoo.id,
        zoo.version,
        replace(
            entry(world, world.admit("crowley", crn="C333333")),
            started_at=at(9),
            summary="Dug the garden.",
            topics=("allotment",),
        ),
    )
    assert _found(svc, "zoo") == ([], 0)
    assert _found(svc, "garden") == ([changed.id], 1)
    assert _found(svc, "allotment") == ([changed.id], 1)
    kept = svc.record(entry(world, world.admit("crowley"), summary="A zoo again."))
    assert _found(svc, "zoo") == ([kept.id], 1)
    _index_is_sound(world)
    with world.db.engine.begin() as conn:  # the app never deletes a session; SQL might
        conn.execute(text("DELETE FROM key_work_sessions WHERE id = :id"), {"id": kept.id.hex})
    assert _found(svc, "zoo") == ([], 0)
    _index_is_sound(world)


def test_notes_written_before_the_index_are_in_it(world, sessions) -> None:
    """The migration indexes the notes already there (dropped and made again here)."""
    downgrade(world.db, "0007")
    svc = service(world)
    assert _found(svc, "zoo") == ([sessions["zoo"].id], 1)  # every note read, no index
    upgrade(world.db, backup=False)
    assert _found(svc, "zoo") == ([sessions["zoo"].id], 1)
    _index_is_sound(world)


def test_another_site_stays_out_of_the_search(world, sessions) -> None:
    kirk = service(world, Role.KEY_WORKER, "kirk")
    resident = world.admit("kirk", given_name="Zoe")
    own = kirk.record(entry(world, resident, site="kirk", summary="At the zoo."))
    assert _found(kirk, "zoo") == ([own.id], 1)
    assert _found(service(world), "zoo") == ([sessions["zoo"].id], 1)


def test_the_list_narrows_its_rows_as_the_database_would(world, sessions) -> None:
    """``held_row_matches``, the test the list applies at each keystroke to the rows it
    holds, keeps exactly the rows the database finds (no preferred names here)."""
    svc = service(world)
    every = svc.rows()
    for words in WORDS:
        found = {row.id for row in svc.rows(search=words)}
        kept = {row.id for row in every if held_row_matches(row, words.strip().lower())}
        assert kept == found, words
