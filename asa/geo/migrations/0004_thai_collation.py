"""The `thai` collation used by asa.lib.thai_order.thai_order() to sort names like a dictionary.

PostgreSQL: an ICU collation (PostgreSQL built with ICU, as Debian's and the official images
are). SQLite: nothing to create, the collation is registered on each connection.
"""

from django.db import migrations

CREATE = "CREATE COLLATION IF NOT EXISTS thai (provider = icu, locale = 'th-TH')"
DROP = "DROP COLLATION IF EXISTS thai"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("geo", "0003_alter_district_options_alter_province_options_and_more")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
