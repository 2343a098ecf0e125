"""What every rollup figure counts, as grouped querysets over the base tables.

Each fact is a queryset yielding rows with four aliases: `c` (center id), `m` (first day of the
month, local time — flows only), `d` (dimension, text; "" when none) and `v` (the value). The
same querysets serve the full rebuild (no filter: one set-based INSERT .. SELECT each) and the
refresh of one center-month (filtered by center and month), so the two cannot disagree.

Definitions (the month a flow counts in is in brackets):
* centers_opened — centers [opened_on].
* people_registered / people_by_target_group — registry people, not merged away, by the center
  responsible for them [created_at]; problems_reported — person problems [first_reported_on].
* cases_opened [reported_at], cases_closed [closed_at], visits [visited_at] — by the case's center.
* first_visits — cases by days from intake to first visit: "1" ≤ 1 day, "3" ≤ 3, "7" ≤ 7,
  "more" [first_visit_at]; first_visit_hours — the hours those took, summed (for the average).
* referrals_by_outcome (current status) and referrals_by_agency — by the case's center [sent_at].
* goods_distributed — quantity by item [distributed_on].
* volunteer_hours — by the volunteer's own center, in three dimensions: "events" (attendance
  hours) [event starts_at], "entries" (approved hand-entered hours) [worked_on] and "visits"
  (settings.ASA_HOURS_PER_VISIT for every volunteer on a visit) [visited_at] — the definition of
  asa.centers.queries.
Stocks (no month): centers_active, volunteers_active, people_total, registry_by_target_group,
cases_open, cases_overdue (open, follow-up date before today), equipment_on_loan (by item).
"""

import datetime as dt

from django.conf import settings
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone


class HoursBetween(Func):
    """Hours from `start` to `end` (two datetime columns), as a float, on both databases."""

    output_field = FloatField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sqlite(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"((julianday({end}) - julianday({start})) * 24.0)", [*end_params, *start_params]

    def as_postgresql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return (
            f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)",
            [*end_params, *start_params],
        )


NO_DIMENSION = Value("", output_field=CharField())


def _text(field: str):
    return Cast(F(field), output_field=CharField(max_length=40))


def _month_bounds(month: dt.date, *, aware: bool):
    following = (month + dt.timedelta(days=32)).replace(day=1)
    if not aware:
        return month, following
    zone = timezone.get_default_timezone()
    return (
        dt.datetime.combine(month, dt.time(), tzinfo=zone),
        dt.datetime.combine(following, dt.time(), tzinfo=zone),
    )


def _flow(queryset: QuerySet, *, center: str, date: str, aware: bool, dimension, value, filters):
    """Group `queryset` by center, month of `date` and dimension; optionally one center-month."""
    center_id, month = filters
    if center_id is not None:
        start, end = _month_bounds(month, aware=aware)
        queryset = queryset.filter(**{center: center_id, f"{date}__gte": start, f"{date}__lt": end})
    else:
        queryset = queryset.filter(**{f"{center}__isnull": False, f"{date}__isnull": False})
    return (
        queryset.order_by()
        .values(c=F(center), m=TruncMonth(date, output_field=DateField()), d=dimension)
        .annotate(v=value)
        .values("c", "m", "d", "v")
    )


def _first_visit_bucket():
    hours = HoursBetween(F("first_visit_at"), F("reported_at"))
    return SqlCase(
        When(Q(first_visit_hours__lte=24), then=Value("1")),
        When(Q(first_visit_hours__lte=72), then=Value("3")),
        When(Q(first_visit_hours__lte=168), then=Value("7")),
        default=Value("more"),
        output_field=CharField(),
    ), hours


