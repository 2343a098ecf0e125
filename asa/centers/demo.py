"""The demo: the 11 Bangkok coordination centers of the seed, their volunteers and demo users.

Deterministic (a fixed random seed) and idempotent: running it again changes nothing.
"""

import datetime as dt
import random

from django.db import transaction
from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

from asa.accounts.actions import assign_role, create_user
from asa.accounts.models import Role, User
from asa.centers.actions import open_center, register_volunteer
from asa.centers.models import Center, Sex, Skill, Title, VolunteerRole
from asa.geo.models import Province, Subdistrict
from asa.lib.national_id import make_national_id
from asa.referrals.actions import register_agency
from asa.referrals.demo import load_one_home_demo
from asa.referrals.models import Agency, AgencyKind

DEMO_PASSWORD_DEFAULT = "asa-demo-2562"  # noqa: S105 (the documented demo password)

# (code, district, subdistrict of the venue, opening date, venue, volunteers). The first nine
# opened since fiscal year 2560; Bang Khen and Thawi Watthana on 11 and 12 March 2562 (the seed).
CENTERS = [
    ("BKK-1033", "1033", "103301", dt.date(2017, 2, 15), "ศาลาประชาคมชุมชนพัฒนาใหม่", 42),
    ("BKK-1036", "1036", "103604", dt.date(2017, 5, 24), "ที่ทำการชุมชนดอนเมืองพัฒนา", 35),
    ("BKK-1046", "1046", "104601", dt.date(2017, 8, 9), "ศูนย์พัฒนาชุมชนสามวาตะวันตก", 28),
    ("BKK-1050", "1050", "105002", dt.date(2017, 11, 22), "อาคารอเนกประสงค์ชุมชนบางบอน", 24),
    ("BKK-1019", "1019", "101902", dt.date(2018, 2, 7), "ที่ทำการชุมชนวัดตลิ่งชัน", 31),
    ("BKK-1045", "1045", "104501", dt.date(2018, 5, 16), "ศาลาชุมชนวังทองหลาง", 22),
    ("BKK-1038", "1038", "103801", dt.date(2018, 8, 29), "ที่ทำการชุมชนลาดพร้าว 101", 37),
    ("BKK-1016", "1016", "101602", dt.date(2018, 10, 17), "ศาลาชุมชนวัดท่าพระ", 20),
    ("BKK-1003", "1003", "100302", dt.date(2019, 1, 23), "ศูนย์พัฒนาครอบครัวในชุมชนหนองจอก", 26),
    (
        "BKK-1005",
        "1005",
        "100502",
        dt.date(2019, 3, 11),
        "ที่ทำการชุมชน หมู่บ้านพร้อมสุข (ซ. รามอินทรา 8)",
        50,
    ),
    ("BKK-1048", "1048", "104802", dt.date(2019, 3, 12), "ที่ทำการสุขภาพ เลียบคลองทวีวัฒนา", 19),
]

# Demo sign-ins: (username, first name, last name, role, scope).
BANG_KHEN, THAWI_WATTHANA = "BKK-1005", "BKK-1048"
SHELTER_NAME = "ศูนย์คุ้มครองคนไร้ที่พึ่งกรุงเทพมหานคร"

SKILLS = [
    ("ปฐมพยาบาลเบื้องต้น", "First aid"),
    ("ดูแลผู้สูงอายุ", "Elderly care"),
    ("ภาษามือ", "Sign language"),
    ("ให้คำปรึกษาครอบครัว", "Family counselling"),
    ("งานเอกสารและคอมพิวเตอร์", "Paperwork and computers"),
    ("ภาษาอังกฤษ", "English"),
    ("ขับรถ", "Driving"),
]

ROAD_NAMES = [
    "รามอินทรา",
    "พหลโยธิน",
    "ทวีวัฒนา",
    "พุทธมณฑล สาย 2",
    "ลาดพร้าว",
    "สุขุมวิท",
    "เพชรเกษม",
    "ประชาอุทิศ",
    "สายไหม",
    "บางบอน 3",
]


def demo_password() -> str:
    import os

    return os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)


