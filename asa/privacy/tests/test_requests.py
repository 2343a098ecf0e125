"""Data-subject requests: the 30-day clock, every transition audited, the generated copy."""

import datetime as dt
import json
import re
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.privacy import actions, answer
from asa.privacy.models import PrivacyRequest, RequestStatus

RECEIVED = dt.date(2025, 3, 11)  # 11 มีนาคม 2568


def receive(actor, person=None, kind="access", received_on=RECEIVED):
    return actions.receive_privacy_request(
        actor=actor,
        kind=kind,
        requester_name="นายบุญมี ศรีสุข",
        requester_contact="0812345670",
        received_on=received_on,
        person=person,
    )


def test_the_clock_is_thirty_days_from_receipt(dpo):
    item = receive(dpo)
    assert item.due_on == dt.date(2025, 4, 10)
    assert item.days_left(today=dt.date(2025, 4, 1)) == 9
    assert not item.is_overdue(today=dt.date(2025, 4, 10))
    assert item.is_overdue(today=dt.date(2025, 4, 11))
    assert item.days_left(today=dt.date(2025, 4, 15)) == -5
    event = AuditEvent.objects.get(action="receive_privacy_request")
    assert event.object_id == str(item.pk) and event.changes["due_on"] == "2025-04-10"


def test_an_answered_request_is_not_overdue(dpo, subject):
    person, _ = subject
    item = receive(dpo, person)
    actions.verify_requester_identity(actor=dpo, privacy_request=item, method="id_card_in_person")
    actions.generate_access_answer(actor=dpo, privacy_request=item)
    actions.answer_privacy_request(actor=dpo, privacy_request=item, answer="ส่งสำเนาทางไปรษณีย์")
    assert item.status == RequestStatus.ANSWERED
    assert not item.is_overdue(today=dt.date(2030, 1, 1))


def test_only_the_dpo_and_the_ministry_handle_requests(chair_a, officer, admin_user, dpo):
    for outsider in (chair_a, officer):
        with pytest.raises(PermissionDenied):
            receive(outsider)
    assert receive(admin_user).pk


def test_every_transition_is_audited(dpo, admin_user, subject):
    person, _ = subject
    item = receive(dpo, kind="rectification")
    actions.assign_privacy_request(actor=dpo, privacy_request=item, assignee=admin_user)
    assert item.status == RequestStatus.IN_PROGRESS and item.assigned_to == admin_user
    actions.verify_requester_identity(
        actor=dpo, privacy_request=item, method="id_card_copy", person=person
    )
    actions.answer_privacy_request(
        actor=dpo, privacy_request=item, answer="แก้ไขนามสกุลตามทะเบียนราษฎร์แล้ว"
    )
    actions_done = list(
        AuditEvent.objects.filter(object_type="privacy.privacyrequest", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_done == [
        "receive_privacy_request",
        "assign_privacy_request",
        "verify_requester_identity",
        "answer_privacy_request",
    ]
    with pytest.raises(ValidationError):
        actions.withdraw_privacy_request(actor=dpo, privacy_request=item)


def test_bad_input_names_the_field_and_saves_nothing(dpo, chair_a):
    with pytest.raises(ValidationError) as error:
        actions.receive_privacy_request(
            actor=dpo,
            kind="access",
            requester_name=" ",
            received_on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert set(error.value.message_dict) == {"requester_name", "received_on"}
    item = receive(dpo)
    with pytest.raises(ValidationError) as error:
        actions.assign_privacy_request(actor=dpo, privacy_request=item, assignee=chair_a)
    assert "assigned_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.refuse_privacy_request(actor=dpo, privacy_request=item, reason="")
    assert "refusal_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.answer_privacy_request(actor=dpo, privacy_request=item, answer="ตอบแล้ว")
    assert "answer" in error.value.message_dict  # a copy request needs its copy first
    assert PrivacyRequest.objects.get(pk=item.pk).status == RequestStatus.RECEIVED


def test_a_copy_needs_a_verified_identity(dpo, subject):
    person, _ = subject
    item = receive(dpo, person)
    with pytest.raises(ValidationError):
        actions.generate_access_answer(actor=dpo, privacy_request=item)


# --- The generated copy ------------------------------------------------------------------------


def test_the_answer_holds_the_persons_data_from_every_app_and_nothing_of_another(dpo, subject):
    person, _neighbour = subject
    data = json.loads(answer.to_json(answer.collect(person)))
    assert data["schema"] == "asa.privacy.subject-data/1"
    assert data["person"]["first_name"] == "บุญมี"
    assert data["person"]["id_number"] == person.id_number
    assert data["person"]["phone"] == "0812345670"
    assert data["households"][0]["relationship"]
    assert data["problems"][0]["notes"] == "ขาดรายได้หลังเกษียณ"
    assert data["consents"][0]["allows_sharing"] is True
    (case,) = data["cases"]
    assert case["story"] == "อยู่ลำพัง รายได้ไม่พอค่ายา"
    assert case["visits"][0]["observations"] == "บ้านทรุดโทรม หลังคารั่ว"
    assert len(case["visits"][0]["photos"]) == 1  # listed, not copied
    assert case["plan_items"][0]["need"] == "ค่ายา"
    assert case["referrals"][0]["need"] == "ที่พักชั่วคราวระหว่างซ่อมบ้าน"
    assert "3000.00" in {row["amount"] for row in data["assistance"]}
    assert data["distributions"][0]["items"][0]["quantity"] == 2
    assert data["loans"][0]["status"]
    history = {row["action"] for row in data["access_history"]}
    assert {"register_person", "open_case", "record_visit"} <= history
    text = json.dumps(data, ensure_ascii=False)
    for secret in ("สมหญิง", "ใจงามเพื่อนบ้าน", "0899999999", "เรื่องลับของเพื่อนบ้าน"):
        assert secret not in text, secret


def _pdf_unicode_text(content: bytes) -> str:
    """The Unicode the PDF maps its glyphs to (its ToUnicode CMaps), to find Thai in it."""
    found = [content.decode("latin-1")]  # fpdf2 writes the CMaps uncompressed
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL):
        try:
            found.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(found)


def test_the_pdf_is_a_pdf_with_thai_text(dpo, subject):
    person, _ = subject
    item = receive(dpo, person)
    actions.verify_requester_identity(actor=dpo, privacy_request=item, method="volunteer_known")
    actions.generate_access_answer(actor=dpo, privacy_request=item)
    content = item.answer_pdf.read()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert b"Sarabun" in content
    cmaps = _pdf_unicode_text(content)
    # Thai letters of the heading (ส, ำ, เ) are mapped in the embedded font's ToUnicode table.
    for letter in "สำเ":
        assert f"<{ord(letter):04X}>" in cmaps
    data = json.loads(item.answer_json.read())
    assert data["request"]["id"] == item.pk
    assert AuditEvent.objects.filter(action="generate_access_answer").count() == 1
