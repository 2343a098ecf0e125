"""Encrypt volunteers' national ID and phone at rest; uniqueness and search on keyed hashes."""

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

HASHES = [("national_id_hash", "national_id", identity_hash), ("phone_hash", "phone", phone_hash)]


def encrypt_volunteers(apps, schema_editor):
    rewrite_columns(
        schema_editor.connection,
        table="centers_volunteer",
        columns=["national_id", "phone"],
        hashes=HASHES,
        read=lambda value: value,
        write=encrypt,
        stale=lambda value: bool(value) and not looks_encrypted(value),
    )


def decrypt_volunteers(apps, schema_editor):
    rewrite_columns(
        schema_editor.connection,
        table="centers_volunteer",
        columns=["national_id", "phone"],
        read=decrypt,
        write=lambda value: value,
        stale=looks_encrypted,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("centers", "0003_events_attendance_hours"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="national_id_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="volunteer",
            name="phone_hash",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="national_id",
            field=asa.lib.crypto.EncryptedCharField(
                max_length=13, verbose_name="เลขประจำตัวประชาชน"
            ),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="phone",
            field=asa.lib.crypto.EncryptedCharField(
                blank=True, max_length=20, verbose_name="โทรศัพท์"
            ),
        ),
        migrations.RunPython(encrypt_volunteers, decrypt_volunteers, elidable=False),
        migrations.AlterField(
            model_name="volunteer",
            name="national_id_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
    ]
