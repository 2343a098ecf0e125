"""Outside channels: LINE push, SMS over HTTP, email over SMTP, retry with backoff, LINE linking
through the webhook, and each user's channel page. Every adapter talks to a local fake server
started here that checks the request exactly and answers in the provider's own shapes."""

import base64
import hashlib
import hmac
import json
import socket
import uuid
from datetime import timedelta
from email import message_from_bytes, policy
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.accounts.actions import notify
from asa.accounts.channel_actions import (
    claim_due_deliveries,
    deliver_pending_notifications,
    link_line_account,
    set_channel_preference,
    start_line_link,
)
from asa.accounts.channels import sms_parts
from asa.accounts.models import AuditEvent, ChannelPreference, Delivery, LineLinkCode
from asa.accounts.tests.fake_provider import start_fake_provider
from asa.lib.email_url import parse_email_url

LINE_USER = "U4af4980629" + "0" * 22
SECRET = "line-channel-secret"


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def provider():
    fake, server = start_fake_provider()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def line_api(settings, provider):
    settings.LINE_API_URL = provider.url
    settings.LINE_CHANNEL_ACCESS_TOKEN = "test-access-token"
    settings.LINE_CHANNEL_SECRET = SECRET
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "line": "asa.accounts.channels.LineChannel",
    }
    return provider


@pytest.fixture
def sms_api(settings, provider):
    settings.SMS_API_URL = provider.url + "/sms"
    settings.SMS_API_KEY = "key-123"
    settings.SMS_API_SECRET = "secret-456"
    settings.SMS_SENDER = "Asa"
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "sms": "asa.accounts.channels.HttpSmsChannel",
    }
    return provider


def _link_line(user) -> None:
    code, _ = start_line_link(user=user)
    assert link_line_account(code=code, line_user_id=LINE_USER) == user


def _notify(user, django_capture_on_commit_callbacks, message="มีกรณีใหม่ที่ต้องเยี่ยมบ้าน"):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=user, kind="test", message=message, url="/cases/1/", dedupe_key=message)


def _make_due(delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


# --- LINE push ---------------------------------------------------------------------------------


def test_line_push_is_the_exact_messaging_api_request(
    chair_a, line_api, settings, django_capture_on_commit_callbacks
):
    _link_line(chair_a)
    line_api.answer(200, {"sentMessages": [{"id": "4611"}]}, {"X-Line-Request-Id": "req-1"})
    _notify(chair_a, django_capture_on_commit_callbacks)
    [seen] = line_api.requests
    assert (seen.method, seen.path) == ("POST", "/v2/bot/message/push")
    assert seen.headers["authorization"] == "Bearer test-access-token"
    assert seen.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get(channel="line")
    assert uuid.UUID(seen.headers["x-line-retry-key"]) == uuid.uuid5(
        uuid.NAMESPACE_URL, f"asa-delivery-{delivery.pk}"
    )
    assert seen.json() == {
        "to": LINE_USER,
        "messages": [{"type": "text", "text": f"มีกรณีใหม่ที่ต้องเยี่ยมบ้าน\n{settings.SITE_URL}/cases/1/"}],
    }
    assert (delivery.status, delivery.attempts, delivery.provider_reference) == ("sent", 1, "req-1")


def test_rate_limit_and_outage_retry_with_backoff_then_send(
    chair_a, line_api, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_RETRY_SECONDS = 60
    _link_line(chair_a)
    line_api.answer(429, {"message": "Too Many Requests"})
    before = timezone.now()
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="line")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "HTTP 429" in delivery.last_error and "Too Many Requests" in delivery.last_error
    wait = delivery.next_attempt_at - before
    assert timedelta(seconds=59) < wait < timedelta(seconds=70)
    # Not due yet: a run now sends nothing and asks the provider nothing.
    assert deliver_pending_notifications() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(line_api.requests) == 1
    _make_due(delivery)
    line_api.answer(503, {"message": "Service Unavailable"})
    before = timezone.now()
    assert deliver_pending_notifications() == {"sent": 0, "retry": 1, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "HTTP 503" in delivery.last_error
    assert delivery.next_attempt_at > before + timedelta(seconds=119)  # doubled
    _make_due(delivery)
    assert deliver_pending_notifications() == {"sent": 1, "retry": 0, "failed": 0}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 3, "")
    # All three tries carried the same retry key: LINE accepts the message once.
    assert len({seen.headers["x-line-retry-key"] for seen in line_api.requests}) == 1


def test_retry_after_header_is_honoured(chair_a, line_api, django_capture_on_commit_callbacks):
    _link_line(chair_a)
    line_api.answer(429, {"message": "Too Many Requests"}, {"Retry-After": "900"})
    before = timezone.now()
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="line")
    assert delivery.next_attempt_at >= before + timedelta(seconds=900)


