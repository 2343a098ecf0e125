"""Provinces, districts and subdistricts (DOPA codes from geothai) and typed-address matching.

Areas are public reference data: every signed-in user reads all of them, so no access rule
applies. The lists are paginated like every other list.
"""

from django.http import Http404
from ninja import Query, Router
from ninja.pagination import LimitOffsetPagination, paginate

from asa.geo.models import District, Province, Subdistrict
from asa.geo.queries import match_address
from asa.geo.schemas import AddressMatchList, DistrictOut, ProvinceOut, SubdistrictOut
from asa.lib.thai import to_arabic_digits

router = Router(tags=["geo"])

MATCH_LIMIT = 50


def _one(queryset, code: str, what: str):
    found = queryset.filter(pk=to_arabic_digits(code.strip())).first()
    if found is None:
        raise Http404(f"ไม่พบ{what}รหัส {code}")
    return found


@router.get("/provinces", response=list[ProvinceOut], summary="All 77 provinces")
@paginate(LimitOffsetPagination)
def list_provinces(request):
    return Province.objects.order_by("code")


@router.get("/provinces/{code}", response=ProvinceOut, summary="One province by DOPA code")
def get_province(request, code: str):
    return _one(Province.objects.all(), code, "จังหวัด")


@router.get("/districts", response=list[DistrictOut], summary="Districts (อำเภอ/เขต)")
@paginate(LimitOffsetPagination)
def list_districts(
    request,
    province: str | None = Query(None, description="DOPA province code, e.g. 10 for Bangkok"),
):
    districts = District.objects.select_related("province").order_by("code")
    if province:
        districts = districts.filter(province_id=to_arabic_digits(province.strip()))
    return districts


@router.get("/districts/{code}", response=DistrictOut, summary="One district by DOPA code")
def get_district(request, code: str):
    return _one(District.objects.select_related("province"), code, "อำเภอ/เขต")


@router.get("/subdistricts", response=list[SubdistrictOut], summary="Subdistricts (ตำบล/แขวง)")
@paginate(LimitOffsetPagination)
def list_subdistricts(
    request,
    district: str | None = Query(None, description="DOPA district code, e.g. 1005 for Bang Khen"),
    postal_code: str | None = Query(
        None, pattern=r"^[0-9๐-๙]{5}$", description="five-digit postal code, e.g. 10220"
    ),
):
    subdistricts = Subdistrict.objects.select_related("district__province").order_by("code")
    if district:
        subdistricts = subdistricts.filter(district_id=to_arabic_digits(district.strip()))
    if postal_code:
        # Postal codes are stored space-separated; five digits never straddle a space.
        subdistricts = subdistricts.filter(postal_codes__contains=to_arabic_digits(postal_code))
    return subdistricts


@router.get(
    "/subdistricts/{code}",
    response=SubdistrictOut,
    summary="One subdistrict with its district, province and postal codes",
)
def get_subdistrict(request, code: str):
    return _one(Subdistrict.objects.select_related("district__province"), code, "ตำบล/แขวง")


@router.get(
    "/addresses/match",
    response=AddressMatchList,
    summary="Match a hand-typed Thai address to area codes",
    description=(
        "Reads ต./ตำบล/แขวง, อ./อำเภอ/เขต, จ./จังหวัด, กทม/กรุงเทพฯ and a postal code, e.g. "
        "`q=แขวงอนุสาวรีย์ เขตบางเขน กทม`. One item means the address is clear; several mean "
        "it needs another part; none means nothing fits."
    ),
)
def match_addresses(
    request,
    q: str = Query(..., min_length=1, max_length=300, description="the address as typed"),
    limit: int = Query(10, ge=1, le=MATCH_LIMIT),
):
    matches = match_address(q, limit=limit)
    return {"items": matches, "count": len(matches)}
