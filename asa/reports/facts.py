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


# -- outcomes --------------------------------------------------------------------------------
#
# What the help achieved (issue 20). Same rows and the same refresh as the activity figures; a
# distribution is kept as a histogram of whole days (dimension "…|days", capped at MAX_DAYS) so
# a median can be read exactly, to the day, at any level and for any period on both databases:
# the histograms of centers and months add up, a median of medians would not.
#
# * outcome_cases_closed — cases closed, by outcome [closed_at];
#   outcome_by_target_group "outcome|group", outcome_by_problem "outcome|problem" — the same
#   cases once per target group / problem category of the case.
# * days_to_first_visit "days" [first_visit_at]; days_to_closure "days" [closed_at] — whole days
#   (24 hours) from the report.
# * emergency_first_visit — emergency cases by "24h" (first visit within 24 hours of the
#   report), "later", "none" (not visited yet) [reported_at].
# * closures_reopened — closures later undone, by "90" (reopened within 90 days of closing) or
#   "later" [the undone closure's date]; with outcome_cases_closed it makes every closure.
# * problems_resolved_in_year — person problems marked resolved in the same fiscal year they
#   were first reported, by category [first_reported_on]; problems_reported is the denominator.
# * household_change "dimension|improved/same/worse" and households_compared — households whose
#   first and latest assessments are at least 90 days apart, compared on each of the five
#   dimensions [the latest assessment, at the household's center].
# * referral_scorecard "agency|service|state" (sent, accepted, completed, declined, late);
#   referral_answer_days / referral_complete_days "agency|service|days" [sent_at].
# * helped_cases_closed "outcome" (closed cases that received any help), help_by_outcome
#   "kind|outcome" (cases, once per kind of help on the assistance ledger — goods given and
#   lent are "goods" there — and "loan" for equipment lent), help_loan_items "item|outcome"
#   (cases given that equipment on loan), help_baht "outcome" (money given in them) [the
#   case's closed_at].

MAX_DAYS = 365
REOPENED_WITHIN_DAYS = 90
HOUSEHOLD_MINIMUM_DAYS_APART = 90
OUTCOME_METRICS = (
    "outcome_cases_closed",
    "outcome_by_target_group",
    "outcome_by_problem",
    "days_to_first_visit",
    "days_to_closure",
    "emergency_first_visit",
    "closures_reopened",
    "problems_resolved_in_year",
    "problems_reported",
    "household_change",
    "households_compared",
    "referral_scorecard",
    "referral_answer_days",
    "referral_complete_days",
    "helped_cases_closed",
    "help_by_outcome",
    "help_loan_items",
    "help_baht",
)


def _days(end: str, start: str):
    """Whole days from `start` to `end` (datetimes) as text, 0 … MAX_DAYS (more is MAX_DAYS)."""
    from django.db.models.functions import Floor, Greatest, Least

    days = Floor(HoursBetween(F(end), F(start)) / Value(24.0))
    bounded = Greatest(Value(0.0), Least(Value(float(MAX_DAYS)), days))
    return Cast(Cast(bounded, output_field=IntegerField()), output_field=CharField(max_length=8))


def _joined(*parts):
    """`a|b|c` from expressions and plain strings (a separator no code contains)."""
    from django.db.models.functions import Concat

    pieces = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(Value("|"))
        pieces.append(Value(part) if isinstance(part, str) else part)
    return Concat(*pieces, output_field=CharField())


