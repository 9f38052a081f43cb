"""Training records can be found by expiry date

Today lists the training that has expired or expires within a few weeks
(``TrainingService.lapsing``); with this index it reads only those records, not every one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 16:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_training_records_expires_on", "training_records", ["expires_on"])


def downgrade() -> None:
    op.drop_index("ix_training_records_expires_on", table_name="training_records")
