"""Casework pages: scope on every URL, Thai errors next to fields with nothing saved, queries."""

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from asa.accounts.actions import notify
from asa.accounts.models import AuditEvent, Notification
from asa.cases import actions
from asa.cases.models import Assistance, Case, PlanItem, Status, Visit, VisitPhoto
from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.lib.thai import format_be_date_numeric
from asa.registry.actions import create_household, register_person


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def volunteer_of(user):
    return Volunteer.objects.get(user=user)


_birth_years = itertools.count()


def make_person(actor, first_name="บุญมี", **overrides):
    # A different birth year each time: the registry would rightly suspect a duplicate.
    values = {
        "first_name": first_name,
        "last_name": "ศรีสุข",
        "birth_date": dt.date(1930 + next(_birth_years) % 80, 5, 1),
        "subdistrict": "100502",
    }
    return register_person(actor=actor, **(values | overrides))


def make_case(chair, volunteer_user, person=None, **overrides):
    person = person or make_person(chair)
    if not person.memberships.exists():
        create_household(actor=chair, head=person)
    values = {"source": "field", "urgency": "urgent", "story": "ผู้สูงอายุอยู่ลำพัง"}
    case = actions.open_case(actor=volunteer_user, person=person, **(values | overrides))
    # Reported two days ago, so a visit "today at any time" is never before the report.
    Case.objects.filter(pk=case.pk).update(reported_at=timezone.now() - dt.timedelta(days=2))
    actions.assign_case(actor=chair, case=case, volunteers=[volunteer_of(volunteer_user)])
    case.refresh_from_db()
    return case


@pytest.fixture
def case(chair_a, volunteer_a):
    return make_case(chair_a, volunteer_a)


