"""Index the normalised name key for partial search on both databases.

PostgreSQL: a trigram GIN index (pg_trgm) on name_key, so `name_key LIKE '%...%'` uses it.
SQLite: an FTS5 table with the trigram tokenizer over the same key, kept in step by triggers.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS registry_person_name_key_trgm "
    "ON registry_person USING gin (name_key gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS registry_person_name_key_trgm"]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS registry_person_fts USING fts5("
    "name_key, content='registry_person', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS registry_person_fts_insert AFTER INSERT ON registry_person "
    "BEGIN INSERT INTO registry_person_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "CREATE TRIGGER IF NOT EXISTS registry_person_fts_delete AFTER DELETE ON registry_person "
    "BEGIN INSERT INTO registry_person_fts(registry_person_fts, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); END",
    "CREATE TRIGGER IF NOT EXISTS registry_person_fts_update AFTER UPDATE OF name_key "
    "ON registry_person BEGIN "
    "INSERT INTO registry_person_fts(registry_person_fts, rowid, name_key) "
    "VALUES ('delete', old.id, old.name_key); "
    "INSERT INTO registry_person_fts(rowid, name_key) VALUES (new.id, new.name_key); END",
    "INSERT INTO registry_person_fts(registry_person_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS registry_person_fts_insert",
    "DROP TRIGGER IF EXISTS registry_person_fts_delete",
    "DROP TRIGGER IF EXISTS registry_person_fts_update",
    "DROP TABLE IF EXISTS registry_person_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_catalogues")]
    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
