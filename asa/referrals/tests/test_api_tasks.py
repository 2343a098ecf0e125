"""Overdue referrals from the command line and the task; the delivery task is the accounts one."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from asa.accounts.models import Notification
from asa.accounts.tasks import deliver_notifications
from asa.referrals import actions, tasks
from asa.referrals.models import Referral, Service
from asa.referrals.tests.test_api import _case


def test_overdue_referrals_are_flagged_once(chair_a, agency, django_capture_on_commit_callbacks):
    actions.update_agency(actor=None, agency=agency, services=[Service.objects.get(code="shelter")])
    referral = actions.send_referral(
        actor=chair_a,
        case=_case(chair_a),
        agency=agency,
        service=Service.objects.get(code="shelter"),
        need="ที่พัก",
    )
    out = io.StringIO()
    call_command("referrals", "overdue", stdout=out)
    assert out.getvalue().strip().endswith(": 0")
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.localdate() - dt.timedelta(days=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("referrals", "overdue", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.flag_overdue_referrals_task.enqueue().return_value == 1
    assert Notification.objects.filter(user=chair_a, kind="referral_overdue").count() == 1
    assert tasks.deliver_notifications is deliver_notifications
    out = io.StringIO()
    call_command("referrals", "deliver", stdout=out)
    assert "ส่งแล้ว" in out.getvalue()
