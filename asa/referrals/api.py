"""One Home over JSON: the partner directory, referrals, links, case conferences, channels.

Thin: parse, check access, call an action. Reads go through `asa.accounts.access`, writes
through `asa.referrals.actions` (and the directory import in `asa.referrals.importing`).
Out of scope is 404, readable but not allowed is 403, bad input is 422 naming the field (an id
in the body you may not use included), an answer made against an older `version` is 409.

A partner user reads the referrals addressed to their agency, but only what was shared: the
list and detail give them `PartnerReferralOut` (`"view": "partner"`), which has no case and no
person. Whether a row may show its case is decided by `visible` on the cases of the page.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.access import get_for, require, scope_of, visible
from asa.accounts.actions import set_channel_preference
from asa.accounts.models import Channel, ChannelPreference, Role, RoleAssignment
from asa.cases.models import Case
from asa.centers.models import Center
from asa.lib.thai import to_arabic_digits
from asa.lib.thai_order import thai_order
from asa.referrals import actions, importing
from asa.referrals.models import (
    Agency,
    AgencyArea,
    AgencyContact,
    AgencyKind,
    CaseConference,
    ConferenceAction,
    Referral,
    ReferralStatus,
    Service,
)
from asa.referrals.schemas import (
    AgencyDetailOut,
    AgencyIn,
    AgencyOut,
    AgencyPatch,
    AnyReferralOut,
    ChannelsIn,
    ChannelsOut,
    ConferenceActionIn,
    ConferenceActionOut,
    ConferenceIn,
    ConferenceOut,
    ContactIn,
    ContactOut,
    DoneIn,
    ImportReportOut,
    LinkIn,
    LinkOut,
    ReferralAnswerIn,
    ReferralIn,
    ReferralOut,
    ReferralWithdrawIn,
    ServiceOut,
)
from asa.registry.importing import FileRefused

router = Router()

NOT_YOUR_CASE = "ไม่พบกรณีนี้ หรือคุณไม่มีสิทธิ์ส่งต่อกรณีนี้"
CONFLICT = {409: dict}
IMPORT_MAX_BYTES = 5 * 1024 * 1024
UPLOAD = File(..., description="a CSV or XLSX file")


def _error_body(error: ValidationError) -> dict:
    field, messages = next(iter(error.message_dict.items()))
    message = " ".join(messages)
    return {"detail": message, "errors": [{"field": field, "message": message}]}


def _is_stale(error: ValidationError) -> bool:
    return hasattr(error, "error_dict") and "version" in error.error_dict


# --- Directory ---------------------------------------------------------------------------------


def _agencies(user):
    return visible(
        user,
        Agency.objects.select_related("province")
        .prefetch_related("services", "areas")
        .annotate(
            has_users=Exists(
                RoleAssignment.objects.filter(
                    agency_id=OuterRef("pk"), role=Role.AGENCY_USER, user__is_active=True
                )
            )
        ),
    )


def _agency_detail(user, agency_id: int) -> Agency:
    return get_for(user, _agencies(user).prefetch_related("contacts"), agency_id)


def _area_prefixes(code: str) -> list[str]:
    # An agency covers an area when one of its codes is a prefix of it (10 covers 1005 and 100502).
    return [code[:length] for length in (2, 4, 6) if length <= len(code)]


@router.get(
    "/agencies",
    response=list[AgencyOut],
    tags=["agencies"],
    summary="The One Home partner directory",
    description=(
        "Filters: `service` (code), `area` (DOPA code: agencies whose areas cover it), `kind`, "
        "`q` (part of the Thai or English name). Partner users see their own agency only."
    ),
)
@paginate(LimitOffsetPagination)
def list_agencies(
    request,
    service: str | None = Query(None, description="service code"),
    area: str | None = Query(None, description="DOPA code of the area to be covered"),
    kind: AgencyKind | None = None,
    q: str = Query("", max_length=100, description="part of the name"),
    active: bool | None = Query(True, description="only active agencies (default)"),
):
    agencies = _agencies(request.auth)
    if service:
        agencies = agencies.filter(services__code=service.strip())
    if area:
        prefixes = _area_prefixes(to_arabic_digits(area.strip()))
        agencies = agencies.filter(
            pk__in=AgencyArea.objects.filter(area_code__in=prefixes).values("agency_id")
        )
    if kind:
        agencies = agencies.filter(kind=kind)
    if q.strip():
        agencies = agencies.filter(
            Q(name_th__icontains=q.strip()) | Q(name_en__icontains=q.strip())
        )
    if active is not None:
        agencies = agencies.filter(is_active=active)
    return agencies.order_by(thai_order("name_th"), "id")


@router.get(
    "/agencies/export",
    tags=["agencies"],
    summary="Download the directory you may see (`?format=csv` or `xlsx`)",
    description="The import's columns; formula-looking cells start with an apostrophe.",
)
def export_agencies(request, format: str = Query("csv", pattern="^(csv|xlsx)$")):
    agencies = visible(request.auth, Agency.objects.all())
    data = importing.export_directory(actor=request.auth, agencies=agencies, file_format=format)
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if format == "xlsx"
        else "text/csv; charset=utf-8"
    )
    response = HttpResponse(data, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="agencies-{stamp}.{format}"'
    return response


@router.post(
    "/agencies/import",
    response=ImportReportOut,
    tags=["agencies"],
    summary="Import the directory from CSV or XLSX (admins, officers)",
    description=(
        "Creates or updates agencies by `name_th`; a report per row says what happened, with a "
        "Thai reason for each bad row (good rows are kept). An empty cell keeps the current "
        "value, so the same file imported twice changes nothing. Officers import agencies of "
        "their province. A file that cannot be read at all: 422 naming `file`."
    ),
)
def import_agencies(request, file: UploadedFile = UPLOAD):
    require(importing.may_add_agencies(request.auth))
    if file.size > IMPORT_MAX_BYTES:
        raise ValidationError({"file": "ไฟล์ใหญ่เกิน 5 MB กรุณาแบ่งไฟล์"})
    try:
        report = importing.import_directory(
            actor=request.auth, data=file.read(), file_name=file.name or ""
        )
    except FileRefused:
        raise
    return report.as_dict()


@router.get("/agencies/{agency_id}", response=AgencyDetailOut, tags=["agencies"])
def get_agency(request, agency_id: int):
    return _agency_detail(request.auth, agency_id)


@router.post(
    "/agencies/{agency_id}/contacts",
    response={201: ContactOut},
    tags=["agencies"],
    summary="Add a contact person to an agency (admins; officers of its province)",
    description="A contact who receives referral links needs an email, a phone or a LINE id.",
)
def add_contact(request, agency_id: int, payload: ContactIn):
    user = request.auth
    agency = get_for(user, _agencies(user), agency_id)
    require(importing.may_manage_directory(user, agency.province_id))
    contact = actions.add_agency_contact(actor=user, agency=agency, **payload.dict())
    return Status(201, contact)


def _services(codes: list[str]) -> list[Service]:
    # Services are a shared, admin-kept list (not scoped data).
    wanted = {code.strip() for code in codes if code.strip()}
    found = list(Service.objects.filter(code__in=wanted, is_active=True))
    missing = wanted - {service.code for service in found}
    if missing:
        raise ValidationError({"services": f"ไม่รู้จักรหัสบริการ: {', '.join(sorted(missing))}"})
    return found


def _province(code: str | None):
    from asa.geo.models import Province

    if code is None:
        return None
    found = Province.objects.filter(pk=to_arabic_digits(code.strip())).first()
    if found is None:
        raise ValidationError({"province": f"ไม่พบจังหวัดรหัส {code}"})
    return found


@router.post(
    "/agencies",
    response={201: AgencyDetailOut},
    tags=["agencies"],
    summary="Add an agency to the directory (admins; officers in their province)",
    description="With its services, areas and contacts. 422 naming the field; nothing saved.",
)
def create_agency(request, payload: AgencyIn):
    user = request.auth
    require(importing.may_add_agencies(user))
    province = _province(payload.province)
    if not importing.may_manage_directory(user, province.code if province else None):
        raise ValidationError({"province": "คุณเพิ่มหน่วยงานได้เฉพาะในจังหวัดที่รับผิดชอบ"})
    services = _services(payload.services)
    with transaction.atomic():  # the agency, its lists and contacts, or nothing
        agency = actions.register_agency(
            actor=user,
            name_th=payload.name_th,
            kind=payload.kind,
            name_en=payload.name_en,
            province=province,
            phone=payload.phone,
            email=payload.email,
        )
        actions.update_agency(
            actor=user,
            agency=agency,
            services=services,
            area_codes=[to_arabic_digits(code) for code in payload.areas],
            address=payload.address,
        )
        for contact in payload.contacts:
            actions.add_agency_contact(actor=user, agency=agency, **contact.dict())
    return Status(201, _agency_detail(user, agency.pk))


@router.patch(
    "/agencies/{agency_id}",
    response=AgencyDetailOut,
    tags=["agencies"],
    summary="Change an agency (admins; officers of its province)",
    description="Only the fields sent change; `services` and `areas`, when sent, replace them.",
)
def update_agency(request, agency_id: int, payload: AgencyPatch):
    user = request.auth
    agency = get_for(user, _agencies(user), agency_id)
    require(importing.may_manage_directory(user, agency.province_id))
    data = payload.dict(exclude_unset=True)
    services = data.pop("services", None)
    areas = data.pop("areas", None)
    if "province" in data:
        province = _province(data["province"])
        if not importing.may_manage_directory(user, province.code if province else None):
            raise ValidationError({"province": "คุณย้ายหน่วยงานได้เฉพาะในจังหวัดที่รับผิดชอบ"})
        data["province"] = province
    data = {
        field: value for field, value in data.items() if value is not None or field == "province"
    }
    renamed = "name_th" in data and data["name_th"] != agency.name_th
    if renamed and Agency.objects.filter(name_th=data["name_th"]).exclude(pk=agency.pk).exists():
        raise ValidationError({"name_th": "มีหน่วยงานชื่อนี้ในทำเนียบแล้ว"})
    actions.update_agency(
        actor=user,
        agency=agency,
        services=_services(services) if services is not None else None,
        area_codes=[to_arabic_digits(code) for code in areas] if areas is not None else None,
        **data,
    )
    return _agency_detail(user, agency.pk)


@router.get(
    "/services",
    response=list[ServiceOut],
    tags=["agencies"],
    summary="The services partners offer, and what a referral for each shares",
)
@paginate(LimitOffsetPagination)
def list_services(request):
    return visible(request.auth, Service.objects.filter(is_active=True)).order_by("code")


# --- Referrals ---------------------------------------------------------------------------------


def _referrals(user):
    return visible(
        user,
        Referral.objects.select_related("agency", "service", "case__person", "sent_by", "consent"),
    )


def _mark_views(user, referrals: list[Referral]) -> list[Referral]:
    """Mark each referral with the view its reader gets: the case's, or only what was shared."""
    case_ids = {referral.case_id for referral in referrals}
    readable = (
        set(visible(user, Case.objects.filter(pk__in=case_ids)).values_list("pk", flat=True))
        if case_ids
        else set()
    )
    for referral in referrals:
        referral.view = "sender" if referral.case_id in readable else "partner"
    return referrals


