"""Where each role lands after signing in, what its menu shows, and the chair's work waiting.

One place decides both, from the user's scope (read once per request): the landing page is the
first thing of the role's work, and the menu holds only pages that role can use (an agency user
has no volunteer pages, a volunteer no user management).
"""

from dataclasses import dataclass

from django.urls import reverse

from asa.accounts.access import Scope, scope_of


@dataclass(frozen=True)
class Menu:
    """What the navigation shows: one flag per group of pages."""

    fieldwork: bool = False  # today's visits and own hours: volunteers (chairs are volunteers too)
    casework: bool = False  # cases, centers, volunteers, events, people, partners, goods
    watch: bool = False  # the follow-up watch list: officers and chairs
    work_waiting_center: int | None = None  # the chair's center (its work-waiting page)
    referral_inbox: bool = False  # a partner agency's referrals
    dashboards: bool = False
    privacy: bool = False
    audit: bool = False
    users: bool = False


def menu_for(user) -> Menu:
    from asa.privacy.actions import may_handle_privacy
    from asa.reports.queries import may_see_dashboards

    scope = scope_of(user)
    if not scope.authenticated:
        return Menu()
    worker = scope.national or scope.is_officer or bool(scope.center_ids)
    chair_centers = sorted(scope.chair_center_ids)
    return Menu(
        fieldwork=bool(scope.volunteer_ids or scope.center_ids),
        casework=worker,
        watch=scope.national or scope.is_officer or bool(chair_centers),
        work_waiting_center=chair_centers[0] if chair_centers else None,
        referral_inbox=bool(scope.agency_ids),
        dashboards=may_see_dashboards(user),
        privacy=may_handle_privacy(user),
        audit=scope.national or scope.data_protection_officer,
        users=scope.national or scope.is_officer,
    )


def landing_url(user) -> str | None:
    """The first page of the user's work, by their most senior role; None: the plain home."""
    scope: Scope = scope_of(user)
    if scope.national:
        return reverse("reports:nation")  # the national dashboard
    if scope.is_officer:
        return reverse("cases:watch")
    if scope.data_protection_officer:
        return reverse("privacy:home")  # the request queue; the audit trail is in the menu
    if scope.chair_center_ids:
        return reverse("accounts:work_waiting", kwargs={"pk": min(scope.chair_center_ids)})
    if scope.agency_ids and not scope.center_ids:
        return reverse("referrals:inbox")
    if scope.volunteer_ids or scope.center_ids:
        return reverse("cases:today")
    if scope.agency_ids:
        return reverse("referrals:inbox")
    return None


# --- The chair's work waiting ------------------------------------------------------------------

WAITING_ROWS = 10  # each section lists the first few; its link opens the full list


def work_waiting(user, center) -> dict:
    """A center's work waiting for its chair, one section per kind, each a count and a few rows.

    Every part reuses the casework, referral and stock reads (scoped by the access layer):
    unassigned open cases, closures to approve, overdue follow-ups, late referrals, low stock.
    """
    from django.utils import timezone

    from asa.aid.queries import low_stock_of
    from asa.cases.models import OPEN_STATUSES, CaseAssignment, Status
    from asa.cases.queries import cases_for, watch_counts
    from asa.referrals.queries import overdue_referrals

    today = timezone.localdate()
    cases = cases_for(user).filter(center_id=center.pk)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    assigned = CaseAssignment.objects.filter(ended_at__isnull=True).values("case_id")
    unassigned = open_cases.exclude(pk__in=assigned).order_by("urgency_order", "id")
    closures = cases.filter(status=Status.CLOSURE_REQUESTED).order_by("updated_at", "id")
    late = overdue_referrals(user, center_id=center.pk, today=today)
    low = low_stock_of(center).select_related("item")
    return {
        "unassigned": {"count": unassigned.count(), "rows": list(unassigned[:WAITING_ROWS])},
        "closures": {"count": closures.count(), "rows": list(closures[:WAITING_ROWS])},
        "overdue": watch_counts(open_cases, today=today)["overdue"],
        "late_referrals": {"count": late.count(), "rows": list(late[:WAITING_ROWS])},
        "low_stock": {"count": low.count(), "rows": list(low[:WAITING_ROWS])},
    }
