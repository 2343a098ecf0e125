"""Coordination centers and volunteers over JSON. Thin: parse, check access, call an action.

Reads go through `asa.accounts.access` (`visible`, `get_for`), writes through
`asa.centers.actions`. Out of scope is 404, readable but not writable is 403, bad input is 422
naming the field (a `center` or `subdistrict` you may not use included).
"""

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.access import can_write, get_for, scope_of, visible
from asa.centers import actions
from asa.centers.models import (
    Center,
    CenterStatus,
    Skill,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
)
from asa.centers.queries import committee_of, search_volunteers
from asa.centers.schemas import (
    CenterDetailOut,
    CenterIn,
    CenterOut,
    CenterPatch,
    VolunteerDetailOut,
    VolunteerIn,
    VolunteerOut,
    VolunteerPatch,
    VolunteerRoleIn,
    VolunteerStatusIn,
)
from asa.geo.models import Subdistrict
from asa.lib.thai import to_arabic_digits

router = Router()

NOT_YOUR_CENTER = "คุณไม่มีสิทธิ์จัดการ อพม. ของศูนย์นี้"

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
        "Filters: `center` (id), `status`, `role`, and `q`: part of a name, a phone number or "
        "(for those who manage the volunteers) the start of a national ID."
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
