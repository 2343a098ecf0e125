"""Every read of casework: scoped, bounded, indexed."""

import datetime as dt

from django.db.models import Case as SqlCase
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from asa.accounts.access import scope_of, visible
from asa.cases.models import OPEN_STATUSES, Assistance, Case, Urgency
from asa.lib.thai_order import thai_order


def may_take_cases(user) -> bool:
    """Who may open a case (take a report): the ministry, officers and anyone of a center."""
    scope = scope_of(user)
    return scope.national or scope.is_officer or bool(scope.center_ids)


def cases_for(user) -> QuerySet[Case]:
    return visible(user, Case.objects.select_related("person", "center"))


def urgency_rank():
    """Emergency first, then urgent, then routine — for ORDER BY on either database."""
    return SqlCase(
        When(urgency=Urgency.EMERGENCY, then=Value(0)),
        When(urgency=Urgency.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def watch_list(cases: QuerySet[Case], *, bucket: str, today: dt.date | None = None):
    """Open cases whose follow-up is overdue, due today, or due this week (or `due`: overdue or
    today), most urgent first."""
    today = today or timezone.localdate()
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    if bucket == "overdue":
        selected = open_cases.filter(next_follow_up_on__lt=today)
    elif bucket == "today":
        selected = open_cases.filter(next_follow_up_on=today)
    elif bucket == "due":
        selected = open_cases.filter(next_follow_up_on__lte=today)
    elif bucket == "week":
        selected = open_cases.filter(
            next_follow_up_on__gt=today, next_follow_up_on__lte=today + dt.timedelta(days=7)
        )
    else:
        raise ValueError(bucket)
    # The stored urgency order walks the case_watch_order index: no sort of the whole area.
    return selected.annotate(urgency_rank=F("urgency_order")).order_by(
        "urgency_rank", "next_follow_up_on", "id"
    )


def watch_counts(cases: QuerySet[Case], *, today: dt.date | None = None) -> dict[str, int]:
    """The three bucket sizes.

    Three range counts rather than one filtered aggregate: each is served by the (area,
    follow-up date) index alone (only open cases have a follow-up date; closing clears it), so
    an area of a hundred thousand cases counts in milliseconds.
    """
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=7)
    return {
        "overdue": cases.filter(next_follow_up_on__lt=today).count(),
        "today": cases.filter(next_follow_up_on=today).count(),
        "week": cases.filter(next_follow_up_on__gt=today, next_follow_up_on__lte=week_end).count(),
    }


def todays_work(user, *, today: dt.date, days: int = 7) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The volunteer's day: their cases whose visit is due (overdue or today), most urgent
    first, and their cases assigned in the last `days` and still open (newest report first).

    Both start from the user's own open assignments (a volunteer holds about a hundred), read
    first and written out as ids: PostgreSQL then reads those cases by primary key and sorts a
    few rows. With "assigned to me" as a subquery beside the scope's OR, it walked the
    watch-order index past the tens of thousands of cases of a chair's center to find twenty
    (bench/load.py). The scope still applies to each case.
    """
    from asa.cases.models import CaseAssignment

    since = timezone.now() - dt.timedelta(days=days)
    assigned, recent = set(), set()
    for case_id, assigned_at in (
        CaseAssignment.objects.filter(volunteer__user=user, ended_at__isnull=True)
        .order_by()
        .values_list("case_id", "assigned_at")
    ):
        assigned.add(case_id)
        if assigned_at >= since:
            recent.add(case_id)
    cases = cases_for(user)
    due = watch_list(cases.filter(pk__in=assigned), bucket="due", today=today)
    new = cases.filter(pk__in=recent, status__in=OPEN_STATUSES).order_by("-reported_at")
    return due, new


def assistance_totals(*, person=None, household=None, member_ids=()) -> list[dict]:
    """Help given per kind, across all centers: [{kind, count, amount}].

    With `household`, its ledger: help recorded on the household and, with `member_ids`, help
    given to those people (its members, past and present) wherever it was recorded.
    """
    rows = Assistance.objects.all()
    if person is not None:
        rows = rows.filter(person=person)
    if household is not None:
        whose = Q(household=household)
        if member_ids:
            whose |= Q(person_id__in=list(member_ids))
        rows = rows.filter(whose)
    return list(
        rows.values("kind").annotate(count=Count("id"), amount=Sum("amount")).order_by("kind")
    )


def volunteers_by_workload(center):
    """A center's active volunteers with their open cases (`open_cases`), fewest first: whom to
    assign next. One query; the count rides on the assignment index."""
    from django.db.models import Q

    from asa.centers.models import Volunteer, VolunteerStatus

    open_assignment = Q(
        case_assignments__ended_at__isnull=True,
        case_assignments__case__status__in=OPEN_STATUSES,
    )
    return (
        Volunteer.objects.filter(center=center, status=VolunteerStatus.ACTIVE)
        .annotate(open_cases=Count("case_assignments__case", filter=open_assignment, distinct=True))
        .order_by("open_cases", "first_name", "last_name", "id")
    )


def caseload(cases: QuerySet[Case]):
    """Open cases per assigned volunteer, for the chair's caseload page."""
    from asa.centers.models import Volunteer

    return (
        Volunteer.objects.filter(
            case_assignments__ended_at__isnull=True,
            case_assignments__case__in=cases.filter(status__in=OPEN_STATUSES),
        )
        .annotate(open_cases=Count("case_assignments__case", distinct=True))
        .order_by("-open_cases", thai_order("first_name"))
    )


def todays_visits(user, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The user's `/today/` list (the printed visit sheet shares the page's query)."""
    due, _new = todays_work(user, today=today or timezone.localdate())
    return due


def located_open_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases with the GPS of their latest visit that recorded one (`map_latitude`,
    `map_longitude`); cases never visited with GPS are left out (counted by district instead)."""
    from django.db.models import OuterRef, Subquery

    from asa.cases.models import Visit

    latest = Visit.objects.filter(case=OuterRef("pk"), latitude__isnull=False).order_by(
        "-visited_at", "-id"
    )
    return (
        cases.filter(status__in=OPEN_STATUSES)
        .annotate(
            map_latitude=Subquery(latest.values("latitude")[:1]),
            map_longitude=Subquery(latest.values("longitude")[:1]),
        )
        .filter(map_latitude__isnull=False)
    )


def open_cases_by_district(cases: QuerySet[Case]) -> dict[str, int]:
    rows = cases.filter(status__in=OPEN_STATUSES).order_by().values("district_id")
    return {
        row["district_id"]: row["count"]
        for row in rows.annotate(count=Count("id"))
        if row["district_id"]
    }


def visits_with_gps_on(cases: QuerySet[Case], day: dt.date):
    """The visits made on `day` (local time) to `cases`, with GPS."""
    from asa.cases.models import Visit

    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return Visit.objects.filter(
        case__in=cases,
        visited_at__gte=start,
        visited_at__lt=start + dt.timedelta(days=1),
        latitude__isnull=False,
        longitude__isnull=False,
    ).order_by("-visited_at", "-id")