def jpeg(size=(800, 600), name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def be(day: dt.date) -> str:
    return format_be_date_numeric(day)


def case_urls(case):
    return [
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:visit_create", args=[case.pk]),
    ]


def post_urls(case):
    return [
        reverse(name, args=[case.pk])
        for name in (
            "cases:case_assign",
            "cases:case_unassign",
            "cases:case_status",
            "cases:case_transfer",
            "cases:plan_item_create",
            "cases:assistance_create",
            "cases:closure_request",
            "cases:closure_approve",
            "cases:case_reopen",
            "cases:visit_create",
        )
    ]


# --- Scope ------------------------------------------------------------------------------------


def test_everyone_in_scope_opens_the_case_page(
    case, client_for, chair_a, volunteer_a, officer, district_officer_a, admin_user
):
    for user in (chair_a, volunteer_a, officer, district_officer_a, admin_user):
        client = client_for(user)
        if user in (officer, district_officer_a, admin_user):
            # Outside their routine work: the reason for access first (accounts/reads.py).
            client.post(
                reverse("audit:access_reason"),
                {"object_type": "cases.case", "object_id": case.pk, "reason": "ตรวจติดตามกรณี"},
            )
        response = client.get(reverse("cases:case_detail", args=[case.pk]))
        assert response.status_code == 200, user
        assert case.person.full_name in response.content.decode()


def test_another_centers_volunteer_gets_404_on_every_case_url(
    case, client_for, volunteer_b, chair_b, outside_officer, agency_user
):
    visit = actions.record_visit(
        actor=None, case=case, visited_at=timezone.now(), observations="พบ", photos=[jpeg()]
    )
    item = actions.add_plan_item(
        actor=None,
        case=case,
        need="อาหาร",
        action="ถุงยังชีพ",
        responsible_other="อบต.",
        due_on=timezone.localdate(),
    )
    photo_url = reverse("cases:visit_photo", args=[visit.photos.get().pk])
    plan_url = reverse("cases:plan_item_update", args=[item.pk])
    before = AuditEvent.objects.count()
    for user in (volunteer_b, chair_b, outside_officer, agency_user):
        client = client_for(user)
        for url in [*case_urls(case), photo_url]:
            assert client.get(url).status_code == 404, (user, url)
        for url in [*post_urls(case), plan_url]:
            response = client.post(
                url, {"status": "assessed", "reason": "x", "outcome": "resolved"}
            )
            assert response.status_code == 404, (user, url)
        assert client.get(reverse("cases:case_create"), {"person": case.person_id}).status_code in (
            403,
            404,
        )
        html = client.get(reverse("cases:case_list")).content.decode()
        assert case.number not in html
        html = client.get(reverse("cases:watch")).content.decode()
        assert case.number not in html
    # Refused attempts write nothing; only the case lists they opened are logged (as searches).
    assert AuditEvent.objects.exclude(action="search_records").count() == before


def test_an_unassigned_volunteer_of_the_same_center_cannot_open_the_case(
    case, client_for, center_a
):
    other = make_volunteer(center_a, first_name="อีกคน")
    from asa.accounts.actions import create_user
    from asa.centers.actions import link_volunteer_account

    user = create_user(actor=None, username="other.a", password=None)
    link_volunteer_account(actor=None, volunteer=other, user=user)
    assert client_for(user).get(reverse("cases:case_detail", args=[case.pk])).status_code == 404


def test_a_volunteer_cannot_assign_transfer_or_approve(case, client_for, volunteer_a, center_b):
    client = client_for(volunteer_a)
    version = case.version
    responses = [
        client.post(
            reverse("cases:case_assign", args=[case.pk]),
            {"volunteers": [volunteer_of(volunteer_a).pk], "version": version},
        ),
        client.post(
            reverse("cases:case_transfer", args=[case.pk]),
            {"to_center": center_b.pk, "reason": "ย้าย", "version": version},
        ),
        client.post(reverse("cases:closure_approve", args=[case.pk]), {"version": version}),
        client.post(reverse("cases:case_reopen", args=[case.pk]), {"reason": "x"}),
    ]
    assert [response.status_code for response in responses] == [403] * 4
    case.refresh_from_db()
    assert case.version == version


def test_post_only_urls_refuse_get(case, client_for, chair_a):
    for url in post_urls(case)[:-1]:
        assert client_for(chair_a).get(url).status_code == 405


def test_caseload_is_for_managers(case, client_for, chair_a, volunteer_a, officer):
    url = reverse("cases:caseload")
    assert client_for(volunteer_a).get(url).status_code == 403
    html = client_for(chair_a).get(url).content.decode()
    assert volunteer_of(volunteer_a).full_name in html
    assert client_for(officer).get(url).status_code == 200


# --- Intake -----------------------------------------------------------------------------------


def test_intake_searches_first_then_opens_a_case(client_for, chair_a, volunteer_a, center_a):
    person = make_person(chair_a, first_name="สมศรี")
    client = client_for(volunteer_a)
    html = client.get(reverse("cases:case_create"), {"q": "สมศรี"}).content.decode()
    assert f"?person={person.pk}" in html
    form = client.get(reverse("cases:case_create"), {"person": person.pk})
    assert form.status_code == 200
    problems = list(form.context["form"].fields["problems"].queryset[:1])
    response = client.post(
        reverse("cases:case_create"),
        {
            "person": person.pk,
            "source": "hotline",
            "reporter_name": "เพื่อนบ้าน",
            "reporter_phone": "081-234-5678",
            "reported_on": be(timezone.localdate() - dt.timedelta(days=1)),
            "reported_time": "08:30",
            "urgency": "emergency",
            "problems": [p.pk for p in problems],
            "story": "ไม่มีอาหาร",
        },
    )
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.center == center_a and case.urgency == "emergency"
    assert case.reporter_phone == "0812345678"
    assert timezone.localtime(case.reported_at).strftime("%H:%M") == "08:30"
    assert list(case.problems.all()) == problems
    assert client.get(response["Location"]).status_code == 200  # the reporter may follow it


def test_intake_refuses_bad_input_in_thai_and_saves_nothing(client_for, chair_a, volunteer_a):
    person = make_person(chair_a)
    response = client_for(volunteer_a).post(
        reverse("cases:case_create"),
        {
            "person": person.pk,
            "source": "field",
            "urgency": "routine",
            "reported_on": be(timezone.localdate() + dt.timedelta(days=2)),
            "story": "",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["story"] == ["กรุณาเล่าเรื่องโดยย่อ"]
    assert Case.objects.count() == 0
    response = client_for(volunteer_a).post(
        reverse("cases:case_create"),
        {
            "person": person.pk,
            "source": "field",
            "urgency": "routine",
            "reported_on": be(timezone.localdate() + dt.timedelta(days=2)),
            "story": "เรื่อง",
        },
    )
    assert "ไม่อยู่ในอนาคต" in response.context["form"].errors["reported_on"][0]
    assert Case.objects.count() == 0


def test_intake_is_refused_to_people_without_casework(client_for, agency_user, dpo):
    for user in (agency_user, dpo):
        assert client_for(user).get(reverse("cases:case_create")).status_code == 403


# --- Case page writes -------------------------------------------------------------------------


def test_the_chair_assigns_and_unassigns(client_for, chair_a, volunteer_a, center_a):
    case = make_case(chair_a, volunteer_a)
    other = make_volunteer(center_a, first_name="มาช่วย")
    client = client_for(chair_a)
    response = client.post(
        reverse("cases:case_assign", args=[case.pk]),
        {"volunteers": [other.pk], "version": case.version},
    )
    assert response.status_code == 302
    assert case.assignments.filter(volunteer=other, ended_at__isnull=True).exists()
    client.post(reverse("cases:case_unassign", args=[case.pk]), {"volunteer": other.pk})
    assert not case.assignments.filter(volunteer=other, ended_at__isnull=True).exists()


def test_assigning_another_centers_volunteer_is_refused_in_thai(
    case, client_for, chair_a, center_b
):
    outsider = make_volunteer(center_b)
    response = client_for(chair_a).post(
        reverse("cases:case_assign", args=[case.pk]),
        {"volunteers": [outsider.pk], "version": case.version},
    )
    assert response.status_code == 400
    assert "ศูนย์ที่รับผิดชอบกรณีนี้" in response.context["assign_form"].errors["volunteers"][0]
    assert not case.assignments.filter(volunteer=outsider).exists()


def test_a_stale_status_change_is_refused_with_the_thai_message(case, client_for, chair_a, officer):
    old_version = case.version
    client_for(officer).post(
        reverse("cases:case_status", args=[case.pk]), {"status": "assessed", "version": old_version}
    )
    response = client_for(chair_a).post(
        reverse("cases:case_status", args=[case.pk]),
        {"status": "in_progress", "version": old_version},
    )
    assert response.status_code == 400
    assert "ถูกแก้ไขโดยผู้อื่น" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ASSESSED


def test_status_buttons_move_the_case(case, client_for, volunteer_a):
    html = client_for(volunteer_a).get(reverse("cases:case_detail", args=[case.pk])).content
    assert 'value="assessed"' in html.decode()
    response = client_for(volunteer_a).post(
        reverse("cases:case_status", args=[case.pk]),
        {"status": "assessed", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSESSED


def test_a_manager_transfers_with_a_reason(case, client_for, chair_a, officer, center_b):
    url = reverse("cases:case_transfer", args=[case.pk])
    response = client_for(officer).post(
        url, {"to_center": center_b.pk, "reason": "", "version": case.version}
    )
    assert response.context["transfer_form"].errors["reason"] == ["กรุณาระบุเหตุผลการโอนกรณี"]
    response = client_for(chair_a).post(
        url, {"to_center": center_b.pk, "reason": "ย้ายบ้าน", "version": case.version}
    )
    case.refresh_from_db()
    assert case.center == center_b
    assert response["Location"] == reverse("cases:case_list")  # no longer chair_a's case


def test_a_plan_item_needs_an_owner(case, client_for, volunteer_a):
    url = reverse("cases:plan_item_create", args=[case.pk])
    data = {"need": "อาหาร", "action": "ถุงยังชีพ", "due_on": be(timezone.localdate())}
    response = client_for(volunteer_a).post(url, data)
    assert response.status_code == 400
    assert "ผู้รับผิดชอบ" in response.context["plan_form"].errors["responsible_volunteer"][0]
    assert PlanItem.objects.count() == 0
    response = client_for(volunteer_a).post(
        url, data | {"responsible_volunteer": volunteer_of(volunteer_a).pk}
    )
    item = PlanItem.objects.get()
    client_for(volunteer_a).post(
        reverse("cases:plan_item_update", args=[item.pk]),
        {"status": "done", "progress_note": "ส่งของแล้ว"},
    )
    item.refresh_from_db()
    assert item.status == "done" and item.progress_note == "ส่งของแล้ว"


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-100", "มากกว่า 0"), ("9000000", "สูงผิดปกติ"), ("สามพัน", "เป็นตัวเลข"), ("NaN", "ตัวเลข")],
)
def test_absurd_assistance_amounts_are_refused(case, client_for, chair_a, amount, message):
    response = client_for(chair_a).post(
        reverse("cases:assistance_create", args=[case.pk]),
        {
            "kind": "emergency_grant",
            "regulation": "ระเบียบฯ",
            "amount": amount,
            "description": "เงินสงเคราะห์",
            "given_on": be(timezone.localdate()),
        },
    )
    assert response.status_code == 400
    assert message in response.context["assistance_form"].errors["amount"][0]
    assert Assistance.objects.count() == 0


def test_assistance_is_recorded_and_totalled(case, client_for, chair_a):
    response = client_for(chair_a).post(
        reverse("cases:assistance_create", args=[case.pk]),
        {
            "kind": "emergency_grant",
            "regulation": "ระเบียบกรมพัฒนาสังคมฯ",
            "amount": "3,000",
            "description": "เงินสงเคราะห์กรณีฉุกเฉิน",
            "given_on": be(timezone.localdate()),
        },
    )
    assert response.status_code in (302, 400)
    if response.status_code == 400:  # a thousands separator is not a number to the form
        assert "amount" in response.context["assistance_form"].errors
    client_for(chair_a).post(
        reverse("cases:assistance_create", args=[case.pk]),
        {
            "kind": "emergency_grant",
            "regulation": "ระเบียบกรมพัฒนาสังคมฯ",
            "amount": "3000",
            "description": "เงินสงเคราะห์กรณีฉุกเฉิน",
            "given_on": be(timezone.localdate()),
        },
    )
    assert Assistance.objects.get().amount == Decimal("3000")
    html = client_for(chair_a).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "3,000.00" in html and "รวมความช่วยเหลือที่บุคคลนี้ได้รับจากทุกศูนย์" in html


def test_closure_needs_an_outcome_then_a_chairs_approval(
    case, client_for, volunteer_a, chair_a, django_capture_on_commit_callbacks
):
    url = reverse("cases:closure_request", args=[case.pk])
    response = client_for(volunteer_a).post(url, {"outcome": "", "version": case.version})
    assert response.context["closure_form"].errors["outcome"] == ["กรุณาเลือกผลการดำเนินงานก่อนปิดกรณี"]
    case.refresh_from_db()
    assert case.status != Status.CLOSURE_REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        client_for(volunteer_a).post(url, {"outcome": "resolved", "version": case.version})
    case.refresh_from_db()
    assert case.status == Status.CLOSURE_REQUESTED
    assert Notification.objects.filter(user=chair_a, kind="closure_requested").exists()
    client_for(chair_a).post(
        reverse("cases:closure_approve", args=[case.pk]), {"version": case.version}
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    response = client_for(chair_a).post(
        reverse("cases:case_reopen", args=[case.pk]), {"reason": "", "version": case.version}
    )
    assert response.context["reopen_form"].errors["reason"]
    client_for(chair_a).post(
        reverse("cases:case_reopen", args=[case.pk]),
        {"reason": "ปัญหากลับมา", "version": case.version},
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_the_timeline_shows_thai_labels_newest_first(case, client_for, chair_a):
    html = client_for(chair_a).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert html.index("มอบหมาย อพม.</strong>") < html.index("รับเรื่อง</strong>")
    assert "assign_case" not in html


# --- Visits and photos ------------------------------------------------------------------------


def visit_data(**overrides):
    return {
        "visited_on": be(timezone.localdate()),
        "visited_time": timezone.localtime().strftime("%H:%M"),
        "observations": "บ้านทรุดโทรม ขาดอาหาร",
        "met_whom": "ตัวผู้สูงอายุ",
        "next_visit_on": be(timezone.localdate() + dt.timedelta(days=3)),
        **overrides,
    }


def test_a_visit_with_reassessment_photos_and_next_date(case, client_for, volunteer_a):
    url = reverse("cases:visit_create", args=[case.pk])
    client = client_for(volunteer_a)
    page = client.get(url).content.decode()
    assert 'data-draft-key="visit-draft-' in page and "capture" in page
    response = client.post(
        url,
        visit_data(
            volunteers=[volunteer_of(volunteer_a).pk],
            reassess="on",
            indicators=["clean_water", "secure_housing"],
            latitude="13.873",
            longitude="100.596",
            photos=[jpeg(name="a.jpg"), jpeg(name="b.jpg")],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    visit = Visit.objects.get()
    assert visit.assessment.housing_score == 50 and visit.photos.count() == 2
    case.refresh_from_db()
    assert case.next_follow_up_on == timezone.localdate() + dt.timedelta(days=3)
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert f'data-clear-draft="visit-draft-{case.pk}"' in html
    photo = visit.photos.first()
    assert reverse("cases:visit_photo", args=[photo.pk]) in html
    assert "/media/" not in html and photo.image.name not in html
    # Only once: the next page view no longer clears the draft.
    html = client.get(response["Location"]).content.decode()
    assert "data-clear-draft" not in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"visited_on": "__future__"}, "visited_on", "ไม่อยู่ในอนาคต"),
        ({"visited_on": "__before__"}, "visited_on", "ไม่ก่อนวันที่รับแจ้ง"),
        ({"observations": ""}, "observations", "กรุณาบันทึกสิ่งที่พบเห็น"),
        ({"visited_on": "01/01/2024"}, "visited_on", ""),  # a CE year typed into a BE field
        ({"latitude": "51.5", "longitude": "100.5"}, "latitude", "นอกประเทศไทย"),
        ({"photos": "__text__"}, "photos", "ไม่ใช่ภาพ"),
    ],
)
def test_bad_visits_get_thai_errors_and_save_nothing(
    case, client_for, volunteer_a, overrides, field, message
):
    values = dict(overrides)
    if values.get("visited_on") == "__future__":
        values["visited_on"] = be(timezone.localdate() + dt.timedelta(days=2))
    if values.get("visited_on") == "__before__":
        values["visited_on"] = be(timezone.localdate() - dt.timedelta(days=30))
    if values.get("photos") == "__text__":
        values["photos"] = [
            SimpleUploadedFile("notes.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
        ]
    response = client_for(volunteer_a).post(
        reverse("cases:visit_create", args=[case.pk]), visit_data(**values)
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in errors[field][0]
    assert Visit.objects.count() == 0 and VisitPhoto.objects.count() == 0


def test_a_30_megabyte_photo_is_refused(case, client_for, volunteer_a):
    big = SimpleUploadedFile(
        "huge.jpg", b"\xff\xd8" + b"0" * (30 * 1024 * 1024), content_type="image/jpeg"
    )
    response = client_for(volunteer_a).post(
        reverse("cases:visit_create", args=[case.pk]), visit_data(photos=[big])
    )
    assert "10 MB" in response.context["form"].errors["photos"][0]
    assert Visit.objects.count() == 0


def test_photos_are_streamed_privately_through_the_access_layer(
    case, client_for, volunteer_a, chair_a, volunteer_b, settings
):
    visit = actions.record_visit(
        actor=volunteer_a, case=case, visited_at=timezone.now(), observations="พบ", photos=[jpeg()]
    )
    photo = visit.photos.get()
    url = reverse("cases:visit_photo", args=[photo.pk])
    response = client_for(chair_a).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client_for(volunteer_b).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    # The storage path is never reachable as a public URL.
    public = settings.MEDIA_URL.rstrip("/") + "/" + photo.image.name
    assert client_for(chair_a).get(public).status_code == 404


# --- Watch, today, lists ----------------------------------------------------------------------


def test_the_watch_list_sorts_by_urgency_in_three_sections(client_for, chair_a, volunteer_a):
    today = timezone.localdate()
    routine = make_case(chair_a, volunteer_a, urgency="routine")
    emergency = make_case(
        chair_a, volunteer_a, person=make_person(chair_a, "สมชาย"), urgency="emergency"
    )
    later = make_case(chair_a, volunteer_a, person=make_person(chair_a, "สมปอง"))
    Case.objects.filter(pk__in=[routine.pk, emergency.pk]).update(next_follow_up_on=today)
    Case.objects.filter(pk=later.pk).update(next_follow_up_on=today + dt.timedelta(days=3))
    response = client_for(chair_a).get(reverse("cases:watch"))
    sections = {section["bucket"]: section for section in response.context["sections"]}
    assert [c.pk for c in sections["today"]["page_obj"]] == [emergency.pk, routine.pk]
    assert [c.pk for c in sections["week"]["page_obj"]] == [later.pk]
    assert sections["overdue"]["count"] == 0
    html = response.content.decode()
    assert volunteer_of(volunteer_a).full_name in html  # who is on it


def test_today_shows_due_visits_and_new_assignments(client_for, chair_a, volunteer_a):
    case = make_case(chair_a, volunteer_a)
    Case.objects.filter(pk=case.pk).update(
        next_follow_up_on=timezone.localdate() - dt.timedelta(days=1)
    )
    response = client_for(volunteer_a).get(reverse("cases:today"))
    html = response.content.decode()
    assert reverse("cases:visit_create", args=[case.pk]) in html
    assert list(response.context["page_obj"]) == [Case.objects.get(pk=case.pk)]
    assert response.context["new_cases"] == [Case.objects.get(pk=case.pk)]


def test_home_sends_a_volunteer_to_today(client_for, volunteer_a, chair_a):
    assert client_for(volunteer_a).get("/")["Location"] == reverse("cases:today")
    assert client_for(chair_a).get("/")["Location"] != reverse("cases:today")


def test_the_case_list_filters(client_for, chair_a, volunteer_a, center_a):
    first = make_case(chair_a, volunteer_a, urgency="emergency")
    second = make_case(chair_a, volunteer_a, person=make_person(chair_a, "สมปอง"))
    helper = make_volunteer(center_a, first_name="ช่วย")
    actions.assign_case(actor=chair_a, case=second, volunteers=[helper])
    client = client_for(chair_a)
    url = reverse("cases:case_list")
    assert [c.pk for c in client.get(url, {"urgency": "emergency"}).context["page_obj"]] == [
        first.pk
    ]
    assert [c.pk for c in client.get(url, {"volunteer": helper.pk}).context["page_obj"]] == [
        second.pk
    ]
    assert client.get(url, {"status": "closed"}).context["page_obj"].paginator.count == 0
    assert (
        client.get(url, {"status": "open", "center": center_a.pk})
        .context["page_obj"]
        .paginator.count
        == 2
    )


def _count(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


def _grow(chair, volunteer, number, start=0):
    for index in range(start, start + number):
        case = make_case(chair, volunteer, person=make_person(chair, f"คนที่{index}"))
        Case.objects.filter(pk=case.pk).update(
            next_follow_up_on=timezone.localdate() + dt.timedelta(days=(-1, 0, 3)[index % 3])
        )
        actions.record_visit(
            actor=volunteer,
            case=case,
            visited_at=timezone.now(),
            observations="พบ",
            volunteers=[volunteer_of(volunteer)],
            photos=[jpeg((20, 20))] if index % 2 else [],
        )


@pytest.mark.parametrize(
    "name",
    ["cases:case_list", "cases:watch", "cases:today", "cases:caseload", "cases:notification_list"],
)
def test_list_pages_keep_their_queries_constant(name, client_for, chair_a, volunteer_a):
    user = volunteer_a if name == "cases:today" else chair_a
    client = client_for(user)
    url = reverse(name)
    _grow(chair_a, volunteer_a, 3)  # one case in each watch section
    few = _count(client, url)
    _grow(chair_a, volunteer_a, 9, start=3)
    assert _count(client, url) == few


def test_the_case_page_keeps_its_queries_constant(client_for, chair_a, volunteer_a):
    case = make_case(chair_a, volunteer_a)
    client = client_for(chair_a)
    url = reverse("cases:case_detail", args=[case.pk])

    def grow(number):
        for index in range(number):
            actions.record_visit(
                actor=volunteer_a,
                case=case,
                visited_at=timezone.now(),
                observations=f"ครั้งที่ {index}",
                photos=[jpeg((20, 20))],
                volunteers=[volunteer_of(volunteer_a)],
            )
            actions.add_plan_item(
                actor=chair_a,
                case=case,
                need="n",
                action="a",
                responsible_volunteer=volunteer_of(volunteer_a),
                due_on=timezone.localdate(),
            )
            actions.record_assistance(
                actor=chair_a,
                case=case,
                kind="goods",
                description="ข้าวสาร",
                given_on=timezone.localdate(),
            )

    grow(1)
    few = _count(client, url)
    grow(6)
    assert _count(client, url) == few


# --- Notifications ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_notifications_list_badge_and_mark_read(client_for, chair_a, volunteer_a):
    case = make_case(chair_a, volunteer_a)  # tells chair_a after commit
    client = client_for(chair_a)
    html = client.get(reverse("cases:notification_list")).content.decode()
    assert case.number in html
    assert 'class="count"' in html  # the header badge
    note = Notification.objects.get(user=chair_a, kind="case_opened")
    response = client.post(reverse("cases:notification_read"), {"id": note.pk, "next": note.url})
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    notify(user=chair_a, kind="x", message="อีกเรื่อง", dedupe_key="x1")
    client.post(reverse("cases:notification_read"), {"next": "https://evil.example/"})
    assert not Notification.objects.filter(user=chair_a, read_at__isnull=True).exists()
    # Another user's notifications are untouched by chair_a's "mark all".
    assert client_for(volunteer_a).get(reverse("cases:notification_list")).status_code == 200


def test_the_watch_command_flags_overdue_cases(case, chair_a, capsys):
    from django.core.management import call_command

    Case.objects.filter(pk=case.pk).update(
        next_follow_up_on=timezone.localdate() - dt.timedelta(days=2)
    )
    call_command("watch")
    assert "เลยกำหนดติดตาม: 1" in capsys.readouterr().out


def test_today_reads_from_the_volunteers_own_assignments(client_for, chair_a, volunteer_a):
    """The page's queries, counted: the assignments first, then the cases by their ids (not a
    scope-wide walk of the watch-order index); a case no longer theirs stays off it."""
    _grow(chair_a, volunteer_a, 3)
    theirs = make_case(chair_a, volunteer_a, person=make_person(chair_a, "ไม่ใช่ของฉัน"))
    actions.unassign_volunteer(actor=chair_a, case=theirs, volunteer=volunteer_of(volunteer_a))
    Case.objects.filter(pk=theirs.pk).update(next_follow_up_on=timezone.localdate())
    client = client_for(volunteer_a)
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("cases:today"))
    assert response.status_code == 200
    shown = {case.pk for case in response.context["page_obj"]}
    assert len(shown) == 2 and theirs.pk not in shown  # overdue and today, not next week's
    sql = [query["sql"] for query in context.captured_queries]
    # Session, user, scope, the assignments, new cases, the count and page of due cases, unread
    # notifications, and the session's save (UPDATE between a savepoint and its release).
    assert len(sql) == 11, "\n".join(sql)
