"""A realistic starting catalogue of goods and equipment; admins extend it."""

from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("food", "อาหารและเครื่องอุปโภคบริโภค", "Food and consumer goods"),
    ("hygiene", "ของใช้ส่วนตัวและสุขอนามัย", "Hygiene"),
    ("mobility", "อุปกรณ์ช่วยการเคลื่อนไหว", "Mobility aids"),
    ("care", "อุปกรณ์ดูแลผู้ป่วย", "Care equipment"),
    ("transport", "พาหนะ", "Transport"),
]
ITEMS = [
    ("rice-5kg", "ข้าวสาร 5 กก.", "Rice 5 kg", "food", "consumable", "ถุง", "180"),
    ("consumer-kit", "ถุงยังชีพ (เครื่องอุปโภคบริโภค)", "Consumer-goods kit", "food",
     "consumable", "ชุด", "500"),
    ("milk-powder", "นมผง", "Milk powder", "food", "consumable", "กระป๋อง", "350"),
    ("canned-fish", "ปลากระป๋อง", "Canned fish", "food", "consumable", "แพ็ก", "120"),
    ("adult-diapers", "ผ้าอ้อมผู้ใหญ่", "Adult diapers", "hygiene", "consumable", "ห่อ", "290"),
    ("baby-diapers", "ผ้าอ้อมเด็ก", "Baby diapers", "hygiene", "consumable", "ห่อ", "250"),
    ("bicycle", "รถจักรยาน", "Bicycle", "transport", "equipment", "คัน", "3500"),
    ("wheelchair", "รถเข็นวีลแชร์", "Wheelchair", "mobility", "equipment", "คัน", "4500"),
    ("walker", "ไม้เท้า/วอล์กเกอร์", "Walker", "mobility", "equipment", "อัน", "900"),
    ("hospital-bed", "เตียงผู้ป่วย", "Hospital bed", "care", "equipment", "เตียง", "15000"),
    ("air-mattress", "ที่นอนลม", "Air mattress", "care", "equipment", "ชุด", "2500"),
]


def load(apps, schema_editor):
    category_model = apps.get_model("aid", "ItemCategory")
    item_model = apps.get_model("aid", "Item")
    categories = {}
    for code, name_th, name_en in CATEGORIES:
        categories[code], _ = category_model.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en}
        )
    for code, name_th, name_en, category, kind, unit, value in ITEMS:
        item_model.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "category": categories[category],
                      "kind": kind, "unit": unit, "unit_value": Decimal(value)},
        )


class Migration(migrations.Migration):
    dependencies = [("aid", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
