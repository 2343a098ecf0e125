"""The outbox over HTTP: each item applied once, kept for the chair when the world changed, the
pack holds only the volunteer's assigned cases, the review is the chair's of that center only."""

import base64
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from asa.aid.models import Distribution, StockBalance, StockMovement
from asa.cases.actions import close_case, transfer_case, unassign_volunteer
from asa.cases.models import Case, Visit, VisitPhoto
from asa.centers.models import Volunteer
from asa.field.models import OfflineSubmission, SubmissionStatus
from asa.registry.models import Person

pytestmark = pytest.mark.django_db


def _photo(name="visit.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 80, 20)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _signature():
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), (255, 255, 255)).save(buffer, format="PNG")
    return SimpleUploadedFile("signature.png", buffer.getvalue(), content_type="image/png")


def _visit(client, case, client_id=None, **extra):
    payload = {
        "case": case.pk,
        "visited_at": timezone.now().isoformat(),
        "observations": "หลังคารั่ว ไม่มีข้าวสาร",
        "met_whom": "ตัวผู้สูงอายุ",
        **extra,
    }
    return client.post(
        "/field/sync/",
        {
            "client_id": client_id or str(uuid.uuid4()),
            "kind": "visit",
            "payload": json.dumps(payload),
            "photos": [_photo()],
        },
    )


def _handover(client, case, item, quantity, client_id=None):
    payload = {"case": case.pk, "lines": [[item.pk, quantity]], "signed_by_name": "บุญเรือน"}
    return client.post(
        "/field/sync/",
        {
            "client_id": client_id or str(uuid.uuid4()),
            "kind": "handover",
            "payload": json.dumps(payload),
            "signature": _signature(),
        },
    )


def test_a_visit_sent_twice_is_one_visit(client_for, volunteer_a, assigned_case):
    client = client_for(volunteer_a)
    key = str(uuid.uuid4())
    first = _visit(client, assigned_case, key)
    assert first.status_code == 200, first.content
    assert first.json()["state"] == "sent"
    again = _visit(client, assigned_case, key)
    assert again.json() == first.json()
    visit = Visit.objects.get(case=assigned_case)
    assert str(visit.client_id) == key
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    # The volunteer who sent it is on the visit (the form's "me").
    assert list(visit.volunteers.values_list("user", flat=True)) == [volunteer_a.pk]


def test_a_hand_over_sent_twice_moves_stock_once(client_for, volunteer_a, assigned_case, rice):
    client = client_for(volunteer_a)
    key = str(uuid.uuid4())
    assert _handover(client, assigned_case, rice, 3, key).json()["state"] == "sent"
    assert _handover(client, assigned_case, rice, 3, key).json()["state"] == "sent"
    distribution = Distribution.objects.get(client_id=key)
    assert distribution.signature.name
    assert Distribution.objects.count() == 1
    assert StockMovement.objects.filter(distribution=distribution).count() == 1
    assert StockBalance.objects.get(center=assigned_case.center, item=rice).quantity == 7


def test_out_of_stock_is_kept_for_the_chair(client_for, volunteer_a, chair_a, assigned_case, rice):
    answer = _handover(client_for(volunteer_a), assigned_case, rice, 50).json()
    assert answer["state"] == "needs_attention" and answer["reason"]
    kept = OfflineSubmission.objects.get()
    assert kept.center_id == assigned_case.center_id
    assert kept.files.get().role == "signature"
    assert not Distribution.objects.exists()


