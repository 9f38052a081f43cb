"""Evidence items linked to the built-in framework's criteria, some with a small file."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import Connection, select

from pipe_app.demo.accreditation import TEMPLATES
from pipe_app.domain import Attachment, Criterion, EvidenceItem, EvidenceLink, Standard
from pipe_app.domain.enums import EvidenceStatus
from pipe_app.scale.context import ScaleContext, write


def _criteria(conn: Connection) -> dict[int, list[uuid.UUID]]:
    by_position: dict[int, list[uuid.UUID]] = {}
    query = (
        select(Standard.position, Criterion.id)
        .join(Criterion, Criterion.standard_id == Standard.id)
        .order_by(Standard.position, Criterion.position)
    )
    for position, criterion_id in conn.execute(query):
        by_position.setdefault(position, []).append(criterion_id)
    return by_position


def add_evidence(conn: Connection, ctx: ScaleContext) -> None:
    criteria = _criteria(conn)
    items: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    approver = ctx.users.get("psychologist")
    for number in range(ctx.plan.evidence):
        title, kind, positions, why = TEMPLATES[number % len(TEMPLATES)]
        site = ctx.sites[number % len(ctx.sites)]
        day = ctx.day_between(ctx.start, ctx.today)
        approved = approver is not None and ctx.rng.random() < 0.8
        item_id = ctx.new_id()
        items.append(
            ctx.stamp(
                {
                    "id": item_id,
                    "site_id": site.id,
                    "title": f"{title} ({day:%B %Y})",
                    "kind": kind,
                    "effective_on": day,
                    "author_id": None,
                    "narrative": why,
                    "status": EvidenceStatus.APPROVED if approved else EvidenceStatus.DRAFT,
                    "approved_by_id": approver if approved else None,
                    "approved_at": ctx.now if approved else None,
                    "review_by": None,
                    "derivation": {},
                }
            )
        )
        for position in positions:
            if criteria.get(position):
                links.append(
                    ctx.stamp(
                        {
                            "evidence_item_id": item_id,
                            "criterion_id": ctx.rng.choice(criteria[position]),
                            "rationale": why,
                        }
                    )
                )
        if number < ctx.plan.attachments:
            content = f"{title} ({day:%d %B %Y})\n\nGenerated benchmark document.\n".encode()
            content += bytes(ctx.rng.getrandbits(8) for _ in range(2048))
            files.append(
                ctx.stamp(
                    {
                        "evidence_item_id": item_id,
                        "file_name": f"evidence-{number}.txt",
                        "media_type": "text/plain",
                        "size_bytes": len(content),
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "content": content,
                    }
                )
            )
    write(conn, EvidenceItem, items, ctx)
    write(conn, EvidenceLink, _unique(links), ctx)
    write(conn, Attachment, files, ctx)


def _unique(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[Any, Any]] = set()
    kept = []
    for link in links:
        key = (link["evidence_item_id"], link["criterion_id"])
        if key not in seen:
            seen.add(key)
            kept.append(link)
    return kept
