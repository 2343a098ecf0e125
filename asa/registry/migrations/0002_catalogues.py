"""The starting target groups and problem types; admins extend both lists."""

from django.db import migrations

TARGET_GROUPS = [
    ("child", "เด็ก", "Child"),
    ("youth", "เยาวชน", "Youth"),
    ("woman", "สตรี", "Woman"),
    ("family", "ครอบครัว", "Family"),
    ("elderly", "ผู้สูงอายุ", "Elderly"),
    ("disability", "คนพิการ", "Person with disability"),
    ("homeless", "คนไร้ที่พึ่ง/คนไร้บ้าน", "Homeless or destitute"),
    ("low_income", "ผู้มีรายได้น้อย", "Low income"),
    ("disadvantaged", "ผู้ด้อยโอกาส", "Disadvantaged"),
    ("vulnerable_household", "ครัวเรือนเปราะบาง", "Vulnerable household"),
]

# The 1300 hotline categories first, then the problems centers meet in the field.
PROBLEM_TYPES = [
    ("domestic_violence", "ความรุนแรงในครอบครัว", "Domestic violence", True),
    ("teen_pregnancy", "การตั้งครรภ์ในวัยรุ่น", "Teen pregnancy", True),
    ("human_trafficking", "การค้ามนุษย์", "Human trafficking", True),
    ("drugs", "ผู้ได้รับผลกระทบจากยาเสพติด", "Affected by drugs", True),
    ("homeless", "คนไร้ที่พึ่ง/คนไร้บ้าน", "Homeless or destitute", True),
    ("begging", "ขอทาน", "Begging", True),
    ("children_youth", "เด็กและเยาวชน", "Children and youth", True),
    ("missing_person", "คนหาย", "Missing person", True),
    ("elderly", "ผู้สูงอายุ", "Elderly", True),
    ("disability", "คนพิการ", "Disability", True),
    ("poverty", "ความยากจน", "Poverty", False),
    ("housing", "ที่อยู่อาศัย", "Housing", False),
    ("debt", "หนี้สิน", "Debt", False),
    ("unemployment", "การว่างงาน", "Unemployment", False),
    ("health", "สุขภาพ", "Health", False),
    ("education", "การศึกษา", "Education", False),
]


def load(apps, schema_editor):
    target_group = apps.get_model("registry", "TargetGroup")
    problem_type = apps.get_model("registry", "ProblemType")
    for order, (code, name_th, name_en) in enumerate(TARGET_GROUPS, start=1):
        target_group.objects.update_or_create(
            code=code, defaults={"name_th": name_th, "name_en": name_en, "sort_order": order}
        )
    for order, (code, name_th, name_en, hotline) in enumerate(PROBLEM_TYPES, start=1):
        problem_type.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "sort_order": order,
                      "is_hotline_category": hotline},
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