def test_a_visit_to_a_transferred_case_waits_for_the_own_chair(
    client_for, volunteer_a, chair_a, chair_b, center_b, assigned_case
):
    transfer_case(actor=chair_a, case=assigned_case, to_center=center_b, reason="ย้ายบ้าน")
    answer = _visit(client_for(volunteer_a), assigned_case).json()
    assert answer["state"] == "needs_attention"
    assert "โอน" in answer["reason"]
    assert not Visit.objects.exists()
    kept = OfflineSubmission.objects.get()
    assert kept.center_id == Volunteer.objects.get(user=volunteer_a).center_id
    assert kept.files.get().role == "photo"
    # The chair of the volunteer's center sees it; the other center's chair does not.
    assert client_for(chair_a).get("/field/review/").content.decode().count("โอน") >= 1
    assert client_for(chair_b).get(f"/field/review/{kept.pk}/").status_code == 404
    assert "โอน" not in client_for(chair_b).get("/field/review/").content.decode()
    assert client_for(volunteer_a).get("/field/review/").status_code == 403
    # Applying it would write to another center: refused, still waiting.
    response = client_for(chair_a).post(
        f"/field/review/{kept.pk}/", {"decision": "apply", "note": "ลองบันทึก"}
    )
    assert response.status_code == 200
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.NEEDS_ATTENTION and not Visit.objects.exists()
    # Discarded with a reason; the volunteer's phone learns it from the pack.
    client_for(chair_a).post(
        f"/field/review/{kept.pk}/", {"decision": "discard", "note": "ศูนย์ทวีวัฒนาเยี่ยมแล้ว"}
    )
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.DISCARDED
    pack = client_for(volunteer_a).get("/field/pack/").json()
    assert pack["submissions"][str(kept.client_id)]["state"] == "discarded"
    # A resend of the same item answers the same, and writes nothing.
    again = _visit(client_for(volunteer_a), assigned_case, str(kept.client_id)).json()
    assert again["state"] == "discarded" and OfflineSubmission.objects.count() == 1


