"""Uploaded files: size-limited per request, never served from a public path."""

from django.test import Client


def test_it_refuses_an_oversized_request_before_reading_it(client_for, chair_a, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    client = client_for(chair_a)
    body = b"x" * (settings.MAX_REQUEST_BYTES + 1)
    response = client.generic("POST", "/people/new/", body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "ข้อมูลที่ส่งมีขนาดใหญ่เกิน 1 MB" in response.content.decode()
    api = client.generic("POST", "/api/v1/people", body, content_type="application/json")
    assert api.status_code == 413
    assert api.json()["detail"].startswith("ข้อมูลที่ส่งมีขนาดใหญ่เกิน")


def test_it_lets_an_ordinary_request_through(client_for, chair_a, settings):
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    assert client_for(chair_a).post("/accounts/tokens/", {"name": "ok"}).status_code == 200


def test_no_public_path_serves_uploaded_files(client_for, admin_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = tmp_path / "visits" / "2569" / "1.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff photo \xff\xd9")
    assert not getattr(settings, "MEDIA_URL", "").strip("/")  # no media URL at all
    for client in (Client(), client_for(admin_user)):
        for path in ("/media/visits/2569/1.jpg", "/visits/2569/1.jpg", "/static/visits/2569/1.jpg"):
            response = client.get(path)
            assert response.status_code in (302, 404), path
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"\xff\xd8\xff photo" not in raw, path
