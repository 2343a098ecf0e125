"""Page input for centers and volunteers. Forms parse and check shape; actions decide and write."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asa.centers.models import (
    CenterStatus,
    EventKind,
    Sex,
    Skill,
    Title,
    VolunteerRole,
    VolunteerStatus,
)
from asa.lib.forms import (
    AddressForm,
    ModelMultipleChoiceField,
    NationalIdField,
    PhoneField,
    ThaiDateField,
)


def add_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's ValidationError next to the fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class CenterForm(forms.Form):
    name_th = forms.CharField(label=_("ชื่อศูนย์"), max_length=200)
    name_en = forms.CharField(label=_("ชื่อภาษาอังกฤษ"), max_length=200, required=False)
    venue = forms.CharField(label=_("สถานที่ตั้ง"), max_length=200, required=False)
    address = forms.CharField(label=_("ที่อยู่"), max_length=300, required=False)
    phone = PhoneField(label=_("โทรศัพท์"), required=False)
    email = forms.EmailField(
        label=_("อีเมล"),
        required=False,
        error_messages={"invalid": _("รูปแบบอีเมลไม่ถูกต้อง")},
    )
    status = forms.ChoiceField(label=_("สถานะ"), choices=CenterStatus.choices)

    FIELDS = ("name_th", "name_en", "venue", "address", "phone", "email", "status")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name_th"].error_messages["required"] = _("กรุณากรอกชื่อศูนย์")


class VolunteerForm(AddressForm):
    """Create (with center and role) or edit (personal details only) a volunteer."""

    center = forms.ModelChoiceField(
        label=_("ศูนย์"),
        queryset=None,
        empty_label=_("— เลือกศูนย์ —"),
        error_messages={
            "required": _("กรุณาเลือกศูนย์"),
            "invalid_choice": _("คุณไม่มีสิทธิ์จัดการ อพม. ของศูนย์นี้"),
        },
    )
    title = forms.ChoiceField(
        label=_("คำนำหน้า"),
        choices=[("", _("— เลือก —")), *Title.choices],
        error_messages={"required": _("กรุณาเลือกคำนำหน้า")},
    )
    first_name = forms.CharField(
        label=_("ชื่อ"), max_length=100, error_messages={"required": _("กรุณากรอกชื่อ")}
    )
    last_name = forms.CharField(
        label=_("นามสกุล"), max_length=100, error_messages={"required": _("กรุณากรอกนามสกุล")}
    )
    national_id = NationalIdField(label=_("เลขประจำตัวประชาชน"))
    birth_date = ThaiDateField(label=_("วันเกิด"))
    sex = forms.ChoiceField(
        label=_("เพศ"),
        choices=[("", _("— เลือก —")), *Sex.choices],
        error_messages={"required": _("กรุณาเลือกเพศ")},
    )
    phone = PhoneField(label=_("โทรศัพท์"), required=False)
    role = forms.ChoiceField(
        label=_("บทบาทในศูนย์"), choices=VolunteerRole.choices, initial=VolunteerRole.MEMBER
    )
    is_youth = forms.BooleanField(label=_("อพม. เยาวชน"), required=False)
    joined_on = ThaiDateField(label=_("วันที่เข้าร่วม"))
    skills = ModelMultipleChoiceField(
        label=_("ทักษะ"),
        queryset=Skill.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    PERSONAL_FIELDS = (
        "title",
        "first_name",
        "last_name",
        "national_id",
        "birth_date",
        "sex",
        "phone",
        "is_youth",
        "joined_on",
    )

    def __init__(self, *args, centers=None, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["center"].queryset = centers
        else:
            # Center and role have their own pages and actions (with history and reasons).
            del self.fields["center"]
            del self.fields["role"]

    def action_data(self) -> dict:
        """The cleaned values as keyword arguments for register_volunteer / update_volunteer."""
        data = {name: self.cleaned_data[name] for name in self.PERSONAL_FIELDS}
        data |= self.address_data()
        data["skills"] = list(self.cleaned_data["skills"])
        if self.creating:
            data |= {"center": self.cleaned_data["center"], "role": self.cleaned_data["role"]}
        return data


class VolunteerStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("สถานะใหม่"), choices=VolunteerStatus.choices)
    reason = forms.CharField(
        label=_("เหตุผล"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("กรุณาระบุเหตุผล")},
    )


class VolunteerRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("บทบาทใหม่"), choices=VolunteerRole.choices)
    reason = forms.CharField(
        label=_("เหตุผล"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OwnProfileForm(AddressForm):
    """What a volunteer may correct about themself: phone and address."""

    phone = PhoneField(label=_("โทรศัพท์"), required=False)

    def action_data(self) -> dict:
        return {"phone": self.cleaned_data["phone"], **self.address_data()}


# --- Events and hours --------------------------------------------------------------------------


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _time_field(label, **kwargs):
    return forms.TimeField(
        label=label,
        widget=TimeInput(),
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        error_messages={
            "invalid": _("รูปแบบเวลาไม่ถูกต้อง เช่น 14:30"),
            "required": _("กรุณากรอกเวลา"),
        },
        **kwargs,
    )


class CenterChoices(ModelMultipleChoiceField):
    def label_from_instance(self, center):
        return center.name


class EventForm(forms.Form):
    """An event: one day (or a few) with a start and an end time, local."""

    center = forms.ModelChoiceField(
        label=_("ศูนย์ผู้จัด"),
        queryset=None,
        empty_label=_("— เลือกศูนย์ —"),
        error_messages={
            "required": _("กรุณาเลือกศูนย์"),
            "invalid_choice": _("คุณไม่มีสิทธิ์จัดกิจกรรมของศูนย์นี้"),
        },
    )
    kind = forms.ChoiceField(
        label=_("ประเภทกิจกรรม"),
        choices=[("", _("— เลือก —")), *EventKind.choices],
        error_messages={"required": _("กรุณาเลือกประเภทกิจกรรม")},
    )
    title = forms.CharField(
        label=_("ชื่อกิจกรรม"), max_length=300, error_messages={"required": _("กรุณากรอกชื่อกิจกรรม")}
    )
    starts_on = ThaiDateField(label=_("วันที่"))
    starts_time = _time_field(_("เวลาเริ่ม"))
    ends_on = ThaiDateField(label=_("ถึงวันที่"), required=False, help_text=_("เว้นว่างถ้าจบในวันเดียวกัน"))
    ends_time = _time_field(_("เวลาสิ้นสุด"))
    place = forms.CharField(
        label=_("สถานที่"), max_length=300, error_messages={"required": _("กรุณากรอกสถานที่")}
    )
    other_centers = CenterChoices(
        label=_("ศูนย์ที่ร่วมจัด"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    speakers = forms.CharField(
        label=_("วิทยากร/ผู้บรรยาย"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("หนึ่งคนต่อบรรทัด"),
    )
    topics = forms.CharField(
        label=_("หัวข้อ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("หนึ่งหัวข้อต่อบรรทัด การอบรมออกวุฒิบัตรให้ผู้เข้าร่วมทุกหัวข้อ"),
    )
    description = forms.CharField(
        label=_("รายละเอียด"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    staff_count = forms.IntegerField(
        label=_("จำนวนเจ้าหน้าที่"),
        min_value=0,
        initial=0,
        required=False,
        error_messages={"min_value": _("จำนวนต้องไม่ติดลบ"), "invalid": _("กรุณากรอกตัวเลข")},
    )
    guest_count = forms.IntegerField(
        label=_("จำนวนแขกผู้มีเกียรติ/ผู้เข้าร่วมอื่น"),
        min_value=0,
        initial=0,
        required=False,
        error_messages={"min_value": _("จำนวนต้องไม่ติดลบ"), "invalid": _("กรุณากรอกตัวเลข")},
    )

    FIELDS = ("kind", "title", "place", "speakers", "topics", "description")

    def __init__(self, *args, centers=None, partner_centers=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["center"].queryset = centers
        else:
            del self.fields["center"]  # the host never changes: the scope follows it
        self.fields["other_centers"].queryset = partner_centers

    def action_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.FIELDS}
        starts_on = self.cleaned_data["starts_on"]
        ends_on = self.cleaned_data.get("ends_on") or starts_on
        data["starts_at"] = timezone.make_aware(
            dt.datetime.combine(starts_on, self.cleaned_data["starts_time"])
        )
        data["ends_at"] = timezone.make_aware(
            dt.datetime.combine(ends_on, self.cleaned_data["ends_time"])
        )
        data["staff_count"] = self.cleaned_data.get("staff_count") or 0
        data["guest_count"] = self.cleaned_data.get("guest_count") or 0
        data["other_centers"] = list(self.cleaned_data["other_centers"])
        if self.creating:
            data["center"] = self.cleaned_data["center"]
        return data

    @staticmethod
    def initial_for(event) -> dict:
        starts, ends = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
        initial = {name: getattr(event, name) for name in EventForm.FIELDS}
        return initial | {
            "starts_on": starts.date(),
            "starts_time": starts.time(),
            "ends_on": ends.date() if ends.date() != starts.date() else None,
            "ends_time": ends.time(),
            "staff_count": event.staff_count,
            "guest_count": event.guest_count,
            "other_centers": list(event.other_centers.all()),
        }


# An action names the model's field; the event page splits some into two inputs.
EVENT_FIELD_ALIASES = {"starts_at": "starts_on", "ends_at": "ends_on", "attendees": None}


def add_event_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        field = EVENT_FIELD_ALIASES.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


class PhotoUploadForm(forms.Form):
    photos = forms.FileField(
        label=_("ภาพกิจกรรม"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        error_messages={"required": _("กรุณาเลือกภาพ")},
    )
    caption = forms.CharField(label=_("คำอธิบายภาพ"), max_length=200, required=False)


class HoursEntryForm(forms.Form):
    worked_on = ThaiDateField(label=_("วันที่ปฏิบัติงาน"))
    hours = forms.DecimalField(
        label=_("จำนวนชั่วโมง"),
        min_value=Decimal("0.5"),
        max_value=24,
        decimal_places=1,
        error_messages={
            "required": _("กรุณากรอกจำนวนชั่วโมง"),
            "invalid": _("กรุณากรอกตัวเลข เช่น 2 หรือ 2.5"),
            "min_value": _("อย่างน้อยครึ่งชั่วโมง"),
            "max_value": _("ไม่เกิน 24 ชั่วโมงต่อวัน"),
            "max_decimal_places": _("ทศนิยมได้หนึ่งตำแหน่ง เช่น 2.5"),
        },
    )
    description = forms.CharField(
        label=_("งานที่ทำ"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("กรุณาระบุงานที่ทำ")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].widget.attrs.update({"inputmode": "decimal", "step": "0.5"})


class HoursDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("อนุมัติ")), ("reject", _("ไม่อนุมัติ"))],
        error_messages={"required": _("กรุณาเลือกผลการพิจารณา")},
    )
    note = forms.CharField(label=_("หมายเหตุ"), max_length=300, required=False)
