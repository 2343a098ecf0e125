"""Demo casework in Bang Khen and Thawi Watthana: open cases at every stage, visits, plans,
help given and a watch list with something due today. Idempotent."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from asa.accounts.models import User
from asa.cases import actions
from asa.cases.models import Case
from asa.centers.models import Volunteer
from asa.registry.models import Person

STORIES = {
    "elderly": "ผู้สูงอายุอยู่ลำพัง ลูกหลานไปทำงานต่างจังหวัด ขาดคนดูแลเรื่องอาหารและยา",
    "disability": "คนพิการติดเตียง ผู้ดูแลเป็นภรรยาสูงอายุ บ้านชำรุด หลังคารั่ว",
    "domestic_violence": "เพื่อนบ้านแจ้งว่าได้ยินเสียงทะเลาะและทำร้ายร่างกายบ่อยครั้ง",
    "homeless": "พบนอนพักบริเวณใต้สะพาน ไม่มีบัตรประชาชน ไม่มีรายได้",
    "debt": "ตกงานจากโรงงาน มีหนี้นอกระบบ ถูกทวงหนี้ บุตรสองคนกำลังเรียน",
    "children_youth": "เด็กหยุดเรียนกลางคัน ผู้ปกครองไม่มีรายได้พอค่าเดินทาง",
}


def load_cases_demo(*, stdout=None) -> int:
    if Case.objects.exists():
        return 0
    rng = random.Random(2564)
    now = timezone.now()
    today = timezone.localdate()
    made = 0
    for center_code, chair_name, member_name in (
        ("BKK-1005", "chair.bangkhen", "volunteer.bangkhen"),
        ("BKK-1048", "chair.thawiwatthana", "volunteer.thawiwatthana"),
    ):
        chair = User.objects.get(username=chair_name)
        member = User.objects.get(username=member_name)
        volunteers = list(
            Volunteer.objects.filter(center__code=center_code, status="active").order_by("id")[:6]
        )
        member_volunteer = Volunteer.objects.get(user=member)
        heads = (
            Person.objects.filter(
                source="demo", source_ref__startswith=center_code, source_ref__endswith="-head"
            )
            .prefetch_related("problems__problem_type")
            .order_by("id")
        )
        for index, person in enumerate(heads):
            problem_codes = [row.problem_type.code for row in person.problems.all()]
            story = next(
                (STORIES[code] for code in problem_codes if code in STORIES),
                "ครอบครัวมีรายได้ไม่พอใช้จ่าย ขอรับความช่วยเหลือ",
            )
            urgency = (
                "emergency"
                if "domestic_violence" in problem_codes
                else "urgent"
                if index % 3 == 0
                else "routine"
            )
            reported = now - dt.timedelta(days=rng.randint(3, 120), hours=rng.randint(0, 8))
            case = actions.open_case(
                actor=member if index % 2 else chair,
                person=person,
                source=["field", "hotline", "walk_in", "survey"][index % 4],
                story=story,
                urgency=urgency,
                reported_at=reported,
                reporter_name="" if index % 4 == 0 else "ผู้นำชุมชน",
                problems=[row.problem_type for row in person.problems.all()],
                target_groups=list(person.target_groups.all()),
            )
            assigned = [member_volunteer] if index % 2 else [rng.choice(volunteers)]
            actions.assign_case(actor=chair, case=case, volunteers=assigned)
            made += 1
            if index % 5 == 4:
                continue  # newly reported: not visited yet
            visited = min(reported + dt.timedelta(days=1, hours=2), now)
            # Follow-ups spread over overdue, today and the coming days for the watch list.
            next_visit = today + dt.timedelta(days=[-3, 0, 0, 2, 6, 12][index % 6])
            actions.record_visit(
                actor=member,
                case=case,
                visited_at=visited,
                volunteers=assigned,
                met_whom="ผู้ประสบปัญหาและญาติ",
                observations=story,
                needs="อาหาร ยา และการติดตามต่อเนื่อง",
                next_visit_on=max(next_visit, timezone.localdate(visited)),
            )
            if index % 3 == 0:
                actions.add_plan_item(
                    actor=chair,
                    case=case,
                    need="รายได้ไม่พอยังชีพ",
                    action="ยื่นขอเงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย",
                    responsible_volunteer=assigned[0],
                    due_on=today + dt.timedelta(days=rng.randint(3, 20)),
                )
                actions.record_assistance(
                    actor=chair,
                    case=case,
                    kind="emergency_grant",
                    amount=Decimal("3000"),
                    regulation="ระเบียบกรมพัฒนาสังคมและสวัสดิการว่าด้วยการจ่ายเงินสงเคราะห์ฯ",
                    description="เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อยและไร้ที่พึ่ง",
                    given_on=min(today, (reported + dt.timedelta(days=7)).date()),
                )
            if index % 7 == 6:
                actions.close_case(
                    actor=chair,
                    case=case,
                    outcome="resolved",
                    note="ครอบครัวมีรายได้จากการจ้างงาน ติดตามแล้วไม่มีปัญหาเพิ่ม",
                )
    if stdout:
        stdout.write(f"Opened {made} demo cases.\n")
    return made
