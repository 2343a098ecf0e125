"""Demo data for the DPO: data-subject requests in every state (one overdue) and one breach.

Idempotent: nothing is added once the demo requests exist. Dates are relative to today, so the
30-day and 72-hour clocks always show something to act on.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from asa.accounts.models import User
from asa.privacy import actions
from asa.privacy.models import PrivacyRequest

DEMO_CONTACT_SUFFIX = "(ข้อมูลตัวอย่าง)"


@transaction.atomic
def load_privacy_demo(*, stdout=None) -> int:
    from asa.cases.models import OPEN_STATUSES, Case
    from asa.registry.models import Person

    if PrivacyRequest.objects.filter(requester_contact__endswith=DEMO_CONTACT_SUFFIX).exists():
        return 0
    dpo = User.objects.filter(username="dpo").first()
    if dpo is None:
        return 0
    with_open_case = (
        Person.objects.filter(cases__status__in=OPEN_STATUSES, center__code="BKK-1005")
        .order_by("pk")
        .first()
    )
    others = list(
        Person.objects.filter(center__code="BKK-1005", merged_into__isnull=True)
        .exclude(pk__in=Case.objects.values("person_id"))
        .order_by("pk")[:3]
    )
    if with_open_case is None or len(others) < 3:
        return 0
    today = timezone.localdate()

    def receive(kind, person, days_ago, contact, details=""):
        return actions.receive_privacy_request(
            actor=dpo,
            kind=kind,
            requester_name=person.full_name,
            requester_contact=f"{contact} {DEMO_CONTACT_SUFFIX}",
            received_on=today - dt.timedelta(days=days_ago),
            details=details,
            person=person,
        )

    # Answered: an access request with its generated copy.
    answered = receive("access", with_open_case, 12, "โทร 081-234-5601", "ขอสำเนาข้อมูลของตนเอง")
    actions.verify_requester_identity(
        actor=dpo, privacy_request=answered, method="id_card_in_person"
    )
    actions.generate_access_answer(actor=dpo, privacy_request=answered)
    actions.answer_privacy_request(
        actor=dpo,
        privacy_request=answered,
        answer="มอบสำเนาข้อมูล (PDF) ให้ที่ศูนย์ และส่งไฟล์ JSON ทางอีเมลตามที่ขอ",
    )
    # Overdue: received 40 days ago, still being worked on.
    overdue = receive(
        "rectification", others[0], 40, "โทร 089-555-0102", "ขอแก้ไขนามสกุลตามทะเบียนบ้านใหม่"
    )
    actions.assign_privacy_request(actor=dpo, privacy_request=overdue, assignee=dpo)
    # Refused: erasure while a case is still open.
    refused = receive("erasure", with_open_case, 20, "ไลน์ @boonmee", "ขอให้ลบข้อมูลทั้งหมดออกจากระบบ")
    actions.verify_requester_identity(actor=dpo, privacy_request=refused, method="volunteer_known")
    actions.refuse_privacy_request(
        actor=dpo, privacy_request=refused, reason=actions.erasure_refusal(with_open_case)
    )
    # New: an access request received yesterday and an objection this week.
    receive("access", others[1], 1, "อีเมล demo.request@example.org", "ขอดูว่ามีใครเปิดดูข้อมูล")
    receive("objection", others[2], 5, "โทร 02-123-4567", "ไม่ประสงค์ให้ส่งต่อข้อมูลแก่ภาคี")
    # A breach found 20 hours ago: a volunteer's phone lost while signed in.
    now = timezone.now()
    suspected = list(User.objects.filter(username="volunteer.bangkhen"))
    actions.record_breach(
        actor=dpo,
        discovered_at=now - dt.timedelta(hours=20),
        description=(
            "อพม. แจ้งว่าโทรศัพท์ที่เข้าสู่ระบบค้างไว้สูญหายระหว่างลงพื้นที่ อาจมีผู้อื่นเปิดดูข้อมูลกรณีที่ได้รับมอบหมาย"
        ),
        kind="confidentiality",
        period_start=now - dt.timedelta(days=2),
        period_end=now,
        suspected_accounts=suspected,
        notes="ระงับบัญชีและเพิกถอนโทเคนแล้ว รอตรวจสอบบันทึกการใช้งาน",
    )
    if stdout:
        stdout.write("Added 5 data-subject requests and 1 breach for the DPO.\n")
    return 5
