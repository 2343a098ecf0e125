"""Casework over JSON: cases, visits, plans, help, the case timeline and the watch list.

Thin: parse, check access, call an action. Reads go through `asa.accounts.access` and
`asa.cases.queries`, writes through `asa.cases.actions`. Out of scope is 404, readable but not
allowed is 403, bad input is 422 naming the field (an id in the body you may not use included),
a change made against an older `version` of the case is 409.
"""

import json

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import ValidationError as PydanticError

from asa.accounts.access import get_for, visible
from asa.accounts.events import AUDIT_ONLY_ACTIONS
from asa.accounts.models import AuditEvent
from asa.accounts.reads import audited_pagination, read_api
from asa.cases import actions
from asa.cases.actions import StaleCase
from asa.cases.models import (
    Assistance,
    Case,
    CaseAssignment,
    PlanItem,
    Urgency,
    Visit,
    VisitPhoto,
)
from asa.cases.models import (
    Status as CaseStatus,
)
from asa.cases.queries import cases_for, watch_counts, watch_list
from asa.cases.schemas import (
    AssistanceIn,
    AssistanceOut,
    CaseAssignIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CaseTransferIn,
    CaseUnassignIn,
    CaseVersionIn,
    ClosureIn,
    PlanItemIn,
    PlanItemOut,
    PlanItemPatch,
    ReopenIn,
    StatusIn,
    TimelineEventOut,
    VisitIn,
    VisitOut,
    WatchOut,
)
from asa.centers.models import Center, CenterStatus, Volunteer
from asa.registry.models import Person, ProblemType, TargetGroup

router = Router()

NOT_YOUR_CASE = "ไม่พบกรณีนี้ หรือคุณไม่มีสิทธิ์บันทึกข้อมูลของกรณีนี้"
CONFLICT = {409: dict}
WATCH_PAGE = 20


def _error_body(error: ValidationError) -> dict:
    field, messages = next(iter(error.message_dict.items()))
    message = " ".join(messages)
    return {"detail": message, "errors": [{"field": field, "message": message}]}


def _conflict(error: StaleCase):
    return Status(409, _error_body(error))


# --- Cases -------------------------------------------------------------------------------------


def _detail_queryset(user):
    return cases_for(user).prefetch_related(
        "problems",
        "target_groups",
        Prefetch("assignments", queryset=CaseAssignment.objects.select_related("volunteer")),
    )


def _case_detail(user, case_id: int) -> Case:
    return get_for(user, _detail_queryset(user), case_id)


def _versioned(user, case: Case, action, version: int | None, **kwargs):
    """Run a case action against the version the client saw: 409 if someone changed it since."""
    try:
        action(actor=user, case=case, expected_version=version, **kwargs)
    except StaleCase as error:
        return _conflict(error)
    return _after_write(user, case)


def _after_write(user, case: Case) -> Case:
    # A transfer can take the case out of the actor's scope; they may still see what they did.
    found = _detail_queryset(user).filter(pk=case.pk).first()
    if found is None:
        found = Case.objects.prefetch_related("problems", "target_groups", "assignments").get(
            pk=case.pk
        )
    return found


def _case_for_write(user, case_id: int) -> Case:
    return get_for(user, cases_for(user), case_id, write=True)


@router.get(
    "/cases",
    response=list[CaseOut],
    tags=["cases"],
    summary="Cases you may see",
    description=(
        "Officers see their area, chairs their center, volunteers the cases they work on or "
        "reported. Filters: `center`, `status`, `urgency`, `person`, `assigned_to` (volunteer "
        "id, current assignments). Newest report first."
    ),
)
@paginate(audited_pagination("cases.case"))
def list_cases(
    request,
    center: int | None = Query(None, description="center id"),
    status: CaseStatus | None = None,
    urgency: Urgency | None = None,
    person: int | None = Query(None, description="person id"),
    assigned_to: int | None = Query(None, description="volunteer id"),
):
    cases = cases_for(request.auth)
    if center is not None:
        cases = cases.filter(center_id=center)
    if status:
        cases = cases.filter(status=status)
    if urgency:
        cases = cases.filter(urgency=urgency)
    if person is not None:
        cases = cases.filter(person_id=person)
    if assigned_to is not None:
        # One current assignment per (case, volunteer), so the join adds no duplicates.
        cases = cases.filter(
            assignments__volunteer_id=assigned_to, assignments__ended_at__isnull=True
        )
    return cases