class NameMaker:
    """Thai names from PyThaiNLP's corpora, and valid synthetic national IDs."""

    def __init__(self, seed: int = 2562):
        self.random = random.Random(seed)
        self.female = sorted(name for name in thai_female_names() if 2 <= len(name) <= 12)
        self.male = sorted(name for name in thai_male_names() if 2 <= len(name) <= 12)
        self.family = sorted(name for name in thai_family_names() if 3 <= len(name) <= 16)
        self.used_ids: set[str] = set()

    def person(self, *, youth: bool = False) -> dict:
        sex = self.random.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])  # most อพม. are women
        if youth:
            birth = dt.date(
                self.random.randint(2003, 2008),
                self.random.randint(1, 12),
                self.random.randint(1, 28),
            )
        else:
            birth = dt.date(
                self.random.randint(1952, 1995),
                self.random.randint(1, 12),
                self.random.randint(1, 28),
            )
        if sex == Sex.MALE:
            title, first = Title.MR, self.random.choice(self.male)
        else:
            title = self.random.choice([Title.MRS, Title.MRS, Title.MISS])
            first = self.random.choice(self.female)
        return {
            "title": title,
            "first_name": first,
            "last_name": self.random.choice(self.family),
            "sex": sex,
            "birth_date": birth,
            "national_id": self.national_id(born=birth),
            "phone": f"08{self.random.randint(0, 9)}{self.random.randint(1000000, 9999999)}",
        }

    def national_id(self, *, born: dt.date) -> str:
        while True:
            # Type 3: Thai nationals already registered in 1984; type 1: born and registered after.
            kind = "1" if born.year >= 1984 else "3"
            first_twelve = kind + "".join(str(self.random.randint(0, 9)) for _ in range(11))
            number = make_national_id(first_twelve)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number


@transaction.atomic
def load_demo(*, stdout=None) -> dict:
    """Create the demo centers, volunteers, agency and users if they are not there yet."""
    say = stdout.write if stdout else (lambda text: None)
    names = NameMaker()
    for name_th, name_en in SKILLS:
        Skill.objects.get_or_create(name_th=name_th, defaults={"name_en": name_en})
    skills = list(Skill.objects.all())
    created_centers = 0
    for code, _district_code, subdistrict_code, opened_on, venue, count in CENTERS:
        if Center.objects.filter(code=code).exists():
            continue
        subdistrict = Subdistrict.objects.select_related("district").get(code=subdistrict_code)
        district_name = subdistrict.district.name_th.removeprefix("เขต")
        center = open_center(
            actor=None,
            code=code,
            name_th=f"ศูนย์ประสานงาน อพม. เขต{district_name}",
            name_en=f"{subdistrict.district.name_en} Volunteer Coordination Center",
            subdistrict=subdistrict,
            opened_on=opened_on,
            venue=venue,
            address=(
                f"{venue} แขวง{subdistrict.name_th} {subdistrict.district.name_th} กรุงเทพมหานคร"
            ),
            phone=f"02-{names.random.randint(100, 999)}-{names.random.randint(1000, 9999)}",
        )
        _add_volunteers(center, count, names, skills)
        created_centers += 1
    if created_centers:
        say(f"Opened {created_centers} centers with their volunteers.\n")
    shelter = Agency.objects.filter(name_th=SHELTER_NAME).first() or register_agency(
        actor=None,
        name_th=SHELTER_NAME,
        name_en="Bangkok Protection Center for the Destitute",
        kind=AgencyKind.SHELTER_DESTITUTE,
        province=Province.objects.get(code="10"),
        phone="02-354-7522",
    )
    _demo_users(shelter)
    __import__("asa.accounts.security").accounts.security.enrol_demo_devices()  # staff: 2FA
    from asa.cases.demo import load_cases_demo
    from asa.registry.demo import load_registry_demo

    load_registry_demo(stdout=stdout)
    load_cases_demo(stdout=stdout)
    load_one_home_demo(stdout=stdout)
    __import__("asa.aid.demo").aid.demo.load_aid_demo(stdout=stdout)
    __import__("asa.centers.demo_events").centers.demo_events.load_events_demo(stdout=stdout)
    __import__("asa.reports.demo").reports.demo.load_outcomes_demo(stdout=stdout)
    from asa.accounts.demo import load_audit_demo

    load_audit_demo(stdout=stdout)  # last: reads of the demo people and cases
    __import__("asa.privacy.demo").privacy.demo.load_privacy_demo(stdout=stdout)  # after the reads
    __import__("asa.reports.actions").reports.actions.rebuild_rollups()  # dashboards' figures
    return {"centers": Center.objects.count()}


