"""Residents and placements: each bed holds a chain of stays over the years, then key workers."""

from __future__ import annotations

import string
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection

from pipe_app.demo.people import MEN_GIVEN, RESIDENT_FAMILY, WOMEN_GIVEN
from pipe_app.demo.phrases import DEPARTURE_NOTES
from pipe_app.demo.residents import EARLY_ENDINGS, MEN_SENTENCES, WOMEN_SENTENCES
from pipe_app.domain import KeyWorkerAssignment, Placement, Resident
from pipe_app.domain.enums import DepartureReason, RoshLevel
from pipe_app.scale.context import ScaleContext, ScalePlacement, ScaleSite, write
from pipe_app.scale.org import R

KEY_WORKERS = frozenset({R.RESIDENTIAL_WORKER, R.PROBATION_SERVICES_OFFICER})
RETURNING = 0.05  # a stay by someone who was here before


def add_residents(conn: Connection, ctx: ScaleContext) -> None:
    """Exactly ``plan.placements`` stays, spread over the sites' beds."""
    residents: list[dict[str, Any]] = []
    placements: list[dict[str, Any]] = []
    crns: set[str] = set()
    horizon = ctx.today + timedelta(days=21)
    span = (horizon - ctx.start).days
    per_site = _split(ctx.plan.placements, len(ctx.sites))
    for site_index, (site, site_total) in enumerate(zip(ctx.sites, per_site, strict=True)):
        chains: list[list[ScalePlacement]] = []
        earlier: list[ScalePlacement] = []
        for bed, stays in enumerate(_split(site_total, ctx.plan.beds)):
            chain: list[ScalePlacement] = []
            # random cut points give stays of varied length, back to back with short gaps
            cuts = sorted(ctx.rng.random() for _ in range(stays - 1))
            edges = [0.0, *cuts, 1.0]
            for number in range(stays):
                first = ctx.start + timedelta(days=int(edges[number] * span))
                last = ctx.start + timedelta(days=int(edges[number + 1] * span))
                gap = min(ctx.rng.randint(2, 10), max(0, (last - first).days // 3))
                arrival = first + timedelta(days=gap)
                departure = last if number + 1 < stays else _final_departure(ctx, arrival)
                left = (
                    [p for p in earlier if p.departure and p.departure < arrival]
                    if ctx.rng.random() < RETURNING
                    else []
                )
                if left:  # each returns at most once, so no two of their stays overlap
                    back = ctx.rng.choice(left)
                    earlier.remove(back)
                    resident_id = back.resident_id
                else:
                    resident_id = ctx.new_id()
                    residents.append(_resident(ctx, site, resident_id, crns))
                placement = ScalePlacement(
                    ctx.new_id(),
                    resident_id,
                    site_index,
                    bed,
                    arrival,
                    departure if departure is not None and departure < ctx.today else None,
                    arrival <= ctx.today,
                )
                chain.append(placement)
                if not left:
                    earlier.append(placement)
                placements.append(_placement(ctx, site, placement, departure))
            chains.append(chain)
        ctx.beds.append(chains)
        ctx.placements += [p for chain in chains for p in chain]
    write(conn, Resident, residents, ctx)
    write(conn, Placement, placements, ctx)
    _assign_key_workers(conn, ctx)


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def _final_departure(ctx: ScaleContext, arrival: date) -> date | None:
    """The last stay on a bed: most are still here; a few left recently."""
    if ctx.rng.random() < 0.8:
        return None
    return min(ctx.today - timedelta(days=1), arrival + timedelta(days=ctx.rng.randint(20, 200)))


def _resident(
    ctx: ScaleContext, site: ScaleSite, resident_id: object, crns: set[str]
) -> dict[str, Any]:
    rng = ctx.rng
    while (crn := rng.choice(string.ascii_uppercase) + f"{rng.randint(0, 999999):06d}") in crns:
        pass
    crns.add(crn)
    given = rng.choice(WOMEN_GIVEN if site.women else MEN_GIVEN)
    return ctx.stamp(
        {
            "id": resident_id,
            "crn": crn,
            "given_name": given,
            "family_name": rng.choice(RESIDENT_FAMILY),
            "preferred_name": given[:3] if rng.random() < 0.1 else None,
            "date_of_birth": ctx.today - timedelta(days=rng.randint(21 * 365, 62 * 365)),
            "gender": "female" if site.women else "male",
            "pronouns": "she/her" if site.women else "he/him",
        }
    )


def _placement(
    ctx: ScaleContext, site: ScaleSite, placement: ScalePlacement, planned_end: date | None
) -> dict[str, Any]:
    rng = ctx.rng
    reason = None
    if placement.departure is not None:
        early = rng.random() < 0.3
        reason = rng.choice(EARLY_ENDINGS) if early else DepartureReason.PLANNED_MOVE_ON
    sentence, release = rng.choice(WOMEN_SENTENCES if site.women else MEN_SENTENCES)
    overall = rng.choice([RoshLevel.MEDIUM, RoshLevel.HIGH, RoshLevel.HIGH, RoshLevel.VERY_HIGH])
    return ctx.stamp(
        {
            "id": placement.id,
            "resident_id": placement.resident_id,
            "site_id": site.id,
            "expected_arrival": placement.arrival,
            "actual_arrival": placement.arrival if placement.arrived else None,
            "expected_departure": planned_end or placement.arrival + timedelta(weeks=26),
            "actual_departure": placement.departure,
            "sentence_type": sentence,
            "release_type": release,
            "rosh_overall": overall,
            "rosh_children": rng.choice(list(RoshLevel)),
            "rosh_public": overall,
            "rosh_known_adult": overall,
            "rosh_staff": rng.choice([RoshLevel.LOW, RoshLevel.MEDIUM]),
            "is_pipe": rng.random() > 0.15,
            "departure_reason": reason,
            "departure_notes": DEPARTURE_NOTES.get(reason, "") if reason else "",
        }
    )


def _assign_key_workers(conn: Connection, ctx: ScaleContext) -> None:
    """The holder of a key-worker post on arrival; handed over when that person leaves."""
    rows = []
    for placement in ctx.placements:
        if not placement.arrived:
            continue
        post = ctx.rng.choice(ctx.posts_at(placement.site_index, KEY_WORKERS))
        day: date | None = placement.arrival
        while day is not None:
            staff_id = post.holder_on(day)
            end = next((e for s, _, e in post.holders if s == staff_id), None)
            to = (
                None if end is None or (placement.departure and end >= placement.departure) else end
            )
            to = to + timedelta(days=1) if to is not None else placement.departure
            placement.assignments.append((staff_id, day, to))
            day = to if to is not None and to != placement.departure else None
        for staff_id, start, end in placement.assignments:
            rows.append(
                ctx.stamp(
                    {
                        "placement_id": placement.id,
                        "staff_member_id": staff_id,
                        "from_date": start,
                        "to_date": end,
                    }
                )
            )
    write(conn, KeyWorkerAssignment, rows, ctx)
