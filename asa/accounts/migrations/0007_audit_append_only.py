"""Audit events are append-only at the database too (PostgreSQL).

A trigger refuses every UPDATE and DELETE of an audit row, except the sealing update that gives
an unsealed row (sequence NULL) its place in the hash chain without touching its content
(asa/accounts/audit.py). Row triggers do not fire on TRUNCATE, which the test suite's flush uses.
SQLite gets no trigger: its flush deletes rows, and the hash chain shows any change there anyway.
Rows already present are chained by the first `asa audit seal` / `verify` (or the next write).
"""

from django.db import migrations

CONTENT = (
    "at, actor_id, actor_label, action, object_type, object_id, object_repr, changes, reason, "
    "ip_address"
)


def _columns(prefix: str) -> str:
    return ", ".join(f"{prefix}.{column.strip()}" for column in CONTENT.split(","))


CREATE = f"""
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.sequence IS NULL AND NEW.sequence IS NOT NULL
       AND ROW({_columns("NEW")}) IS NOT DISTINCT FROM ROW({_columns("OLD")}) THEN
        RETURN NEW;  -- sealing: the row joins the hash chain, its content unchanged
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused on event %)', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accounts_auditevent_append_only
BEFORE UPDATE OR DELETE ON accounts_auditevent
FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_audit_chain_two_factor_login_attempts"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
