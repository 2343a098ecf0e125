"""Reads of One Home referrals shared with other pages (the watch list)."""

import datetime as dt

from django.db.models import Q, QuerySet

from asa.accounts.access import referrals_of_readable_cases, scope_of, visible
from asa.referrals.models import OPEN_REFERRAL_STATUSES, Referral, ReferralStatus


def overdue_referrals(user, *, center_id: int | None = None, today: dt.date) -> QuerySet[Referral]:
    """Referrals from the cases this user may read (of one center, if given) not answered, or
    not finished, by their due dates. Agency users' referrals addressed to them are not here."""
    late = Q(status=ReferralStatus.SENT, respond_by__lt=today) | Q(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE], complete_by__lt=today
    )
    referrals = (
        visible(user, Referral.objects.select_related("agency", "service", "case__person"))
        # The open statuses spelled out too: that lets PostgreSQL use the partial indexes of
        # open referrals (it cannot prove the OR above implies them) instead of reading every
        # referral.
        .filter(late, status__in=OPEN_REFERRAL_STATUSES)
        .order_by("respond_by", "id")
    )
    scope = scope_of(user)
    if scope.agency_ids:  # they also see what is addressed to their agency: not theirs to watch
        referrals = referrals.filter(referrals_of_readable_cases(scope))
    if center_id:
        referrals = referrals.filter(center_id=center_id)
    return referrals
