"""Less for an import to write per person (bench/import.py): the (province, name_key) and
household province indexes, which no query used (a province is read through its districts),
and the foreign-key constraints of the district and province copied from the subdistrict.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# SQLite rebuilds both tables for the altered columns and loses registry_person's triggers.
restore_name_index = importlib.import_module(
    "asa.registry.migrations.0005_encrypt_identity_and_phone"
).restore_name_index


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0003_alter_district_options_alter_province_options_and_more"),
        ("registry", "0005_encrypt_identity_and_phone"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="household",
            name="household_province",
        ),
        migrations.RemoveIndex(
            model_name="person",
            name="registry_pe_provinc_cdac8a_idx",
        ),
        migrations.AlterField(
            model_name="household",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.district",
            ),
        ),
        migrations.AlterField(
            model_name="household",
            name="province",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.province",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="district",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.district",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="province",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.province",
            ),
        ),
        migrations.RunPython(restore_name_index, migrations.RunPython.noop, elidable=False),
    ]