def _add_volunteers(center: Center, count: int, names: NameMaker, skills: list[Skill]) -> None:
    subdistricts = list(Subdistrict.objects.filter(district=center.district))
    roles = [
        VolunteerRole.CHAIR,
        VolunteerRole.VICE_CHAIR,
        VolunteerRole.SECRETARY,
        VolunteerRole.COMMITTEE,
        VolunteerRole.COMMITTEE,
    ]
    for index in range(count):
        youth = index >= count - 2  # each center has a couple of youth volunteers
        person = names.person(youth=youth)
        subdistrict = names.random.choice(subdistricts)
        joined = center.opened_on + dt.timedelta(days=names.random.randint(-400, 600))
        joined = min(
            max(joined, person["birth_date"] + dt.timedelta(days=15 * 366)), dt.date(2026, 6, 30)
        )
        register_volunteer(
            actor=None,
            center=center,
            role=roles[index] if index < len(roles) else VolunteerRole.MEMBER,
            subdistrict=subdistrict,
            postal_code=subdistrict.postal_code_list[0],
            house_number=f"{names.random.randint(1, 299)}/{names.random.randint(1, 99)}",
            soi=f"{names.random.choice(ROAD_NAMES)} {names.random.randint(1, 80)}",
            road=names.random.choice(ROAD_NAMES),
            joined_on=joined,
            is_youth=youth,
            skills=names.random.sample(skills, k=names.random.randint(0, 2)),
            **person,
        )


def _demo_users(shelter: Agency) -> None:
    password = demo_password()
    bang_khen = Center.objects.get(code=BANG_KHEN)
    thawi_watthana = Center.objects.get(code=THAWI_WATTHANA)

    def user(username, first_name, last_name, *, staff=False):
        existing = User.objects.filter(username=username).first()
        if existing:
            return existing, False
        account = create_user(
            actor=None,
            username=username,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
        if staff:
            account.is_staff = account.is_superuser = True
            account.save(update_fields=["is_staff", "is_superuser"])
        return account, True

    admin, _ = user("admin", "ผู้ดูแลระบบ", "ส่วนกลาง", staff=True)
    assign_role(actor=None, user=admin, role=Role.MINISTRY_ADMIN)
    officer, _ = user("officer.bangkok", "สมศรี", "ใจดี")
    assign_role(
        actor=None, user=officer, role=Role.PROVINCE_OFFICER, scope=Province.objects.get(code="10")
    )
    dpo, _ = user("dpo", "วิภาวรรณ", "รักษ์ข้อมูล")
    assign_role(actor=None, user=dpo, role=Role.DATA_PROTECTION_OFFICER)
    agency_user, _ = user("agency.shelter", "ประเสริฐ", "มิตรไมตรี")
    assign_role(actor=None, user=agency_user, role=Role.AGENCY_USER, scope=shelter)
    for center, slug in ((bang_khen, "bangkhen"), (thawi_watthana, "thawiwatthana")):
        chair = center.volunteers.get(role=VolunteerRole.CHAIR)
        member = center.volunteers.filter(role=VolunteerRole.MEMBER).order_by("id").first()
        for volunteer, username in ((chair, f"chair.{slug}"), (member, f"volunteer.{slug}")):
            account, created = user(username, volunteer.first_name, volunteer.last_name)
            if created or volunteer.user_id is None:
                _link_volunteer_account(volunteer, account)


def _link_volunteer_account(volunteer, account) -> None:
    from asa.centers.actions import link_volunteer_account

    link_volunteer_account(actor=None, volunteer=volunteer, user=account)
