"""Reads of One Home referrals shared with other pages (the watch list)."""

import datetime as dt

from django.db.models import Q, QuerySet

from asa.accounts.access import visible
from asa.referrals.models import Referral, ReferralStatus


def overdue_referrals(user, cases: QuerySet, *, today: dt.date) -> QuerySet[Referral]:
    """Referrals from these cases not answered, or not finished, by their due dates."""
    late = Q(status=ReferralStatus.SENT, respond_by__lt=today) | Q(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE], complete_by__lt=today
    )
    return (
        visible(user, Referral.objects.select_related("agency", "service", "case__person"))
        .filter(late, case__in=cases.values("pk"))
        .order_by("respond_by", "id")
    )