@router.get("/cases/{case_id}", response=CaseDetailOut, tags=["cases"])
def get_case(request, case_id: int):
    case = _case_detail(request.auth, case_id)
    read_api(request, case)  # logged; out-of-routine reads need a reason (428)
    return case


def _catalogue(model, codes: list[str], field: str):
    codes = sorted(set(codes))
    found = list(model.objects.filter(code__in=codes, is_active=True))
    missing = set(codes) - {row.code for row in found}
    if missing:
        raise ValidationError({field: f"ไม่รู้จักรหัส: {', '.join(sorted(missing))}"})
    return found


@router.post(
    "/cases",
    response={201: CaseDetailOut},
    tags=["cases"],
    summary="Take in a report of distress (intake)",
    description=(
        "`person` must be a registry person you may see (search `/api/v1/people` first; never "
        "register a duplicate); any other id is a 422 naming `person`. The case goes to the "
        "center covering the person's address and its chair is told."
    ),
)
def create_case(request, payload: CaseIn):
    user = request.auth
    data = payload.dict()
    person = visible(user, Person.objects.select_related("center")).filter(pk=data.pop("person"))
    person = person.first()
    if person is None:
        raise ValidationError({"person": "ไม่พบบุคคลนี้ในทะเบียน หรือคุณไม่มีสิทธิ์เข้าถึง"})
    center_id = data.pop("center")
    center = None
    if center_id is not None:
        center = visible(user, Center.objects.all()).filter(pk=center_id).first()
        if center is None:
            raise ValidationError({"center": "ไม่พบศูนย์นี้ หรือคุณไม่มีสิทธิ์เลือกศูนย์นี้"})
    data["problems"] = _catalogue(ProblemType, data["problems"], "problems")
    data["target_groups"] = _catalogue(TargetGroup, data["target_groups"], "target_groups")
    case = actions.open_case(actor=user, person=person, center=center, **data)
    return Status(201, _after_write(user, case))