def test_a_closed_case_is_kept_and_the_chair_applies_after_reopening(
    client_for, volunteer_a, chair_a, assigned_case
):
    close_case(actor=chair_a, case=assigned_case, outcome="resolved", note="ได้รับความช่วยเหลือแล้ว")
    answer = _visit(client_for(volunteer_a), assigned_case).json()
    assert answer["state"] == "needs_attention" and "ปิด" in answer["reason"]
    from asa.cases.actions import reopen_case

    reopen_case(actor=chair_a, case=Case.objects.get(pk=assigned_case.pk), reason="มีเหตุใหม่")
    kept = OfflineSubmission.objects.get()
    response = client_for(chair_a).post(f"/field/review/{kept.pk}/", {"decision": "apply"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.APPLIED
    visit = Visit.objects.get(client_id=kept.client_id)
    assert visit.photos.count() == 1


def test_an_unassigned_volunteer_is_told(client_for, volunteer_a, chair_a, assigned_case):
    volunteer = Volunteer.objects.get(user=volunteer_a)
    unassign_volunteer(actor=chair_a, case=assigned_case, volunteer=volunteer, reason="ย้ายงาน")
    answer = _visit(client_for(volunteer_a), assigned_case).json()
    assert answer["state"] == "needs_attention" and "มอบหมาย" in answer["reason"]
    # And the case leaves the phone at the next contact.
    assert client_for(volunteer_a).get("/field/pack/").json()["cases"] == []


def test_a_report_of_a_likely_duplicate_waits_for_a_decision(
    client_for, volunteer_a, chair_a, household_person
):
    payload = {
        "first_name": "บุญเรือน",
        "last_name": "ใจงาม",
        "birth_year": "2489",
        "subdistrict": "100502",
        "story": "นอนป่วยอยู่คนเดียว",
        "urgency": "urgent",
        "reported_at": timezone.now().isoformat(),
    }
    key = str(uuid.uuid4())
    body = {"client_id": key, "kind": "report", "payload": json.dumps(payload)}
    answer = client_for(volunteer_a).post("/field/sync/", body).json()
    assert answer["state"] == "needs_attention" and "บุญเรือน" in answer["reason"]
    kept = OfflineSubmission.objects.get()
    # Applying a likely duplicate needs the chair's reason.
    client_for(chair_a).post(f"/field/review/{kept.pk}/", {"decision": "apply", "note": ""})
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.NEEDS_ATTENTION
    client_for(chair_a).post(
        f"/field/review/{kept.pk}/", {"decision": "apply", "note": "ตรวจแล้ว เป็นคนละคน"}
    )
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.APPLIED
    assert Case.objects.get(client_id=key).person.first_name == "บุญเรือน"
    assert Person.objects.filter(first_name="บุญเรือน").count() == 2


def test_a_new_person_report_is_a_case_once(client_for, volunteer_a, center_a):
    payload = {
        "first_name": "สมหมาย",
        "last_name": "ทองดี",
        "birth_year": "2500",
        "story": "ไม่มีที่อยู่อาศัย",
        "reported_at": timezone.now().isoformat(),
    }
    body = {"client_id": str(uuid.uuid4()), "kind": "report", "payload": json.dumps(payload)}
    client = client_for(volunteer_a)
    assert client.post("/field/sync/", body).json()["state"] == "sent"
    assert client.post("/field/sync/", body).json()["state"] == "sent"
    case = Case.objects.get()
    assert case.center_id == center_a.pk and case.source == "field"
    assert Person.objects.filter(first_name="สมหมาย").count() == 1


def test_bad_requests_are_refused_and_write_nothing(client_for, volunteer_a, assigned_case):
    client = client_for(volunteer_a)
    assert client.post("/field/sync/", {"client_id": "x", "kind": "visit"}).status_code == 422
    bad_kind = {"client_id": str(uuid.uuid4()), "kind": "loan", "payload": "{}"}
    assert client.post("/field/sync/", bad_kind).status_code == 422
    bad_json = {"client_id": str(uuid.uuid4()), "kind": "visit", "payload": "[1"}
    assert client.post("/field/sync/", bad_json).status_code == 422
    # An empty visit is kept with the reason in Thai (never a 500, never a half-written visit).
    answer = _visit(client, assigned_case, observations="").json()
    assert answer["state"] == "needs_attention" and "สิ่งที่พบเห็น" in answer["reason"]
    assert not Visit.objects.exists()


def test_signed_out_and_outsiders_are_refused(
    client, client_for, volunteer_b, chair_b, assigned_case
):
    assert client.get("/field/pack/")["Location"].startswith("/accounts/login/")
    assert client.post("/field/sync/", {}).status_code == 401
    # A volunteer of another center: the case is not theirs; it is kept for their own chair.
    answer = _visit(client_for(volunteer_b), assigned_case).json()
    assert answer["state"] == "needs_attention"
    assert not Visit.objects.exists()
    kept = OfflineSubmission.objects.get()
    assert kept.center_id == Volunteer.objects.get(user=volunteer_b).center_id


def test_the_pack_holds_only_assigned_cases(
    client_for, volunteer_a, chair_a, assigned_case, rice, django_assert_max_num_queries
):
    from asa.cases.actions import open_case
    from asa.registry.actions import register_person

    other = register_person(actor=chair_a, first_name="มานี", last_name="มีนา", subdistrict="100502")
    open_case(actor=chair_a, person=other, source="field", story="ไม่ได้มอบหมาย")
    client = client_for(volunteer_a)
    with django_assert_max_num_queries(20):
        pack = client.get("/field/pack/").json()
    assert [item["id"] for item in pack["cases"]] == [assigned_case.pk]
    case = pack["cases"][0]
    assert case["person"] == "นางบุญเรือน ใจงาม" or "บุญเรือน" in case["person"]
    assert case["phone"] == "0812223344" and "45/2" in case["address"]
    assert pack["items"][0]["quantity"] == 10
    assert pack["csrf_token"] and pack["device_days"] == 7
    assert {"name": "บุญเรือน ใจงาม", "birth_year": 2489} in pack["people"]
    assert "มานี" not in json.dumps(pack, ensure_ascii=False)


def test_a_signature_as_a_data_url_is_accepted(client_for, volunteer_a, assigned_case, rice):
    png = _signature().read()
    payload = {"case": assigned_case.pk, "lines": [[rice.pk, 1]]}
    answer = (
        client_for(volunteer_a)
        .post(
            "/field/sync/",
            {
                "client_id": str(uuid.uuid4()),
                "kind": "handover",
                "payload": json.dumps(payload),
                "signature": "data:image/png;base64," + base64.b64encode(png).decode(),
            },
        )
        .json()
    )
    assert answer["state"] == "sent"


def test_the_service_worker_and_manifest(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "workbox-sw.js" in body and "/static/asa/field.js" in body
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["short_name"] == "อาสา" and manifest["start_url"] == "/field/"


def test_the_review_list_reads_a_constant_number_of_queries(
    client_for,
    chair_a,
    volunteer_a,
    chair_b,
    center_b,
    assigned_case,
    django_assert_max_num_queries,
):
    transfer_case(actor=chair_a, case=assigned_case, to_center=center_b, reason="ย้ายบ้าน")
    client = client_for(chair_a)
    _visit(client_for(volunteer_a), assigned_case)
    # The same bound for one item and for five (9 queries measured, most of them the session,
    # the scope and the page chrome).
    with django_assert_max_num_queries(10):
        client.get("/field/review/")
    for _ in range(4):
        _visit(client_for(volunteer_a), assigned_case)
    with django_assert_max_num_queries(10):
        body = client.get("/field/review/").content.decode()
    assert body.count("ถูกโอนไปยังศูนย์อื่น") == 5
