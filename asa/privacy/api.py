"""The DPO's work over JSON (DPO and ministry only): data-subject requests at
/api/v1/privacy-requests, the breach register at /api/v1/breaches, the retention run.

Everyone else gets 403 on every operation; a request or breach by id outside that is a 404.
Each operation calls the same action as the DPO's page.
"""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.access import get_for
from asa.accounts.models import User
from asa.lib.thai import check_ce_date
from asa.privacy import actions, queries
from asa.privacy.models import Breach, PrivacyRequest
from asa.privacy.schemas import (
    BreachCloseIn,
    BreachIn,
    BreachOut,
    PrivacyRequestAnswerIn,
    PrivacyRequestAssignIn,
    PrivacyRequestIn,
    PrivacyRequestOut,
    PrivacyRequestWithdrawIn,
    RefuseIn,
    RetentionRunOut,
    VerifyIn,
)
from asa.privacy.tasks import run_retention_task

router = Router(tags=["privacy"])


def _person(pk: int | None, field: str = "person"):
    if pk is None:
        return None
    found = queries.people_for_privacy(None).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"ไม่พบบุคคลรหัส {pk}"})
    return found


def _request(request, pk: int) -> PrivacyRequest:
    actions.require_privacy_officer(request.auth)
    queryset = PrivacyRequest.objects.select_related("person", "assigned_to")
    return get_for(request.auth, queryset, pk, write=request.method != "GET")


@router.get(
    "/privacy-requests",
    response=list[PrivacyRequestOut],
    summary="Data-subject requests, soonest due first",
    description="Filters: `status`, `kind`, `overdue=true` (open and past the 30-day due date).",
)
@paginate(LimitOffsetPagination)
def list_requests(request, status: str = "", kind: str = "", overdue: bool = False):
    actions.require_privacy_officer(request.auth)
    return queries.requests_for(request.auth, status=status, kind=kind, overdue=overdue)


@router.post("/privacy-requests", response={201: PrivacyRequestOut})
def create_request(request, payload: PrivacyRequestIn):
    actions.require_privacy_officer(request.auth)
    received_on = payload.received_on or timezone.localdate()
    try:
        check_ce_date(received_on)
    except ValueError as error:
        raise ValidationError({"received_on": str(error)}) from None
    created = actions.receive_privacy_request(
        actor=request.auth,
        kind=payload.kind,
        requester_name=payload.requester_name,
        requester_contact=payload.requester_contact,
        on_behalf=payload.on_behalf,
        details=payload.details,
        received_on=received_on,
        person=_person(payload.person),
    )
    return Status(201, created)


@router.get("/privacy-requests/{request_id}", response=PrivacyRequestOut)
def get_request(request, request_id: int):
    return _request(request, request_id)


@router.post("/privacy-requests/{request_id}/assign", response=PrivacyRequestOut)
def assign_request(request, request_id: int, payload: PrivacyRequestAssignIn):
    item = _request(request, request_id)
    assignee = User.objects.filter(pk=payload.assigned_to, is_active=True).first()
    return actions.assign_privacy_request(
        actor=request.auth, privacy_request=item, assignee=assignee
    )


@router.post("/privacy-requests/{request_id}/verify-identity", response=PrivacyRequestOut)
def verify_identity(request, request_id: int, payload: VerifyIn):
    item = _request(request, request_id)
    return actions.verify_requester_identity(
        actor=request.auth,
        privacy_request=item,
        method=payload.method,
        person=_person(payload.person),
    )


@router.post(
    "/privacy-requests/{request_id}/generate-answer",
    response=PrivacyRequestOut,
    summary="Generate the copy of the person's data (PDF and JSON) for an access request",
)
def generate_answer(request, request_id: int):
    item = _request(request, request_id)
    return actions.generate_access_answer(actor=request.auth, privacy_request=item)


@router.post("/privacy-requests/{request_id}/answer", response=PrivacyRequestOut)
def answer_request(request, request_id: int, payload: PrivacyRequestAnswerIn):
    item = _request(request, request_id)
    return actions.answer_privacy_request(
        actor=request.auth, privacy_request=item, answer=payload.answer
    )


@router.post(
    "/privacy-requests/{request_id}/erase",
    response=PrivacyRequestOut,
    summary="Answer an erasure request by anonymising the person (422 when the law says keep)",
)
def erase(request, request_id: int):
    item = _request(request, request_id)
    actions.erase_person_data(actor=request.auth, privacy_request=item)
    item.refresh_from_db()
    return item


@router.post("/privacy-requests/{request_id}/refuse", response=PrivacyRequestOut)
def refuse_request(request, request_id: int, payload: RefuseIn):
    item = _request(request, request_id)
    return actions.refuse_privacy_request(
        actor=request.auth, privacy_request=item, reason=payload.reason
    )


