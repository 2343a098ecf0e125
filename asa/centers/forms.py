"""Page input for centers and volunteers. Forms parse and check shape; actions decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from asa.centers.models import (
    CenterStatus,
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
