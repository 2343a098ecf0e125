"""People pages: search first, registration with duplicate warning, person page, edit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asa.accounts.models import AuditEvent
from asa.conftest import new_national_id
from asa.lib.national_id import format_national_id
from asa.registry.actions import (
    create_household,
    record_consent,
    record_household_assessment,
    record_problem,
    register_person,
    update_person,
)
from asa.registry.models import Consent, Person, PersonProblem, ProblemType, TargetGroup

pytestmark = pytest.mark.django_db

ANUSAWARI = "100502"  # แขวงอนุสาวรีย์ เขตบางเขน (center A)
THAWI_WATTHANA = "104802"  # center B


def make_person(actor, **overrides):
    values = {
        "title": "นาง",
        "first_name": "บุญมี",
        "last_name": "ศรีสุข",
        "birth_date": dt.date(1950, 5, 1),
        "sex": "female",
        "subdistrict": ANUSAWARI,
        "house_number": "12/3",
    }
    values.update(overrides)
    return register_person(actor=actor, **values)


def form_data(**overrides):
    data = {
        "title": "นาย",
        "first_name": "สมหมาย",
        "last_name": "ใจงาม",
        "name_en": "",
        "id_type": "national_id",
        "id_number": new_national_id(),
        "birth_date": "01/02/2500",
        "birth_year": "",
        "sex": "male",
        "phone": "",
        "nationality": "ไทย",
        "disability_type": "",
        "disability_card_number": "",
        "house_number": "99",
        "moo": "",
        "village": "",
        "soi": "",
        "road": "",
        "province": "10",
        "district": "1005",
        "subdistrict": ANUSAWARI,
        "postal_code": "",
        "latitude": "",
        "longitude": "",
        "notes": "",
    }
    data.update(overrides)
    return data


# --- /people/ ----------------------------------------------------------------------------------


def test_it_requires_login(client):
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_only_people_in_scope(client_for, chair_a, chair_b):
    make_person(chair_a)
    make_person(chair_b, first_name="ทวี", subdistrict=THAWI_WATTHANA)
    html = client_for(chair_a).get(reverse("registry:person_list")).content.decode()
    assert "บุญมี" in html and "ทวี" not in html
    assert "ลงทะเบียนบุคคลใหม่" in html


def test_it_searches_by_name_and_offers_registration_with_the_query(client_for, chair_a, chair_b):
    make_person(chair_a)
    born = dt.date(1962, 3, 4)  # another person, not a likely duplicate of บุญมี
    make_person(chair_b, first_name="บุญมา", subdistrict=THAWI_WATTHANA, birth_date=born)
    client = client_for(chair_a)
    html = client.get(reverse("registry:person_list"), {"q": "บุญมี ศรีสุข"}).content.decode()
    assert "บุญมี" in html and "บุญมา" not in html
    html = client.get(reverse("registry:person_list"), {"q": "สมปอง ไม่มีจริง"}).content.decode()
    assert "ไม่พบบุคคลนี้" in html
    assert "/people/new/?q=%E0%B8%AA" in html  # the typed name goes to the form


def test_it_searches_by_national_id_and_filters(client_for, chair_a):
    number = new_national_id()
    make_person(chair_a, id_type="national_id", id_number=number)
    elderly = TargetGroup.objects.get(code="elderly")
    make_person(chair_a, first_name="สมศรี", target_groups=[elderly], birth_date=None)
    client = client_for(chair_a)
    html = client.get(reverse("registry:person_list"), {"q": format_national_id(number)}).content
    assert "บุญมี" in html.decode()
    html = client.get(reverse("registry:person_list"), {"group": elderly.pk}).content.decode()
    assert "สมศรี" in html and "บุญมี" not in html
    partial = client.get(
        reverse("registry:person_list"), {"q": "สมศรี"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode() and "สมศรี" in partial.content.decode()


def test_it_carries_the_search_into_the_registration_form(client_for, chair_a):
    html = client_for(chair_a).get(reverse("registry:person_create"), {"q": "นางสาว มาลี ดีใจ"})
    html = html.content.decode()
    assert 'value="มาลี"' in html and 'value="ดีใจ"' in html and 'value="นางสาว"' in html


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


def test_it_keeps_the_people_list_queries_constant(client_for, chair_a):
    groups = list(TargetGroup.objects.all()[:2])
    client = client_for(chair_a)
    url = reverse("registry:person_list")
    for number in range(2):
        make_person(chair_a, first_name=f"คนที่{number}", target_groups=groups, birth_date=None)
    few, few_search = _count(client, url), _count(client, url, q="คนที่")
    for number in range(2, 25):
        make_person(chair_a, first_name=f"คนที่{number}", target_groups=groups, birth_date=None)
    assert _count(client, url) == few
    # A search runs at most its fixed set of bounded lookups; with more matches it stops early.
    assert _count(client, url, q="คนที่") <= few_search


# --- registration ------------------------------------------------------------------------------


def test_it_registers_a_person_with_groups_and_problems(client_for, chair_a, center_a):
    elderly = TargetGroup.objects.get(code="elderly")
    poverty = ProblemType.objects.get(code="poverty")
    data = form_data(target_groups=[elderly.pk], problems=[poverty.pk])
    data[f"severity_{poverty.pk}"] = "high"
    response = client_for(chair_a).post(reverse("registry:person_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(first_name="สมหมาย")
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    assert person.center == center_a and person.birth_date == dt.date(1957, 2, 1)
    assert list(person.target_groups.all()) == [elderly]
    assert PersonProblem.objects.get(person=person).severity == "high"


def test_it_registers_with_a_birth_year_only_and_no_document(client_for, chair_a):
    data = form_data(id_type="none", id_number="", birth_date="", birth_year="๒๔๙๓")
    response = client_for(chair_a).post(reverse("registry:person_create"), data)
    assert response.status_code == 302
    person = Person.objects.get(first_name="สมหมาย")
    assert person.birth_date == dt.date(1950, 1, 1) and person.birth_date_precision == "year"
    html = client_for(chair_a).get(response["Location"]).content.decode()
    assert "พ.ศ. 2493" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id_number": "1234567890123"}, "id_number", "เลขประจำตัวประชาชน"),
        ({"first_name": ""}, "first_name", "กรุณากรอกชื่อ"),
        ({"birth_date": "01/02/1990"}, "birth_date", "ดูเหมือนเป็นปี ค.ศ."),
        ({"birth_date": "", "birth_year": "1990"}, "birth_year", "ดูเหมือนเป็นปี ค.ศ."),
        ({"birth_date": "", "birth_year": "2300"}, "birth_year", "ปี ค.ศ."),
        ({"birth_date": "01/01/2700"}, "birth_date", "อนาคต"),
        ({"phone": "12345"}, "phone", "หมายเลขโทรศัพท์"),
        ({"postal_code": "50000"}, "postal_code", "รหัสไปรษณีย์"),
        ({"id_type": "passport", "id_number": ""}, "id_number", "กรุณากรอกเลขเอกสาร"),
    ],
)
def test_it_shows_thai_errors_next_to_the_field_and_saves_nothing(
    client_for, chair_a, overrides, field, message
):
    response = client_for(chair_a).post(reverse("registry:person_create"), form_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    error_at = html.index(f'id="id_{field}_error"')
    assert message in html[error_at : error_at + 400]
    assert not Person.objects.filter(first_name="สมหมาย").exists()


def test_it_warns_of_a_likely_duplicate_and_registers_with_a_reason(client_for, chair_a):
    existing = make_person(chair_a, phone="0812345678")
    client = client_for(chair_a)
    data = form_data(
        title="นาง",
        first_name="บุญมี",
        last_name="ศรีสุก",
        birth_date="",
        birth_year="2493",
        id_type="none",
        id_number="",
        phone="081-234-5678",
    )
    response = client.post(reverse("registry:person_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "อาจเป็นบุคคลที่มีอยู่แล้ว" in html
    assert "หมายเลขโทรศัพท์เดียวกัน" in html
    assert reverse("registry:person_detail", args=[existing.pk]) in html
    assert 'name="duplicate_override_reason"' in html
    assert Person.objects.count() == 1
    response = client.post(
        reverse("registry:person_create"),
        {**data, "duplicate_override_reason": "เป็นพี่น้องฝาแฝด ใช้โทรศัพท์ร่วมกัน"},
    )
    assert response.status_code == 302
    assert Person.objects.count() == 2
    event = AuditEvent.objects.get(action="register_person", reason__contains="ฝาแฝด")
    assert event.object_id != str(existing.pk)


def test_it_describes_no_one_outside_the_registrars_scope(client_for, chair_a, chair_b):
    # The same woman, registered in Thawi Watthana, is registered again in Bang Khen after a move.
    other = make_person(chair_b, subdistrict=THAWI_WATTHANA, phone="0812345678", house_number="77")
    same = form_data(
        title="นาง", first_name="บุญมี", last_name="ศรีสุข", birth_date="01/05/2493", sex="female"
    )
    data = same | {"phone": "0812345678", "id_type": "none", "id_number": ""}
    html = client_for(chair_a).post(reverse("registry:person_create"), data).content.decode()
    warning = html.split('id="duplicates-heading"')[1].split("</section>")[0]
    assert "ลงทะเบียนไว้แล้วนอกพื้นที่ของคุณ กรุณาสอบถามเจ้าหน้าที่ของคุณ" in warning
    # No link, no initials, birth year, place, center or reasons: the page is no identity oracle.
    assert reverse("registry:person_detail", args=[other.pk]) not in html
    for detail in ("บุ…", "ศรีสุข", "2493", "ทวีวัฒนา", "หมายเลขโทรศัพท์เดียวกัน", "77"):
        assert detail not in warning, detail
    assert not Person.objects.filter(center__district_id="1005").exists()


def test_it_shows_a_duplicate_inside_the_scope_with_its_details_and_link(client_for, chair_a):
    mine = make_person(chair_a, phone="0812345678")
    data = form_data(
        title="นาง", first_name="บุญมี", last_name="ศรีสุก", birth_date="01/05/2493", sex="female"
    )
    html = client_for(chair_a).post(reverse("registry:person_create"), data).content.decode()
    warning = html.split('id="duplicates-heading"')[1].split("</section>")[0]
    assert reverse("registry:person_detail", args=[mine.pk]) in warning
    assert "บุญมี ศรีสุข" in warning and "2493" in warning
    assert "นอกพื้นที่ของคุณ" not in warning
    assert Person.objects.count() == 1


def test_it_refuses_registration_outside_the_area(client_for, volunteer_b, center_a):
    response = client_for(volunteer_b).post(reverse("registry:person_create"), form_data())
    assert response.status_code == 200
    assert "นอกพื้นที่ที่คุณรับผิดชอบ" in response.content.decode()
    assert not Person.objects.exists()


def test_it_refuses_registration_to_users_without_a_registry_role(client_for, agency_user, dpo):
    for user in (agency_user, dpo):
        assert client_for(user).get(reverse("registry:person_create")).status_code == 403


def test_it_shows_script_in_a_name_as_text(client_for, chair_a):
    response = client_for(chair_a).post(
        reverse("registry:person_create"),
        form_data(first_name="<script>alert(1)</script>", last_name="<b>x</b>"),
    )
    assert response.status_code == 302
    html = client_for(chair_a).get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html and "<b>x</b>" not in html
    listing = client_for(chair_a).get(reverse("registry:person_list")).content.decode()
    assert "&lt;script&gt;" in listing and "<script>alert" not in listing


# --- person page -------------------------------------------------------------------------------


def test_it_shows_the_person_page_with_timeline(client_for, chair_a):
    number = new_national_id()
    person = make_person(chair_a, id_type="national_id", id_number=number)
    record_problem(actor=chair_a, person=person, problem_type=ProblemType.objects.get(code="debt"))
    html = client_for(chair_a).get(reverse("registry:person_detail", args=[person.pk]))
    html = html.content.decode()
    assert format_national_id(number) in html
    assert "ยังไม่มีฐานทางกฎหมาย" in html
    assert "ลงทะเบียนบุคคล" in html and "บันทึกปัญหา" in html and "หนี้สิน" in html
    assert "ครัวเรือน" in html


def test_it_refuses_the_person_page_outside_the_scope(
    client_for, chair_a, volunteer_b, outside_officer, agency_user
):
    person = make_person(chair_a)
    for user in (volunteer_b, outside_officer, agency_user):
        client = client_for(user)
        for name in ("person_detail", "person_edit", "problem_create", "consent_create"):
            assert client.get(reverse(f"registry:{name}", args=[person.pk])).status_code == 404
    assert (
        client_for(chair_a).get(reverse("registry:person_detail", args=[999999])).status_code == 404
    )


def test_it_lets_an_officer_read_and_the_dpo_not(client_for, chair_a, officer, dpo):
    person = make_person(chair_a)
    assert (
        client_for(officer).get(reverse("registry:person_detail", args=[person.pk])).status_code
        == 200
    )
    assert (
        client_for(dpo).get(reverse("registry:person_detail", args=[person.pk])).status_code == 404
    )


def test_it_keeps_the_person_page_queries_constant(client_for, chair_a):
    person = make_person(chair_a)
    household = create_household(actor=chair_a, head=person)
    client = client_for(chair_a)
    url = reverse("registry:person_detail", args=[person.pk])
    problem_types = list(ProblemType.objects.all())
    record_problem(actor=chair_a, person=person, problem_type=problem_types[0])
    record_consent(
        actor=chair_a,
        person=person,
        basis="public_task",
        given_by="not_applicable",
        given_on=dt.date(2024, 1, 1),
        method="not_applicable",
    )
    record_household_assessment(actor=chair_a, household=household, indicators={})
    few = _count(client, url)
    for problem_type in problem_types[1:8]:
        record_problem(actor=chair_a, person=person, problem_type=problem_type)
    for day in range(2, 6):
        record_consent(
            actor=chair_a,
            person=person,
            basis="public_task",
            given_by="not_applicable",
            given_on=dt.date(2024, 1, day),
            method="not_applicable",
        )
        record_household_assessment(actor=chair_a, household=household, indicators={})
    for number in range(5):
        other = make_person(chair_a, first_name=f"สมาชิก{number}", birth_date=None)
        from asa.registry.actions import add_household_member

        add_household_member(actor=chair_a, household=household, person=other, relationship="child")
    assert _count(client, url) == few


# --- problems and consent ------------------------------------------------------------------


def test_it_records_consent_and_shows_errors_in_thai(client_for, chair_a):
    person = make_person(chair_a)
    client = client_for(chair_a)
    url = reverse("registry:consent_create", args=[person.pk])
    bad = {
        "basis": "consent",
        "given_by": "self",
        "given_on": "01/01/2567",
        "method": "verbal_witnessed",
    }
    html = client.post(url, bad).content.decode()
    assert "ความยินยอมด้วยวาจาต้องมีพยาน" in html
    assert not Consent.objects.exists()
    response = client.post(url, {**bad, "witness_name": "นายพยาน ดี", "allows_sharing": "on"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.allows_sharing
    html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "ยังไม่มีฐานทางกฎหมาย" not in html
    withdraw = reverse("registry:consent_withdraw", args=[consent.pk])
    assert "กรุณาระบุเหตุผล" in client.post(withdraw, {"reason": ""}).content.decode()
    assert client.post(withdraw, {"reason": "ขอถอน"}).status_code == 302
    html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "ยังไม่มีฐานทางกฎหมาย" in html


def test_it_records_a_problem_and_changes_its_status(client_for, chair_a, volunteer_b):
    person = make_person(chair_a)
    client = client_for(chair_a)
    debt = ProblemType.objects.get(code="debt")
    url = reverse("registry:problem_create", args=[person.pk])
    assert "กรุณาเลือกปัญหา" in client.post(url, {"severity": "low"}).content.decode()
    assert client.post(url, {"problem_type": debt.pk, "severity": "low"}).status_code == 302
    problem = PersonProblem.objects.get()
    status_url = reverse("registry:problem_status", args=[problem.pk])
    assert client_for(volunteer_b).post(status_url, {"status": "resolved"}).status_code == 404
    assert client.post(status_url, {"status": "resolved"}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == "resolved"


# --- edit --------------------------------------------------------------------------------------


def _edit_data(person, **overrides):
    data = form_data(
        title=person.title,
        first_name=person.first_name,
        last_name=person.last_name,
        id_type="none",
        id_number="",
        birth_date="01/05/2493",
        version=person.version,
    )
    data.update(overrides)
    return data


def test_it_edits_a_person(client_for, chair_a):
    person = make_person(chair_a)
    client = client_for(chair_a)
    url = reverse("registry:person_edit", args=[person.pk])
    html = client.get(url).content.decode()
    assert 'value="01/05/2493"' in html and 'name="version"' in html
    response = client.post(url, _edit_data(person, phone="0899999999"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "0899999999" and person.version == 2


def test_it_keeps_the_typing_when_someone_else_edited_first(client_for, chair_a, officer):
    person = make_person(chair_a)
    opened = person.version
    update_person(actor=officer, person=Person.objects.get(pk=person.pk), phone="0811111111")
    response = client_for(chair_a).post(
        reverse("registry:person_edit", args=[person.pk]),
        _edit_data(person, version=opened, notes="สิ่งที่ฉันพิมพ์"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ถูกแก้ไขโดยผู้อื่น" in html
    assert "สิ่งที่ฉันพิมพ์" in html
    person.refresh_from_db()
    assert person.phone == "0811111111" and person.notes == ""


def test_it_lets_a_volunteer_of_the_center_edit(client_for, chair_a, volunteer_a):
    # Volunteers record people in the field, so they write in their own center (access rules);
    # the 403 cases of the registry are the merge decisions (see the duplicates tests).
    person = make_person(chair_a)
    assert (
        client_for(volunteer_a).get(reverse("registry:person_edit", args=[person.pk])).status_code
        == 200
    )
