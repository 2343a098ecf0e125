"""Event photos over the API (issue 15: every page action has an operation): multipart upload
through the same action as the event page, with its checks (an image by content, at most
10 MB, those who run the event's center only)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from asa.accounts.models import AuditEvent
from asa.centers import events as event_actions
from asa.centers.models import EventPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def image(name="photo.jpg", size=(2400, 1200), kind="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


@pytest.fixture
def event(center_a):
    starts = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=1), dt.time(9, 0))
    )
    return event_actions.create_event(
        actor=None,
        center=center_a,
        kind="meeting",
        title="ประชุมประจำเดือน อพม.",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place="ศูนย์ประสานงาน อพม. เขตบางเขน",
    )


def url(event) -> str:
    return f"/api/v1/events/{event.pk}/photos"


def test_the_chair_adds_photos_and_reads_them_through_the_access_layer(
    api_client_for, client_for, chair_a, event
):
    response = api_client_for(chair_a).post(
        url(event),
        {"photos": [image("a.jpg"), image("b.png", kind="PNG")], "caption": "บรรยากาศการประชุม"},
    )
    assert response.status_code == 201, response.content
    detail = response.json()
    assert len(detail["photo_urls"]) == 2
    photos = list(EventPhoto.objects.filter(event=event).order_by("pk"))
    assert [photo.caption for photo in photos] == ["บรรยากาศการประชุม"] * 2
    assert max(photos[0].width, photos[0].height) <= 1600  # resized as on the page
    served = client_for(chair_a).get(detail["photo_urls"][0])
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert AuditEvent.objects.filter(action="add_event_photos", object_id=str(event.pk)).exists()


@pytest.mark.parametrize(
    ("upload", "field"),
    [
        ({"photos": SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", "image/jpeg")}, "photos"),
        ({}, "photos"),
        ({"caption": "ไม่มีภาพ"}, "photos"),
    ],
)
def test_what_is_not_an_image_is_a_422_naming_photos_and_saves_nothing(
    api_client_for, chair_a, event, upload, field
):
    response = api_client_for(chair_a).post(url(event), upload)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not EventPhoto.objects.exists()


def test_one_bad_file_among_good_ones_saves_none(api_client_for, chair_a, event):
    bad = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    response = api_client_for(chair_a).post(url(event), {"photos": [image(), bad]})
    assert response.status_code == 422
    assert not EventPhoto.objects.exists()


def test_a_photo_past_10_mb_is_refused(api_client_for, chair_a, event, monkeypatch):
    from asa.cases import actions as case_actions

    monkeypatch.setattr(case_actions, "MAXIMUM_PHOTO_BYTES", 1000)
    response = api_client_for(chair_a).post(url(event), {"photos": image()})
    assert response.status_code == 422
    assert "10 MB" in response.json()["detail"]
    assert not EventPhoto.objects.exists()


def test_a_caption_with_control_characters_is_a_422(api_client_for, chair_a, event):
    response = api_client_for(chair_a).post(url(event), {"photos": image(), "caption": "ก\x1bข"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "caption"
    assert not EventPhoto.objects.exists()


def test_a_json_body_is_refused_with_a_clear_error(api_client_for, chair_a, event):
    response = api_client_for(chair_a).post(url(event), {}, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("volunteer_a", 403), ("chair_b", 404), ("outside_officer", 404), ("agency_user", 404)],
)
def test_those_who_do_not_run_the_center_are_refused(
    request, api_client_for, event, persona, status
):
    client = api_client_for(request.getfixturevalue(persona))
    response = client.post(url(event), {"photos": image()})
    assert response.status_code == status, response.content
    assert not EventPhoto.objects.exists()


def test_without_a_token_it_is_401(client, event):
    assert client.post(url(event), {"photos": image()}).status_code == 401
    assert not EventPhoto.objects.exists()
