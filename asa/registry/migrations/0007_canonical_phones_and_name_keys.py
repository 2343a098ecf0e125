"""Phones in one stored form, name keys with titles stripped only as whole words.

Phones: Excel turns 0814966696 into 814966696; an import stored that and the number no longer
matched search or duplicate checks. Each phone is rewritten as asa.lib.thai_text.phone_key
gives it (0XXXXXXXXX, or +E.164), and its hash recomputed; a phone that cannot be read is left
as it is (never lost). Name keys: คุณัญญา lost its คุณ, นาย alone gave no key, ธุ/ทุ sounded apart.
"""

from django.db import migrations

BATCH = 2000


def canonical(phones: str) -> str:
    from asa.lib.thai_text import phone_key

    parts = []
    for part in phones.replace(";", ",").split(","):
        if not part.strip():
            continue
        key = phone_key(part)
        if not key:
            return phones  # unreadable: kept exactly as it was
        if key not in parts:
            parts.append(key)
    return ", ".join(parts)


def rewrite(apps, schema_editor):
    from asa.lib.crypto import phone_hash
    from asa.lib.thai_text import name_key, sound_key

    Person = apps.get_model("registry", "Person")
    fields = ["phone", "phone_hash", "name_key", "first_name_sound", "last_name_sound"]
    changed = []
    people = Person.objects.only("pk", "first_name", "last_name", *fields).order_by("pk")
    for person in people.iterator(chunk_size=BATCH):
        before = [getattr(person, field) for field in fields]
        if person.phone:
            person.phone = canonical(person.phone)
            person.phone_hash = phone_hash(person.phone)
        person.name_key = name_key(f"{person.first_name}{person.last_name}")
        person.first_name_sound = sound_key(person.first_name)
        person.last_name_sound = sound_key(person.last_name)
        if [getattr(person, field) for field in fields] != before:
            changed.append(person)
        if len(changed) >= BATCH:
            Person.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        Person.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_leaner_import_writes"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True)]
