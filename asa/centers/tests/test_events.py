"""Events, attendance and training certificates: the actions, then the pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.centers import attendance as attendance_actions
from asa.centers import events as event_actions
from asa.centers.models import Event, EventKind, TrainingRecord, Volunteer
from asa.conftest import make_volunteer
from asa.lib.thai import be_year, format_be_date_numeric

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


LAST_WEEK = timezone.localdate() - dt.timedelta(days=7)


def make_training(center, actor=None, **overrides) -> Event:
    values = {
        "kind": EventKind.TRAINING,
        "title": "อบรมการจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
        "starts_at": at(LAST_WEEK, 9),
        "ends_at": at(LAST_WEEK, 12),
        "place": "ที่ทำการชุมชน หมู่บ้านพร้อมสุข",
        "speakers": "นักพัฒนาสังคม สำนักงานเขตบางเขน",
        "topics": "การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม\nการเยี่ยมบ้านและการส่งต่อ",
    }
    values.update(overrides)
    return event_actions.create_event(actor=actor, center=center, **values)


def own(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


# --- Actions -----------------------------------------------------------------------------------


def test_a_chair_creates_an_event_with_an_audit_event(chair_a, center_a, center_b):
    event = make_training(center_a, actor=chair_a, other_centers=[center_b, center_a])
    assert event.center == center_a
    assert list(event.other_centers.all()) == [center_b]  # the host is not its own partner
    assert event.topics.splitlines() == [
        "การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม",
        "การเยี่ยมบ้านและการส่งต่อ",
    ]
    logged = AuditEvent.objects.get(action="create_event")
    assert logged.object_id == str(event.pk) and logged.actor == chair_a


def test_it_refuses_bad_event_input_and_saves_nothing(chair_a, center_a):
    with pytest.raises(ValidationError) as error:
        make_training(
            center_a,
            actor=chair_a,
            title="  ",
            topics="",
            ends_at=at(LAST_WEEK, 8),
        )
    assert set(error.value.message_dict) >= {"title", "ends_at"}
    with pytest.raises(ValidationError) as error:
        make_training(center_a, actor=chair_a, topics="\n \n")
    assert "topics" in error.value.message_dict  # a training needs its topics
    assert not Event.objects.exists()


def test_it_refuses_an_event_for_another_center(chair_b, center_a):
    with pytest.raises(ValidationError) as error:
        make_training(center_a, actor=chair_b)
    assert "center" in error.value.message_dict


def test_attendance_counts_and_gives_certificates(chair_a, volunteer_a, center_a):
    event = make_training(center_a, actor=chair_a)
    colleague = make_volunteer(center_a, first_name="เพื่อนอาสา")
    attendance_actions.take_attendance(
        actor=chair_a, event=event, attendees={own(volunteer_a): None, colleague: Decimal("2.5")}
    )
    event.refresh_from_db()
    assert event.volunteer_count == 2
    hours = dict(event.attendances.values_list("volunteer__first_name", "hours"))
    assert hours == {"อาสาเอ": Decimal("3.0"), "เพื่อนอาสา": Decimal("2.5")}  # default: 09–12
    records = TrainingRecord.objects.filter(event=event).order_by("certificate_number")
    assert records.count() == 4  # two attendees × two topics
    year = be_year(LAST_WEEK.year)
    assert [r.certificate_number for r in records] == [
        f"BKK-1005-{year}-000{n}" for n in range(1, 5)
    ]
    assert AuditEvent.objects.filter(action="take_attendance").count() == 1

    # Taking attendance again with one fewer: the count, the records follow; numbers go on.
    attendance_actions.take_attendance(actor=chair_a, event=event, attendees={colleague: 2})
    event.refresh_from_db()
    assert event.volunteer_count == 1
    assert not TrainingRecord.objects.filter(volunteer=own(volunteer_a)).exists()
    attendance_actions.take_attendance(
        actor=chair_a, event=event, attendees={colleague: 2, own(volunteer_a): 3}
    )
    numbers = sorted(
        TrainingRecord.objects.filter(volunteer=own(volunteer_a)).values_list(
            "certificate_number", flat=True
        )
    )
    assert numbers == [f"BKK-1005-{year}-0005", f"BKK-1005-{year}-0006"]


def test_a_new_topic_gives_every_attendee_a_certificate(chair_a, volunteer_a, center_a):
    event = make_training(center_a, actor=chair_a, topics="หัวข้อแรก")
    attendance_actions.take_attendance(
        actor=chair_a, event=event, attendees={own(volunteer_a): None}
    )
    event_actions.update_event(actor=chair_a, event=event, topics="หัวข้อแรก\nหัวข้อที่สอง")
    topics = set(TrainingRecord.objects.filter(event=event).values_list("topic", flat=True))
    assert topics == {"หัวข้อแรก", "หัวข้อที่สอง"}
    # A meeting gives no certificates: changing the kind takes them back.
    event_actions.update_event(actor=chair_a, event=event, kind=EventKind.MEETING)
    assert not TrainingRecord.objects.filter(event=event).exists()


def test_attendance_takes_only_volunteers_of_the_host_and_joint_centers(
    chair_a, center_a, center_b, volunteer_b
):
    event = make_training(center_a, actor=chair_a)
    with pytest.raises(ValidationError) as error:
        attendance_actions.take_attendance(
            actor=chair_a, event=event, attendees={own(volunteer_b): None}
        )
    assert "attendees" in error.value.message_dict
    event_actions.update_event(actor=chair_a, event=event, other_centers=[center_b])
    attendance_actions.take_attendance(
        actor=chair_a, event=event, attendees={own(volunteer_b): None}
    )
    assert event.attendances.count() == 1
    # The partner leaves: its volunteers are no longer counted, nor certified.
    event_actions.update_event(actor=chair_a, event=event, other_centers=[])
    event.refresh_from_db()
    assert event.volunteer_count == 0 and not event.attendances.exists()
    assert not TrainingRecord.objects.filter(event=event).exists()


def test_attendance_refuses_bad_hours_and_other_chairs(chair_a, chair_b, volunteer_a, center_a):
    event = make_training(center_a, actor=chair_a)
    with pytest.raises(ValidationError):
        attendance_actions.take_attendance(
            actor=chair_a, event=event, attendees={own(volunteer_a): 30}
        )
    with pytest.raises(ValidationError):
        attendance_actions.take_attendance(
            actor=chair_b, event=event, attendees={own(volunteer_a): 1}
        )
    assert not event.attendances.exists()


def test_default_hours_follow_the_event_length(chair_a, center_a):
    event = make_training(center_a, actor=chair_a, ends_at=at(LAST_WEEK, 10, 40))
    assert attendance_actions.event_hours(event) == Decimal("1.5")
    event.ends_at = event.starts_at + dt.timedelta(days=2)
    assert attendance_actions.event_hours(event) == Decimal(24)


def test_it_keeps_photos_checked_by_content(chair_a, center_a, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    event = make_training(center_a, actor=chair_a)
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        event_actions.add_event_photos(actor=chair_a, event=event, photos=[fake])
    assert "photos" in error.value.message_dict
    photos = event_actions.add_event_photos(actor=chair_a, event=event, photos=[jpeg()])
    assert photos[0].width == 40 and event.photos.count() == 1


def jpeg(name="photo.jpg"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_it_marks_the_rollups_stale(chair_a, center_a, center_b):
    from asa.reports.models import StaleMonth

    make_training(center_a, actor=chair_a, other_centers=[center_b])
    months = set(StaleMonth.objects.values_list("center_id", "month"))
    assert months >= {
        (center_a.pk, LAST_WEEK.replace(day=1)),
        (center_b.pk, LAST_WEEK.replace(day=1)),
    }


def test_only_managers_may_change_an_event(volunteer_a, chair_a, center_a):
    event = make_training(center_a, actor=chair_a)
    with pytest.raises((ValidationError, PermissionDenied)):
        event_actions.update_event(actor=volunteer_a, event=event, title="เปลี่ยนชื่อ")


# --- Pages -------------------------------------------------------------------------------------


def _event_form(center, **overrides) -> dict:
    data = {
        "center": center.pk,
        "kind": "training",
        "title": "อบรมบทบาทหน้าที่ อพม.",
        "starts_on": format_be_date_numeric(LAST_WEEK),
        "starts_time": "09:00",
        "ends_time": "12:00",
        "place": "ศูนย์ประสานงาน อพม. เขตบางเขน",
        "speakers": "นักพัฒนาสังคมชำนาญการ",
        "topics": "บทบาทหน้าที่ อพม.",
        "staff_count": "2",
        "guest_count": "5",
    }
    data.update(overrides)
    return data


def test_a_chair_creates_an_event_on_the_page(client_for, chair_a, center_a):
    response = client_for(chair_a).post(reverse("centers:event_create"), _event_form(center_a))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.kind == "training" and event.staff_count == 2
    assert timezone.localtime(event.starts_at).hour == 9
    html = client_for(chair_a).get(reverse("centers:event_detail", args=[event.pk])).content
    assert "บทบาทหน้าที่ อพม." in html.decode()


def test_the_event_form_says_what_is_wrong(client_for, chair_a, center_a):
    response = client_for(chair_a).post(
        reverse("centers:event_create"),
        _event_form(center_a, starts_on="11/03/2019", title="", topics="", ends_time="08:00"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "ปี พ.ศ." in html and "กรุณากรอกชื่อกิจกรรม" in html
    assert not Event.objects.exists()
    response = client_for(chair_a).post(
        reverse("centers:event_create"), _event_form(center_a, ends_time="08:00", topics="")
    )
    html = response.content.decode()
    assert "เวลาสิ้นสุดต้องไม่ก่อนเวลาเริ่ม" in html and "หัวข้ออย่างน้อยหนึ่งหัวข้อ" in html


def test_a_chair_may_not_create_an_event_for_another_center(client_for, chair_b, center_a):
    response = client_for(chair_b).post(reverse("centers:event_create"), _event_form(center_a))
    assert response.status_code == 200
    assert "คุณไม่มีสิทธิ์จัดกิจกรรมของศูนย์นี้" in response.content.decode()
    assert not Event.objects.exists()


def test_attendance_page_ticks_volunteers_and_issues_certificates(
    client_for, chair_a, volunteer_a, center_a
):
    event = make_training(center_a, actor=chair_a)
    member = own(volunteer_a)
    client = client_for(chair_a)
    url = reverse("centers:event_attendance", args=[event.pk])
    page = client.get(url).content.decode()
    assert "อาสาเอ" in page and 'value="3"' in page  # default hours: the event's length
    response = client.post(url, {"present": [member.pk], f"hours-{member.pk}": "๒.๕"})
    assert response.status_code == 302
    assert event.attendances.get().hours == Decimal("2.5")
    assert TrainingRecord.objects.filter(volunteer=member).count() == 2
    response = client.post(url, {"present": [member.pk], f"hours-{member.pk}": "abc"})
    assert response.status_code == 200 and "ไม่ใช่ตัวเลข" in response.content.decode()


def test_a_volunteer_sees_the_event_and_downloads_their_certificate(
    client_for, chair_a, volunteer_a, center_a
):
    event = make_training(center_a, actor=chair_a)
    colleague = make_volunteer(center_a, first_name="เพื่อนอาสา")
    attendance_actions.take_attendance(
        actor=chair_a, event=event, attendees={own(volunteer_a): None, colleague: None}
    )
    client = client_for(volunteer_a)
    html = client.get(reverse("centers:event_detail", args=[event.pk])).content.decode()
    assert "บันทึกผู้เข้าร่วม" not in html  # read-only for volunteers
    mine = TrainingRecord.objects.filter(volunteer=own(volunteer_a)).first()
    theirs = TrainingRecord.objects.filter(volunteer=colleague).first()
    assert mine.certificate_number in html and theirs.certificate_number not in html
    response = client.get(reverse("centers:certificate", args=[mine.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    thai = client.get(reverse("centers:certificate", args=[mine.pk]) + "?digits=thai")
    assert thai.status_code == 200
    # A colleague's certificate is theirs, their chair's and the officers'.
    assert client.get(reverse("centers:certificate", args=[theirs.pk])).status_code == 404
    assert (
        client_for(chair_a).get(reverse("centers:certificate", args=[theirs.pk])).status_code == 200
    )


def test_outsiders_see_no_event(client_for, chair_a, chair_b, volunteer_b, center_a):
    event = make_training(center_a, actor=chair_a)
    for user in (chair_b, volunteer_b):
        client = client_for(user)
        assert client.get(reverse("centers:event_detail", args=[event.pk])).status_code == 404
        listing = client.get(reverse("centers:event_list")).content.decode()
        assert event.title not in listing


def test_a_joint_center_sees_the_event(client_for, chair_a, volunteer_b, center_a, center_b):
    event = make_training(center_a, actor=chair_a, other_centers=[center_b])
    client = client_for(volunteer_b)
    assert client.get(reverse("centers:event_detail", args=[event.pk])).status_code == 200
    assert event.title in client.get(reverse("centers:event_list")).content.decode()


def test_event_photos_are_served_through_the_access_check(
    client_for, chair_a, chair_b, center_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    event = make_training(center_a, actor=chair_a)
    client = client_for(chair_a)
    response = client.post(
        reverse("centers:event_photo_add", args=[event.pk]), {"photos": jpeg(), "caption": "พิธีเปิด"}
    )
    assert response.status_code == 302
    photo = event.photos.get()
    assert photo.caption == "พิธีเปิด"
    served = client.get(reverse("centers:event_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert (
        client_for(chair_b).get(reverse("centers:event_photo", args=[photo.pk])).status_code == 404
    )


def test_the_event_page_takes_a_constant_number_of_queries(client_for, chair_a, center_a):
    event = make_training(center_a, actor=chair_a)

    def grow(count):
        people = [make_volunteer(center_a, first_name=f"คน{n}x{count}") for n in range(count)]
        attendees = {row.volunteer: row.hours for row in event.attendances.all()}
        attendees |= {person: None for person in people}
        attendance_actions.take_attendance(actor=chair_a, event=event, attendees=attendees)

    client = client_for(chair_a)
    grow(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("centers:event_detail", args=[event.pk])).status_code == 200
    grow(5)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("centers:event_detail", args=[event.pk])).status_code == 200
    assert len(large) == len(small)
