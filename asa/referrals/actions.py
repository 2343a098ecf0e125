"""Every write to the One Home partner directory (referrals come with the One Home issue)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from asa.accounts.events import record_event
from asa.referrals.models import Agency, AgencyKind


@transaction.atomic
def register_agency(
    *,
    actor,
    name_th: str,
    kind: str,
    name_en: str = "",
    province=None,
    phone: str = "",
    email: str = "",
) -> Agency:
    """Add a partner agency to the One Home directory."""
    name_th = " ".join((name_th or "").split())
    if not name_th:
        raise ValidationError({"name_th": "กรุณากรอกชื่อหน่วยงาน"})
    if Agency.objects.filter(name_th=name_th).exists():
        raise ValidationError({"name_th": "มีหน่วยงานชื่อนี้ในทำเนียบแล้ว"})
    agency = Agency.objects.create(
        name_th=name_th,
        name_en=name_en,
        kind=AgencyKind(kind),
        province=province,
        phone=phone,
        email=email,
    )
    record_event(actor=actor, action="register_agency", obj=agency, changes={"kind": kind})
    return agency
