"""Every read of centers and volunteers: scoped through the access layer, bounded, indexed."""

from django.db.models import Q, QuerySet

from asa.accounts.access import visible
from asa.centers.models import COMMITTEE_ROLES, Center, Volunteer, VolunteerStatus


def centers_for(user) -> QuerySet[Center]:
    return visible(user, Center.objects.select_related("district__province", "subdistrict"))


def volunteers_for(user) -> QuerySet[Volunteer]:
    return visible(user, Volunteer.objects.select_related("center"))


def search_volunteers(queryset: QuerySet[Volunteer], *, text: str = "") -> QuerySet[Volunteer]:
    """Match a name (partial, spaces ignored), a national ID or a phone number."""
    text = (text or "").strip()
    if not text:
        return queryset
    compact = "".join(text.split())
    if compact.isdigit():
        return queryset.filter(Q(national_id__startswith=compact) | Q(phone__contains=compact))
    return queryset.filter(search_name__contains=compact.lower())


def committee_of(center: Center) -> QuerySet[Volunteer]:
    return center.volunteers.filter(role__in=COMMITTEE_ROLES, status=VolunteerStatus.ACTIVE)
