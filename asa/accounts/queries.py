"""Reads of the audit trail for the DPO and the ministry: search, a person's access history.

"About a person" means the events on their own record and on the records that are about them:
their cases, the households they were ever in, the referrals of their cases, and records merged
into theirs. Those ids are looked up (each an indexed foreign key), then every event is found
through the (object_type, object_id, at) index — so the history also holds what was written
before this search existed, and no read event needs to carry the person's id.
By user: the (actor, at) index. Both are bounded by the period and paginated.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from asa.accounts.access import visible
from asa.accounts.models import AuditEvent


def audit_events_for(user) -> QuerySet[AuditEvent]:
    """The audit events this user may read: all of them for the DPO and the ministry."""
    return visible(user, AuditEvent.objects.all())


def about_person(person_id: int) -> Q:
    """Events on the person's record and on the records that are about them."""
    from asa.cases.models import Case
    from asa.referrals.models import Referral
    from asa.registry.models import HouseholdMembership, Person

    def ids(queryset) -> list[str]:
        return [str(pk) for pk in queryset[:10000]]

    merged = Person.objects.filter(merged_into_id=person_id).values_list("pk", flat=True)
    people = [str(person_id), *ids(merged)]
    cases = ids(Case.objects.filter(person_id=person_id).values_list("pk", flat=True))
    households = ids(
        HouseholdMembership.objects.filter(person_id=person_id)
        .values_list("household_id", flat=True)
        .distinct()
    )
    condition = Q(object_type="registry.person", object_id__in=people)
    if cases:
        condition |= Q(object_type="cases.case", object_id__in=cases)
        referrals = ids(Referral.objects.filter(case_id__in=cases).values_list("pk", flat=True))
        if referrals:
            condition |= Q(object_type="referrals.referral", object_id__in=referrals)
    if households:
        condition |= Q(object_type="registry.household", object_id__in=households)
    return condition


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_audit(
    user,
    *,
    person: int | None = None,
    actor: int | None = None,
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The events matching every filter given, newest first. Dates are whole local days."""
    events = audit_events_for(user)
    if person is not None:
        events = events.filter(about_person(person))
    if actor is not None:
        events = events.filter(actor_id=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=str(object_id))
    if action:
        events = events.filter(action=action)
    if since is not None:
        since = since if isinstance(since, dt.datetime) else _start_of(since)
        events = events.filter(at__gte=since)
    if until is not None:
        until = until if isinstance(until, dt.datetime) else _start_of(until + dt.timedelta(days=1))
        events = events.filter(at__lt=until)
    return events.order_by("-at", "-id")


def find_users(text: str, *, limit: int = 20):
    """Users by username (exact first, then starting with the text): the DPO's 'by user'."""
    text = text.strip()
    if not text:
        return []
    users = get_user_model().objects.only("pk", "username", "first_name", "last_name")
    exact = list(users.filter(username__iexact=text)[:1])
    if exact:
        return exact
    return list(users.filter(username__istartswith=text).order_by("username")[:limit])


def find_people(text: str) -> list:
    """People for the DPO to pick, by name or ID, across the registry: the DPO audits every
    area. Only what tells them apart is loaded and shown (name, district), never the record."""
    from asa.registry.models import Person
    from asa.registry.queries import search_people

    people = Person.objects.filter(merged_into__isnull=True).select_related("subdistrict__district")
    return search_people(people, text)


def person_label(person_id: int) -> dict | None:
    """The name and district of a person, for the head of their access history (no more)."""
    from asa.registry.models import Person

    row = (
        Person.objects.filter(pk=person_id)
        .values("pk", "title", "first_name", "last_name", "subdistrict__district__name_th")
        .first()
    )
    if row is None:
        return None
    return {
        "pk": row["pk"],
        "name": f"{row['title']}{row['first_name']} {row['last_name']}".strip(),
        "district": row["subdistrict__district__name_th"] or "",
    }
