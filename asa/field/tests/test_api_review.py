"""The chair's decision on an item kept from a phone, over the API (issue 15: every page action
has an operation): the same queue, rule and actions as the review page."""

import json

import pytest

from asa.accounts.models import AuditEvent
from asa.cases.actions import close_case, reopen_case
from asa.cases.models import Case, Visit
from asa.field.models import OfflineSubmission, SubmissionStatus
from asa.field.tests.test_sync import _visit

pytestmark = pytest.mark.django_db


def decide(client, submission, action, note=""):
    return client.post(
        f"/api/v1/offline-submissions/{submission.pk}/{action}",
        json.dumps({"note": note}),
        content_type="application/json",
    )


@pytest.fixture
def kept(client_for, volunteer_a, chair_a, assigned_case):
    """A visit sent from the phone after the case was closed: kept for the chair."""
    close_case(actor=chair_a, case=assigned_case, outcome="resolved", note="ได้รับความช่วยเหลือแล้ว")
    assert _visit(client_for(volunteer_a), assigned_case).json()["state"] == "needs_attention"
    return OfflineSubmission.objects.get()


def test_the_chair_applies_a_kept_visit_once(api_client_for, chair_a, kept, assigned_case):
    client = api_client_for(chair_a)
    # The case is still closed: refused, nothing recorded.
    refused = decide(client, kept, "apply")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "note"
    assert not Visit.objects.exists()
    reopen_case(actor=chair_a, case=Case.objects.get(pk=assigned_case.pk), reason="มีเหตุใหม่")
    response = decide(client, kept, "apply")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "applied" and body["result_url"]
    assert Visit.objects.filter(case=assigned_case).count() == 1
    assert AuditEvent.objects.filter(action="apply_offline_submission", actor=chair_a).exists()
    again = decide(client, kept, "discard", "ซ้ำ")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "status"
    assert Visit.objects.count() == 1


def test_a_discard_needs_its_reason(api_client_for, chair_a, kept):
    client = api_client_for(chair_a)
    refused = decide(client, kept, "discard")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "note"
    response = decide(client, kept, "discard", "ศูนย์ทวีวัฒนาเยี่ยมแล้ว")
    assert response.status_code == 200
    assert response.json()["decision_note"] == "ศูนย์ทวีวัฒนาเยี่ยมแล้ว"
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.DISCARDED and kept.decided_by == chair_a


def test_others_decide_nothing(
    api_client_for, client, chair_b, volunteer_a, outside_officer, agency_user, kept
):
    for user, statuses in [
        (chair_b, {404}),
        (outside_officer, {404}),
        (agency_user, {404}),
        (volunteer_a, {403, 404}),  # the volunteer who sent it does not decide it
    ]:
        for action in ("apply", "discard"):
            response = decide(api_client_for(user), kept, action, "ลองตัดสินใจแทน")
            assert response.status_code in statuses, (user, action, response.status_code)
    assert decide(client, kept, "discard", "ลองตัดสินใจแทน").status_code == 401
    kept.refresh_from_db()
    assert kept.status == SubmissionStatus.NEEDS_ATTENTION
    decided = ("apply_offline_submission", "discard_offline_submission")
    assert not AuditEvent.objects.filter(action__in=decided).exists()
