"""/healthz and the ops page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from asa.accounts.actions import notify
from asa.accounts.models import ChannelPreference, Delivery, Notification
from asa.ops.actions import enqueue_due_jobs, run_job
from asa.ops.models import ScheduledJob


@pytest.mark.django_db
def test_health_is_503_until_the_worker_has_beaten(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["worker"]["status"] == "silent"
    assert body["worker"]["last_heartbeat"] is None
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_health_is_ok_after_a_heartbeat_and_503_when_it_is_old(client, settings):
    settings.WORKER_SILENT_SECONDS = 300
    run_job(name="heartbeat", scheduled_for=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert len(queries) <= 5  # SELECT 1, heartbeat, oldest task, oldest delivery (+ savepoint)
    body = response.json()
    assert body["status"] == "ok"
    assert body["worker"]["seconds_since_heartbeat"] < 60
    assert body["oldest_queued_task_seconds"] is None
    ScheduledJob.objects.filter(name="heartbeat").update(
        last_finished_at=timezone.now() - dt.timedelta(seconds=301)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["status"] == "silent"


@pytest.mark.django_db(transaction=True)
def test_health_tells_the_age_of_the_oldest_undelivered_notification(client, chair_a, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ChannelPreference.objects.create(user=chair_a, channel="sms", address="0812345678")
    notify(user=chair_a, kind="test", message="ทดสอบ", url="/", dedupe_key="health")
    Notification.objects.filter(user=chair_a).update(
        created_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert Delivery.objects.filter(status="pending").count() == 1
    run_job(name="heartbeat", scheduled_for=timezone.now())
    body = client.get("/healthz").json()
    assert 590 <= body["oldest_undelivered_notification_seconds"] <= 700
    # No personal data: no address, message or name anywhere in the answer.
    text = str(body)
    assert "0812345678" not in text and "ทดสอบ" not in text


@pytest.mark.django_db
def test_the_ops_page_lists_every_job_for_the_ministry(client_for, admin_user):
    enqueue_due_jobs()
    response = client_for(admin_user).get("/ops/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-job="watch_list"' in page and 'data-job="check_rollups"' in page
    assert "สำเร็จ" in page  # the periodic jobs ran (immediate backend)
    assert "ทุกวัน เวลา 02:30 น." in page
    assert 'href="/ops/"' in page  # in the admin's menu


@pytest.mark.django_db
def test_the_ops_page_is_refused_to_everyone_else(client_for, chair_a, officer, dpo, client):
    for user in (chair_a, officer, dpo):
        response = client_for(user).get("/ops/")
        assert response.status_code == 403
        assert 'href="/ops/"' not in client_for(user).get("/accounts/profile/").content.decode()
    assert client.get("/ops/").status_code == 302
