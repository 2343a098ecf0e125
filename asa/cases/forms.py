"""Page input for casework. Forms parse and check shape; the actions decide and write."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asa.cases.models import AssistanceKind, Outcome, PlanItemStatus, Source, Status, Urgency
from asa.centers.models import Center, Volunteer, VolunteerStatus
from asa.lib.forms import ModelMultipleChoiceField, PhoneField, ThaiDateField
from asa.lib.thai_order import thai_order
from asa.registry.assessment import ALL_INDICATOR_CODES, INDICATORS
from asa.registry.models import Dimension, ProblemType, TargetGroup

# An action names the model's field; the page splits some into two inputs (date + time).
FIELD_ALIASES = {
    "reported_at": "reported_on",
    "visited_at": "visited_on",
    "case": None,
    "version": None,  # a stale edit is said above the form, where it can be seen
}


def add_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's ValidationError next to the field it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        field = FIELD_ALIASES.get(field, field)
        form.add_error(field if field in form.fields else None, messages)


def combine(day: dt.date, time: dt.time | None) -> dt.datetime:
    """A local date and time as an aware datetime.

    Without a time: now for today (what a report "today" means), noon for another day.
    """
    if time is None:
        now = timezone.localtime()
        if day == now.date():
            return now.replace(microsecond=0)
        time = dt.time(12, 0)
    return timezone.make_aware(dt.datetime.combine(day, time))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def _time_field(label):
    return forms.TimeField(
        label=label,
        required=False,
        widget=TimeInput(),
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        error_messages={"invalid": _("รูปแบบเวลาไม่ถูกต้อง เช่น 14:30")},
    )


def _volunteers_of(center: Center):
    return Volunteer.objects.filter(center=center, status=VolunteerStatus.ACTIVE).order_by(
        thai_order("first_name"), thai_order("last_name")
    )


class VolunteerChoices(ModelMultipleChoiceField):
    def label_from_instance(self, volunteer):
        return volunteer.full_name


class VolunteerChoice(forms.ModelChoiceField):
    def label_from_instance(self, volunteer):
        return volunteer.full_name


class VersionField(forms.IntegerField):
    """The case version the page was showing; a save against an older one is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


# --- Intake ------------------------------------------------------------------------------------


class IntakeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("ช่องทางรับเรื่อง"),
        choices=Source.choices,
        initial=Source.FIELD,
        widget=forms.RadioSelect,
        error_messages={"required": _("กรุณาเลือกช่องทางรับเรื่อง")},
    )
    reporter_name = forms.CharField(label=_("ชื่อผู้แจ้ง"), max_length=200, required=False)
    reporter_phone = PhoneField(label=_("โทรศัพท์ผู้แจ้ง"), required=False)
    reported_on = ThaiDateField(label=_("วันที่รับแจ้ง"))
    reported_time = _time_field(_("เวลา"))
    urgency = forms.ChoiceField(
        label=_("ความเร่งด่วน"),
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={"required": _("กรุณาเลือกความเร่งด่วน")},
    )
    problems = ModelMultipleChoiceField(
        label=_("ปัญหาที่พบ"),
        queryset=ProblemType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_groups = ModelMultipleChoiceField(
        label=_("กลุ่มเป้าหมาย"),
        queryset=TargetGroup.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    story = forms.CharField(
        label=_("เรื่องโดยย่อ"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("กรุณาเล่าเรื่องโดยย่อ")},
    )
    center = forms.ModelChoiceField(
        label=_("ศูนย์ที่รับผิดชอบ"),
        queryset=Center.objects.none(),
        required=False,
        empty_label=_("— ตามที่อยู่ของบุคคล —"),
        help_text=_("เลือกเมื่อบุคคลยังไม่มีที่อยู่ในพื้นที่ของศูนย์ใด"),
    )

    def __init__(self, *args, centers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if centers is not None:
            self.fields["center"].queryset = centers

    def reported_at(self) -> dt.datetime:
        data = self.cleaned_data
        return combine(data["reported_on"], data.get("reported_time"))

    def action_data(self) -> dict:
        data = self.cleaned_data
        return {
            "source": data["source"],
            "reporter_name": data["reporter_name"],
            "reporter_phone": data["reporter_phone"] or "",
            "reported_at": self.reported_at(),
            "urgency": data["urgency"],
            "problems": list(data["problems"]),
            "target_groups": list(data["target_groups"]),
            "story": data["story"],
            "center": data.get("center"),
        }


# --- Case page forms ---------------------------------------------------------------------------


class AssignForm(forms.Form):
    volunteers = VolunteerChoices(
        label=_("อพม. ที่มอบหมาย"),
        queryset=Volunteer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("กรุณาเลือก อพม. อย่างน้อย 1 คน"),
            "invalid_choice": _("เลือกได้เฉพาะ อพม. ที่ปฏิบัติงานอยู่ในศูนย์ที่รับผิดชอบกรณีนี้"),
            "invalid_pk_value": _("เลือกได้เฉพาะ อพม. ที่ปฏิบัติงานอยู่ในศูนย์ที่รับผิดชอบกรณีนี้"),
        },
    )
    version = VersionField()

    def __init__(self, *args, case, **kwargs):
        from asa.cases.queries import volunteers_by_workload

        super().__init__(*args, **kwargs)
        # Fewest open cases first, each with its count (cases/_assign_choices.html).
        self.fields["volunteers"].queryset = volunteers_by_workload(case.center)


class UnassignForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("เหตุผล"), max_length=500, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(label=_("เหตุผล"), max_length=500, required=False)
    version = VersionField()


class TransferForm(forms.Form):
    to_center = forms.ModelChoiceField(
        label=_("โอนไปยังศูนย์"),
        queryset=Center.objects.none(),
        empty_label=_("— เลือกศูนย์ —"),
        error_messages={
            "required": _("กรุณาเลือกศูนย์ปลายทาง"),
            "invalid_choice": _("ไม่พบศูนย์ที่เลือก"),
        },
    )
    reason = forms.CharField(
        label=_("เหตุผลการโอน"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("กรุณาระบุเหตุผลการโอนกรณี")},
    )
    version = VersionField()

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # Any open center: a family that moves is sent where it now lives, inside or outside
        # the sender's own area.
        self.fields["to_center"].queryset = (
            Center.objects.filter(status="active")
            .exclude(pk=case.center_id)
            .order_by(thai_order("name_th"))
        )


class PlanItemForm(forms.Form):
    need = forms.CharField(
        label=_("ความต้องการ/ปัญหา"),
        max_length=300,
        error_messages={"required": _("กรุณาระบุความต้องการหรือปัญหา")},
    )
    action = forms.CharField(
        label=_("สิ่งที่จะทำ"),
        max_length=500,
        error_messages={"required": _("กรุณาระบุสิ่งที่จะทำ")},
    )
    responsible_volunteer = VolunteerChoice(
        label=_("อพม. ผู้รับผิดชอบ"),
        queryset=Volunteer.objects.none(),
        required=False,
        empty_label=_("— ไม่ระบุ —"),
        error_messages={"invalid_choice": _("ผู้รับผิดชอบต้องเป็น อพม. ของศูนย์ที่รับผิดชอบกรณีนี้")},
    )
    responsible_other = forms.CharField(
        label=_("หรือผู้รับผิดชอบอื่น (หน่วยงาน/บุคคล)"), max_length=200, required=False
    )
    due_on = ThaiDateField(label=_("กำหนดเสร็จ"))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_volunteer"].queryset = _volunteers_of(case.center)


class PlanItemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("สถานะ"), choices=PlanItemStatus.choices)
    progress_note = forms.CharField(label=_("ความคืบหน้า"), max_length=2000, required=False)


class AssistanceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("ประเภทความช่วยเหลือ"),
        choices=[("", _("— เลือก —")), *AssistanceKind.choices],
        error_messages={"required": _("กรุณาเลือกประเภทความช่วยเหลือ")},
    )
    regulation = forms.CharField(label=_("ระเบียบ/ประเภทเงิน"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("จำนวนเงิน (บาท)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": _("กรุณากรอกจำนวนเงินเป็นตัวเลข เช่น 3000")},
    )
    description = forms.CharField(
        label=_("รายละเอียด"),
        max_length=500,
        error_messages={"required": _("กรุณาระบุรายละเอียดความช่วยเหลือ")},
    )
    given_on = ThaiDateField(label=_("วันที่ให้ความช่วยเหลือ"))
    provider = forms.CharField(label=_("ผู้ให้/หน่วยงาน"), max_length=200, required=False)

    def clean_amount(self):
        value = self.cleaned_data.get("amount")
        if value is not None and (value.is_nan() or value.is_infinite()):
            raise ValidationError(_("กรุณากรอกจำนวนเงินเป็นตัวเลข เช่น 3000"))
        return value


class ClosureRequestForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("ผลการดำเนินงาน"),
        choices=[("", _("— เลือกผลการดำเนินงาน —")), *Outcome.choices],
        error_messages={"required": _("กรุณาเลือกผลการดำเนินงานก่อนปิดกรณี")},
    )
    note = forms.CharField(
        label=_("สรุปการปิดกรณี"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()


class ApproveClosureForm(forms.Form):
    version = VersionField()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลการเปิดกรณีอีกครั้ง"),
        max_length=1000,
        error_messages={"required": _("กรุณาระบุเหตุผลการเปิดกรณีอีกครั้ง")},
    )
    version = VersionField()


# --- Visit -------------------------------------------------------------------------------------


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; the action checks each is an image of a sane size."""

    widget = MultiplePhotoInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in files]


INDICATOR_CHOICES = [(code, label) for items in INDICATORS.values() for code, label in items]


class VisitForm(forms.Form):
    visited_on = ThaiDateField(label=_("วันที่เยี่ยม"))
    visited_time = _time_field(_("เวลา"))
    volunteers = VolunteerChoices(
        label=_("อพม. ที่ไปเยี่ยม"),
        queryset=Volunteer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("เลือกได้เฉพาะ อพม. ของศูนย์ที่รับผิดชอบกรณีนี้"),
            "invalid_pk_value": _("เลือกได้เฉพาะ อพม. ของศูนย์ที่รับผิดชอบกรณีนี้"),
        },
    )
    staff_names = forms.CharField(label=_("เจ้าหน้าที่ที่ร่วมเยี่ยม"), max_length=300, required=False)
    partner_names = forms.CharField(
        label=_("ภาคีเครือข่าย One Home ที่ร่วมเยี่ยม"), max_length=300, required=False
    )
    at_household_address = forms.BooleanField(
        label=_("เยี่ยมที่บ้านตามที่อยู่ของครัวเรือน"), required=False, initial=True
    )
    latitude = forms.DecimalField(
        label=_("ละติจูด"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": _("กรุณากรอกพิกัดเป็นตัวเลข")},
    )
    longitude = forms.DecimalField(
        label=_("ลองจิจูด"),
        required=False,
        max_digits=9,
        decimal_places=6,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": _("กรุณากรอกพิกัดเป็นตัวเลข")},
    )
    met_whom = forms.CharField(label=_("ผู้ที่พบ"), max_length=300, required=False)
    observations = forms.CharField(
        label=_("สิ่งที่พบเห็น"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("กรุณาบันทึกสิ่งที่พบเห็น")},
    )
    needs = forms.CharField(
        label=_("ความต้องการที่พบ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    reassess = forms.BooleanField(label=_("ประเมินครัวเรือน 5 มิติในการเยี่ยมครั้งนี้"), required=False)
    indicators = forms.MultipleChoiceField(
        label=_("ตัวชี้วัดที่ครัวเรือนผ่าน"),
        choices=INDICATOR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = PhotosField(
        label=_("ภาพถ่าย"),
        widget=MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("ถ่ายหรือเลือกได้หลายภาพ ไม่เกินภาพละ 10 MB"),
    )
    next_visit_on = ThaiDateField(label=_("นัดเยี่ยมครั้งถัดไป"), required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = _volunteers_of(case.center)

    def indicator_groups(self) -> list[dict]:
        """The indicator checkboxes grouped by dimension, for the template."""
        chosen = set(self["indicators"].value() or [])
        return [
            {
                "label": Dimension(dimension).label,
                "items": [
                    {"code": code, "label": label, "checked": code in chosen}
                    for code, label in items
                ],
            }
            for dimension, items in INDICATORS.items()
        ]

    def action_data(self) -> dict:
        data = self.cleaned_data
        indicators = None
        if data["reassess"]:
            chosen = set(data["indicators"])
            indicators = {code: code in chosen for code in sorted(ALL_INDICATOR_CODES)}
        return {
            "visited_at": combine(data["visited_on"], data.get("visited_time")),
            "volunteers": list(data["volunteers"]),
            "staff_names": data["staff_names"],
            "partner_names": data["partner_names"],
            "at_household_address": data["at_household_address"],
            "latitude": data["latitude"],
            "longitude": data["longitude"],
            "met_whom": data["met_whom"],
            "observations": data["observations"],
            "needs": data["needs"],
            "indicators": indicators,
            "photos": data["photos"],
            "next_visit_on": data["next_visit_on"],
        }
