"""KeyWorkService.count agrees with the list it counts, and stays cheap at scale."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from pipe_app.domain.enums import Role, SessionStatus
from pipe_app.services.residents import ResidentService
from pipe_app.timeutil import local_today
from tests.services.test_key_work import at, entry, service


def test_the_count_matches_the_list_under_every_filter(world):
    ann = world.admit("crowley", given_name="Ann", family_name="Archer")
    bea = world.admit("crowley", given_name="Bea", family_name="Baker")
    gone = world.admit("crowley", given_name="Gone", family_name="Away")
    manager_staff = world.staff[(Role.MANAGER, "crowley")].id
    svc = service(world)
    svc.record(entry(world, ann, started_at=at(20)))
    svc.record(entry(world, bea, started_at=at(10), key_worker_id=manager_staff))
    svc.record(entry(world, ann, started_at=at(1), status="draft", next_session_on=None))
    svc.record(entry(world, gone, started_at=at(3)))
    svc.record(entry(world, gone, started_at=at(30)))
    dropped = svc.record(entry(world, bea, started_at=at(4)))
    svc.archive(dropped.id, dropped.version)
    residents = ResidentService(world.db, world.system)
    residents.archive(gone, residents.get(gone).version)  # their sessions leave the list

    window = {
        "date_from": local_today() - timedelta(days=10),
        "date_to": local_today() - timedelta(days=1),
    }
    filters: list[dict[str, object]] = [
        {},
        {"site_id": world.crowley.id},
        {"key_worker_id": manager_staff},
        {"status": SessionStatus.DRAFT},
        {"status": SessionStatus.COMPLETE},
        window,
        {"resident_id": ann},
        {"search": "archer"},
    ]
    for chosen in filters:
        assert svc.count(**chosen) == len(svc.rows(**chosen)), chosen  # type: ignore[arg-type]
    assert svc.count() == 3
    assert svc.count(**window) == 2  # type: ignore[arg-type]


def test_without_a_search_the_count_reads_no_session_rows(world):
    """Every statement is an index-only count, a look-up of archived placements, or a count of
    their sessions by placement: none joins every session to its placement and resident."""
    world.admit("crowley")
    svc = service(world)
    sent: list[str] = []

    def on_execute(_c, _cur, sql: str, *_args) -> None:
        sent.append(" ".join(sql.split()).lower())

    event.listen(world.db.engine, "before_cursor_execute", on_execute)
    try:
        svc.count(site_id=world.crowley.id)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", on_execute)
    counts = [sql for sql in sent if "count(" in sql]
    assert counts and all("join" not in sql for sql in counts), counts


def test_a_count_told_at_most_stops_one_past_it(world):
    """``at_most + 1`` stands for "more than ``at_most``": a search of common words stops
    counting there, and so does every other count told it."""
    ann = world.admit("crowley", given_name="Ann", family_name="Archer")
    svc = service(world)
    for days_ago in (1, 2, 3):
        svc.record(entry(world, ann, started_at=at(days_ago)))
    assert svc.count(search="archer") == 3
    assert svc.count(search="archer", at_most=1) == 2
    assert svc.count(search="archer", at_most=3) == 3
    assert svc.count(resident_id=ann, at_most=1) == 2
    assert svc.count(site_id=world.crowley.id, at_most=2) == 3
    assert svc.count(site_id=world.crowley.id, at_most=5) == 3