def _fiscal_year(field: str):
    """The fiscal year (CE year it ends in) of a date column: October starts the next one."""
    from django.db.models.functions import ExtractYear

    return ExtractYear(field) + SqlCase(
        When(**{f"{field}__month__gte": 10}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _household_changes():
    """Latest assessments of households with an earlier one at least 90 days before, annotated
    with the first assessment's five scores (`first_<dimension>`)."""
    from django.db.models import ExpressionWrapper, OuterRef, Subquery

    from asa.registry.models import Dimension, HouseholdAssessment

    def first(column: str):
        return Subquery(
            HouseholdAssessment.objects.filter(household=OuterRef("household"))
            .order_by("assessed_on", "id")
            .values(column)[:1]
        )

    latest = Subquery(
        HouseholdAssessment.objects.filter(household=OuterRef("household"))
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    earliest_allowed = ExpressionWrapper(
        F("assessed_on") - Value(dt.timedelta(days=HOUSEHOLD_MINIMUM_DAYS_APART)),
        output_field=DateField(),
    )
    return (
        HouseholdAssessment.objects.filter(household__center__isnull=False)
        .alias(latest_id=latest, first_on=first("assessed_on"), earliest_allowed=earliest_allowed)
        .filter(pk=F("latest_id"), first_on__lte=F("earliest_allowed"))
        .alias(**{f"first_{dimension}": first(f"{dimension}_score") for dimension in Dimension})
    )


def _change(dimension: str):
    score, before = f"{dimension}_score", f"first_{dimension}"
    return SqlCase(
        When(**{f"{score}__gt": F(before)}, then=Value(f"{dimension}|improved")),
        When(**{f"{score}__lt": F(before)}, then=Value(f"{dimension}|worse")),
        default=Value(f"{dimension}|same"),
        output_field=CharField(),
    )


def outcome_facts(*, center_id: int | None = None, month: dt.date | None = None):
    """[(metric, queryset)] for every outcome flow; all centers and months, or one center-month."""
    from django.db.models import Exists, OuterRef

    from asa.aid.models import Loan
    from asa.cases.models import Assistance, Case, CaseReopening, Urgency
    from asa.referrals.models import OPEN_REFERRAL_STATUSES, Referral, ReferralStatus
    from asa.registry.models import Dimension, PersonProblem

    filters = (center_id, month)
    count = Count("pk")
    closed = Case.objects.filter(closed_at__isnull=False).exclude(outcome="")
    today = timezone.localdate()

    def flow(queryset, *, date, dimension, value=count, center="center_id", aware=True):
        return _flow(
            queryset,
            center=center,
            date=date,
            aware=aware,
            dimension=dimension,
            value=value,
            filters=filters,
        )

    def by_case(queryset, dimension, value=None):
        """Rows attached to a closed case, counted in the case's closing month."""
        return flow(
            queryset.filter(case__closed_at__isnull=False).exclude(case__outcome=""),
            center="case__center_id",
            date="case__closed_at",
            dimension=dimension,
            value=value or Count("case_id", distinct=True),
        )

    first_visit_hours = HoursBetween(F("first_visit_at"), F("reported_at"))
    emergencies = Case.objects.filter(urgency=Urgency.EMERGENCY).alias(hours=first_visit_hours)
    emergency_state = SqlCase(
        When(first_visit_at__isnull=True, then=Value("none")),
        When(hours__lte=24, then=Value("24h")),
        default=Value("later"),
        output_field=CharField(),
    )
    reopenings = CaseReopening.objects.alias(hours=HoursBetween(F("reopened_at"), F("closed_at")))
    reopened_state = SqlCase(
        When(hours__lte=REOPENED_WITHIN_DAYS * 24, then=Value(str(REOPENED_WITHIN_DAYS))),
        default=Value("later"),
        output_field=CharField(),
    )
    resolved_in_year = (
        PersonProblem.objects.filter(person__merged_into__isnull=True, resolved_on__isnull=False)
        .alias(
            reported_year=_fiscal_year("first_reported_on"),
            resolved_year=_fiscal_year("resolved_on"),
        )
        .filter(reported_year=F("resolved_year"))
    )
    changes = _household_changes()
    referrals = Referral.objects.all()
    agency_service = (_text("agency_id"), _text("service_id"))
    late = (
        Q(responded_at__isnull=False, responded_at__date__gt=F("respond_by"))
        | Q(responded_at__isnull=True, status=ReferralStatus.SENT, respond_by__lt=today)
        | Q(finished_at__isnull=False, finished_at__date__gt=F("complete_by"))
        | Q(status__in=OPEN_REFERRAL_STATUSES, complete_by__lt=today)
    )
    accepted = [
        ReferralStatus.ACCEPTED,
        ReferralStatus.IN_SERVICE,
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
    ]
    scorecard = [
        ("sent", referrals),
        ("accepted", referrals.filter(status__in=accepted)),
        ("completed", referrals.filter(status=ReferralStatus.COMPLETED)),
        ("declined", referrals.filter(status=ReferralStatus.DECLINED)),
        ("late", referrals.filter(late)),
    ]
    # Goods handed out and equipment lent on a case are on its assistance ledger too (kind
    # "goods", asa.aid.actions._record_help): the ledger alone says whether a case was helped.
    helped = closed.filter(Exists(Assistance.objects.filter(case=OuterRef("pk"))))
    return [
        ("outcome_cases_closed", flow(closed, date="closed_at", dimension=F("outcome"))),
        (
            "outcome_by_target_group",
            by_case(
                Case.target_groups.through.objects.all(),
                _joined(F("case__outcome"), F("targetgroup__code")), value=count,
            ),
        ),
        (
            "outcome_by_problem",
            by_case(
                Case.problems.through.objects.all(),
                _joined(F("case__outcome"), F("problemtype__code")), value=count,
            ),
        ),
        (
            "days_to_first_visit",
            flow(
                Case.objects.all(), date="first_visit_at",
                dimension=_days("first_visit_at", "reported_at"),
            ),
        ),
        (
            "days_to_closure",
            flow(closed, date="closed_at", dimension=_days("closed_at", "reported_at")),
        ),
        ("emergency_first_visit", flow(emergencies, date="reported_at", dimension=emergency_state)),
        (
            "closures_reopened",
            flow(reopenings, center="case__center_id", date="closed_at", dimension=reopened_state),
        ),
        (
            "problems_resolved_in_year",
            flow(
                resolved_in_year, center="person__center_id", date="first_reported_on",
                aware=False, dimension=F("problem_type__code"),
            ),
        ),
        *[
            (
                "household_change",
                flow(
                    changes, center="household__center_id", date="assessed_on", aware=False,
                    dimension=_change(dimension),
                ),
            )
            for dimension in Dimension.values
        ],
        (
            "households_compared",
            flow(
                changes, center="household__center_id", date="assessed_on", aware=False,
                dimension=NO_DIMENSION,
            ),
        ),
        *[
            (
                "referral_scorecard",
                flow(
                    queryset, center="case__center_id", date="sent_at",
                    dimension=_joined(*agency_service, state),
                ),
            )
            for state, queryset in scorecard
        ],
        (
            "referral_answer_days",
            flow(
                referrals.filter(responded_at__isnull=False), center="case__center_id",
                date="sent_at",
                dimension=_joined(*agency_service, _days("responded_at", "sent_at")),
            ),
        ),
        (
            "referral_complete_days",
            flow(
                referrals.filter(status=ReferralStatus.COMPLETED, finished_at__isnull=False),
                center="case__center_id", date="sent_at",
                dimension=_joined(*agency_service, _days("finished_at", "sent_at")),
            ),
        ),
        ("helped_cases_closed", flow(helped, date="closed_at", dimension=F("outcome"))),
        (
            "help_by_outcome",
            by_case(Assistance.objects.all(), _joined(F("kind"), F("case__outcome"))),
        ),
        ("help_by_outcome", by_case(Loan.objects.all(), _joined("loan", F("case__outcome")))),
        (
            "help_loan_items",
            by_case(Loan.objects.all(), _joined(_text("piece__item_id"), F("case__outcome"))),
        ),
        (
            "help_baht",
            by_case(
                Assistance.objects.filter(amount__isnull=False), F("case__outcome"),
                value=Sum("amount"),
            ),
        ),
    ]  # fmt: skip


def all_monthly_facts(*, center_id: int | None = None, month: dt.date | None = None):
    """The activity figures, then the outcome figures: what a refresh, a rebuild and the nightly
    check (asa.ops.consistency) all compute, so they cannot disagree."""
    return monthly_facts(center_id=center_id, month=month) + outcome_facts(
        center_id=center_id, month=month
    )