def test_it_gives_up_after_the_limit_and_the_page_says_why(
    chair_a, line_api, settings, client_for, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    _link_line(chair_a)
    line_api.answer(500, {"message": "Internal Server Error"})
    line_api.answer(500, {"message": "Internal Server Error"})
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="line")
    _make_due(delivery)
    assert deliver_pending_notifications() == {"sent": 0, "retry": 0, "failed": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == ("failed", 2, None)
    page = text(client_for(chair_a).get("/notifications/"))
    assert "ส่งไม่สำเร็จ" in page and "ส่งแล้ว" not in page
    assert "ผู้ให้บริการขัดข้อง (HTTP 500): Internal Server Error" in page
    assert deliver_pending_notifications() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(line_api.requests) == 2


def test_a_refusal_fails_at_once(chair_a, line_api, django_capture_on_commit_callbacks):
    _link_line(chair_a)
    line_api.answer(
        400,
        {
            "message": "The property, 'to', in the request body is invalid",
            "details": [{"message": "invalid user id", "property": "to"}],
        },
    )
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="line")
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert "ผู้ให้บริการปฏิเสธ (HTTP 400)" in delivery.last_error


def test_an_unreachable_provider_is_retried(
    chair_a, settings, line_api, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.LINE_API_URL = f"http://127.0.0.1:{probe.getsockname()[1]}"
    _link_line(chair_a)
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="line")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("ติดต่อผู้ให้บริการไม่ได้")


def test_a_delivery_is_claimed_by_one_worker_only(chair_a, line_api):
    from asa.accounts.models import Notification

    notification = Notification.objects.create(user=chair_a, kind="t", message="m", dedupe_key="k")
    Delivery.objects.create(notification=notification, channel="line", address=LINE_USER)
    first = claim_due_deliveries(limit=10)
    second = claim_due_deliveries(limit=10)
    assert [row.notification_id for row in first] == [notification.pk] and second == []
    # A crashed worker's claim runs out, and the row is due again.
    Delivery.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert len(claim_due_deliveries(limit=10)) == 1


# --- SMS ---------------------------------------------------------------------------------------


def test_sms_is_the_exact_thaibulksms_request(
    chair_a, sms_api, settings, django_capture_on_commit_callbacks
):
    set_channel_preference(user=chair_a, channel="sms", address="081-222-3333", enabled=True)
    sms_api.answer(
        201,
        {
            "remaining_credit": 98,
            "total_use_credit": 2,
            "credit_type": "standard",
            "phone_number_list": [
                {"number": "66812223333", "message_id": "ABCD1234", "used_credit": 2}
            ],
            "bad_phone_number_list": [],
        },
    )
    _notify(chair_a, django_capture_on_commit_callbacks)
    [seen] = sms_api.requests
    assert (seen.method, seen.path) == ("POST", "/sms")
    assert seen.headers["authorization"] == "Basic " + base64.b64encode(
        b"key-123:secret-456"
    ).decode("ascii")
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
    body = {key: values for key, values in parse_qs(seen.body.decode("ascii")).items()}
    message = f"มีกรณีใหม่ที่ต้องเยี่ยมบ้าน\n{settings.SITE_URL}/cases/1/"
    assert body == {"msisdn": ["0812223333"], "message": [message], "sender": ["Asa"]}
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "sent"
    assert delivery.provider_reference == "ABCD1234 (UCS-2 1 ส่วน)"


