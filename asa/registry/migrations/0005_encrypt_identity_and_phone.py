"""Encrypt people's document and phone numbers at rest; exact lookups through keyed hashes.

The plaintext phone digits (phone_key) become the keyed hash phone_hash; the identity unique
constraint moves to (id_type, id_number_hash). Existing rows are encrypted in batches.
"""

from django.db import migrations, models

import asa.lib.crypto
from asa.lib.crypto import (
    decrypt,
    encrypt,
    identity_hash,
    looks_encrypted,
    phone_hash,
    rewrite_columns,
)
from asa.lib.thai_text import phone_key


def encrypt_people(apps, schema_editor):
    rewrite_columns(
        schema_editor.connection,
        table="registry_person",
        columns=["id_number", "phone"],
        hashes=[
            ("id_number_hash", "id_number", identity_hash),
            ("phone_hash", "phone", phone_hash),
        ],
        read=lambda value: value,
        write=encrypt,
        stale=lambda value: bool(value) and not looks_encrypted(value),
    )


def decrypt_people(apps, schema_editor):
    rewrite_columns(
        schema_editor.connection,
        table="registry_person",
        columns=["id_number", "phone"],
        hashes=[
            ("id_number_hash", "id_number", lambda value: ""),
            ("phone_hash", "phone", lambda value: phone_key(value.split(",")[0])),
        ],
        read=decrypt,
        write=lambda value: value,
        stale=looks_encrypted,
    )


# SQLite rebuilds registry_person for the altered columns, and a rebuilt table loses its
# triggers: the name index of 0003 (FTS5) is put back and refilled.
SQLITE_NAME_INDEX = [
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


def restore_name_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_NAME_INDEX:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_leaner_person_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="person_unique_identity"),
        migrations.RemoveIndex(model_name="person", name="person_phone_key"),
        migrations.RenameField(model_name="person", old_name="phone_key", new_name="phone_hash"),
        migrations.AlterField(
            model_name="person",
            name="phone_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="person",
            name="id_number_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=asa.lib.crypto.EncryptedCharField(
                blank=True, max_length=30, verbose_name="เลขเอกสาร"
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="phone",
            field=asa.lib.crypto.EncryptedCharField(
                blank=True, max_length=60, verbose_name="โทรศัพท์"
            ),
        ),
        migrations.RunPython(encrypt_people, decrypt_people, elidable=False),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("id_number_hash", ""), _negated=True), ("merged_into__isnull", True)
                ),
                fields=("id_type", "id_number_hash"),
                name="person_unique_identity",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["phone_hash"], name="person_phone_hash"),
        ),
        migrations.RunPython(restore_name_index, migrations.RunPython.noop, elidable=False),
    ]