def _volunteers(user, ids: list[int], field: str) -> list[Volunteer]:
    found = list(visible(user, Volunteer.objects.all()).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({field: "ไม่พบ อพม. บางคนที่เลือก หรือคุณไม่มีสิทธิ์เลือก"})
    return found


@router.post(
    "/cases/{case_id}/assign",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Assign volunteers of the case's center (chairs and officers)",
)
def assign_case(request, case_id: int, payload: CaseAssignIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    volunteers = _volunteers(user, payload.volunteers, "volunteers")
    return _versioned(user, case, actions.assign_case, payload.version, volunteers=volunteers)


@router.post(
    "/cases/{case_id}/unassign",
    response=CaseDetailOut,
    tags=["cases"],
    summary="End a volunteer's assignment to a case, with an optional reason (chairs and officers)",
)
def unassign_case(request, case_id: int, payload: CaseUnassignIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    assignment = (
        case.assignments.filter(volunteer_id=payload.volunteer, ended_at__isnull=True)
        .select_related("volunteer")
        .first()
    )
    if assignment is None:
        raise ValidationError({"volunteer": "อพม. คนนี้ไม่ได้รับมอบหมายกรณีนี้อยู่"})
    actions.unassign_volunteer(
        actor=user, case=case, volunteer=assignment.volunteer, reason=payload.reason
    )
    return _after_write(user, case)


@router.post(
    "/cases/{case_id}/transfer",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Move a case to another center, with a reason (chairs and officers)",
)
def transfer_case(request, case_id: int, payload: CaseTransferIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    # Any open center may take a case over (the actor need not see it): only its id is named.
    to_center = Center.objects.filter(status=CenterStatus.ACTIVE, pk=payload.to_center).first()
    if to_center is None:
        raise ValidationError({"to_center": "ไม่พบศูนย์ปลายทาง หรือศูนย์นั้นไม่ได้เปิดดำเนินการ"})
    return _versioned(
        user,
        case,
        actions.transfer_case,
        payload.version,
        to_center=to_center,
        reason=payload.reason,
    )


@router.post(
    "/cases/{case_id}/status",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Move an open case along new → assessed → plan agreed → in progress → follow-up",
)
def change_status(request, case_id: int, payload: StatusIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    return _versioned(
        user,
        case,
        actions.change_case_status,
        payload.version,
        status=payload.status,
        reason=payload.reason,
    )


@router.post(
    "/cases/{case_id}/closure-request",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Ask to close a case with an outcome (the chair or an officer approves)",
)
def request_closure(request, case_id: int, payload: ClosureIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    return _versioned(
        user,
        case,
        actions.request_closure,
        payload.version,
        outcome=payload.outcome or "",
        note=payload.note,
    )


@router.post(
    "/cases/{case_id}/approve-closure",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Approve a requested closure (chairs and officers; 403 for volunteers)",
)
def approve_closure(request, case_id: int, payload: CaseVersionIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    return _versioned(user, case, actions.approve_closure, payload.version)


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Close a case in one step with an outcome (chairs and officers)",
)
def close_case(request, case_id: int, payload: ClosureIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    return _versioned(
        user,
        case,
        actions.close_case,
        payload.version,
        outcome=payload.outcome or "",
        note=payload.note,
    )


@router.post(
    "/cases/{case_id}/reopen",
    response={200: CaseDetailOut, **CONFLICT},
    tags=["cases"],
    summary="Reopen a closed case, with a reason (chairs and officers)",
)
def reopen_case(request, case_id: int, payload: ReopenIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    return _versioned(user, case, actions.reopen_case, payload.version, reason=payload.reason)


@router.get(
    "/cases/{case_id}/timeline",
    response=list[TimelineEventOut],
    tags=["cases"],
    summary="What happened to the case: who, when, what changed, why (newest first)",
)
@paginate(LimitOffsetPagination)
def case_timeline(request, case_id: int):
    case = get_for(request.auth, cases_for(request.auth), case_id)
    read_api(request, case, part="timeline")
    # The case's own events; reading the case is the permission to read its history.
    return (
        AuditEvent.objects.filter(object_type=Case._meta.label_lower, object_id=str(case.pk))
        .exclude(action__in=AUDIT_ONLY_ACTIONS)
        .order_by("-at", "-id")
    )


# --- Watch (เฝ้าระวัง) -------------------------------------------------------------------------


@router.get(
    "/watch",
    response=WatchOut,
    tags=["cases"],
    summary="Open cases due for follow-up: overdue, today, this week (most urgent first)",
    description=(
        "Each bucket gives its `count` and its first `limit` cases. Filters: `center`, "
        "`district` (DOPA code), `assigned_to` (volunteer id). Page through a bucket with "
        "`/api/v1/cases` filters or the watch pages."
    ),
)
def watch(
    request,
    center: int | None = Query(None, description="center id"),
    district: str | None = Query(None, description="DOPA district code"),
    assigned_to: int | None = Query(None, description="volunteer id"),
    limit: int = Query(WATCH_PAGE, ge=1, le=100),
):
    cases = cases_for(request.auth)
    if center is not None:
        cases = cases.filter(center_id=center)
    if district:
        cases = cases.filter(district_id=district.strip())
    if assigned_to is not None:
        cases = cases.filter(
            assignments__volunteer_id=assigned_to, assignments__ended_at__isnull=True
        )
    today = timezone.localdate()
    counts = watch_counts(cases, today=today)
    buckets = {"overdue": "overdue", "due_today": "today", "this_week": "week"}
    result = {"today": today}
    for name, bucket in buckets.items():
        result[name] = {
            "count": counts[bucket],
            "items": list(watch_list(cases, bucket=bucket, today=today)[:limit]),
        }
    return result


# --- Visits ------------------------------------------------------------------------------------


def _visits(user):
    return visible(user, Visit.objects.prefetch_related("volunteers", "photos"))


@router.get(
    "/visits",
    response=list[VisitOut],
    tags=["visits"],
    summary="Home visits of the cases you may see (newest first)",
)
@paginate(LimitOffsetPagination)
def list_visits(request, case: int | None = Query(None, description="case id")):
    visits = _visits(request.auth)
    if case is not None:
        visits = visits.filter(case_id=case)
    return visits


@router.get("/visits/{visit_id}", response=VisitOut, tags=["visits"])
def get_visit(request, visit_id: int):
    return get_for(request.auth, _visits(request.auth), visit_id)


@router.get(
    "/visits/{visit_id}/photos/{photo_id}",
    tags=["visits"],
    summary="A visit photo (JPEG), only for those who may read the visit",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"image/jpeg": {}}}}},
)
def get_visit_photo(request, visit_id: int, photo_id: int):
    photos = VisitPhoto.objects.filter(visit_id=visit_id)
    photo = get_for(request.auth, photos, photo_id)
    # Resized photos are small (≤ 1600 px JPEG): read whole rather than streamed.
    with photo.image.open("rb") as image:
        response = HttpResponse(image.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


_VISIT_SCHEMA = VisitIn.model_json_schema()
_VISIT_FORM_SCHEMA = {
    **_VISIT_SCHEMA,
    "properties": {
        **_VISIT_SCHEMA["properties"],
        "indicators": {"type": "string", "description": "JSON object: indicator code → met"},
        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
    },
}


def _visit_input(request) -> tuple[VisitIn, list]:
    """The visit from a JSON body, or from multipart/form-data with photos."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = request.POST
        data = {}
        for key in form:
            if key == "csrfmiddlewaretoken":
                continue
            if key == "volunteers":
                data[key] = form.getlist(key)
            elif key == "indicators":
                try:
                    data[key] = json.loads(form[key]) if form[key].strip() else None
                except ValueError:
                    raise ValidationError(
                        {"indicators": 'ต้องเป็น JSON object เช่น {"clean_water": true}'}
                    ) from None
            else:
                value = form[key]
                data[key] = None if value == "" and key in _OPTIONAL_FORM_FIELDS else value
        photos = request.FILES.getlist("photos")
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, "bad json") from None
        photos = []
    try:
        return VisitIn.model_validate(data), photos
    except PydanticError as error:
        raise SchemaError(
            [
                {**item, "loc": ("body", "payload", *item["loc"])}
                for item in error.errors(include_url=False)
            ]
        ) from None


_OPTIONAL_FORM_FIELDS = {"next_visit_on", "latitude", "longitude"}


@router.post(
    "/visits",
    response={201: VisitOut},
    tags=["visits"],
    summary="Record a home visit (JSON, or multipart/form-data with `photos`)",
    description=(
        "`case` must be a case you work on (422 naming `case` otherwise). A visit in the "
        "future or before the case was reported, a volunteer of another center, a file that is "
        "not an image or over 10 MB: 422 naming the field, nothing saved. `indicators` "
        "reassesses the household on the five dimensions; `next_visit_on` sets the next "
        "follow-up."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _VISIT_SCHEMA},
                "multipart/form-data": {"schema": _VISIT_FORM_SCHEMA},
            },
        }
    },
)
def create_visit(request):
    user = request.auth
    payload, photos = _visit_input(request)
    data = payload.dict()
    case = visible(user, Case.objects.select_related("person", "household"), write=True)
    case = case.filter(pk=data.pop("case")).first()
    if case is None:
        raise ValidationError({"case": NOT_YOUR_CASE})
    data["volunteers"] = _volunteers(user, data["volunteers"], "volunteers")
    visit = actions.record_visit(actor=user, case=case, photos=photos, **data)
    return Status(201, get_for(user, _visits(user), visit.pk))


# --- Plan --------------------------------------------------------------------------------------


def _plan_items(user):
    return visible(user, PlanItem.objects.select_related("responsible_volunteer"))


@router.get(
    "/cases/{case_id}/plan",
    response=list[PlanItemOut],
    tags=["plans"],
    summary="The case plan: needs, planned actions, who is responsible, by when, progress",
)
@paginate(LimitOffsetPagination)
def list_plan(request, case_id: int):
    case = get_for(request.auth, cases_for(request.auth), case_id)
    read_api(request, case, part="plan")
    return _plan_items(request.auth).filter(case=case)


@router.post(
    "/cases/{case_id}/plan",
    response={201: PlanItemOut},
    tags=["plans"],
    summary="Add a planned action (an owner is required: a volunteer or another party)",
)
def add_plan_item(request, case_id: int, payload: PlanItemIn):
    user = request.auth
    case = _case_for_write(user, case_id)
    data = payload.dict()
    if data["responsible_volunteer"] is not None:
        data["responsible_volunteer"] = _volunteers(
            user, [data["responsible_volunteer"]], "responsible_volunteer"
        )[0]
    item = actions.add_plan_item(actor=user, case=case, **data)
    return Status(201, get_for(user, _plan_items(user), item.pk))


@router.patch(
    "/plan-items/{item_id}",
    response=PlanItemOut,
    tags=["plans"],
    summary="Record progress on a planned action",
)
def update_plan_item(request, item_id: int, payload: PlanItemPatch):
    user = request.auth
    item = get_for(user, _plan_items(user).select_related("case"), item_id, write=True)
    actions.update_plan_item(
        actor=user, item=item, status=payload.status, progress_note=payload.progress_note
    )
    return get_for(user, _plan_items(user), item.pk)


# --- Assistance --------------------------------------------------------------------------------


def _assistance(user):
    return visible(user, Assistance.objects.select_related("person", "center"))


def household_ledger(user, household_id: int):
    """Help given to a household and its members (past and present) by any center — for whoever
    may read the household (asa.registry.queries.help_history explains the rule)."""
    from django.db.models import Q

    from asa.registry.models import HouseholdMembership
    from asa.registry.queries import households_for

    if not 0 < household_id < 2**63 or not households_for(user).filter(pk=household_id).exists():
        raise ValidationError({"household": "ไม่พบครัวเรือนนี้ หรือคุณไม่มีสิทธิ์ดูครัวเรือนนี้"})
    members = HouseholdMembership.objects.filter(household_id=household_id).values("person_id")
    return Assistance.objects.filter(
        Q(household_id=household_id) | Q(person_id__in=members)
    ).select_related("person", "center")


@router.get(
    "/assistance",
    response=list[AssistanceOut],
    tags=["assistance"],
    summary="Help given on the cases you may see (newest first)",
    description=(
        "`household=<id>`: the household's ledger — the help every center gave the household "
        "and anyone who has lived in it, for whoever may read the household (a household you "
        "may not read, or that does not exist: 422 naming `household`)."
    ),
)
@paginate(LimitOffsetPagination)
def list_assistance(
    request,
    case: int | None = Query(None, description="case id"),
    person: int | None = Query(None, description="person id"),
    household: int | None = Query(None, description="household id: its ledger across centers"),
):
    rows = _assistance(request.auth)
    if household is not None:
        rows = household_ledger(request.auth, household)
    if case is not None:
        rows = rows.filter(case_id=case)
    if person is not None:
        rows = rows.filter(person_id=person)
    return rows


@router.get("/assistance/{assistance_id}", response=AssistanceOut, tags=["assistance"])
def get_assistance(request, assistance_id: int):
    return get_for(request.auth, _assistance(request.auth), assistance_id)


@router.post(
    "/assistance",
    response={201: AssistanceOut},
    tags=["assistance"],
    summary="Record help given on a case: a grant, cash, goods, a service or a referral",
    description=(
        "`case` must be a case you work on (422 naming `case` otherwise). An amount that is "
        "negative, zero, over 500,000 baht or with more than 2 decimals: 422 naming `amount`."
    ),
)
def create_assistance(request, payload: AssistanceIn):
    user = request.auth
    data = payload.dict()
    case = visible(user, Case.objects.select_related("person", "household", "center"), write=True)
    case = case.filter(pk=data.pop("case")).first()
    if case is None:
        raise ValidationError({"case": NOT_YOUR_CASE})
    row = actions.record_assistance(actor=user, case=case, **data)
    return Status(201, get_for(user, _assistance(user), row.pk))
