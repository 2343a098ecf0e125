"""Output of the geography API. Areas carry DOPA codes and their Thai and English names."""

from ninja import Schema


class AreaRef(Schema):
    """An area named inside another object (a center's district, a subdistrict's province)."""

    code: str
    name_th: str
    name_en: str


class ProvinceOut(AreaRef):
    pass


class DistrictOut(AreaRef):
    province: AreaRef


class SubdistrictOut(AreaRef):
    postal_codes: list[str]
    district: AreaRef
    province: AreaRef

    @staticmethod
    def resolve_postal_codes(obj) -> list[str]:
        return list(
            obj.postal_codes.split() if isinstance(obj.postal_codes, str) else obj.postal_codes
        )

    @staticmethod
    def resolve_province(obj):
        return obj.province if hasattr(obj, "province") else obj.district.province


class AddressMatchOut(Schema):
    """One place a typed address may mean, from the subdistrict up."""

    subdistrict: AreaRef
    postal_codes: list[str]
    district: AreaRef
    province: AreaRef

    @staticmethod
    def resolve_postal_codes(obj) -> list[str]:
        return list(obj.subdistrict.postal_codes)


class AddressMatchList(Schema):
    items: list[AddressMatchOut]
    count: int
