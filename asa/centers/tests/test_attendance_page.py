"""The attendance page for a phone: volunteer codes (typed or scanned), one line per volunteer,
and a query count that does not grow with the center."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asa.centers.models import Volunteer
from asa.centers.tests.test_events import make_training, own
from asa.conftest import make_volunteer

pytestmark = pytest.mark.django_db


def test_a_volunteer_code_reads_typed_scanned_or_in_thai_digits():
    assert Volunteer.pk_from_code("V000123") == 123
    assert Volunteer.pk_from_code(" v123 ") == 123
    assert Volunteer.pk_from_code("๑๒๓") == 123
    assert Volunteer.pk_from_code("V") is None
    assert Volunteer.pk_from_code("BKK-1005") is None
    assert Volunteer.pk_from_code("9" * 12) is None  # not an id: nothing to look up
    assert Volunteer(pk=42).code == "V000042"


def test_codes_typed_on_the_page_tick_those_volunteers(client_for, chair_a, volunteer_a, center_a):
    event = make_training(center_a, actor=chair_a)
    member, colleague = own(volunteer_a), make_volunteer(center_a, first_name="เพื่อนอาสา")
    make_volunteer(center_a, first_name="ไม่ได้มา")
    url = reverse("centers:event_attendance", args=[event.pk])
    client = client_for(chair_a)
    page = client.get(url).content.decode()
    assert member.code in page and 'name="codes"' in page
    # One ticked by hand, one by a scanned code, one typed in Thai digits (the same person).
    thai = member.code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    response = client.post(url, {"present": [member.pk], "codes": f"{colleague.code}\n{thai}"})
    assert response.status_code == 302
    assert set(event.attendances.values_list("volunteer_id", flat=True)) == {
        member.pk,
        colleague.pk,
    }


def test_an_unknown_code_names_the_field_and_changes_nothing(
    client_for, chair_a, volunteer_a, volunteer_b, center_a
):
    event = make_training(center_a, actor=chair_a)
    member, outsider = own(volunteer_a), own(volunteer_b)  # B's volunteer may not attend
    url = reverse("centers:event_attendance", args=[event.pk])
    response = client_for(chair_a).post(
        url, {"present": [member.pk], "codes": f"{outsider.code}, V99999x"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "รหัส อพม. ไม่อยู่ในรายชื่อผู้มีสิทธิ์ร่วมกิจกรรมนี้" in html
    assert outsider.code in html and "V99999x" in html
    assert 'id="attendance-codes-error"' in html  # next to the field
    assert not event.attendances.exists()


def test_another_centers_chair_cannot_take_attendance_by_code(
    client_for, chair_a, chair_b, volunteer_a, center_a
):
    event = make_training(center_a, actor=chair_a)
    url = reverse("centers:event_attendance", args=[event.pk])
    response = client_for(chair_b).post(url, {"codes": own(volunteer_a).code})
    assert response.status_code in (403, 404)
    assert not event.attendances.exists()


def test_the_attendance_page_keeps_its_queries_constant(client_for, chair_a, center_a):
    event = make_training(center_a, actor=chair_a)
    client = client_for(chair_a)
    url = reverse("centers:event_attendance", args=[event.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    few = count()
    for number in range(12):
        make_volunteer(center_a, first_name=f"อาสา{number}")
    assert count() == few