@router.post("/privacy-requests/{request_id}/withdraw", response=PrivacyRequestOut)
def withdraw_request(request, request_id: int, payload: PrivacyRequestWithdrawIn):
    item = _request(request, request_id)
    return actions.withdraw_privacy_request(
        actor=request.auth, privacy_request=item, reason=payload.reason
    )


@router.get(
    "/privacy-requests/{request_id}/answer.{file_format}",
    summary="Download the generated copy (`pdf` or `json`); each download is audited",
    response={200: None},
    openapi_extra={
        "responses": {200: {"content": {"application/pdf": {}, "application/json": {}}}}
    },
)
def download_answer(request, request_id: int, file_format: str):
    from django.http import Http404

    item = _request(request, request_id)
    stored = {"pdf": item.answer_pdf, "json": item.answer_json}.get(file_format)
    if not stored:
        raise Http404("ยังไม่ได้จัดทำสำเนาข้อมูลในรูปแบบนี้")
    with stored.open("rb") as handle:
        content = handle.read()
    actions.record_answer_download(
        actor=request.auth, privacy_request=item, file_format=file_format
    )
    content_type = "application/pdf" if file_format == "pdf" else "application/json"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="asa-data-request-{item.pk}.{file_format}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Retention ---------------------------------------------------------------------------------


@router.post(
    "/retention/run",
    response={202: RetentionRunOut},
    tags=["privacy"],
    summary="Queue the retention run: anonymise what is past its retention period",
    description=(
        "The same background job as the DPO's retention page (`asa db_worker` runs it); each "
        "anonymised record is in the audit trail. The answer is the queued job."
    ),
)
def run_retention(request):
    actions.require_privacy_officer(request.auth)
    result = run_retention_task.enqueue(actor_id=request.auth.pk)
    return Status(202, {"task_id": str(result.id), "status": str(result.status)})


# --- Breaches ----------------------------------------------------------------------------------


def _breach(request, pk: int) -> Breach:
    actions.require_privacy_officer(request.auth)
    breaches = queries.breaches_for(request.auth)
    return get_for(request.auth, breaches, pk, write=request.method != "GET")


def _accounts(names: list[str]) -> list[User]:
    wanted = {name.strip() for name in names if name.strip()}
    users = list(User.objects.filter(username__in=wanted))
    missing = sorted(wanted - {user.username for user in users})
    if missing:
        raise ValidationError({"suspected_accounts": f"ไม่พบผู้ใช้: {', '.join(missing)}"})
    return users


@router.get(
    "/breaches",
    response=list[BreachOut],
    tags=["privacy"],
    summary="The breach register, newest first",
)
@paginate(LimitOffsetPagination)
def list_breaches(request):
    actions.require_privacy_officer(request.auth)
    return queries.breaches_for(request.auth)


@router.post(
    "/breaches",
    response={201: BreachOut},
    tags=["privacy"],
    summary="Record a personal data breach (the 72-hour clock to tell the PDPC starts)",
)
def create_breach(request, payload: BreachIn):
    actions.require_privacy_officer(request.auth)
    breach = actions.record_breach(
        actor=request.auth,
        discovered_at=payload.discovered_at,
        kind=payload.kind,
        description=payload.description,
        suspected_accounts=_accounts(payload.suspected_accounts),
        period_start=payload.period_start,
        period_end=payload.period_end,
        notes=payload.notes,
    )
    return Status(201, _breach(request, breach.pk))


@router.get("/breaches/{breach_id}", response=BreachOut, tags=["privacy"])
def get_breach(request, breach_id: int):
    return _breach(request, breach_id)


@router.post(
    "/breaches/{breach_id}/notify-regulator",
    response=BreachOut,
    tags=["privacy"],
    summary="Note that the PDPC was told now (422 when already noted)",
)
def notify_regulator(request, breach_id: int):
    breach = _breach(request, breach_id)
    return actions.notify_regulator(actor=request.auth, breach=breach)


@router.post(
    "/breaches/{breach_id}/notify-people",
    response=BreachOut,
    tags=["privacy"],
    summary="Note that the affected people were told now (422 when already noted)",
)
def notify_people(request, breach_id: int):
    breach = _breach(request, breach_id)
    return actions.notify_breach_people(actor=request.auth, breach=breach)


@router.post(
    "/breaches/{breach_id}/close",
    response=BreachOut,
    tags=["privacy"],
    summary="Close the breach record (422 when already closed)",
)
def close_breach(request, breach_id: int, payload: BreachCloseIn):
    breach = _breach(request, breach_id)
    return actions.close_breach(actor=request.auth, breach=breach, notes=payload.notes)
