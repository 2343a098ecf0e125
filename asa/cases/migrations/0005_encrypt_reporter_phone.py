"""Encrypt the reporter's phone at rest (asa.lib.crypto); existing rows in batches."""

from django.db import migrations

import asa.lib.crypto
from asa.lib.crypto import decrypt, encrypt, looks_encrypted, rewrite_columns


def encrypt_phones(apps, schema_editor):
    rewrite_columns(
        schema_editor.connection,
        table="cases_case",
        columns=["reporter_phone"],
        read=lambda value: value,
        write=encrypt,
        stale=lambda value: bool(value) and not looks_encrypted(value),
    )


def decrypt_phones(apps, schema_editor):
    rewrite_columns(
        schema_editor.connection,
        table="cases_case",
        columns=["reporter_phone"],
        read=decrypt,
        write=lambda value: value,
        stale=looks_encrypted,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_reported_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="reporter_phone",
            field=asa.lib.crypto.EncryptedCharField(
                blank=True, max_length=40, verbose_name="โทรศัพท์ผู้แจ้ง"
            ),
        ),
        migrations.RunPython(encrypt_phones, decrypt_phones, elidable=False),
    ]
