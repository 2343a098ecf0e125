"""Every read of the privacy app, through the access layer (DPO and ministry only)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from asa.accounts.access import visible
from asa.accounts.models import AuditEvent, Role, User
from asa.privacy.models import OPEN_REQUEST_STATUSES, Breach, PrivacyRequest


def requests_for(
    user,
    *,
    status: str = "",
    kind: str = "",
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[PrivacyRequest]:
    """Requests the user may handle, soonest due first, filtered as asked."""
    rows = visible(user, PrivacyRequest.objects.all()).select_related("person", "assigned_to")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if overdue:
        rows = rows.filter(
            status__in=OPEN_REQUEST_STATUSES, due_on__lt=today or timezone.localdate()
        )
    return rows.order_by("due_on", "pk")


def request_counts(user, *, today: dt.date | None = None) -> dict[str, int]:
    rows = visible(user, PrivacyRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES))
    today = today or timezone.localdate()
    return {
        "open": rows.count(),
        "overdue": rows.filter(due_on__lt=today).count(),
        "due_soon": rows.filter(
            due_on__gte=today, due_on__lte=today + dt.timedelta(days=7)
        ).count(),
    }


def breaches_for(user) -> QuerySet[Breach]:
    return visible(user, Breach.objects.all()).prefetch_related("suspected_accounts")


def privacy_officers() -> QuerySet[User]:
    """Who a request can be given to: DPOs and ministry admins."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=[Role.DATA_PROTECTION_OFFICER, Role.MINISTRY_ADMIN],
        )
        .distinct()
        .order_by("username")
    )


def people_for_privacy(user):
    """Every active person: a DPO answering a request must find anyone (checked by the view)."""
    from asa.registry.models import Person

    return Person.objects.filter(merged_into__isnull=True)


def affected_people(breach: Breach):
    """People whose records the breach's suspected accounts read or changed in its period.

    From the audit log: events on a person, on a household (its members over time) or on a
    case (its person; a case read may also name the person in `changes`). Returns a queryset
    of people, ordered by id, for paging and export.
    """
    from asa.cases.models import Case
    from asa.registry.models import HouseholdMembership, Person

    events = AuditEvent.objects.filter(
        actor__in=breach.suspected_accounts.all(),
        at__gte=breach.period_start,
        at__lte=breach.period_end,
        object_type__in=["registry.person", "registry.household", "cases.case"],
    ).values_list("object_type", "object_id", "changes")
    people, households, cases = set(), set(), set()
    for object_type, object_id, changes in events.iterator(chunk_size=2000):
        if not str(object_id).isdigit():
            if object_type == "registry.person" and isinstance(changes, dict):
                people.update(int(pk) for pk in changes.get("people", []) if str(pk).isdigit())
            continue
        pk = int(object_id)
        if object_type == "registry.person":
            people.add(pk)
        elif object_type == "registry.household":
            households.add(pk)
        else:
            cases.add(pk)
            person = changes.get("person") if isinstance(changes, dict) else None
            if str(person or "").isdigit():
                people.add(int(person))
    condition = Q(pk__in=people)
    if households:
        condition |= Q(
            pk__in=HouseholdMembership.objects.filter(household_id__in=households).values(
                "person_id"
            )
        )
    if cases:
        condition |= Q(pk__in=Case.objects.filter(pk__in=cases).values("person_id"))
    return Person.objects.filter(condition).select_related("district").order_by("pk")
