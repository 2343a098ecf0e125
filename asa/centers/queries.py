"""Every read of centers and volunteers: scoped through the access layer, bounded, indexed."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from asa.accounts.access import visible
from asa.centers.models import (
    COMMITTEE_ROLES,
    Attendance,
    Center,
    Event,
    EventKind,
    HoursEntry,
    HoursStatus,
    TrainingRecord,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
    VolunteerStatusChange,
)
from asa.lib.crypto import identity_hash, phone_hash
from asa.lib.thai import BE_OFFSET, fiscal_year_be, to_arabic_digits
from asa.lib.thai_order import thai_order

# Committee members in the order a center lists them: chair first.
_ROLE_ORDER = Case(
    *(When(role=role, then=Value(position)) for position, role in enumerate(VolunteerRole)),
    output_field=IntegerField(),
)


def centers_for(user) -> QuerySet[Center]:
    return visible(user, Center.objects.select_related("district__province", "subdistrict"))


def center_list_for(user) -> QuerySet[Center]:
    """Visible centers with their active chair (one extra query for the whole page)."""
    chairs = Volunteer.objects.filter(role=VolunteerRole.CHAIR, status=VolunteerStatus.ACTIVE)
    return centers_for(user).prefetch_related(
        Prefetch("volunteers", queryset=chairs, to_attr="active_chairs")
    )


def volunteers_for(user) -> QuerySet[Volunteer]:
    return visible(user, Volunteer.objects.select_related("center"))


def search_volunteers(
    queryset: QuerySet[Volunteer], *, text: str = "", include_national_id: bool = True
) -> QuerySet[Volunteer]:
    """Match a name (partial, spaces ignored), a whole national ID or a whole phone number.

    The numbers are stored encrypted, so they are found whole, by their keyed hashes (an
    indexed equality), never by a part. `include_national_id=False` for people who may not
    see ID numbers, so a search cannot be used to probe whose number is whose.
    """
    text = to_arabic_digits((text or "").strip())
    if not text:
        return queryset
    compact = "".join(text.split())
    number = compact.replace("-", "")
    if number.isdigit() and number.isascii():
        condition = Q(phone_hash=phone_hash(number))
        if include_national_id and len(number) == 13:
            condition |= Q(national_id_hash=identity_hash(number))
        return queryset.filter(condition)
    return queryset.filter(search_name__contains=compact.lower())


def filter_volunteers(
    queryset: QuerySet[Volunteer],
    *,
    text: str = "",
    center_id: str = "",
    status: str = "",
    include_national_id: bool = True,
) -> QuerySet[Volunteer]:
    """The volunteer list's filters: `?q=` text, `?center=` id, `?status=` value."""
    queryset = search_volunteers(queryset, text=text, include_national_id=include_national_id)
    if center_id and str(center_id).isdigit():
        queryset = queryset.filter(center_id=int(center_id))
    if status in VolunteerStatus.values:
        queryset = queryset.filter(status=status)
    return queryset


def committee_of(center: Center) -> QuerySet[Volunteer]:
    return (
        center.volunteers.filter(role__in=COMMITTEE_ROLES, status=VolunteerStatus.ACTIVE)
        .annotate(role_order=_ROLE_ORDER)
        .order_by("role_order", thai_order("first_name"), thai_order("last_name"), "id")
    )


def volunteer_detail_for(user) -> QuerySet[Volunteer]:
    """Volunteers with what their page shows, fetched in a fixed number of queries."""
    return volunteers_for(user).select_related(
        "center__district", "subdistrict__district__province"
    )


def history_of(volunteer: Volunteer, *, limit: int = 50) -> list[VolunteerStatusChange]:
    return list(volunteer.history.select_related("changed_by")[:limit])


# --- Fiscal years ------------------------------------------------------------------------------


