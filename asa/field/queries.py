"""Reads of the field app: the volunteer's offline pack and the chair's review list."""

import datetime as dt

from django.conf import settings
from django.db.models import Max, Prefetch
from django.utils import timezone

from asa.accounts.access import scope_of, visible
from asa.aid.models import ItemKind, StockBalance
from asa.cases.models import OPEN_STATUSES, Case, PlanItem, PlanItemStatus
from asa.centers.models import Volunteer, VolunteerStatus
from asa.field.models import OfflineSubmission, SubmissionStatus
from asa.geo.models import Subdistrict
from asa.registry.models import HouseholdMembership

# A volunteer carries a few dozen cases; the pack stops here so a phone never holds a center.
MAXIMUM_PACK_CASES = 200


def submissions_for(user):
    """Kept items the user may review (the chair of the volunteer's center and above)."""
    return visible(user, OfflineSubmission.objects.all()).select_related(
        "center", "case", "volunteer", "submitted_by"
    )


def _assigned_cases(scope):
    return (
        Case.objects.filter(
            assignments__volunteer_id__in=scope.volunteer_ids,
            assignments__ended_at__isnull=True,
            center_id__in=scope.center_ids,
            status__in=OPEN_STATUSES,
        )
        .distinct()
        .select_related("person__subdistrict__district", "household")
        .annotate(last_visit_at=Max("visits__visited_at"))
        .prefetch_related(
            Prefetch(
                "plan_items",
                queryset=PlanItem.objects.filter(
                    status__in=[PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS]
                ).order_by("due_on"),
                to_attr="open_plan_items",
            ),
        )
        .order_by("next_follow_up_on", "pk")[:MAXIMUM_PACK_CASES]
    )


def _address(record) -> str:
    area = record.subdistrict
    parts = [record.address_line]
    if area is not None:
        parts.append(f"{area.name_th} {area.district.name_th}")
    return " ".join(part for part in parts if part)


def offline_pack(user) -> dict:
    """What a volunteer's phone keeps: their assigned open cases with the household's
    essentials, their center's goods in stock, the people on the device (for the offline
    duplicate warning), and the state of the items they sent that a chair decided on.

    The phone replaces its whole pack with this one, so a case no longer assigned (or moved,
    closed) drops off the phone at the next contact with the server.
    """
    scope = scope_of(user)
    volunteer = (
        Volunteer.objects.select_related("center")
        .filter(pk__in=scope.volunteer_ids, status=VolunteerStatus.ACTIVE)
        .order_by("pk")
        .first()
    )
    pack = {
        "user": user.pk,
        "generated_at": timezone.now().isoformat(),
        "device_days": settings.FIELD_DEVICE_DAYS,
        "volunteer": None,
        "cases": [],
        "items": [],
        "people": [],
        "subdistricts": [],
        "submissions": {},
    }
    if volunteer is None:
        return pack
    center = volunteer.center
    pack["volunteer"] = {
        "id": volunteer.pk,
        "name": volunteer.full_name,
        "center": center.pk,
        "center_name": center.name_th,
    }
    cases = list(_assigned_cases(scope))
    household_ids = [case.household_id for case in cases if case.household_id]
    members: dict[int, list] = {}
    for membership in (
        HouseholdMembership.objects.filter(household_id__in=household_ids, ended_on__isnull=True)
        .select_related("person")
        .order_by("pk")
    ):
        members.setdefault(membership.household_id, []).append(membership.person)
    people = {}
    today = timezone.localdate()
    for case in cases:
        person = case.person
        people[person.pk] = person
        for member in members.get(case.household_id, []):
            people[member.pk] = member
        pack["cases"].append(
            {
                "id": case.pk,
                "number": case.number,
                "urgency": case.get_urgency_display(),
                "status": case.get_status_display(),
                "next_follow_up_on": case.next_follow_up_on.isoformat()
                if case.next_follow_up_on
                else None,
                "due_today": bool(case.next_follow_up_on and case.next_follow_up_on <= today),
                "person": person.full_name,
                "phone": person.phone,
                "address": _address(person),
                "household": case.household.code if case.household_id else "",
                "members": [
                    member.full_name
                    for member in members.get(case.household_id, [])
                    if member.pk != person.pk
                ],
                "last_visit_at": case.last_visit_at.isoformat() if case.last_visit_at else None,
                "plan": [
                    {
                        "need": item.need,
                        "action": item.action,
                        "due_on": item.due_on.isoformat() if item.due_on else None,
                    }
                    for item in case.open_plan_items
                ],
            }
        )
    pack["people"] = [
        {
            "name": f"{person.first_name} {person.last_name}".strip(),
            "birth_year": person.birth_date.year + 543 if person.birth_date else None,
        }
        for person in people.values()
    ]
    pack["items"] = [
        {
            "id": balance.item_id,
            "name": balance.item.name_th,
            "unit": balance.item.unit,
            "quantity": balance.quantity,
        }
        for balance in StockBalance.objects.filter(
            center=center, quantity__gt=0, item__kind=ItemKind.CONSUMABLE
        )
        .select_related("item")
        .order_by("item__name_th")
    ]
    pack["subdistricts"] = [
        {"code": area.code, "name": area.name_th}
        for area in Subdistrict.objects.filter(district_id=center.district_id).order_by("name_th")
    ]
    since = timezone.now() - dt.timedelta(days=settings.FIELD_DEVICE_DAYS + 30)
    for submission in OfflineSubmission.objects.filter(
        submitted_by=user, created_at__gte=since
    ).only("client_id", "status", "reason", "decision_note", "result_url"):
        state = {
            SubmissionStatus.NEEDS_ATTENTION: "needs_attention",
            SubmissionStatus.APPLIED: "sent",
            SubmissionStatus.DISCARDED: "discarded",
        }[submission.status]
        pack["submissions"][str(submission.client_id)] = {
            "state": state,
            "reason": submission.decision_note or submission.reason,
        }
    return pack
