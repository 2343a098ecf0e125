"""Reads of One Home referrals shared with other pages (the watch list)."""

import datetime as dt

from django.db.models import Q, QuerySet

from asa.accounts.access import visible
from asa.referrals.models import OPEN_REFERRAL_STATUSES, Referral, ReferralStatus


def overdue_referrals(user, cases: QuerySet, *, today: dt.date) -> QuerySet[Referral]:
    """Referrals from these cases not answered, or not finished, by their due dates."""
    late = Q(status=ReferralStatus.SENT, respond_by__lt=today) | Q(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE], complete_by__lt=today
    )
    return (
        visible(user, Referral.objects.select_related("agency", "service", "case__person"))
        # The open statuses spelled out too: that lets PostgreSQL use the partial index of open
        # referrals (it cannot prove the OR above implies them) instead of reading every referral.
        .filter(late, status__in=OPEN_REFERRAL_STATUSES, case__in=cases.values("pk"))
        .order_by("respond_by", "id")
    )