def test_sms_errors_in_the_providers_shape(
    chair_a, sms_api, client_for, django_capture_on_commit_callbacks
):
    set_channel_preference(user=chair_a, channel="sms", address="0812223333", enabled=True)
    sms_api.answer(
        401,
        {"error": {"code": 401, "name": "ERROR_UNAUTHORIZED", "description": "Unauthorized"}},
    )
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "failed"
    assert delivery.last_error == "ผู้ให้บริการปฏิเสธ (HTTP 401): Unauthorized"
    assert "ผู้ให้บริการปฏิเสธ (HTTP 401): Unauthorized" in text(
        client_for(chair_a).get("/notifications/")
    )


def test_sms_a_refused_number_is_not_sent(chair_a, sms_api, django_capture_on_commit_callbacks):
    set_channel_preference(user=chair_a, channel="sms", address="0812223333", enabled=True)
    sms_api.answer(
        201,
        {
            "remaining_credit": 100,
            "total_use_credit": 0,
            "credit_type": "standard",
            "phone_number_list": [],
            "bad_phone_number_list": [{"number": "0812223333", "message": "Invalid number"}],
        },
    )
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == "failed" and "Invalid number" in delivery.last_error


def test_sms_rate_limit_is_retried(chair_a, sms_api, django_capture_on_commit_callbacks):
    set_channel_preference(user=chair_a, channel="sms", address="0812223333", enabled=True)
    sms_api.answer(
        429, {"error": {"code": 429, "name": "TOO_MANY_REQUESTS", "description": "Rate limit"}}
    )
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "ผู้ให้บริการจำกัดจำนวนคำขอ (HTTP 429): Rate limit"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ก" * 70, ("UCS-2", 1)),
        ("ก" * 71, ("UCS-2", 2)),
        ("ก" * 134, ("UCS-2", 2)),
        ("ก" * 135, ("UCS-2", 3)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("[" * 80, ("GSM-7", 1)),  # an extension character costs two
        ("[" * 81, ("GSM-7", 2)),
        ("a" * 69 + "ก", ("UCS-2", 1)),  # one Thai letter makes the whole message UCS-2
        ("a" * 70 + "ก", ("UCS-2", 2)),
    ],
)
def test_sms_parts_follow_the_gsm_and_ucs2_rules(message, expected):
    assert sms_parts(message) == expected


# --- Email -------------------------------------------------------------------------------------


def test_email_url_is_read_into_smtp_settings():
    assert parse_email_url("smtp://asa%40mail.go.th:p%3Ass@smtp.go.th:587?tls=1") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.go.th",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "asa@mail.go.th",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 20,
    }
    ssl = parse_email_url("smtps://user:pw@mail.example.org")
    assert (ssl["EMAIL_PORT"], ssl["EMAIL_USE_SSL"], ssl["EMAIL_USE_TLS"]) == (465, True, False)
    with pytest.raises(ValueError, match="smtp"):
        parse_email_url("http://mail.example.org")


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):
            self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_email_goes_through_smtp_from_email_url(
    chair_a, settings, smtp_server, django_capture_on_commit_callbacks
):
    inbox, port = smtp_server
    for name, value in parse_email_url(f"smtp://127.0.0.1:{port}").items():
        setattr(settings, name, value)
    settings.DEFAULT_FROM_EMAIL = "asa@example.org"
    set_channel_preference(user=chair_a, channel="email", address="chair@example.org", enabled=True)
    _notify(chair_a, django_capture_on_commit_callbacks)
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "asa@example.org"
    assert envelope.rcpt_tos == ["chair@example.org"]
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["To"] == "chair@example.org"
    # Python folds a long encoded subject onto a continuation line; readers drop the fold.
    assert message["Subject"].strip() == "Asa (อาสา): การแจ้งเตือน"
    body = message.get_content()
    assert body.splitlines() == ["มีกรณีใหม่ที่ต้องเยี่ยมบ้าน", f"{settings.SITE_URL}/cases/1/"]
    assert Delivery.objects.get(channel="email").status == "sent"


