"""The breach register and the retention run over the API (issue 15: every page action has an
operation): the DPO's flow through the same actions as the pages; everyone else refused."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from asa.accounts.models import AuditEvent
from asa.privacy.models import Breach, BreachStatus

URL = "/api/v1/breaches"


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def body(**overrides) -> dict:
    now = timezone.localtime()
    data = {
        "discovered_at": (now - dt.timedelta(hours=1)).replace(tzinfo=None).isoformat(),
        "kind": "confidentiality",
        "description": "แฟ้มรายชื่อผู้สูงอายุถูกส่งต่อในกลุ่ม LINE ของชุมชน",
        "suspected_accounts": ["volunteer.a"],
        "period_start": (now - dt.timedelta(days=3)).isoformat(),
        "period_end": now.isoformat(),
    }
    data.update(overrides)
    return data


def test_the_dpo_records_a_breach_and_works_it_to_closure(api_client_for, dpo, volunteer_a):
    client = api_client_for(dpo)
    created = post(client, URL, body())
    assert created.status_code == 201, created.content
    breach = created.json()
    assert breach["status"] == "investigating" and breach["regulator_late"] is False
    assert [account["username"] for account in breach["suspected_accounts"]] == ["volunteer.a"]
    discovered = dt.datetime.fromisoformat(breach["discovered_at"].replace("Z", "+00:00"))
    deadline = dt.datetime.fromisoformat(breach["regulator_deadline"].replace("Z", "+00:00"))
    assert deadline - discovered == dt.timedelta(hours=72)
    # A time without a zone is Thai time: an hour ago here, not seven hours off.
    assert abs(timezone.now() - discovered - dt.timedelta(hours=1)) < dt.timedelta(minutes=5)
    pk = breach["id"]
    assert client.get(URL).json()["count"] == 1
    assert client.get(f"{URL}/{pk}").json()["description"].startswith("แฟ้มรายชื่อ")

    told = post(client, f"{URL}/{pk}/notify-regulator")
    assert told.status_code == 200 and told.json()["status"] == "regulator_notified"
    again = post(client, f"{URL}/{pk}/notify-regulator")
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "regulator_notified_at"
    people = post(client, f"{URL}/{pk}/notify-people")
    assert people.status_code == 200 and people.json()["people_notified_at"]
    closed = post(client, f"{URL}/{pk}/close", {"notes": "เปลี่ยนรหัสผ่านทุกบัญชีของศูนย์แล้ว"})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"
    assert closed.json()["notes"].endswith("เปลี่ยนรหัสผ่านทุกบัญชีของศูนย์แล้ว")
    assert post(client, f"{URL}/{pk}/close").status_code == 422
    actions = set(AuditEvent.objects.filter(object_id=str(pk)).values_list("action", flat=True))
    assert {"record_breach", "notify_regulator", "notify_breach_people", "close_breach"} <= actions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"suspected_accounts": ["nobody.here"]}, "suspected_accounts"),
        (
            {"period_start": "2026-01-02T00:00:00", "period_end": "2026-01-01T00:00:00"},
            "period_end",
        ),
        ({"discovered_at": "2099-01-01T00:00:00"}, "discovered_at"),
        ({"kind": "gossip"}, "kind"),
        ({"description": ""}, "description"),
        ({"description": "ข้อความ\x07มีอักขระควบคุม"}, "description"),
        ({"period_start": "0887-02-10T00:00:00"}, "period_start"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_records_nothing(
    api_client_for, dpo, volunteer_a, change, field
):
    response = post(api_client_for(dpo), URL, body(**change))
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not Breach.objects.exists()


@pytest.fixture
def database_queue(settings):
    # The tests' immediate backend would run the job inside the request: queue it as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _breach(dpo) -> Breach:
    from asa.privacy.actions import record_breach

    now = timezone.now()
    return record_breach(
        actor=dpo,
        discovered_at=now,
        description="คอมพิวเตอร์ของศูนย์ถูกขโมย",
        kind="availability",
        period_start=now - dt.timedelta(days=1),
        period_end=now,
    )


@pytest.mark.parametrize("persona", ["chair_a", "volunteer_b", "officer", "agency_user"])
def test_everyone_but_the_dpo_and_ministry_is_refused(
    request, api_client_for, dpo, persona, database_queue
):
    breach = _breach(dpo)
    client = api_client_for(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}/{breach.pk}").status_code == 403
    assert post(client, URL, body(suspected_accounts=[])).status_code == 403
    for step in ("notify-regulator", "notify-people", "close"):
        assert post(client, f"{URL}/{breach.pk}/{step}").status_code == 403
    assert post(client, "/api/v1/retention/run").status_code == 403
    assert AuditEvent.objects.count() == before
    assert not DBTaskResult.objects.exists()
    breach.refresh_from_db()
    assert breach.status == BreachStatus.INVESTIGATING and breach.regulator_notified_at is None
    assert Breach.objects.count() == 1


def test_a_breach_that_does_not_exist_is_a_404(api_client_for, admin_user):
    client = api_client_for(admin_user)
    assert client.get(f"{URL}/999999").status_code == 404
    assert post(client, f"{URL}/999999/close").status_code == 404


def test_the_ministry_queues_the_retention_run_as_the_page_does(
    api_client_for, admin_user, database_queue
):
    response = post(api_client_for(admin_user), "/api/v1/retention/run")
    assert response.status_code == 202, response.content
    queued = DBTaskResult.objects.get()
    assert response.json() == {"task_id": str(queued.id), "status": "READY"}
    assert queued.task_path == "asa.privacy.tasks.run_retention_task"
    assert queued.args_kwargs["kwargs"] == {"actor_id": admin_user.pk}


def test_without_a_token_it_is_401(client, db):
    assert client.get(URL).status_code == 401
    assert post(client, "/api/v1/retention/run").status_code == 401
