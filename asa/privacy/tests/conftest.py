"""A person with data in every app (registry, cases, referrals, aid) and a neighbour who must
never appear in the first one's answer."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from asa.aid import actions as aid_actions
from asa.aid.models import Item
from asa.cases import actions as case_actions
from asa.conftest import new_national_id
from asa.referrals import actions as referral_actions
from asa.referrals.models import Service
from asa.registry import actions as registry_actions
from asa.registry.models import ProblemType


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def subject(chair_a, center_a, agency):
    """บุญมี ศรีสุข: household, problem, consent, a case with a visit (photo), plan,
    assistance, a referral, goods received and a wheelchair lent."""
    person = registry_actions.register_person(
        actor=chair_a,
        title="นาย",
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 17),
        sex="male",
        subdistrict="100502",
        house_number="99/1",
        phone="0812345670",
        id_type="national_id",
        id_number=new_national_id(),
        disability_type="ทางการเคลื่อนไหว",
    )
    neighbour = registry_actions.register_person(
        actor=chair_a,
        first_name="สมหญิง",
        last_name="ใจงามเพื่อนบ้าน",
        birth_date=dt.date(1955, 2, 1),
        subdistrict="100502",
        phone="0899999999",
    )
    household = registry_actions.create_household(actor=chair_a, head=person)
    registry_actions.add_household_member(
        actor=chair_a, household=household, person=neighbour, relationship="spouse"
    )
    registry_actions.record_problem(
        actor=chair_a,
        person=person,
        problem_type=ProblemType.objects.first(),
        notes="ขาดรายได้หลังเกษียณ",
    )
    registry_actions.record_consent(
        actor=chair_a,
        person=person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )
    case = case_actions.open_case(
        actor=chair_a, person=person, source="field", story="อยู่ลำพัง รายได้ไม่พอค่ายา"
    )
    case_actions.record_visit(
        actor=chair_a,
        case=case,
        visited_at=timezone.now(),
        observations="บ้านทรุดโทรม หลังคารั่ว",
        met_whom="ลุงบุญมีเอง",
        photos=[jpeg()],
    )
    case_actions.add_plan_item(
        actor=chair_a,
        case=case,
        need="ค่ายา",
        action="ยื่นขอเงินสงเคราะห์",
        responsible_other="สำนักงานเขตบางเขน",
        due_on=timezone.localdate() + dt.timedelta(days=14),
    )
    case_actions.record_assistance(
        actor=chair_a,
        case=case,
        kind="emergency_grant",
        description="เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย",
        given_on=timezone.localdate(),
        amount=3000,
        regulation="เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อยและผู้ไร้ที่พึ่ง",
    )
    referral_actions.update_agency(
        actor=None, agency=agency, services=[Service.objects.get(code="shelter")], area_codes=["10"]
    )
    referral_actions.send_referral(
        actor=chair_a,
        case=case,
        agency=agency,
        service=Service.objects.get(code="shelter"),
        need="ที่พักชั่วคราวระหว่างซ่อมบ้าน",
    )
    aid_actions.receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="agency",
        donor_name="มูลนิธิทดสอบ",
        received_on=timezone.localdate(),
        lines=[
            (Item.objects.get(code="consumer-kit"), 10, []),
            (Item.objects.get(code="wheelchair"), 1, ["WC-01"]),
        ],
    )
    aid_actions.distribute_items(
        actor=chair_a,
        center=center_a,
        person=person,
        lines=[(Item.objects.get(code="consumer-kit"), 2)],
        signed_by_name="บุญมี ศรีสุข",
    )
    from asa.aid.models import Piece

    aid_actions.lend_piece(
        actor=chair_a,
        piece=Piece.objects.get(serial_number="WC-01"),
        person=person,
        expected_return_on=timezone.localdate() + dt.timedelta(days=30),
        condition_out="ดี",
    )
    # The neighbour has a case of her own: nothing of it may reach the subject's answer.
    case_actions.open_case(
        actor=chair_a, person=neighbour, source="hotline", story="เรื่องลับของเพื่อนบ้าน"
    )
    person.refresh_from_db()
    return person, neighbour
