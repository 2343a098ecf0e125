"""Volunteer pages: list and search, detail, create, edit, status, role, my profile."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asa.accounts.models import AuditEvent
from asa.centers.models import Center, Volunteer, VolunteerStatus
from asa.conftest import make_volunteer, new_national_id
from asa.lib.crypto import identity_hash

pytestmark = pytest.mark.django_db


def form_data(center=None, **overrides):
    data = {
        "title": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "national_id": new_national_id(),
        "birth_date": "01/06/2518",
        "sex": "male",
        "phone": "081-234-5678",
        "joined_on": "15/01/2563",
        "role": "member",
        "house_number": "99/1",
        "moo": "",
        "village": "",
        "soi": "",
        "road": "พหลโยธิน",
        "province": "10",
        "district": "1005",
        "subdistrict": "100502",
        "postal_code": "",
    }
    if center is not None:
        data["center"] = str(center.pk)
    data.update(overrides)
    return data


def volunteer_of(user):
    return Volunteer.objects.get(user=user)


# --- list and search ---------------------------------------------------------------------------


def test_it_lists_only_volunteers_in_scope(client_for, chair_a, volunteer_a, volunteer_b):
    html = client_for(chair_a).get(reverse("centers:volunteer_list")).content.decode()
    assert "อาสาเอ" in html and "ประธานเอ" in html
    assert "อาสาบี" not in html


def test_it_searches_by_name_phone_and_national_id(client_for, chair_a, center_a):
    make_volunteer(center_a, first_name="มานี", phone="0899999999")
    other = make_volunteer(center_a, first_name="ปิติ", phone="0811111111")
    client = client_for(chair_a)
    url = reverse("centers:volunteer_list")
    assert "มานี" in client.get(url, {"q": "มา นี"}).content.decode()
    by_phone = client.get(url, {"q": "089-999-9999"}).content.decode()
    assert "มานี" in by_phone and "ปิติ" not in by_phone
    # Stored encrypted: a whole number is found by its keyed hash, a part finds nobody.
    assert "มานี" not in client.get(url, {"q": "089-999"}).content.decode()
    by_id = client.get(url, {"q": other.national_id}).content.decode()
    assert "ปิติ" in by_id and "มานี" not in by_id


def test_it_does_not_search_ids_for_a_plain_volunteer(client_for, volunteer_a, chair_a):
    chair = volunteer_of(chair_a)
    url = reverse("centers:volunteer_list")
    html = client_for(volunteer_a).get(url, {"q": chair.national_id}).content.decode()
    assert "ประธานเอ" not in html


def test_it_filters_by_center_and_status(client_for, officer, volunteer_a, volunteer_b, chair_a):
    client = client_for(officer)
    url = reverse("centers:volunteer_list")
    center_b = Center.objects.get(code="BKK-1048")
    html = client.get(url, {"center": center_b.pk}).content.decode()
    assert "อาสาบี" in html and "อาสาเอ" not in html
    gone = make_volunteer(center_b, first_name="ลาออกแล้ว")
    gone.status = VolunteerStatus.LEFT
    gone.save(update_fields=["status"])
    left = client.get(url, {"status": "left"}).content.decode()
    assert "ลาออกแล้ว" in left and "อาสาบี" not in left


def test_it_keeps_the_volunteer_list_queries_constant(client_for, officer, center_a, center_b):
    client = client_for(officer)
    url = reverse("centers:volunteer_list")
    for _ in range(3):
        make_volunteer(center_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        make_volunteer(center_b)
    with CaptureQueriesContext(connection) as many:
        assert "พบ 23 คน" in client.get(url).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_keeps_the_volunteer_page_queries_constant(client_for, chair_a, center_a):
    volunteer = make_volunteer(center_a)
    client = client_for(chair_a)
    url = reverse("centers:volunteer_detail", args=[volunteer.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for role in ("committee", "secretary", "member"):
        client.post(
            reverse("centers:volunteer_role", args=[volunteer.pk]), {"role": role, "reason": "x"}
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- detail ------------------------------------------------------------------------------------


def test_it_shows_identity_to_the_chair_only(client_for, chair_a, volunteer_a):
    member = volunteer_of(volunteer_a)
    url = reverse("centers:volunteer_detail", args=[member.pk])
    printed = member.national_id[0] + "-" + member.national_id[1:5]
    assert printed in client_for(chair_a).get(url).content.decode()
    # A fellow volunteer sees the colleague, not their ID, birth date or address.
    chair = volunteer_of(chair_a)
    colleague = client_for(volunteer_a).get(reverse("centers:volunteer_detail", args=[chair.pk]))
    assert colleague.status_code == 200
    html = colleague.content.decode()
    assert chair.national_id[1:5] not in html and "วันเกิด" not in html
    # Volunteers see their own.
    assert printed in client_for(volunteer_a).get(url).content.decode()


def test_it_shows_status_history_with_labels(client_for, chair_a, volunteer_a):
    member = volunteer_of(volunteer_a)
    html = client_for(chair_a).get(reverse("centers:volunteer_detail", args=[member.pk]))
    assert "ลงทะเบียน" in html.content.decode() and "ปฏิบัติงาน" in html.content.decode()


def test_it_refuses_a_volunteer_outside_the_scope(client_for, chair_b, volunteer_a, agency_user):
    member = volunteer_of(volunteer_a)
    for name in ("volunteer_detail", "volunteer_edit", "volunteer_status", "volunteer_role"):
        url = reverse(f"centers:{name}", args=[member.pk])
        assert client_for(chair_b).get(url).status_code == 404
        assert client_for(agency_user).get(url).status_code == 404


def test_it_refuses_changes_by_a_fellow_volunteer_with_403(client_for, volunteer_a, chair_a):
    chair = volunteer_of(chair_a)
    client = client_for(volunteer_a)
    for name in ("volunteer_edit", "volunteer_status", "volunteer_role"):
        assert client.get(reverse(f"centers:{name}", args=[chair.pk])).status_code == 403
    response = client.post(
        reverse("centers:volunteer_status", args=[chair.pk]), {"status": "left", "reason": "x"}
    )
    assert response.status_code == 403
    assert client.get(reverse("centers:volunteer_create")).status_code == 403
    chair.refresh_from_db()
    assert chair.status == VolunteerStatus.ACTIVE


# --- create ------------------------------------------------------------------------------------


def test_it_preselects_the_chairs_center(client_for, chair_a, center_a, center_b):
    html = client_for(chair_a).get(reverse("centers:volunteer_create")).content.decode()
    assert f'<option value="{center_a.pk}" selected>' in html
    assert center_b.name_th not in html
    assert 'placeholder="วว/ดด/ปปปป"' in html


def test_it_registers_a_volunteer_with_a_buddhist_era_birth_date(client_for, chair_a, center_a):
    data = form_data(center_a)
    response = client_for(chair_a).post(reverse("centers:volunteer_create"), data)
    assert response.status_code == 302
    volunteer = Volunteer.objects.get(national_id_hash=identity_hash(data["national_id"]))
    assert response["Location"] == reverse("centers:volunteer_detail", args=[volunteer.pk])
    assert volunteer.birth_date.isoformat() == "1975-06-01"
    assert volunteer.joined_on.isoformat() == "2020-01-15"
    assert volunteer.phone == "0812345678"
    assert volunteer.postal_code == "10220"  # filled in from the subdistrict
    assert volunteer.center == center_a
    center_a.refresh_from_db()
    assert center_a.active_volunteer_count == 2  # the chair and the new volunteer
    assert AuditEvent.objects.filter(action="register_volunteer", actor=chair_a).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("national_id", "1234567890123", "หลักตรวจสอบไม่ตรง"),
        ("national_id", "12345", "ต้องมี 13 หลัก"),
        ("national_id", "๑234567890123", "เลขไทยและเลขอารบิกปนกัน"),
        ("birth_date", "01/06/1975", "ดูเหมือนเป็นปี ค.ศ."),
        ("birth_date", "31/02/2518", "ไม่มีวันที่นี้ในปฏิทิน"),
        ("joined_on", "01/01/2600", "ต้องไม่อยู่ในอนาคต"),
        ("phone", "12-34", "หมายเลขโทรศัพท์"),
        ("postal_code", "10110", "รหัสไปรษณีย์ไม่ตรงกับแขวง/ตำบล"),
        ("subdistrict", "104802", "แขวง/ตำบลนี้ไม่อยู่ในเขต/อำเภอที่เลือก"),
    ],
)
def test_it_shows_thai_errors_next_to_the_field_and_saves_nothing(
    client_for, chair_a, center_a, field, value, message
):
    before = Volunteer.objects.count()
    response = client_for(chair_a).post(
        reverse("centers:volunteer_create"), form_data(center_a, **{field: value})
    )
    assert response.status_code == 200
    errors = [str(error) for error in response.context["form"].errors.get(field, [])]
    assert any(message in error for error in errors), response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Volunteer.objects.count() == before


def test_it_refuses_a_duplicate_national_id(client_for, chair_a, volunteer_a, center_a):
    taken = volunteer_of(volunteer_a).national_id
    response = client_for(chair_a).post(
        reverse("centers:volunteer_create"), form_data(center_a, national_id=taken)
    )
    assert "ลงทะเบียนเป็น อพม. แล้ว" in response.context["form"].errors["national_id"][0]


def test_it_refuses_a_second_chair_as_a_field_error(client_for, chair_a, center_a):
    before = Volunteer.objects.count()
    response = client_for(chair_a).post(
        reverse("centers:volunteer_create"), form_data(center_a, role="chair")
    )
    assert "มีประธาน อพม. อยู่แล้ว" in response.context["form"].errors["role"][0]
    assert Volunteer.objects.count() == before


def test_it_refuses_a_center_outside_the_editors_scope(client_for, chair_a, center_b):
    before = Volunteer.objects.count()
    response = client_for(chair_a).post(reverse("centers:volunteer_create"), form_data(center_b))
    assert response.status_code == 200
    assert "ไม่มีสิทธิ์" in response.context["form"].errors["center"][0]
    assert Volunteer.objects.count() == before


# --- edit, status, role ------------------------------------------------------------------------


def test_it_edits_a_volunteer(client_for, chair_a, volunteer_a):
    member = volunteer_of(volunteer_a)
    url = reverse("centers:volunteer_edit", args=[member.pk])
    page = client_for(chair_a).get(url).content.decode()
    assert 'value="01/06/2518"' in page  # the birth date shown in the Buddhist Era
    assert '<option value="100502" selected>' in page
    data = form_data(national_id=member.national_id, first_name="อาสาเอใหม่", phone="0820000000")
    response = client_for(chair_a).post(url, data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.phone, member.road) == ("อาสาเอใหม่", "0820000000", "พหลโยธิน")


def test_it_changes_status_with_a_reason(client_for, chair_a, volunteer_a, center_a):
    member = volunteer_of(volunteer_a)
    url = reverse("centers:volunteer_status", args=[member.pk])
    client = client_for(chair_a)
    missing = client.post(url, {"status": "left", "reason": ""})
    assert "กรุณาระบุเหตุผล" in missing.context["form"].errors["reason"][0]
    member.refresh_from_db()
    assert member.status == VolunteerStatus.ACTIVE
    assert client.post(url, {"status": "left", "reason": "ย้ายภูมิลำเนา"}).status_code == 302
    member.refresh_from_db()
    center_a.refresh_from_db()
    assert member.status == VolunteerStatus.LEFT
    assert center_a.active_volunteer_count == 1
    detail = client.get(reverse("centers:volunteer_detail", args=[member.pk])).content.decode()
    assert "ย้ายภูมิลำเนา" in detail and "พ้นสภาพ" in detail


def test_it_refuses_a_second_chair_on_the_role_page(client_for, chair_a, volunteer_a):
    member = volunteer_of(volunteer_a)
    url = reverse("centers:volunteer_role", args=[member.pk])
    response = client_for(chair_a).post(url, {"role": "chair", "reason": ""})
    assert response.status_code == 200
    assert "มีประธาน อพม. อยู่แล้ว" in response.context["form"].errors["role"][0]
    assert 'id="id_role_error"' in response.content.decode()
    member.refresh_from_db()
    assert member.role == "member"


def test_it_makes_a_new_chair_after_the_old_one_steps_down(
    client_for, officer, chair_a, volunteer_a
):
    client = client_for(officer)
    old, new = volunteer_of(chair_a), volunteer_of(volunteer_a)
    stepped = client.post(
        reverse("centers:volunteer_role", args=[old.pk]), {"role": "committee", "reason": "ครบวาระ"}
    )
    assert stepped.status_code == 302
    made = client.post(reverse("centers:volunteer_role", args=[new.pk]), {"role": "chair"})
    assert made.status_code == 302
    new.refresh_from_db()
    assert new.role == "chair"


# --- my profile --------------------------------------------------------------------------------


def test_it_shows_my_profile_and_lets_me_fix_my_phone(client_for, volunteer_a):
    client = client_for(volunteer_a)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "อาสาเอ" in html and "แก้ไขโทรศัพท์และที่อยู่" in html
    url = reverse("centers:own_profile_edit")
    assert client.get(url).status_code == 200
    data = {
        "phone": "0877777777",
        "house_number": "5",
        "province": "10",
        "district": "1005",
        "subdistrict": "100508",
        "postal_code": "10220",
    }
    assert client.post(url, data).status_code == 302
    member = volunteer_of(volunteer_a)
    assert (member.phone, member.subdistrict_id) == ("0877777777", "100508")
    assert AuditEvent.objects.filter(action="update_own_profile", actor=volunteer_a).exists()


def test_it_refuses_a_bad_phone_on_my_profile(client_for, volunteer_a):
    response = client_for(volunteer_a).post(
        reverse("centers:own_profile_edit"),
        {"phone": "abc", "province": "10", "district": "1005", "subdistrict": "100502"},
    )
    assert "ตัวเลขเท่านั้น" in response.context["form"].errors["phone"][0]
    assert volunteer_of(volunteer_a).phone == "0812345678"


def test_it_has_no_profile_form_for_someone_without_a_volunteer_record(client_for, officer):
    assert client_for(officer).get(reverse("accounts:profile")).status_code == 200
    assert client_for(officer).get(reverse("centers:own_profile_edit")).status_code == 404
