"""Load every province, district and subdistrict from geothai (shipped data, no network)."""

from django.db import migrations


def load(apps, schema_editor):
    from asa.geo.loading import load_areas

    load_areas(
        apps.get_model("geo", "Province"),
        apps.get_model("geo", "District"),
        apps.get_model("geo", "Subdistrict"),
    )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
