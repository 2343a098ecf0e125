"""The starting One Home services, each with the minimum data a referral for it shares."""

from django.db import migrations

BASIC = ["full_name", "sex", "age", "phone", "address", "need"]
SERVICES = [
    ("shelter", "ที่พักพิงชั่วคราว", "Temporary shelter", BASIC + ["target_groups"], 1, 14),
    ("child_protection", "คุ้มครองเด็กและครอบครัว", "Child and family protection",
     BASIC + ["problems", "household"], 1, 30),
    ("elderly_care", "ดูแลผู้สูงอายุ", "Elderly care", BASIC + ["disability"], 3, 30),
    ("disability_support", "ช่วยเหลือคนพิการ", "Disability support",
     BASIC + ["disability"], 3, 30),
    ("health_care", "บริการสุขภาพ", "Health care", BASIC + ["disability", "problems"], 2, 30),
    ("housing_repair", "ซ่อมแซมที่อยู่อาศัย", "Housing repair", BASIC + ["household"], 7, 90),
    ("housing", "ที่อยู่อาศัย", "Housing", BASIC + ["household"], 7, 90),
    ("cash_welfare", "เงินสงเคราะห์/สวัสดิการ", "Cash welfare", BASIC + ["national_id"], 3, 30),
    ("job_training", "ฝึกอาชีพและหางาน", "Job training and placement", BASIC, 7, 60),
    ("education", "การศึกษาและทุนการศึกษา", "Education and scholarships",
     BASIC + ["household"], 7, 60),
    ("legal_aid", "ความช่วยเหลือทางกฎหมาย", "Legal aid", BASIC + ["problems"], 3, 60),
    ("identity_documents", "ทำบัตร/เอกสารประจำตัว", "Identity documents",
     BASIC + ["national_id"], 7, 60),
    ("drug_rehabilitation", "บำบัดยาเสพติด", "Drug rehabilitation", BASIC + ["problems"], 3, 60),
]


def load(apps, schema_editor):
    service = apps.get_model("referrals", "Service")
    for code, name_th, name_en, fields, respond, complete in SERVICES:
        service.objects.update_or_create(
            code=code,
            defaults={"name_th": name_th, "name_en": name_en, "shared_fields": fields,
                      "respond_within_days": respond, "complete_within_days": complete},
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_service_agency_address_agency_is_active_and_more")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
