"""a signed-off supervision record is locked: the database refuses to change it

Once ``supervision_sessions.locked_at`` is set, the row cannot be updated or deleted, and its
supervisees and actions cannot be added, changed or removed, except that an action's
``done_at`` may still be set (actions are followed up after sign-off). Addenda are
append-only. The SQLite triggers list the action columns that may not change: a new column
on supervision_actions needs adding to ACTION_FIXED_COLUMNS in a new migration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "supervision record is locked: add an addendum instead"
ADDENDA_MESSAGE = "supervision addenda are append-only"
PARTS = ("supervision_supervisees", "supervision_actions")
ACTION_FIXED_COLUMNS = (
    "id",
    "session_id",
    "description",
    "owner_id",
    "due_on",
    "created_at",
    "archived_at",
)


def _locked(row: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM supervision_sessions AS s "
        f"WHERE s.id = {row}.session_id AND s.locked_at IS NOT NULL)"
    )


def _sqlite_triggers() -> dict[str, str]:
    """Trigger name -> its CREATE statement."""
    abort = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    triggers = {
        f"supervision_sessions_locked_{event.lower()}": (
            f"BEFORE {event} ON supervision_sessions FOR EACH ROW "
            f"WHEN OLD.locked_at IS NOT NULL {abort}"
        )
        for event in ("UPDATE", "DELETE")
    }
    for table in PARTS:
        triggers[f"{table}_locked_insert"] = (
            f"BEFORE INSERT ON {table} FOR EACH ROW WHEN {_locked('NEW')} {abort}"
        )
        triggers[f"{table}_locked_delete"] = (
            f"BEFORE DELETE ON {table} FOR EACH ROW WHEN {_locked('OLD')} {abort}"
        )
        when = f"({_locked('OLD')} OR {_locked('NEW')})"
        if table == "supervision_actions":
            changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in ACTION_FIXED_COLUMNS)
            when = f"{when} AND ({changed})"
        triggers[f"{table}_locked_update"] = (
            f"BEFORE UPDATE ON {table} FOR EACH ROW WHEN {when} {abort}"
        )
    for event in ("UPDATE", "DELETE"):
        triggers[f"supervision_addenda_no_{event.lower()}"] = (
            f"BEFORE {event} ON supervision_addenda FOR EACH ROW "
            f"BEGIN SELECT RAISE(ABORT, '{ADDENDA_MESSAGE}'); END"
        )
    return {name: f"CREATE TRIGGER {name} {body}" for name, body in triggers.items()}


POSTGRES_FUNCTIONS = {
    "pipe_supervision_locked": f"""
        BEGIN
            IF OLD.locked_at IS NOT NULL THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END""",
    "pipe_supervision_part_locked": f"""
        DECLARE
            locked boolean := false;
            free constant text[] := ARRAY['done_at', 'updated_at', 'version'];
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                locked := {_locked("OLD")};
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND NOT locked THEN
                locked := {_locked("NEW")};
            END IF;
            IF locked AND TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'supervision_actions'
                    AND (to_jsonb(NEW) - free) = (to_jsonb(OLD) - free) THEN
                locked := false;
            END IF;
            IF locked THEN
                RAISE EXCEPTION '{MESSAGE}';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END""",
    "pipe_supervision_addenda_append_only": f"""
        BEGIN
            RAISE EXCEPTION '{ADDENDA_MESSAGE}';
        END""",
}
POSTGRES_TRIGGERS = {
    ("supervision_sessions_locked", "supervision_sessions"): (
        "UPDATE OR DELETE",
        "pipe_supervision_locked",
    ),
    **{
        (f"{table}_locked", table): ("INSERT OR UPDATE OR DELETE", "pipe_supervision_part_locked")
        for table in PARTS
    },
    ("supervision_addenda_append_only", "supervision_addenda"): (
        "UPDATE OR DELETE",
        "pipe_supervision_addenda_append_only",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _sqlite_triggers().values():
            op.execute(statement)
        return
    for name, body in POSTGRES_FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $${body}$$")
    for (name, table), (events, function) in POSTGRES_TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER {name}")
        return
    for name, table in POSTGRES_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for name in POSTGRES_FUNCTIONS:
        op.execute(f"DROP FUNCTION {name}()")
