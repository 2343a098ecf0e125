"""The demo One Home network: the Bangkok partners the seed's centers (Bang Khen, Thawi
Watthana) refer people to. Names of public bodies are real; people, phones and e-mail
addresses are made up (example.org). Only the shelter has users in Asa (`agency.shelter`);
the others answer through single-use links sent to their contact.

Idempotent: an agency is added when missing; its services and areas are set only while it has
none, and a contact only when none of that name exists, so edits made in the demo survive.
"""

from django.db import transaction

from asa.geo.models import Province
from asa.referrals.actions import add_agency_contact, register_agency, update_agency
from asa.referrals.models import Agency, AgencyKind, Service

BANGKOK = "10"
BANG_KHEN, THAWI_WATTHANA, KHAN_NA_YAO = "1005", "1048", "1043"


def _network(shelter_name: str) -> list[dict]:
    return [
        {
            "name_th": "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์ กรุงเทพมหานคร",
            "name_en": "Bangkok Office of Social Development and Human Security",
            "kind": AgencyKind.PROVINCIAL_OFFICE,
            "phone": "02-354-0001",
            "email": "pmj.bangkok@example.org",
            "address": "ถนนกรุงเกษม แขวงวัดโสมนัส เขตป้อมปราบศัตรูพ่าย กรุงเทพมหานคร",
            "services": [
                "cash_welfare",
                "child_protection",
                "elderly_care",
                "disability_support",
                "legal_aid",
            ],
            "areas": [BANGKOK],
            "contact": ("นางวันเพ็ญ ศรีสวัสดิ์", "นักพัฒนาสังคมชำนาญการ", "02-354-0002"),
        },
        {
            "name_th": shelter_name,
            "name_en": "Bangkok Protection Center for the Destitute",
            "kind": AgencyKind.SHELTER_DESTITUTE,
            "phone": "02-354-7522",
            "email": "shelter.bangkok@example.org",
            "address": "แขวงคลองสามประเวศ เขตลาดกระบัง กรุงเทพมหานคร",
            "services": ["shelter", "identity_documents", "job_training"],
            "areas": [BANGKOK],
            "contact": ("นายประเสริฐ มิตรไมตรี", "นักสังคมสงเคราะห์", "02-354-7523"),
        },
        {
            "name_th": "บ้านพักเด็กและครอบครัวกรุงเทพมหานคร",
            "name_en": "Bangkok Children and Family Shelter",
            "kind": AgencyKind.CHILD_FAMILY_SHELTER,
            "phone": "02-354-1100",
            "email": "childhome.bangkok@example.org",
            "address": "เขตดินแดง กรุงเทพมหานคร",
            "services": ["child_protection", "shelter", "legal_aid"],
            "areas": [BANGKOK],
            "contact": ("นางสาวกนกพร ใจงาม", "นักสังคมสงเคราะห์", "02-354-1101"),
        },
        {
            "name_th": "ศูนย์พัฒนาการจัดสวัสดิการสังคมผู้สูงอายุบ้านบางแค",
            "name_en": "Ban Bang Khae Social Welfare Development Center for Older Persons",
            "kind": AgencyKind.ELDERLY_WELFARE,
            "phone": "02-413-0001",
            "email": "bangkhae@example.org",
            "address": "ถนนเพชรเกษม แขวงบางแค เขตบางแค กรุงเทพมหานคร",
            "services": ["elderly_care", "shelter"],
            "areas": [BANGKOK],
            "contact": ("นางสมพร บุญมา", "พยาบาลวิชาชีพ", "02-413-0002"),
        },
        {
            "name_th": "การเคหะแห่งชาติ",
            "name_en": "National Housing Authority",
            "kind": AgencyKind.HOUSING_AUTHORITY,
            "phone": "02-351-0001",
            "email": "housing@example.org",
            "address": "ถนนนวมินทร์ แขวงคลองจั่น เขตบางกะปิ กรุงเทพมหานคร",
            "services": ["housing", "housing_repair"],
            "areas": [BANGKOK],
            "contact": ("นายธนพล รุ่งเรือง", "เจ้าหน้าที่บริการชุมชน", "02-351-0002"),
        },
        {
            "name_th": "สำนักงานเขตบางเขน",
            "name_en": "Bang Khen District Office",
            "kind": AgencyKind.DISTRICT_OFFICE,
            "phone": "02-521-0001",
            "email": "bangkhen.district@example.org",
            "address": "ถนนพหลโยธิน แขวงอนุสาวรีย์ เขตบางเขน กรุงเทพมหานคร",
            "services": ["identity_documents", "cash_welfare", "housing_repair", "education"],
            "areas": [BANG_KHEN],
            "contact": ("นางอรุณี แสงทอง", "หัวหน้าฝ่ายพัฒนาชุมชนและสวัสดิการสังคม", "02-521-0002"),
        },
        {
            "name_th": "สำนักงานเขตทวีวัฒนา",
            "name_en": "Thawi Watthana District Office",
            "kind": AgencyKind.DISTRICT_OFFICE,
            "phone": "02-441-0001",
            "email": "thawiwatthana.district@example.org",
            "address": "ถนนพุทธมณฑล สาย 2 แขวงศาลาธรรมสพน์ เขตทวีวัฒนา กรุงเทพมหานคร",
            "services": ["identity_documents", "cash_welfare", "housing_repair", "education"],
            "areas": [THAWI_WATTHANA],
            "contact": ("นายสุรชัย พึ่งบุญ", "หัวหน้าฝ่ายพัฒนาชุมชนและสวัสดิการสังคม", "02-441-0002"),
        },
        {
            "name_th": "ศูนย์บริการสาธารณสุข เขตบางเขน",
            "name_en": "Bang Khen Public Health Center",
            "kind": AgencyKind.HEALTH,
            "phone": "02-521-1001",
            "email": "health.bangkhen@example.org",
            "address": "แขวงอนุสาวรีย์ เขตบางเขน กรุงเทพมหานคร",
            "services": ["health_care", "elderly_care", "disability_support"],
            "areas": [BANG_KHEN],
            "contact": ("นางสาวปิยะนุช ทองดี", "พยาบาลเยี่ยมบ้าน", "02-521-1002"),
        },
        {
            "name_th": "ศูนย์บริการสาธารณสุข เขตทวีวัฒนา",
            "name_en": "Thawi Watthana Public Health Center",
            "kind": AgencyKind.HEALTH,
            "phone": "02-441-1001",
            "email": "health.thawiwatthana@example.org",
            "address": "แขวงทวีวัฒนา เขตทวีวัฒนา กรุงเทพมหานคร",
            "services": ["health_care", "elderly_care", "disability_support"],
            "areas": [THAWI_WATTHANA],
            "contact": ("นางจันทร์เพ็ญ มีสุข", "พยาบาลเยี่ยมบ้าน", "02-441-1002"),
        },
        {
            "name_th": "โรงพยาบาลนพรัตนราชธานี",
            "name_en": "Nopparat Rajathanee Hospital",
            "kind": AgencyKind.HEALTH,
            "phone": "02-548-1000",
            "email": "nopparat.social@example.org",
            "address": "ถนนเสรีไทย แขวงคันนายาว เขตคันนายาว กรุงเทพมหานคร",
            "services": ["health_care", "disability_support", "drug_rehabilitation"],
            "areas": [KHAN_NA_YAO, BANG_KHEN],
            "contact": ("นางสาวรัชนี วงศ์ใหญ่", "นักสังคมสงเคราะห์ทางการแพทย์", "02-548-1001"),
        },
        {
            "name_th": "สถานีตำรวจนครบาลบางเขน",
            "name_en": "Bang Khen Metropolitan Police Station",
            "kind": AgencyKind.POLICE,
            "phone": "02-521-2000",
            "email": "police.bangkhen@example.org",
            "address": "ถนนพหลโยธิน แขวงอนุสาวรีย์ เขตบางเขน กรุงเทพมหานคร",
            "services": ["legal_aid", "child_protection"],
            "areas": [BANG_KHEN],
            "contact": ("ร.ต.อ.วีระพงษ์ กล้าหาญ", "รองสารวัตรป้องกันปราบปราม", "02-521-2001"),
        },
        {
            "name_th": "วัดพระศรีมหาธาตุวรมหาวิหาร",
            "name_en": "Wat Phra Si Mahathat Woramahawihan",
            "kind": AgencyKind.TEMPLE,
            "phone": "02-521-3000",
            "email": "watphrasi@example.org",
            "address": "ถนนพหลโยธิน แขวงอนุสาวรีย์ เขตบางเขน กรุงเทพมหานคร",
            "services": ["education", "elderly_care"],
            "areas": [BANG_KHEN],
            "contact": ("นายบุญส่ง ธรรมรักษ์", "ไวยาวัจกร", "02-521-3001"),
        },
        {
            "name_th": "มูลนิธิกระจกเงา",
            "name_en": "Mirror Foundation",
            "kind": AgencyKind.NGO,
            "phone": "02-973-0001",
            "email": "mirror@example.org",
            "address": "กรุงเทพมหานคร",
            "services": ["job_training", "identity_documents", "legal_aid"],
            "areas": [BANGKOK],
            "contact": ("นายอานนท์ ช่วยเหลือ", "ผู้ประสานงานโครงการคนไร้บ้าน", "02-973-0002"),
        },
        {
            "name_th": "บริษัท รวมใจพัฒนา จำกัด",
            "name_en": "Ruamjai Phatthana Co., Ltd. (donor)",
            "kind": AgencyKind.PRIVATE_DONOR,
            "phone": "02-555-0100",
            "email": "csr@example.org",
            "address": "ถนนรามอินทรา แขวงท่าแร้ง เขตบางเขน กรุงเทพมหานคร",
            "services": ["housing_repair", "education"],
            "areas": [BANGKOK],
            "contact": ("นางสาวศิริพร ใจบุญ", "ผู้จัดการฝ่ายความรับผิดชอบต่อสังคม", "02-555-0101"),
        },
    ]


