"""Every read of centers and volunteers: scoped through the access layer, bounded, indexed."""

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from asa.accounts.access import visible
from asa.centers.models import (
    COMMITTEE_ROLES,
    Center,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
    VolunteerStatusChange,
)
from asa.lib.thai import to_arabic_digits

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
    """Match a name (partial, spaces ignored), a national ID (prefix) or a phone number.

    `include_national_id=False` for people who may not see ID numbers, so a search cannot be
    used to probe whose number is whose.
    """
    text = to_arabic_digits((text or "").strip())
    if not text:
        return queryset
    compact = "".join(text.split())
    number = compact.replace("-", "")
    if number.isdigit() and number.isascii():
        condition = Q(phone__contains=number)
        if include_national_id:
            condition |= Q(national_id__startswith=number)
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
        .order_by("role_order", "first_name", "last_name", "id")
    )


def volunteer_detail_for(user) -> QuerySet[Volunteer]:
    """Volunteers with what their page shows, fetched in a fixed number of queries."""
    return volunteers_for(user).select_related(
        "center__district", "subdistrict__district__province"
    )


def history_of(volunteer: Volunteer, *, limit: int = 50) -> list[VolunteerStatusChange]:
    return list(volunteer.history.select_related("changed_by")[:limit])
