"""The Residents list reads a page in name order, not every placement of every site

The list showed each resident's latest placement by ranking every live placement with a
window (partition by resident) and then sorting every resident by name for each page: for
a psychologist working at every site that was 100-150 ms at the stress scale, on the GUI
thread. The service now looks up each resident's latest placement per resident. With an
index on (lower(family_name), lower(given_name), id), the list's name order, the database
walks residents along it and stops after a page (about 5 ms), looking up each one's
placements by (resident_id, expected_arrival, id); that index replaces the plain
resident_id one, which is its prefix.

SQLite's reflection skips expression indexes, so Alembic compares the name-order index
on PostgreSQL only; tests/storage checks its SQL on both.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_residents_name_order",
        "residents",
        [sa.func.lower(sa.text("family_name")), sa.func.lower(sa.text("given_name")), "id"],
    )
    op.create_index(
        "ix_placements_resident_latest", "placements", ["resident_id", "expected_arrival", "id"]
    )
    op.drop_index("ix_placements_resident_id", table_name="placements")


def downgrade() -> None:
    op.create_index("ix_placements_resident_id", "placements", ["resident_id"])
    op.drop_index("ix_placements_resident_latest", table_name="placements")
    op.drop_index("ix_residents_name_order", table_name="residents")
