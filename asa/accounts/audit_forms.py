"""Input of the audit pages: the reason for out-of-routine access, the DPO's audit search."""

from django import forms
from django.utils.translation import gettext_lazy as _

from asa.accounts.events import ACTION_LABELS
from asa.accounts.reads import DETAIL_PAGES, REASON_MAX_LENGTH, REASON_MIN_LENGTH
from asa.lib.forms import ThaiDateField

OBJECT_TYPES = [
    ("registry.person", _("บุคคล")),
    ("registry.household", _("ครัวเรือน")),
    ("cases.case", _("กรณี")),
]


class AccessReasonForm(forms.Form):
    object_type = forms.ChoiceField(
        choices=[(label, label) for label in DETAIL_PAGES], widget=forms.HiddenInput
    )
    object_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("เหตุผลที่ต้องเปิดดูข้อมูลนี้"),
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        help_text=_("เช่น ตรวจสอบเรื่องร้องเรียนเลขที่ ... หรือ เตรียมประชุมปรึกษารายกรณี"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("กรุณาระบุเหตุผล"),
            "min_length": _("เหตุผลสั้นเกินไป (อย่างน้อย %(limit_value)d ตัวอักษร)"),
        },
    )

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())


class AuditSearchForm(forms.Form):
    q = forms.CharField(
        label=_("ค้นหาบุคคล (ชื่อ-นามสกุล หรือเลขประจำตัวประชาชน)"),
        max_length=200,
        required=False,
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    user = forms.CharField(label=_("ผู้ใช้ (ชื่อผู้ใช้)"), max_length=150, required=False)
    action = forms.ChoiceField(label=_("การดำเนินการ"), required=False)
    object_type = forms.ChoiceField(
        label=_("ประเภทข้อมูล"), required=False, choices=[("", _("ทั้งหมด")), *OBJECT_TYPES]
    )
    since = ThaiDateField(label=_("ตั้งแต่วันที่"), required=False)
    until = ThaiDateField(label=_("ถึงวันที่"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [
            ("", _("ทั้งหมด")),
            *sorted(ACTION_LABELS.items(), key=lambda choice: str(choice[1])),
        ]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น"))
        return cleaned


class AuditAnchorForm(forms.Form):
    head = forms.CharField(
        label=_("ค่าแฮชหัวของบันทึกที่เก็บไว้ (จากอีเมลประจำวัน)"),
        max_length=200,
        error_messages={"required": _("กรุณาวางค่าแฮชหัวของบันทึก")},
    )

    def clean_head(self):
        # Accept the hash alone or the whole "hash: ..." line of the mail.
        value = self.cleaned_data["head"].strip().lower().removeprefix("hash:").strip()
        if len(value) != 64 or any(char not in "0123456789abcdef" for char in value):
            raise forms.ValidationError(_("ค่าแฮชหัวของบันทึกต้องเป็นเลขฐานสิบหก 64 ตัว"), code="invalid")
        return value
