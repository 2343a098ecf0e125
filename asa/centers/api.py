"""Coordination centers and volunteers over JSON. Thin: parse, check access, call an action.

Reads go through `asa.accounts.access` (`visible`, `get_for`), writes through
`asa.centers.actions`. Out of scope is 404, readable but not writable is 403, bad input is 422
naming the field (a `center` or `subdistrict` you may not use included).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.access import can_write, get_for, require, scope_of, visible, writable_centers
from asa.centers import actions, importing, queries
from asa.centers import attendance as attendance_actions
from asa.centers import events as event_actions
from asa.centers import hours as hours_actions
from asa.centers.models import (
    Center,
    CenterStatus,
    Event,
    EventKind,
    HoursStatus,
    Skill,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
)
from asa.centers.queries import committee_of, search_volunteers
from asa.centers.schemas import (
    AttendanceIn,
    AttendanceOut,
    BulkImportOut,
    CenterDetailOut,
    CenterIn,
    CenterOut,
    CenterPatch,
    EventDetailOut,
    EventIn,
    EventOut,
    EventPatch,
    HoursDecisionIn,
    HoursEntryIn,
    HoursEntryOut,
    HoursOut,
    OwnProfilePatch,
    TrainingRecordOut,
    VolunteerDetailOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerPatch,
    VolunteerRoleIn,
    VolunteerStatusIn,
)
from asa.geo.models import Subdistrict
from asa.lib.thai import to_arabic_digits
from asa.lib.thai_order import thai_order
from asa.lib.validators import CONTROL_MESSAGE, has_control_characters

router = Router()

NOT_YOUR_CENTER = "คุณไม่มีสิทธิ์จัดการ อพม. ของศูนย์นี้"

# --- Bulk import (the import pages' work; before /centers/{id}, which would take "import") -

IMPORT_FILE = File(..., description="a CSV or XLSX file in the import page's columns")


def _import_report(reports) -> dict:
    counts = {outcome: 0 for outcome in ("imported", "unchanged", "error")}
    for report in reports:
        counts[report.outcome] = counts.get(report.outcome, 0) + 1
    return {
        "imported": counts["imported"],
        "unchanged": counts["unchanged"],
        "errors": counts["error"],
        "rows": [
            {
                "row_number": report.row_number,
                "outcome": report.outcome,
                "field": report.field,
                "message": report.message,
                "object_id": report.object_id,
            }
            for report in reports
        ],
    }


@router.post(
    "/centers/import",
    response=BulkImportOut,
    tags=["centers"],
    summary="Open centers from a CSV or XLSX file (the ministry, officers in their area)",
    description=(
        "Multipart `file`, in the columns of the centers import page. Each row is opened or "
        "reported (a code that exists: unchanged; a bad row: error, with the column and a Thai "
        "reason); good rows are kept. A file that is not a spreadsheet or too large: 422 "
        "naming `file`."
    ),
)
def import_centers(request, file: UploadedFile = IMPORT_FILE):
    scope = scope_of(request.auth)
    require(scope.national or scope.is_officer)
    return _import_report(importing.import_centers(actor=request.auth, data=file.read()))


@router.post(
    "/volunteers/import",
    response=BulkImportOut,
    tags=["volunteers"],
    summary="Register volunteers from a CSV or XLSX file (in centers you manage)",
    description=(
        "Multipart `file`, in the columns of the volunteers import page; each row's "
        "`center_code` must be a center you manage (else that row is an error). A file that "
        "is not a spreadsheet or too large: 422 naming `file`."
    ),
)
def import_volunteers(request, file: UploadedFile = IMPORT_FILE):
    require(writable_centers(request.auth).exists())
    return _import_report(importing.import_volunteers(actor=request.auth, data=file.read()))


# --- Centers -----------------------------------------------------------------------------------


def _centers(user):
    return visible(user, Center.objects.select_related("district__province", "subdistrict"))


def _center_detail(user, center_id: int, *, write: bool = False) -> Center:
    center = get_for(user, _centers(user), center_id, write=write)
    center.committee = list(committee_of(center))
    return center


@router.get(
    "/centers",
    response=list[CenterOut],
    tags=["centers"],
    summary="Centers you may see",
    description="Chairs and volunteers see their center; officers their area; admins all.",
)
@paginate(LimitOffsetPagination)
def list_centers(
    request,
    district: str | None = Query(None, description="DOPA district code"),
    province: str | None = Query(None, description="DOPA province code"),
    status: CenterStatus | None = None,
):
    centers = _centers(request.auth)
    if district:
        centers = centers.filter(district_id=to_arabic_digits(district.strip()))
    if province:
        centers = centers.filter(district__province_id=to_arabic_digits(province.strip()))
    if status:
        centers = centers.filter(status=status)
    return centers


@router.get("/centers/{center_id}", response=CenterDetailOut, tags=["centers"])
def get_center(request, center_id: int):
    return _center_detail(request.auth, center_id)


@router.post(
    "/centers",
    response={201: CenterDetailOut},
    tags=["centers"],
    summary="Open a center",
    description=(
        "Ministry admins anywhere; province and district officers in their own area (403 "
        "elsewhere and for everyone else). One center per district: 422 on `subdistrict`."
    ),
)
def create_center(request, payload: CenterIn):
    subdistrict = _subdistrict(payload.subdistrict)
    center = actions.open_center(
        actor=request.auth, **(payload.dict() | {"subdistrict": subdistrict})
    )
    return Status(201, _center_detail(request.auth, center.pk))


@router.patch(
    "/centers/{center_id}",
    response=CenterDetailOut,
    tags=["centers"],
    summary="Change a center's details",
    description="Only the fields sent change. Chairs of the center, officers of its area, admins.",
)
def update_center(request, center_id: int, payload: CenterPatch):
    center = get_for(request.auth, _centers(request.auth), center_id, write=True)
    actions.update_center(actor=request.auth, center=center, **payload.dict(exclude_unset=True))
    return _center_detail(request.auth, center.pk)


def _subdistrict(code: str, field: str = "subdistrict") -> Subdistrict:
    # Areas are public reference data, so a direct lookup by code is no leak.
    found = (
        Subdistrict.objects.select_related("district__province")
        .filter(pk=to_arabic_digits(code.strip()))
        .first()
    )
    if found is None:
        raise ValidationError({field: f"ไม่พบแขวง/ตำบลรหัส {code}"})
    return found


# --- Volunteers --------------------------------------------------------------------------------


@router.patch(
    "/volunteers/me",
    response=VolunteerDetailOut,
    tags=["volunteers"],
    summary="Correct your own phone and address (a volunteer, as on the profile page)",
    description=(
        "Only the fields sent change; name, identity number, role and center are the chair's "
        "to change. A user who is not a volunteer: 404."
    ),
)
def update_own_profile(request, payload: OwnProfilePatch):
    user = request.auth
    own = Volunteer.objects.filter(user=user).first()  # the caller's own record, not user input
    if own is None:
        raise Http404("ไม่พบข้อมูล อพม. ของบัญชีนี้")
    data = payload.dict(exclude_unset=True)
    if data.get("subdistrict") is not None:
        data["subdistrict"] = _subdistrict(data["subdistrict"])
    # An explicit null means "not given": none of these may be emptied to null.
    data = {field: value for field, value in data.items() if value is not None}
    actions.update_own_profile(actor=user, **data)
    return _volunteer_detail(user, own.pk)


def _volunteers(user):
    return visible(user, Volunteer.objects.select_related("center"))


def _volunteer_detail(user, volunteer_id: int, *, write: bool = False) -> Volunteer:
    volunteer = get_for(
        user,
        _volunteers(user)
        .select_related("subdistrict__district__province")
        .prefetch_related("skills"),
        volunteer_id,
        write=write,
    )
    volunteer.show_private_fields = volunteer.user_id == user.pk or can_write(user, volunteer)
    return volunteer


@router.get(
    "/volunteers",
    response=list[VolunteerOut],
    tags=["volunteers"],
    summary="Volunteers you may see",
    description=(
        "Filters: `center` (id), `status`, `role`, and `q`: part of a name, a whole phone "
        "number or (for those who manage the volunteers) a whole national ID (the numbers are "
        "stored encrypted and found by a keyed hash, never by a part)."
    ),
)
@paginate(LimitOffsetPagination)
def list_volunteers(
    request,
    center: int | None = Query(None, description="center id"),
    status: VolunteerStatus | None = None,
    role: VolunteerRole | None = None,
    q: str = Query("", max_length=100, description="name, phone or national ID"),
):
    user = request.auth
    volunteers = _volunteers(user)
    if center is not None:
        volunteers = volunteers.filter(center_id=center)
    if status:
        volunteers = volunteers.filter(status=status)
    if role:
        volunteers = volunteers.filter(role=role)
    # Searching by ID number would let a colleague probe whose number is whose: only managers.
    return search_volunteers(volunteers, text=q, include_national_id=scope_of(user).is_staff_level)


@router.get(
    "/volunteers/{volunteer_id}",
    response=VolunteerDetailOut,
    tags=["volunteers"],
    description=(
        "National ID, birth date and home address are null unless you may edit the volunteer "
        "or are the volunteer."
    ),
)
def get_volunteer(request, volunteer_id: int):
    return _volunteer_detail(request.auth, volunteer_id)


def _skills(ids: list[int]) -> list[Skill]:
    # Skills are a shared, admin-kept list (not scoped data).
    skills = list(Skill.objects.filter(pk__in=set(ids)))
    if len(skills) != len(set(ids)):
        raise ValidationError({"skills": "ไม่พบทักษะบางรายการที่เลือก"})
    return skills


@router.post(
    "/volunteers",
    response={201: VolunteerDetailOut},
    tags=["volunteers"],
    summary="Register a volunteer",
    description=(
        "`center` must be a center whose volunteers you manage (its chair, an officer of its "
        "area, an admin); any other id, existing or not, is a **422 naming `center`**. Bad "
        "national ID, a Buddhist Era year in a date, a second active chair, an unknown "
        "subdistrict: 422 naming the field. Nothing is saved on error."
    ),
)
def create_volunteer(request, payload: VolunteerIn):
    user = request.auth
    data = payload.dict()
    center = visible(user, Center.objects.all(), write=True).filter(pk=data.pop("center")).first()
    if center is None:
        raise ValidationError({"center": NOT_YOUR_CENTER})
    data["subdistrict"] = _subdistrict(data["subdistrict"])
    data["skills"] = _skills(data["skills"])
    volunteer = actions.register_volunteer(actor=user, center=center, **data)
    return Status(201, _volunteer_detail(user, volunteer.pk))


@router.patch(
    "/volunteers/{volunteer_id}",
    response=VolunteerDetailOut,
    tags=["volunteers"],
    summary="Change a volunteer's details",
    description="Only the fields sent change. Role, status and center have their own endpoints.",
)
def update_volunteer(request, volunteer_id: int, payload: VolunteerPatch):
    user = request.auth
    volunteer = get_for(user, _volunteers(user), volunteer_id, write=True)
    data = payload.dict(exclude_unset=True)
    if data.get("subdistrict") is not None:
        data["subdistrict"] = _subdistrict(data["subdistrict"])
    if data.get("skills") is not None:
        data["skills"] = _skills(data["skills"])
    # An explicit null means "not given" for these fields: none of them may be emptied to null.
    data = {field: value for field, value in data.items() if value is not None}
    actions.update_volunteer(actor=user, volunteer=volunteer, **data)
    return _volunteer_detail(user, volunteer.pk)


@router.post(
    "/volunteers/{volunteer_id}/status",
    response=VolunteerDetailOut,
    tags=["volunteers"],
    summary="Activate, pause or end a volunteer's service (reason required)",
)
def change_volunteer_status(request, volunteer_id: int, payload: VolunteerStatusIn):
    user = request.auth
    volunteer = get_for(user, _volunteers(user), volunteer_id, write=True)
    actions.change_volunteer_status(
        actor=user, volunteer=volunteer, status=payload.status, reason=payload.reason
    )
    return _volunteer_detail(user, volunteer.pk)


@router.post(
    "/volunteers/{volunteer_id}/role",
    response=VolunteerDetailOut,
    tags=["volunteers"],
    summary="Give a volunteer a role in their center (one active chair per center)",
)
def change_volunteer_role(request, volunteer_id: int, payload: VolunteerRoleIn):
    user = request.auth
    volunteer = get_for(user, _volunteers(user), volunteer_id, write=True)
    actions.change_volunteer_role(
        actor=user, volunteer=volunteer, role=payload.role, reason=payload.reason
    )
    return _volunteer_detail(user, volunteer.pk)


# --- Events ------------------------------------------------------------------------------------


def _event_detail(user, event_id: int, *, write: bool = False) -> Event:
    events = (
        queries.events_for(user)
        .select_related("subdistrict")
        .prefetch_related("other_centers", "photos")
    )
    return get_for(user, events, event_id, write=write)


def _joint_centers(ids: list[int]) -> list[Center]:
    # Center names are public; any existing center may take part in an event.
    centers = list(Center.objects.filter(pk__in=set(ids)))
    if len(centers) != len(set(ids)):
        raise ValidationError({"other_centers": "ไม่พบศูนย์บางแห่งที่ระบุ"})
    return centers


def _event_data(data: dict) -> dict:
    if data.get("subdistrict") is not None:
        data["subdistrict"] = _subdistrict(data["subdistrict"])
    if data.get("other_centers") is not None:
        data["other_centers"] = _joint_centers(data["other_centers"])
    for name in ("speakers", "topics"):
        if data.get(name) is not None:
            data[name] = "\n".join(data[name])
    return data


@router.get(
    "/events",
    response=list[EventOut],
    tags=["events"],
    summary="Events you may see (hosted by or held jointly with your centers)",
    description=(
        "Filters: `center` (id; hosting or taking part), `kind`, `fiscal_year` (BE, e.g. 2569 ="
        " 1 Oct 2025 – 30 Sep 2026). Newest first."
    ),
)
@paginate(LimitOffsetPagination)
def list_events(
    request,
    center: int | None = Query(None, description="center id"),
    kind: EventKind | None = None,
    fiscal_year: int | None = Query(None, ge=2500, le=2700, description="BE fiscal year"),
):
    return queries.filter_events(
        queries.events_for(request.auth),
        center_id=center,
        kind=kind or "",
        fiscal_year=fiscal_year,
    )


@router.get("/events/{event_id}", response=EventDetailOut, tags=["events"])
def get_event(request, event_id: int):
    return _event_detail(request.auth, event_id)


@router.post(
    "/events",
    response={201: EventDetailOut},
    tags=["events"],
    summary="Record an event",
    description=(
        "`center` must be a center whose events you run (its chair, an officer of its area, an "
        "admin): any other id is a **422 naming `center`**. A training needs `topics`."
    ),
)
def create_event(request, payload: EventIn):
    user = request.auth
    data = _event_data(payload.dict())
    center = visible(user, Center.objects.all(), write=True).filter(pk=data.pop("center")).first()
    if center is None:
        raise ValidationError({"center": "คุณไม่มีสิทธิ์จัดกิจกรรมของศูนย์นี้"})
    event = event_actions.create_event(actor=user, center=center, **data)
    return Status(201, _event_detail(user, event.pk))


@router.patch(
    "/events/{event_id}",
    response=EventDetailOut,
    tags=["events"],
    summary="Change an event (only the fields sent)",
)
def update_event(request, event_id: int, payload: EventPatch):
    user = request.auth
    event = get_for(user, queries.events_for(user), event_id, write=True)
    data = payload.dict(exclude_unset=True)
    data = {
        name: value for name, value in data.items() if value is not None or name == "subdistrict"
    }
    event_actions.update_event(actor=user, event=event, **_event_data(data))
    return _event_detail(user, event.pk)


@router.post(
    "/events/{event_id}/photos",
    response={201: EventDetailOut},
    tags=["events"],
    summary="Add photos to an event (multipart/form-data: `photos`, optional `caption`)",
    description=(
        "The same checks as the event page: those who run the event's center only; each file "
        "must be an image by its content (JPEG, PNG, WebP) of at most 10 MB, else a 422 naming "
        "`photos` and nothing is saved. Photos are resized, stripped of their metadata and "
        "served only through the access layer (`photo_urls`)."
    ),
)
def add_event_photos(
    request,
    event_id: int,
    photos: File[list[UploadedFile]],
    caption: str = Form("", max_length=200),
):
    user = request.auth
    event = get_for(user, queries.events_for(user), event_id, write=True)
    if has_control_characters(caption):
        raise ValidationError({"caption": str(CONTROL_MESSAGE)})
    event_actions.add_event_photos(actor=user, event=event, photos=photos, caption=caption)
    return Status(201, _event_detail(user, event.pk))


@router.get(
    "/events/{event_id}/attendance",
    response=list[AttendanceOut],
    tags=["events"],
    summary="Volunteers who attended, with their hours",
)
@paginate(LimitOffsetPagination)
def list_attendance(request, event_id: int):
    event = get_for(request.auth, queries.events_for(request.auth), event_id)
    return event.attendances.select_related("volunteer__center").order_by(
        thai_order("volunteer__first_name"), thai_order("volunteer__last_name"), "volunteer_id"
    )


@router.put(
    "/events/{event_id}/attendance",
    response=EventDetailOut,
    tags=["events"],
    summary="Set who attended (the whole list); a training issues certificates",
    description=(
        "Every volunteer present, with hours (empty: the event's length). Volunteers must be "
        "active members of the host or a joint center: otherwise 422 naming `attendees`."
    ),
)
def take_attendance(request, event_id: int, payload: AttendanceIn):
    user = request.auth
    event = get_for(user, queries.events_for(user), event_id, write=True)
    ids = [attendee.volunteer for attendee in payload.attendees]
    if len(ids) != len(set(ids)):
        raise ValidationError({"attendees": "มี อพม. ซ้ำในรายชื่อ"})
    attendees = {attendee.volunteer: attendee.hours for attendee in payload.attendees}
    attendance_actions.take_attendance(actor=user, event=event, attendees=attendees)
    return _event_detail(user, event.pk)


@router.get(
    "/training-records",
    response=list[TrainingRecordOut],
    tags=["events"],
    summary="Training records and certificates (yours; a chair's or officer's volunteers')",
)
@paginate(LimitOffsetPagination)
def list_training_records(
    request,
    volunteer: int | None = Query(None, description="volunteer id"),
    event: int | None = Query(None, description="event id"),
):
    records = queries.trainings_for(request.auth)
    if volunteer is not None:
        records = records.filter(volunteer_id=volunteer)
    if event is not None:
        records = records.filter(event_id=event)
    return records.order_by("-completed_on", "-id")


# --- Volunteer hours ---------------------------------------------------------------------------


@router.get(
    "/volunteers/{volunteer_id}/hours",
    response=HoursOut,
    tags=["hours"],
    summary="A volunteer's hours in a fiscal year, with where they came from",
    description=(
        "Events attended + approved hand-entered hours + home visits × ASA_HOURS_PER_VISIT. "
        "For the volunteer themself, their chair, officers of the area (403 for colleagues)."
    ),
)
def get_volunteer_hours(
    request,
    volunteer_id: int,
    fiscal_year: int | None = Query(None, ge=2500, le=2700, description="BE; default: now"),
):
    user = request.auth
    volunteer = get_for(user, _volunteers(user), volunteer_id)
    if volunteer.user_id != user.pk and not can_write(user, volunteer):
        raise PermissionDenied
    fiscal_year = fiscal_year or queries.current_fiscal_year()
    hours = queries.volunteer_hours(volunteer, fiscal_year=fiscal_year)
    return {
        "volunteer_id": volunteer.pk,
        "fiscal_year": fiscal_year,
        "event_hours": hours.event_hours,
        "entry_hours": hours.entry_hours,
        "visit_count": hours.visit_count,
        "visit_hours": hours.visit_hours,
        "total": hours.total,
    }


@router.get(
    "/hours-entries",
    response=list[HoursEntryOut],
    tags=["hours"],
    summary="Hand-entered hours: your own; a chair's center's; an officer's area",
)
@paginate(LimitOffsetPagination)
def list_hours_entries(
    request,
    status: HoursStatus | None = None,
    volunteer: int | None = Query(None, description="volunteer id"),
    center: int | None = Query(None, description="center id"),
):
    entries = queries.hours_entries_for(request.auth)
    if status:
        entries = entries.filter(status=status)
    if volunteer is not None:
        entries = entries.filter(volunteer_id=volunteer)
    if center is not None:
        entries = entries.filter(volunteer__center_id=center)
    return entries.order_by("-worked_on", "-id")


@router.get("/hours-entries/{entry_id}", response=HoursEntryOut, tags=["hours"])
def get_hours_entry(request, entry_id: int):
    return get_for(request.auth, queries.hours_entries_for(request.auth), entry_id)


@router.post(
    "/hours-entries",
    response={201: HoursEntryOut},
    tags=["hours"],
    summary="Enter hours by hand (pending until the chair approves)",
    description=(
        "Without `volunteer`, your own hours. A chair or officer may name a volunteer they "
        "manage; anyone else is a 422 naming `volunteer`."
    ),
)
def create_hours_entry(request, payload: HoursEntryIn):
    user = request.auth
    data = payload.dict()
    wanted = data.pop("volunteer")
    if wanted is None:
        volunteer = queries.own_volunteer(user)
    else:
        volunteer = visible(user, Volunteer.objects.all()).filter(pk=wanted).first()
    if volunteer is None:
        raise ValidationError({"volunteer": "ไม่พบ อพม. ที่จะบันทึกชั่วโมงให้"})
    entry = hours_actions.enter_hours(actor=user, volunteer=volunteer, **data)
    return Status(201, get_hours_entry(request, entry.pk))


def _decided(request, entry_id: int, decide, note: str):
    user = request.auth
    entry = get_for(user, queries.hours_entries_for(user), entry_id, write=True)
    decide(actor=user, entry=entry, note=note)
    return get_hours_entry(request, entry.pk)


@router.post(
    "/hours-entries/{entry_id}/approve",
    response=HoursEntryOut,
    tags=["hours"],
    summary="Approve hand-entered hours (the chair or an officer; never one's own)",
)
def approve_hours_entry(request, entry_id: int, payload: HoursDecisionIn):
    return _decided(request, entry_id, hours_actions.approve_hours_entry, payload.note)


@router.post(
    "/hours-entries/{entry_id}/reject",
    response=HoursEntryOut,
    tags=["hours"],
    summary="Reject hand-entered hours, saying why (`note` required)",
)
def reject_hours_entry(request, entry_id: int, payload: HoursDecisionIn):
    return _decided(request, entry_id, hours_actions.reject_hours_entry, payload.note)
