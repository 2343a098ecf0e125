"""Background work of One Home (django-tasks; the database backend runs it in `asa db_worker`).

`flag_overdue_referrals_task` tells senders about referrals past their due dates (safe to run
hourly: each referral is flagged once per status). Notifications go out on the users' chosen
channels through the accounts task, which retries failures and never sends twice.
"""

from django_tasks import task

from asa.accounts.tasks import deliver_notifications

__all__ = ["deliver_notifications", "flag_overdue_referrals_task"]


@task()
def flag_overdue_referrals_task() -> int:
    """Flag referrals not answered or not finished by their due dates; returns how many."""
    from asa.referrals.actions import flag_overdue_referrals

    return flag_overdue_referrals()