def monthly_facts(*, center_id: int | None = None, month: dt.date | None = None):
    """[(metric, queryset)] for every flow; all centers and months, or one center-month."""
    from asa.aid.models import DistributionLine
    from asa.cases.models import Case, Visit
    from asa.centers.models import Attendance, Center, HoursEntry, HoursStatus
    from asa.referrals.models import Referral
    from asa.registry.models import Person, PersonProblem

    filters = (center_id, month)
    count = Count("pk")
    people = Person.objects.filter(merged_into__isnull=True)
    target_groups = Person.target_groups.through.objects.filter(person__merged_into__isnull=True)
    bucket, hours = _first_visit_bucket()
    first_visited = Case.objects.alias(first_visit_hours=hours)
    visit_volunteers = Visit.volunteers.through.objects.all()
    per_visit = settings.ASA_HOURS_PER_VISIT
    return [
        (
            "centers_opened",
            _flow(
                Center.objects.all(), center="id", date="opened_on", aware=False,
                dimension=NO_DIMENSION, value=count, filters=filters,
            ),
        ),
        (
            "people_registered",
            _flow(
                people, center="center_id", date="created_at", aware=True,
                dimension=NO_DIMENSION, value=count, filters=filters,
            ),
        ),
        (
            "people_by_target_group",
            _flow(
                target_groups, center="person__center_id", date="person__created_at",
                aware=True, dimension=F("targetgroup__code"), value=count, filters=filters,
            ),
        ),
        (
            "problems_reported",
            _flow(
                PersonProblem.objects.filter(person__merged_into__isnull=True),
                center="person__center_id", date="first_reported_on", aware=False,
                dimension=F("problem_type__code"), value=count, filters=filters,
            ),
        ),
        (
            "cases_opened",
            _flow(
                Case.objects.all(), center="center_id", date="reported_at", aware=True,
                dimension=NO_DIMENSION, value=count, filters=filters,
            ),
        ),
        (
            "cases_closed",
            _flow(
                Case.objects.all(), center="center_id", date="closed_at", aware=True,
                dimension=NO_DIMENSION, value=count, filters=filters,
            ),
        ),
        (
            "visits",
            _flow(
                Visit.objects.all(), center="case__center_id", date="visited_at", aware=True,
                dimension=NO_DIMENSION, value=count, filters=filters,
            ),
        ),
        (
            "first_visits",
            _flow(
                first_visited, center="center_id", date="first_visit_at", aware=True,
                dimension=bucket, value=count, filters=filters,
            ),
        ),
        (
            "first_visit_hours",
            _flow(
                first_visited, center="center_id", date="first_visit_at", aware=True,
                dimension=NO_DIMENSION, value=Sum("first_visit_hours"), filters=filters,
            ),
        ),
        (
            "referrals_by_outcome",
            _flow(
                Referral.objects.all(), center="case__center_id", date="sent_at", aware=True,
                dimension=F("status"), value=count, filters=filters,
            ),
        ),
        (
            "referrals_by_agency",
            _flow(
                Referral.objects.all(), center="case__center_id", date="sent_at", aware=True,
                dimension=_text("agency_id"), value=count, filters=filters,
            ),
        ),
        (
            "goods_distributed",
            _flow(
                DistributionLine.objects.all(), center="distribution__center_id",
                date="distribution__distributed_on", aware=False,
                dimension=_text("item_id"), value=Sum("quantity"), filters=filters,
            ),
        ),
        (
            "volunteer_hours",
            _flow(
                Attendance.objects.all(), center="volunteer__center_id",
                date="event__starts_at", aware=True,
                dimension=Value("events", output_field=CharField()), value=Sum("hours"),
                filters=filters,
            ),
        ),
        (
            "volunteer_hours",
            _flow(
                HoursEntry.objects.filter(status=HoursStatus.APPROVED),
                center="volunteer__center_id", date="worked_on", aware=False,
                dimension=Value("entries", output_field=CharField()), value=Sum("hours"),
                filters=filters,
            ),
        ),
        (
            "volunteer_hours",
            _flow(
                visit_volunteers, center="volunteer__center_id", date="visit__visited_at",
                aware=True, dimension=Value("visits", output_field=CharField()),
                value=Count("pk") * Value(per_visit, output_field=IntegerField()),
                filters=filters,
            ),
        ),
    ]  # fmt: skip


def _stock(queryset: QuerySet, *, center: str, dimension, value, center_ids):
    if center_ids is not None:
        queryset = queryset.filter(**{f"{center}__in": center_ids})
    else:
        queryset = queryset.filter(**{f"{center}__isnull": False})
    return (
        queryset.order_by().values(c=F(center), d=dimension).annotate(v=value).values("c", "d", "v")
    )


def current_facts(*, center_ids=None, today: dt.date | None = None):
    """[(metric, queryset)] for every stock figure; all centers or some."""
    from asa.aid.models import Loan, LoanStatus
    from asa.cases.models import OPEN_STATUSES, Case
    from asa.centers.models import Center, CenterStatus, Volunteer, VolunteerStatus
    from asa.registry.models import Person

    today = today or timezone.localdate()
    count = Count("pk")
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    return [
        (
            "centers_active",
            _stock(
                Center.objects.filter(status=CenterStatus.ACTIVE), center="id",
                dimension=NO_DIMENSION, value=count, center_ids=center_ids,
            ),
        ),
        (
            "volunteers_active",
            _stock(
                Volunteer.objects.filter(status=VolunteerStatus.ACTIVE), center="center_id",
                dimension=NO_DIMENSION, value=count, center_ids=center_ids,
            ),
        ),
        (
            "people_total",
            _stock(
                Person.objects.filter(merged_into__isnull=True), center="center_id",
                dimension=NO_DIMENSION, value=count, center_ids=center_ids,
            ),
        ),
        (
            "registry_by_target_group",
            _stock(
                Person.target_groups.through.objects.filter(person__merged_into__isnull=True),
                center="person__center_id", dimension=F("targetgroup__code"), value=count,
                center_ids=center_ids,
            ),
        ),
        (
            "cases_open",
            _stock(
                open_cases, center="center_id", dimension=NO_DIMENSION, value=count,
                center_ids=center_ids,
            ),
        ),
        (
            "cases_overdue",
            _stock(
                open_cases.filter(next_follow_up_on__lt=today), center="center_id",
                dimension=NO_DIMENSION, value=count, center_ids=center_ids,
            ),
        ),
        (
            "equipment_on_loan",
            _stock(
                Loan.objects.filter(status=LoanStatus.OUT), center="center_id",
                dimension=_text("piece__item_id"), value=count, center_ids=center_ids,
            ),
        ),
    ]  # fmt: skip
