"""Audit events are append-only on SQLite too, as on PostgreSQL (migration 0007).

Two triggers refuse every DELETE of an audit row and every UPDATE except the sealing one (an
unsealed row, sequence NULL, given its place in the hash chain with its content unchanged).
Django's `flush` deletes rows on SQLite rather than truncating them, so `asa flush` (the test
suite's between-test reset) lifts the triggers for its own statement and puts them back
(asa/accounts/management/commands/flush.py). PostgreSQL keeps its trigger from 0007.
"""

from django.db import migrations

CONTENT = (
    "at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "reason",
    "ip_address",
)
UNCHANGED = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in CONTENT)

CREATE = [
    f"""
CREATE TRIGGER IF NOT EXISTS accounts_auditevent_no_update
BEFORE UPDATE ON accounts_auditevent
WHEN NOT (OLD.sequence IS NULL AND NEW.sequence IS NOT NULL AND {UNCHANGED})
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)');
END
""",
    """
CREATE TRIGGER IF NOT EXISTS accounts_auditevent_no_delete
BEFORE DELETE ON accounts_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only (DELETE refused)');
END
""",
]
DROP = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_update",
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_delete",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_delivery_retry_and_line_linking"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