def _email_for(agency_email: str, index: int) -> str:
    user, _, domain = agency_email.partition("@")
    return f"{user}.contact{index}@{domain}"


@transaction.atomic
def load_one_home_demo(*, stdout=None) -> dict:
    """Add the demo One Home network if it is not there yet (safe to run again)."""
    from asa.centers.demo import SHELTER_NAME

    say = stdout.write if stdout else (lambda text: None)
    bangkok = Province.objects.get(code=BANGKOK)
    services = {service.code: service for service in Service.objects.all()}
    added = 0
    for entry in _network(SHELTER_NAME):
        agency = Agency.objects.filter(name_th=entry["name_th"]).first()
        if agency is None:
            agency = register_agency(
                actor=None,
                name_th=entry["name_th"],
                name_en=entry["name_en"],
                kind=entry["kind"],
                province=bangkok,
                phone=entry["phone"],
                email=entry["email"],
            )
            added += 1
        fields = {}
        if not agency.address:
            fields["address"] = entry["address"]
        if not agency.email:
            fields["email"] = entry["email"]
        update_agency(
            actor=None,
            agency=agency,
            services=(
                None if agency.services.exists() else [services[code] for code in entry["services"]]
            ),
            area_codes=None if agency.areas.exists() else entry["areas"],
            **fields,
        )
        name, position, phone = entry["contact"]
        if not agency.contacts.filter(name=name).exists():
            add_agency_contact(
                actor=None,
                agency=agency,
                name=name,
                position=position,
                phone=phone,
                email=_email_for(entry["email"], 1),
            )
    if added:
        say(f"Added {added} One Home partner agencies.\n")
    return {"agencies": Agency.objects.count()}
