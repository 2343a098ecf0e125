"""Paper fallback: blank intake and visit forms, a case's visit form and today's visit sheet,
as Thai PDFs read back through their text layer; nobody prints outside their scope."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from asa.cases.models import Case
from asa.cases.tests.test_pages_cases import make_case, make_person


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# pdftotext gives the shaped glyphs back with the marks above and below (tone marks, sara i,
# sara u, ...) moved or split from their consonant by spaces: compare the consonants and
# spacing vowels in order, which still tells one Thai word from another.
_MARKS = re.compile(r"[\s\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def skeleton(text: str) -> str:
    return _MARKS.sub("", text.replace("\u0e33", "\u0e32"))


def pdf_text(response) -> str:
    """The PDF's text layer (poppler's pdftotext; .ci/run installs it), as a skeleton."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("poppler-utils is not installed: .ci/run installs it (apt-get)")
    done = subprocess.run(  # noqa: S603 - a fixed tool on our own bytes
        [tool, "-", "-"], input=response.content, capture_output=True, check=True
    )
    return skeleton(done.stdout.decode())


@pytest.fixture
def case(chair_a, volunteer_a):
    person = make_person(chair_a, first_name="เกษมศรี", last_name="ใจดี")
    return make_case(chair_a, volunteer_a, person=person)


def test_a_blank_intake_form_has_the_centers_name(client_for, volunteer_a, center_a):
    response = client_for(volunteer_a).get(reverse("cases:paper_intake_form"))
    text = pdf_text(response)
    assert skeleton("แบบรับแจ้งผู้ประสบปัญหาทางสังคม") in text
    assert skeleton(center_a.name_th) in text
    assert skeleton("เรื่องโดยย่อ") in text and skeleton("ความเร่งด่วน") in text
    assert skeleton("สายด่วน 1300") in text  # the intake channels, to tick


def test_an_officer_prints_the_form_of_a_center_in_their_area(
    client_for, district_officer_a, center_a
):
    url = reverse("cases:paper_intake_form") + f"?center={center_a.pk}"
    assert skeleton(center_a.name_th) in pdf_text(client_for(district_officer_a).get(url))
    # Without a center, an officer of several centers is asked to choose one.
    assert client_for(district_officer_a).get(reverse("cases:paper_visit_form")).status_code == 404


def test_a_blank_visit_form(client_for, chair_a, center_a):
    text = pdf_text(client_for(chair_a).get(reverse("cases:paper_visit_form")))
    assert skeleton("แบบบันทึกการเยี่ยมบ้าน") in text and skeleton(center_a.name_th) in text
    assert skeleton("สิ่งที่พบเห็น") in text and skeleton("นัดเยี่ยมครั้งถัดไป") in text


def test_a_cases_visit_form_has_its_number_and_person(client_for, volunteer_a, case):
    page = client_for(volunteer_a).get(reverse("cases:case_detail", args=[case.pk]))
    url = reverse("cases:paper_case_visit_form", args=[case.pk])
    assert url in page.content.decode()  # linked from the case page
    text = pdf_text(client_for(volunteer_a).get(url))
    assert case.number in text
    assert skeleton("เกษมศรี ใจดี") in text
    assert skeleton(case.center.name_th) in text


def test_nobody_prints_outside_their_scope(client_for, case, volunteer_b, chair_b, center_a):
    for user in (volunteer_b, chair_b):
        client = client_for(user)
        case_form = client.get(reverse("cases:paper_case_visit_form", args=[case.pk]))
        assert case_form.status_code == 404
        for name in ("cases:paper_intake_form", "cases:paper_visit_form"):
            other = client.get(reverse(name) + f"?center={center_a.pk}")
            assert other.status_code == 404
            assert center_a.name_th.encode() not in other.content


def test_a_volunteer_unassigned_from_a_case_no_longer_prints_it(
    client_for, chair_a, volunteer_a, center_a
):
    other = make_case(chair_a, chair_a)  # assigned to the chair, not to volunteer_a
    response = client_for(volunteer_a).get(reverse("cases:paper_case_visit_form", args=[other.pk]))
    assert response.status_code == 404


def test_todays_visit_sheet_lists_the_days_visits(client_for, chair_a, volunteer_a, case):
    today = timezone.localdate()
    later = make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name="ขวัญใจ"))
    elsewhere = make_case(chair_a, chair_a, person=make_person(chair_a, first_name="แดงดี"))
    Case.objects.filter(pk__in=[case.pk, elsewhere.pk]).update(next_follow_up_on=today)
    Case.objects.filter(pk=later.pk).update(next_follow_up_on=today + dt.timedelta(days=3))
    page = client_for(volunteer_a).get(reverse("cases:today"))
    assert reverse("cases:paper_visit_sheet") in page.content.decode()
    text = pdf_text(client_for(volunteer_a).get(reverse("cases:paper_visit_sheet")))
    assert skeleton("ใบงานเยี่ยมบ้านประจำวัน") in text
    assert case.number in text and skeleton("เกษมศรี") in text
    assert later.number not in text  # not due today
    assert elsewhere.number not in text and skeleton("แดงดี") not in text  # someone else's case
    assert skeleton("สิ่งที่พบ / บันทึก") in text


def test_an_empty_day_prints_an_empty_sheet(client_for, agency_user):
    text = pdf_text(client_for(agency_user).get(reverse("cases:paper_visit_sheet")))
    assert skeleton("วันนี้ไม่มีกรณีที่ถึงกำหนดเยี่ยม") in text


def test_anonymous_users_are_sent_to_sign_in(client, case):
    for url in (
        reverse("cases:paper_visit_sheet"),
        reverse("cases:paper_intake_form"),
        reverse("cases:paper_case_visit_form", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_visit_sheet_query_count_stays_the_same_as_visits_grow(
    client_for, chair_a, volunteer_a, case
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(volunteer_a)
    url = reverse("cases:paper_visit_sheet")
    Case.objects.filter(pk=case.pk).update(next_follow_up_on=timezone.localdate())
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for name in ("กมลา", "เกศินี", "ไพรวัลย์"):
        more = make_case(chair_a, volunteer_a, person=make_person(chair_a, first_name=name))
        Case.objects.filter(pk=more.pk).update(next_follow_up_on=timezone.localdate())
    with CaptureQueriesContext(connection) as second:
        text = pdf_text(client.get(url))
    assert len(second) == len(first)
    assert skeleton("ไพรวัลย์") in text
