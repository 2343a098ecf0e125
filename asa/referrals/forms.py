"""Input for the One Home pages. Forms only parse and check shape; the actions decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from asa.lib.forms import ModelMultipleChoiceField, ThaiDateField
from asa.referrals.models import Agency, AgencyKind, Service

# What a referral may share, labelled in Thai (keys of actions.shared_snapshot).
SHARED_FIELD_LABELS = {
    "sender_center": _("ศูนย์ที่ส่งต่อ"),
    "sender_contact": _("ติดต่อศูนย์ที่ส่งต่อ"),
    "full_name": _("ชื่อ-นามสกุล"),
    "sex": _("เพศ"),
    "age": _("อายุ (ปี)"),
    "phone": _("โทรศัพท์"),
    "address": _("ที่อยู่"),
    "need": _("ความต้องการ"),
    "target_groups": _("กลุ่มเป้าหมาย"),
    "problems": _("สภาพปัญหา"),
    "disability": _("ประเภทความพิการ"),
    "national_id": _("เลขประจำตัวประชาชน"),
    "household": _("ครัวเรือน"),
}

# The partner's answers, as the link and the in-app form name them: (button, reason label).
ANSWERS = {
    "accept": (_("ตอบรับ"), ""),
    "decline": (_("ปฏิเสธ"), _("เหตุผลที่ปฏิเสธ")),
    "start": (_("เริ่มให้บริการ"), ""),
    "complete": (_("ให้บริการเสร็จสิ้น"), _("บริการที่ให้")),
    "not_complete": (_("ให้บริการไม่สำเร็จ"), _("เหตุผลที่ให้บริการไม่สำเร็จ")),
}
ANSWER_CHOICES = [(name, button) for name, (button, _reason) in ANSWERS.items()]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("ชื่อหน่วยงาน"), required=False, max_length=100)
    service = forms.ChoiceField(label=_("บริการ"), required=False)
    kind = forms.ChoiceField(
        label=_("ประเภท"), required=False, choices=[("", _("ทุกประเภท")), *AgencyKind.choices]
    )
    area = forms.CharField(
        label=_("รหัสพื้นที่"),
        required=False,
        max_length=6,
        help_text=_("รหัสจังหวัด (2 หลัก) อำเภอ/เขต (4 หลัก) หรือตำบล/แขวง (6 หลัก)"),
    )
    province = forms.ChoiceField(label=_("จังหวัด"), required=False)
    district = forms.ChoiceField(label=_("เขต/อำเภอ"), required=False)

    def __init__(self, *args, services, provinces, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("ทุกบริการ"))] + [
            (service.code, service.name_th) for service in services
        ]
        self.fields["province"].choices = [("", _("ทุกจังหวัด"))] + [
            (province.code, province.name) for province in provinces
        ]
        self.fields["district"].choices = [("", _("— เลือกเขต/อำเภอ —"))] + [
            (district.code, district.name) for district in districts
        ]

    def clean_area(self):
        area = (self.cleaned_data.get("area") or "").strip()
        if area and (not area.isdigit() or len(area) not in (2, 4, 6)):
            raise forms.ValidationError(_("รหัสพื้นที่ต้องเป็นตัวเลข 2, 4 หรือ 6 หลัก"))
        return area

    def area_code(self) -> str:
        """The most precise area asked for: a typed code, else the district, else the province."""
        data = self.cleaned_data
        return data.get("area") or data.get("district") or data.get("province") or ""


class AgencyForm(forms.Form):
    phone = forms.CharField(label=_("โทรศัพท์"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("อีเมล"), required=False, error_messages={"invalid": _("อีเมลไม่ถูกต้อง")}
    )
    address = forms.CharField(label=_("ที่อยู่"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("ใช้งาน"), required=False)
    services = ModelMultipleChoiceField(
        label=_("บริการที่ให้"),
        queryset=Service.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area_codes = forms.CharField(
        label=_("พื้นที่ที่รับผิดชอบ (รหัสพื้นที่)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("รหัสจังหวัด 2 หลัก อำเภอ/เขต 4 หลัก หรือตำบล/แขวง 6 หลัก คั่นด้วยช่องว่างหรือจุลภาค"),
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_area_codes(self) -> list[str]:
        codes = [code for code in re.split(r"[\s,]+", self.cleaned_data["area_codes"]) if code]
        wrong = [code for code in codes if not code.isdigit() or len(code) not in (2, 4, 6)]
        if wrong:
            raise forms.ValidationError(
                _("รหัสพื้นที่ต้องเป็นตัวเลข 2, 4 หรือ 6 หลัก: %(codes)s") % {"codes": ", ".join(wrong)}
            )
        return codes


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("ชื่อผู้ประสานงาน"),
        max_length=200,
        error_messages={"required": _("กรุณากรอกชื่อผู้ประสานงาน")},
    )
    position = forms.CharField(label=_("ตำแหน่ง"), max_length=200, required=False)
    phone = forms.CharField(label=_("โทรศัพท์"), max_length=40, required=False)
    email = forms.EmailField(
        label=_("อีเมล"), required=False, error_messages={"invalid": _("อีเมลไม่ถูกต้อง")}
    )
    line_id = forms.CharField(label=_("LINE ID"), max_length=60, required=False)
    receives_referrals = forms.BooleanField(
        label=_("รับการส่งต่อทางลิงก์"), required=False, initial=True
    )


class ReferralForm(forms.Form):
    plan_item = forms.ModelChoiceField(
        label=_("ความต้องการจากแผนการช่วยเหลือ"),
        queryset=None,
        required=False,
        empty_label=_("— ไม่ผูกกับแผน —"),
    )
    need = forms.CharField(
        label=_("ความต้องการที่ส่งต่อ"),
        max_length=300,
        required=False,
        help_text=_("เว้นว่างได้ถ้าเลือกจากแผน"),
    )
    service = forms.ModelChoiceField(
        label=_("บริการ"),
        queryset=Service.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=_("— เลือกบริการ —"),
        error_messages={"required": _("กรุณาเลือกบริการ")},
    )
    agency = forms.ModelChoiceField(
        label=_("หน่วยงานที่ส่งต่อ"),
        queryset=Agency.objects.filter(is_active=True),
        error_messages={
            "required": _("กรุณาเลือกหน่วยงาน"),
            "invalid_choice": _("ไม่พบหน่วยงานนี้"),
        },
    )
    note = forms.CharField(
        label=_("ข้อความถึงหน่วยงาน"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("อย่าใส่ข้อมูลส่วนบุคคลเกินกว่าที่ระบุไว้ด้านล่าง"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan_item"].queryset = case.plan_items.filter(
            status__in=["planned", "in_progress"]
        )

    def clean(self):
        data = super().clean()
        item = data.get("plan_item")
        if not (data.get("need") or "").strip():
            if item is not None:
                data["need"] = item.need
            else:
                self.add_error("need", _("กรุณาระบุความต้องการ หรือเลือกจากแผน"))
        return data


class AnswerForm(forms.Form):
    action = forms.ChoiceField(choices=ANSWER_CHOICES, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("เหตุผล / บริการที่ให้"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลที่ถอนการส่งต่อ"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("กรุณาระบุเหตุผลที่ถอนการส่งต่อ")},
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class LinkForm(forms.Form):
    contact = forms.ModelChoiceField(
        label=_("ส่งลิงก์ถึงผู้ประสานงาน"),
        queryset=None,
        required=False,
        empty_label=_("— ไม่ส่ง (คัดลอกลิงก์ไปส่งเอง) —"),
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = agency.contacts.filter(receives_referrals=True)


class ConferenceForm(forms.Form):
    held_on = ThaiDateField(label=_("วันที่ประชุม"))
    place = forms.CharField(label=_("สถานที่"), max_length=200, required=False)
    agencies = ModelMultipleChoiceField(
        label=_("หน่วยงานที่เข้าร่วม"),
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("กด Ctrl (หรือแตะค้าง) เพื่อเลือกหลายหน่วยงาน"),
    )
    attendees = forms.CharField(
        label=_("ผู้เข้าร่วม"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    decisions = forms.CharField(
        label=_("มติที่ประชุม"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("กรุณาบันทึกมติที่ประชุม")},
    )


class ConferenceActionForm(forms.Form):
    action = forms.CharField(
        label=_("สิ่งที่ต้องทำ"),
        max_length=300,
        error_messages={"required": _("กรุณาระบุสิ่งที่ต้องทำ")},
    )
    owner = forms.ChoiceField(
        label=_("ผู้รับผิดชอบ"), error_messages={"required": _("กรุณาเลือกผู้รับผิดชอบ")}
    )
    due_on = ThaiDateField(label=_("กำหนดเสร็จ"))

    def __init__(self, *args, conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.center = conference.case.center
        self.agencies = {agency.pk: agency for agency in conference.agencies.all()}
        self.fields["owner"].choices = [
            ("", _("— เลือก —")),
            ("center", self.center.name),
            *[(str(pk), agency.name_th) for pk, agency in self.agencies.items()],
        ]

    def owners(self) -> dict:
        owner = self.cleaned_data["owner"]
        if owner == "center":
            return {"owner_center": self.center, "owner_agency": None}
        return {"owner_center": None, "owner_agency": self.agencies[int(owner)]}


class DoneForm(forms.Form):
    note = forms.CharField(label=_("ผล"), required=False, max_length=2000)
