import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Province",
            fields=[
                ("code", models.CharField(max_length=6, primary_key=True, serialize=False)),
                ("name_th", models.CharField(max_length=100)),
                ("name_en", models.CharField(max_length=100)),
            ],
            options={"verbose_name": "จังหวัด", "ordering": ["code"], "abstract": False},
        ),
        migrations.CreateModel(
            name="District",
            fields=[
                ("code", models.CharField(max_length=6, primary_key=True, serialize=False)),
                ("name_th", models.CharField(max_length=100)),
                ("name_en", models.CharField(max_length=100)),
                ("province", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="districts", to="geo.province")),
            ],
            options={"verbose_name": "อำเภอ/เขต", "ordering": ["code"], "abstract": False},
        ),
        migrations.CreateModel(
            name="Subdistrict",
            fields=[
                ("code", models.CharField(max_length=6, primary_key=True, serialize=False)),
                ("name_th", models.CharField(max_length=100)),
                ("name_en", models.CharField(max_length=100)),
                ("postal_codes", models.CharField(max_length=40)),
                ("district", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="subdistricts", to="geo.district")),
            ],
            options={"verbose_name": "ตำบล/แขวง", "ordering": ["code"], "abstract": False},
        ),
    ]