def fiscal_year_days(fiscal_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of a Thai fiscal year named in BE: 2569 is 1 Oct 2025 – 30 Sep 2026
    (the naming of `asa.lib.thai.fiscal_year_be`)."""
    end_year = fiscal_year - BE_OFFSET
    return dt.date(end_year - 1, 10, 1), dt.date(end_year, 9, 30)


def current_fiscal_year() -> int:
    return fiscal_year_be(timezone.localdate())


def fiscal_year_choices(*, first: int = 2560) -> list[int]:
    """Fiscal years a page offers, newest first: from 2560 (the first Bangkok centers) to now."""
    return list(range(current_fiscal_year(), first - 1, -1))


def parse_fiscal_year(text) -> int:
    """`?fy=2569` (Thai digits allowed), else the current fiscal year."""
    text = to_arabic_digits(str(text or "")).strip()
    if text.isdigit() and 2500 <= int(text) <= 2700:
        return int(text)
    return current_fiscal_year()


def _moments(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware start of the first day and start of the day after the last (local time)."""
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    return start, end


# --- Volunteer hours ---------------------------------------------------------------------------
# The hours of a volunteer in a period (both days included) are:
#   the hours of their attendance at events whose local start date is in the period
# + their approved hand-entered hours worked on a day in the period
# + ASA_HOURS_PER_VISIT for each home visit they made (local visit date in the period).


def hours_per_visit() -> Decimal:
    return Decimal(settings.ASA_HOURS_PER_VISIT)


@dataclass(frozen=True)
class Hours:
    event_hours: Decimal = Decimal(0)
    entry_hours: Decimal = Decimal(0)
    visit_count: int = 0

    @property
    def visit_hours(self) -> Decimal:
        return self.visit_count * hours_per_visit()

    @property
    def total(self) -> Decimal:
        return self.event_hours + self.entry_hours + self.visit_hours


NO_HOURS = Hours()


def _visit_links():
    from asa.cases.models import Visit

    return Visit.volunteers.through.objects


def _ids(rows) -> QuerySet | list[int]:
    if isinstance(rows, QuerySet):
        return rows.order_by().values("pk")
    return [getattr(row, "pk", row) for row in rows]


def _hours_grouped(key: str, condition: dict, *, first_day: dt.date, last_day: dt.date) -> dict:
    """Three grouped queries whatever the number of volunteers; `key` is what rows group by
    ("volunteer_id" or "volunteer__center_id") and `condition` picks the volunteers."""
    start, end = _moments(first_day, last_day)
    attended = (
        Attendance.objects.filter(
            **condition, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .order_by()
        .values(key)
        .annotate(total=Sum("hours"))
    )
    entered = (
        HoursEntry.objects.filter(
            **condition,
            status=HoursStatus.APPROVED,
            worked_on__gte=first_day,
            worked_on__lte=last_day,
        )
        .order_by()
        .values(key)
        .annotate(total=Sum("hours"))
    )
    visits = (
        _visit_links()
        .filter(**condition, visit__visited_at__gte=start, visit__visited_at__lt=end)
        .order_by()
        .values(key)
        .annotate(total=Count("id"))
    )
    parts: dict[int, dict] = {}
    for name, rows in (
        ("event_hours", attended),
        ("entry_hours", entered),
        ("visit_count", visits),
    ):
        for row in rows:
            parts.setdefault(row[key], {})[name] = row["total"] or 0
    return {
        owner: Hours(
            event_hours=Decimal(values.get("event_hours", 0)),
            entry_hours=Decimal(values.get("entry_hours", 0)),
            visit_count=int(values.get("visit_count", 0)),
        )
        for owner, values in parts.items()
    }


def hours_by_volunteer(
    volunteers: QuerySet | Iterable, *, first_day: dt.date, last_day: dt.date
) -> dict[int, Hours]:
    """Hours of each volunteer (a queryset, volunteers or ids) in the period, by volunteer id.

    Volunteers without hours are absent: read with `.get(pk, NO_HOURS)`.
    """
    return _hours_grouped(
        "volunteer_id",
        {"volunteer_id__in": _ids(volunteers)},
        first_day=first_day,
        last_day=last_day,
    )


def hours_by_center(
    centers: QuerySet | Iterable, *, first_day: dt.date, last_day: dt.date
) -> dict[int, Hours]:
    """Hours of the volunteers of each center (by the center they belong to now), by center id."""
    return _hours_grouped(
        "volunteer__center_id",
        {"volunteer__center_id__in": _ids(centers)},
        first_day=first_day,
        last_day=last_day,
    )


def volunteer_hours(volunteer: Volunteer, *, fiscal_year: int) -> Hours:
    first_day, last_day = fiscal_year_days(fiscal_year)
    found = hours_by_volunteer([volunteer.pk], first_day=first_day, last_day=last_day)
    return found.get(volunteer.pk, NO_HOURS)


_HOURS_FIELD = DecimalField(max_digits=9, decimal_places=1)


def _sum_of(queryset: QuerySet, field: str):
    total = queryset.order_by().values("volunteer_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total), Value(Decimal(0)), output_field=_HOURS_FIELD)


def _count_of(queryset: QuerySet, field: str):
    total = (
        queryset.order_by()
        .values("volunteer_id")
        .annotate(total=Count(field, distinct=True))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(0), output_field=IntegerField())


def with_hours(volunteers: QuerySet[Volunteer], *, fiscal_year: int) -> QuerySet[Volunteer]:
    """Volunteers annotated with their fiscal year's `event_hours`, `entry_hours`,
    `visit_count`, `cases_closed` and `total_hours` (the same definition as above), so a list
    can be sorted and paginated by them in the database: one query per page."""
    from asa.cases.models import CaseAssignment, Status

    first_day, last_day = fiscal_year_days(fiscal_year)
    start, end = _moments(first_day, last_day)
    attended = Attendance.objects.filter(
        volunteer_id=OuterRef("pk"), event__starts_at__gte=start, event__starts_at__lt=end
    )
    entered = HoursEntry.objects.filter(
        volunteer_id=OuterRef("pk"),
        status=HoursStatus.APPROVED,
        worked_on__gte=first_day,
        worked_on__lte=last_day,
    )
    visits = _visit_links().filter(
        volunteer_id=OuterRef("pk"), visit__visited_at__gte=start, visit__visited_at__lt=end
    )
    # Cases the volunteer worked on (an assignment, current or ended) closed in the year.
    closed = CaseAssignment.objects.filter(
        volunteer_id=OuterRef("pk"),
        case__status=Status.CLOSED,
        case__closed_at__gte=start,
        case__closed_at__lt=end,
    )
    return volunteers.annotate(
        event_hours=_sum_of(attended, "hours"),
        entry_hours=_sum_of(entered, "hours"),
        visit_count=_count_of(visits, "visit_id"),
        cases_closed=_count_of(closed, "case_id"),
    ).annotate(
        total_hours=ExpressionWrapper(
            F("event_hours") + F("entry_hours") + F("visit_count") * Value(hours_per_visit()),
            output_field=_HOURS_FIELD,
        )
    )


def outstanding_candidates(
    user, *, fiscal_year: int, center_id: int | None = None
) -> QuerySet[Volunteer]:
    """Candidates for "outstanding volunteer" (อพม. ดีเด่น) among the active volunteers the user
    manages (a center for its chair, the area for officers): most hours first, then visits,
    then cases closed. Only volunteers with something to show are listed."""
    volunteers = visible(
        user,
        Volunteer.objects.filter(status=VolunteerStatus.ACTIVE).select_related("center"),
        write=True,
    )
    if center_id is not None:
        volunteers = volunteers.filter(center_id=center_id)
    return (
        with_hours(volunteers, fiscal_year=fiscal_year)
        .filter(Q(total_hours__gt=0) | Q(cases_closed__gt=0))
        .order_by(
            "-total_hours",
            "-visit_count",
            "-cases_closed",
            thai_order("first_name"),
            thai_order("last_name"),
            "id",
        )
    )


# --- Events and training -----------------------------------------------------------------------


def events_for(user) -> QuerySet[Event]:
    return visible(user, Event.objects.select_related("center"))


def filter_events(
    queryset: QuerySet[Event],
    *,
    center_id: str | int | None = None,
    kind: str = "",
    fiscal_year: int | None = None,
) -> QuerySet[Event]:
    """The event list's filters: a center (hosting or taking part), a kind, a fiscal year."""
    if center_id is not None and str(center_id).isdigit():
        joint = Event.other_centers.through.objects.filter(center_id=int(center_id))
        queryset = queryset.filter(Q(center_id=int(center_id)) | Q(pk__in=joint.values("event_id")))
    if kind in EventKind.values:
        queryset = queryset.filter(kind=kind)
    if fiscal_year is not None:
        start, end = _moments(*fiscal_year_days(fiscal_year))
        queryset = queryset.filter(starts_at__gte=start, starts_at__lt=end)
    return queryset


def event_detail_for(user) -> QuerySet[Event]:
    """Events with what their page shows, in a fixed number of queries."""
    attendances = Attendance.objects.select_related("volunteer__center").order_by(
        thai_order("volunteer__first_name"), thai_order("volunteer__last_name"), "volunteer_id"
    )
    return (
        events_for(user)
        .select_related("subdistrict__district", "created_by")
        .prefetch_related(
            "other_centers",
            "photos",
            Prefetch("attendances", queryset=attendances),
        )
    )


def trainings_for(user) -> QuerySet[TrainingRecord]:
    return visible(
        user, TrainingRecord.objects.select_related("volunteer__center", "event__center")
    )


def hours_entries_for(user) -> QuerySet[HoursEntry]:
    return visible(
        user, HoursEntry.objects.select_related("volunteer__center", "decided_by", "entered_by")
    )


def own_volunteer(user) -> Volunteer | None:
    """The signed-in user's own volunteer record (not one that has left), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Volunteer.objects.select_related("center")
        .filter(user=user)
        .exclude(status=VolunteerStatus.LEFT)
        .first()
    )


def attendance_of(volunteer: Volunteer, *, first_day: dt.date, last_day: dt.date) -> QuerySet:
    """A volunteer's attendances at events that started in the period, newest first."""
    start, end = _moments(first_day, last_day)
    return (
        Attendance.objects.filter(
            volunteer=volunteer, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .select_related("event__center")
        .order_by("-event__starts_at", "-id")
    )