def test_email_server_down_is_retried(chair_a, settings, django_capture_on_commit_callbacks):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name, value in parse_email_url(f"smtp://127.0.0.1:{port}?timeout=2").items():
        setattr(settings, name, value)
    set_channel_preference(user=chair_a, channel="email", address="chair@example.org", enabled=True)
    _notify(chair_a, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("ส่งอีเมลไม่สำเร็จ")


# --- LINE account linking ----------------------------------------------------------------------


def _signed_post(client, payload: dict, *, secret: str = SECRET):
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return client.post(
        "/line/webhook/",
        body,
        content_type="application/json",
        headers={"X-Line-Signature": signature.decode("ascii")},
    )


def _message_event(text: str, user_id: str = LINE_USER) -> dict:
    return {
        "destination": "Ubot",
        "events": [
            {
                "type": "message",
                "mode": "active",
                "timestamp": 1765152000000,
                "webhookEventId": "01HXYZ",
                "replyToken": "reply-token-1",
                "source": {"type": "user", "userId": user_id},
                "message": {"id": "444", "type": "text", "text": text},
            }
        ],
    }


@pytest.mark.django_db(transaction=True)
def test_the_code_sent_to_the_official_account_links_line(chair_a, client_for, line_api):
    client = client_for(chair_a)
    page = text(client.post("/accounts/notifications/line/link/"))
    code = page.split("data-line-code>")[1].split("<")[0]
    assert code.startswith("ASA-") and len(code) == 10
    response = _signed_post(client_for(None), _message_event(f"รหัส {code.lower()}"))
    assert response.status_code == 200
    line = ChannelPreference.objects.get(user=chair_a, channel="line")
    assert (line.address, line.is_enabled) == (LINE_USER, True)
    assert AuditEvent.objects.filter(action="link_line_account", object_id=str(chair_a.pk)).exists()
    [reply] = line_api.requests
    assert reply.path == "/v2/bot/message/reply"
    assert reply.headers["authorization"] == "Bearer test-access-token"
    assert reply.json()["replyToken"] == "reply-token-1"
    assert "เชื่อมบัญชี LINE" in reply.json()["messages"][0]["text"]
    # Single use: the same code again links nobody else.
    _signed_post(client_for(None), _message_event(code, user_id="U" + "f" * 32))
    assert ChannelPreference.objects.get(user=chair_a, channel="line").address == LINE_USER
    assert "หมดอายุ" in line_api.requests[-1].json()["messages"][0]["text"]
    assert "เชื่อมบัญชี LINE แล้ว" in text(client.get("/accounts/notifications/channels/"))


@pytest.mark.django_db(transaction=True)
def test_a_bad_signature_is_refused_and_changes_nothing(chair_a, client_for, line_api):
    code, _ = start_line_link(user=chair_a)
    events = AuditEvent.objects.count()
    assert _signed_post(client_for(None), _message_event(code), secret="wrong").status_code == 401
    response = client_for(None).post(
        "/line/webhook/", json.dumps(_message_event(code)), content_type="application/json"
    )
    assert response.status_code == 401
    assert not ChannelPreference.objects.filter(channel="line").exists()
    assert AuditEvent.objects.count() == events and line_api.requests == []
    assert LineLinkCode.objects.get().used_at is None


def test_an_expired_code_links_nobody(chair_a, client_for, line_api):
    code, row = start_line_link(user=chair_a)
    LineLinkCode.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert link_line_account(code=code, line_user_id=LINE_USER) is None
    assert not ChannelPreference.objects.filter(channel="line").exists()


def test_a_new_code_replaces_the_old_one(chair_a):
    old, _ = start_line_link(user=chair_a)
    new, _ = start_line_link(user=chair_a)
    assert link_line_account(code=old, line_user_id=LINE_USER) is None
    assert link_line_account(code=new, line_user_id=LINE_USER) == chair_a


def test_the_webhook_is_off_without_a_channel_secret(client_for, settings):
    settings.LINE_CHANNEL_SECRET = ""
    assert _signed_post(client_for(None), {"events": []}).status_code == 404


def test_lines_verification_call_with_no_events_answers_200(client_for, line_api):
    assert _signed_post(client_for(None), {"destination": "Ubot", "events": []}).status_code == 200


def test_nobody_types_a_line_id(chair_a, client_for):
    with pytest.raises(Exception, match="ยังไม่ได้เชื่อมบัญชี LINE"):
        set_channel_preference(user=chair_a, channel="line", address="somchai", enabled=True)
    response = client_for(chair_a).post(
        "/accounts/notifications/channels/", {"line-enabled": "on", "line-address": "somchai"}
    )
    assert response.status_code == 400 and "ยังไม่ได้เชื่อมบัญชี LINE" in text(response)
    assert not ChannelPreference.objects.filter(channel="line").exists()


def test_unlinking_forgets_the_line_id(chair_a, client_for):
    _link_line(chair_a)
    client = client_for(chair_a)
    assert client.post("/accounts/notifications/line/unlink/").status_code == 302
    assert not ChannelPreference.objects.filter(channel="line").exists()
    assert AuditEvent.objects.filter(action="unlink_line_account").count() == 1


def test_linked_line_can_be_switched_off_and_on(chair_a, client_for):
    _link_line(chair_a)
    client = client_for(chair_a)
    assert client.post("/accounts/notifications/channels/", {}).status_code == 302
    line = ChannelPreference.objects.get(channel="line")
    assert (line.address, line.is_enabled) == (LINE_USER, False)
    client.post("/accounts/notifications/channels/", {"line-enabled": "on"})
    line.refresh_from_db()
    assert (line.address, line.is_enabled) == (LINE_USER, True)


# --- The channel page --------------------------------------------------------------------------


def test_each_user_chooses_channels(client_for, chair_a, agency_user):
    client = client_for(chair_a)
    assert "การแจ้งเตือนในระบบเปิดอยู่เสมอ" in text(client.get("/accounts/notifications/channels/"))
    response = client.post(
        "/accounts/notifications/channels/",
        {
            "email-enabled": "on",
            "email-address": "chair@example.org",
            "sms-enabled": "on",
            "sms-address": "12",
        },
    )
    assert response.status_code == 400 and "หมายเลขโทรศัพท์ไม่ถูกต้อง" in text(response)
    response = client.post(
        "/accounts/notifications/channels/",
        {
            "email-enabled": "on",
            "email-address": "chair@example.org",
            "sms-enabled": "on",
            "sms-address": "081-222-3333",
        },
    )
    assert response.status_code == 302
    saved = dict(ChannelPreference.objects.filter(user=chair_a).values_list("channel", "address"))
    assert saved == {"email": "chair@example.org", "sms": "0812223333"}
    assert not ChannelPreference.objects.filter(user=agency_user).exists()
    assert client_for(None).get("/accounts/notifications/channels/").status_code == 302


def test_the_page_says_when_channels_are_in_demo_mode(client_for, chair_a, settings, line_api):
    demo = "โหมดสาธิต: ข้อความถูกเขียนลงไฟล์ ไม่ได้ส่งจริง"
    page = text(client_for(chair_a).get("/accounts/notifications/channels/"))
    assert page.count(demo) == 2  # email (file backend) and SMS (file); LINE is real here
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "sms": "asa.accounts.channels.HttpSmsChannel",
    }
    assert demo not in text(client_for(chair_a).get("/accounts/notifications/channels/"))


def test_the_link_code_comes_with_the_add_friend_link(client_for, chair_a, settings):
    settings.LINE_ADD_FRIEND_URL = "https://line.me/R/ti/p/@asa-center"
    page = text(client_for(chair_a).post("/accounts/notifications/line/link/"))
    assert 'href="https://line.me/R/ti/p/@asa-center"' in page and "<svg" in page
    assert LineLinkCode.objects.filter(user=chair_a, used_at__isnull=True).count() == 1


def test_notification_page_query_count_stays_constant(
    chair_a, client_for, django_assert_max_num_queries
):
    from asa.accounts.models import Notification

    def add(count: int) -> None:
        start = Notification.objects.count()
        for number in range(start, start + count):
            note = Notification.objects.create(
                user=chair_a, kind="t", message=f"ข้อความ {number}", dedupe_key=f"k{number}"
            )
            Delivery.objects.create(
                notification=note, channel="sms", address="0812223333", last_error="x"
            )

    client = client_for(chair_a)
    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/notifications/")