def _present(user, referral: Referral) -> Referral:
    # The response's discriminated union picks the schema from `view`.
    return _mark_views(user, [referral])[0]


class ReferralPagination(LimitOffsetPagination):
    """Limit/offset, with each item in the view its reader may have."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = _mark_views(request.auth, list(page["items"]))
        return page


def _overdue_condition() -> Q:
    today = timezone.localdate()
    return Q(status=ReferralStatus.SENT, respond_by__lt=today) | Q(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE], complete_by__lt=today
    )


@router.get(
    "/referrals",
    response=list[AnyReferralOut],
    tags=["referrals"],
    summary="Referrals you may see",
    description=(
        "The sending side (whoever may read the case) gets `view: sender` items with the case "
        "and person; the users of the agency a referral is addressed to get `view: partner` "
        "items with only the shared fields. Filters: `status`, `agency` (id), `case` (id), "
        "`overdue=true` (not answered or not finished by its due date)."
    ),
)
@paginate(ReferralPagination)
def list_referrals(
    request,
    status: ReferralStatus | None = None,
    agency: int | None = Query(None, description="agency id"),
    case: int | None = Query(None, description="case id"),
    overdue: bool | None = Query(None, description="true: only overdue; false: none overdue"),
):
    referrals = _referrals(request.auth)
    if status:
        referrals = referrals.filter(status=status)
    if agency is not None:
        referrals = referrals.filter(agency_id=agency)
    if case is not None:
        referrals = referrals.filter(case_id=case)
    if overdue is True:
        referrals = referrals.filter(_overdue_condition())
    elif overdue is False:
        referrals = referrals.exclude(_overdue_condition())
    return referrals.order_by("-sent_at", "-id")


@router.get("/referrals/{referral_id}", response=AnyReferralOut, tags=["referrals"])
def get_referral(request, referral_id: int):
    referral = _present(request.auth, get_for(request.auth, _referrals(request.auth), referral_id))
    if referral.agency_id in scope_of(request.auth).agency_ids:
        actions.record_referral_opened(actor=request.auth, referral=referral, via="api")
    return referral


def _writable_case(user, case_id: int, field: str = "case") -> Case:
    case = (
        visible(user, Case.objects.select_related("person", "household"), write=True)
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise ValidationError({field: NOT_YOUR_CASE})
    return case


def _sender_may_change(user, referral: Referral) -> None:
    # Withdrawing and issuing links are for the sending side: those who may work on the case.
    require(visible(user, Case.objects.filter(pk=referral.case_id), write=True).exists())


@router.post(
    "/referrals",
    response={201: ReferralOut},
    tags=["referrals"],
    summary="Refer a case's person to an agency for a service",
    description=(
        "`case` must be a case you work on (else 422 naming `case`). Refused with 422 naming "
        "`consent` when there is no legal basis or consent to share, `service` when the agency "
        "does not offer it, `agency` when it is unknown or inactive. Only the service's "
        "minimum fields are shared (`shared_data`)."
    ),
)
def create_referral(request, payload: ReferralIn):
    user = request.auth
    case = _writable_case(user, payload.case)
    agency = visible(user, Agency.objects.all()).filter(pk=payload.agency).first()
    if agency is None:
        raise ValidationError({"agency": "ไม่พบหน่วยงานนี้ในทำเนียบ"})
    service = Service.objects.filter(code=payload.service.strip(), is_active=True).first()
    if service is None:
        raise ValidationError({"service": f"ไม่รู้จักรหัสบริการ {payload.service}"})
    plan_item = None
    if payload.plan_item is not None:
        plan_item = case.plan_items.filter(pk=payload.plan_item).first()
        if plan_item is None:
            raise ValidationError({"plan_item": "แผนนี้ไม่ใช่ของกรณีนี้"})
    referral = actions.send_referral(
        actor=user,
        case=case,
        agency=agency,
        service=service,
        need=payload.need,
        note=payload.note,
        plan_item=plan_item,
    )
    return Status(201, _present(user, get_for(user, _referrals(user), referral.pk)))


@router.post(
    "/referrals/{referral_id}/answer",
    response={200: AnyReferralOut, **CONFLICT},
    tags=["referrals"],
    summary="The partner answers: accept, decline, start, complete, could not complete",
    description=(
        "Only users of the agency the referral is addressed to (the sending side: 403). "
        "`reason` is required to decline (why), complete (what was provided) or not complete "
        "(why). A move the current status does not allow: 422 on `status`. An older `version`: "
        "409."
    ),
)
def answer_referral(request, referral_id: int, payload: ReferralAnswerIn):
    user = request.auth
    referral = get_for(user, _referrals(user), referral_id)
    require(referral.agency_id in scope_of(user).agency_ids)
    if referral.version != payload.version:
        return Status(409, _stale_body())
    try:
        actions.answer_referral(
            actor=user,
            referral=referral,
            status=payload.status,
            reason=payload.reason,
            expected_version=payload.version,
        )
    except ValidationError as error:
        if _is_stale(error):
            return Status(409, _error_body(error))
        raise
    return _present(user, get_for(user, _referrals(user), referral.pk))


def _stale_body() -> dict:
    message = "การส่งต่อนี้ถูกเปลี่ยนโดยผู้อื่นแล้ว กรุณาโหลดข้อมูลใหม่"
    return {"detail": message, "errors": [{"field": "version", "message": message}]}


@router.post(
    "/referrals/{referral_id}/withdraw",
    response={200: ReferralOut, **CONFLICT},
    tags=["referrals"],
    summary="The sender withdraws an open referral (reason required)",
)
def withdraw_referral(request, referral_id: int, payload: ReferralWithdrawIn):
    user = request.auth
    referral = get_for(user, _referrals(user), referral_id)
    _sender_may_change(user, referral)
    if referral.version != payload.version:
        return Status(409, _stale_body())
    try:
        actions.withdraw_referral(
            actor=user, referral=referral, reason=payload.reason, expected_version=payload.version
        )
    except ValidationError as error:
        if _is_stale(error):
            return Status(409, _error_body(error))
        raise
    return _present(user, get_for(user, _referrals(user), referral.pk))


@router.post(
    "/referrals/{referral_id}/links",
    response={201: LinkOut},
    tags=["referrals"],
    summary="Issue a single-use, expiring link for a partner without users",
    description=(
        "The sending side only. With `contact` (one of the agency's contacts) the link is also "
        "sent to them. The path is shown only in this answer; the link works once."
    ),
)
def create_referral_link(request, referral_id: int, payload: LinkIn):
    user = request.auth
    referral = get_for(user, _referrals(user), referral_id)
    _sender_may_change(user, referral)
    contact = None
    if payload.contact is not None:
        contact = AgencyContact.objects.filter(
            pk=payload.contact, agency_id=referral.agency_id
        ).first()
        if contact is None:
            raise ValidationError({"contact": "ผู้ประสานงานไม่ใช่ของหน่วยงานที่รับการส่งต่อ"})
    path = actions.issue_referral_link(actor=user, referral=referral, contact=contact)
    return Status(201, {"path": path, "url": settings.SITE_URL.rstrip("/") + path})


# --- Case conferences --------------------------------------------------------------------------


def _conferences(user):
    return visible(
        user,
        CaseConference.objects.prefetch_related(
            "agencies",
            Prefetch(
                "actions",
                queryset=ConferenceAction.objects.select_related("owner_agency", "owner_center"),
            ),
        ),
    )


def _mark_case_shown(user, conferences: list[CaseConference]) -> list[CaseConference]:
    case_ids = {conference.case_id for conference in conferences}
    readable = (
        set(visible(user, Case.objects.filter(pk__in=case_ids)).values_list("pk", flat=True))
        if case_ids
        else set()
    )
    for conference in conferences:
        conference.shows_case = conference.case_id in readable
    return conferences


class ConferencePagination(LimitOffsetPagination):
    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = _mark_case_shown(request.auth, list(page["items"]))
        return page


def _conference_detail(user, conference_id: int) -> CaseConference:
    conference = get_for(user, _conferences(user), conference_id)
    return _mark_case_shown(user, [conference])[0]


@router.get(
    "/conferences",
    response=list[ConferenceOut],
    tags=["conferences"],
    summary="Case conferences you may see (`?case=` to filter)",
    description="Partner agencies see the conferences they attended, without the case.",
)
@paginate(ConferencePagination)
def list_conferences(request, case: int | None = Query(None, description="case id")):
    conferences = _conferences(request.auth)
    if case is not None:
        conferences = conferences.filter(case_id=case)
    return conferences.order_by("-held_on", "-id")


@router.get("/conferences/{conference_id}", response=ConferenceOut, tags=["conferences"])
def get_conference(request, conference_id: int):
    return _conference_detail(request.auth, conference_id)


def _agency_list(user, ids: list[int], field: str) -> list[Agency]:
    found = list(visible(user, Agency.objects.all()).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise ValidationError({field: "ไม่พบหน่วยงานบางรายการที่เลือก"})
    return found


@router.post(
    "/conferences",
    response={201: ConferenceOut},
    tags=["conferences"],
    summary="Record a case conference of the center and partner agencies",
)
def create_conference(request, payload: ConferenceIn):
    user = request.auth
    case = _writable_case(user, payload.case)
    conference = actions.hold_conference(
        actor=user,
        case=case,
        held_on=payload.held_on,
        decisions=payload.decisions,
        agencies=_agency_list(user, payload.agencies, "agencies"),
        place=payload.place,
        attendees=payload.attendees,
    )
    return Status(201, _conference_detail(user, conference.pk))


@router.post(
    "/conferences/{conference_id}/actions",
    response={201: ConferenceActionOut},
    tags=["conferences"],
    summary="Add an action to a conference, owned by an agency or a center, with a due date",
)
def create_conference_action(request, conference_id: int, payload: ConferenceActionIn):
    user = request.auth
    conference = get_for(user, _conferences(user), conference_id, write=True)
    owner_agency = owner_center = None
    if payload.owner_agency is not None:
        owner_agency = _agency_list(user, [payload.owner_agency], "owner_agency")[0]
    if payload.owner_center is not None:
        owner_center = visible(user, Center.objects.all()).filter(pk=payload.owner_center).first()
        if owner_center is None:
            raise ValidationError({"owner_center": "ไม่พบศูนย์นี้"})
    row = actions.add_conference_action(
        actor=user,
        conference=conference,
        action=payload.action,
        due_on=payload.due_on,
        owner_agency=owner_agency,
        owner_center=owner_center,
    )
    return Status(201, row)


@router.post(
    "/conference-actions/{action_id}/done",
    response=ConferenceActionOut,
    tags=["conferences"],
    summary="Mark a conference action done (the case's workers, or the owner agency's users)",
)
def complete_conference_action(request, action_id: int, payload: DoneIn):
    user = request.auth
    queryset = ConferenceAction.objects.select_related("conference", "owner_agency", "owner_center")
    row = get_for(user, queryset, action_id, write=True)
    actions.complete_conference_action(actor=user, action=row, note=payload.note)
    return row


# --- Notification channels ---------------------------------------------------------------------


def _channels(user) -> dict:
    chosen = {p.channel: p for p in ChannelPreference.objects.filter(user=user)}
    items = [{"channel": Channel.IN_APP, "address": "", "enabled": True}]
    for channel in (Channel.EMAIL, Channel.SMS, Channel.LINE):
        preference = chosen.get(channel)
        items.append(
            {
                "channel": channel,
                "address": preference.address if preference else "",
                "enabled": bool(preference and preference.is_enabled),
            }
        )
    return {"items": items, "count": len(items)}


@router.get(
    "/notification-channels",
    response=ChannelsOut,
    tags=["notifications"],
    summary="Where your notifications go (in-app is always on)",
)
def get_notification_channels(request):
    return _channels(request.auth)


@router.put(
    "/notification-channels",
    response=ChannelsOut,
    tags=["notifications"],
    summary="Choose your email, SMS and LINE channels (others stay as they are)",
    description="A bad address: 422 naming `address`; nothing changes.",
)
def set_notification_channels(request, payload: ChannelsIn):
    user = request.auth
    with transaction.atomic():  # all of them or none
        for item in payload.items:
            set_channel_preference(
                user=user, channel=item.channel, address=item.address, enabled=item.enabled
            )
    return _channels(user)
