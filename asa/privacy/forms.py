"""Input for the DPO's pages. Dates are typed in the Buddhist Era."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asa.accounts.models import User
from asa.lib.forms import ThaiDateField
from asa.lib.thai import to_arabic_digits
from asa.privacy.models import BreachKind, IdentityMethod, RequestKind
from asa.privacy.queries import privacy_officers


def find_person(text: str):
    """The registry person a DPO names: a record number (e.g. 1234) or a 13-digit ID.

    National IDs go through the registry's own search helper (the column is encrypted).
    """
    from asa.registry.models import Person
    from asa.registry.queries import search_people

    compact = to_arabic_digits((text or "").strip()).replace("-", "").replace(" ", "")
    compact = compact.removeprefix("#")
    if not compact:
        return None
    active = Person.objects.filter(merged_into__isnull=True)
    if compact.isdigit() and len(compact) == 13:
        found = search_people(active, compact, limit=2)
        if len(found) == 1:
            return found[0]
        raise ValidationError(_("ไม่พบบุคคลที่มีเลขประจำตัวนี้"))
    if compact.isdigit():
        found = active.filter(pk=int(compact)).first()
        if found is not None:
            return found
    raise ValidationError(_("ไม่พบบุคคล กรุณากรอกรหัสบุคคลในระบบหรือเลขประจำตัวประชาชน 13 หลัก"))


class PersonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", _("รหัสบุคคลในระบบ (เช่น 1234) หรือเลขประจำตัวประชาชน 13 หลัก"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def clean(self, value):
        value = super().clean(value)
        return find_person(value) if value else None


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("ประเภทคำขอ"), choices=RequestKind.choices)
    requester_name = forms.CharField(label=_("ชื่อผู้ยื่นคำขอ"), max_length=200)
    requester_contact = forms.CharField(label=_("ช่องทางติดต่อผู้ขอ"), max_length=300, required=False)
    on_behalf = forms.BooleanField(label=_("ยื่นแทนเจ้าของข้อมูล"), required=False)
    received_on = ThaiDateField(label=_("วันที่รับคำขอ"))
    person = PersonField(label=_("เจ้าของข้อมูลในระบบ (ถ้าทราบ)"), required=False)
    details = forms.CharField(label=_("รายละเอียดคำขอ"), widget=forms.Textarea, required=False)


class AssignForm(forms.Form):
    assigned_to = forms.ModelChoiceField(label=_("ผู้รับผิดชอบ"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = privacy_officers()


class VerifyForm(forms.Form):
    identity_method = forms.ChoiceField(label=_("วิธียืนยันตัวตน"), choices=IdentityMethod.choices)
    person = PersonField(label=_("เจ้าของข้อมูลในระบบ"), required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("คำตอบที่แจ้งผู้ขอ"), widget=forms.Textarea)


class RefuseForm(forms.Form):
    refusal_reason = forms.CharField(label=_("เหตุผลที่ปฏิเสธตามกฎหมาย"), widget=forms.Textarea)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("หมายเหตุ"), required=False)


def _at(day: dt.date, time: dt.time | None) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time or dt.time(0, 0)))


class BreachForm(forms.Form):
    discovered_on = ThaiDateField(label=_("วันที่ทราบเหตุ"))
    discovered_time = forms.TimeField(label=_("เวลาที่ทราบเหตุ"), required=False)
    kind = forms.ChoiceField(label=_("ลักษณะการละเมิด"), choices=BreachKind.choices)
    description = forms.CharField(label=_("รายละเอียดเหตุการณ์"), widget=forms.Textarea)
    suspected = forms.CharField(
        label=_("ชื่อผู้ใช้ของบัญชีที่เกี่ยวข้อง"),
        required=False,
        help_text=_("คั่นด้วยจุลภาค เช่น volunteer.bangkhen, chair.bangkhen"),
    )
    period_start = ThaiDateField(label=_("ช่วงเวลาที่เกิดเหตุ ตั้งแต่วันที่"))
    period_end = ThaiDateField(label=_("ถึงวันที่"))
    notes = forms.CharField(label=_("บันทึกการดำเนินการ"), widget=forms.Textarea, required=False)

    def clean_suspected(self):
        names = [name.strip() for name in self.cleaned_data["suspected"].split(",") if name.strip()]
        users = list(User.objects.filter(username__in=names))
        missing = sorted(set(names) - {user.username for user in users})
        if missing:
            raise ValidationError(_("ไม่พบผู้ใช้: %(names)s") % {"names": ", ".join(missing)})
        return users

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "discovered_at": _at(data["discovered_on"], data.get("discovered_time")),
            "kind": data["kind"],
            "description": data["description"],
            "suspected_accounts": data["suspected"],
            "period_start": _at(data["period_start"], dt.time(0, 0)),
            "period_end": _at(data["period_end"], dt.time(23, 59, 59)),
            "notes": data.get("notes", ""),
        }
