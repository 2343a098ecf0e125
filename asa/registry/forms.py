"""Page input for the registry. Forms parse and check shape; the actions decide and write."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from asa.centers.forms import add_action_errors  # noqa: F401  (re-exported for the views)
from asa.lib.forms import AddressForm, ModelMultipleChoiceField, ThaiDateField
from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import BE_OFFSET, to_arabic_digits
from asa.registry import assessment
from asa.registry.models import (
    BirthDatePrecision,
    ConsentGivenBy,
    ConsentMethod,
    Dimension,
    IdType,
    LegalBasis,
    ProblemStatus,
    ProblemType,
    Relationship,
    Severity,
    Sex,
    TargetGroup,
)

MAXIMUM_AGE = 120


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PersonForm(AddressForm):
    """Register or edit a person. The address is optional: people without a home are users too."""

    title = forms.CharField(
        label=_("คำนำหน้า"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "title-suggestions", "autocomplete": "off"}),
    )
    first_name = forms.CharField(
        label=_("ชื่อ"), max_length=100, error_messages={"required": _("กรุณากรอกชื่อ")}
    )
    last_name = forms.CharField(label=_("นามสกุล"), max_length=100, required=False)
    name_en = forms.CharField(label=_("ชื่อภาษาอังกฤษ"), max_length=200, required=False)
    id_type = forms.ChoiceField(
        label=_("ประเภทเอกสาร"), choices=IdType.choices, initial=IdType.NATIONAL_ID
    )
    id_number = forms.CharField(
        label=_("เลขเอกสาร"),
        max_length=30,
        required=False,
        help_text=_("เลขประจำตัวประชาชน 13 หลัก หรือเลขของเอกสารที่เลือก"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    birth_date = ThaiDateField(label=_("วันเกิด"), required=False)
    birth_year = forms.CharField(
        label=_("หรือปีเกิด (พ.ศ.) ถ้าไม่ทราบวันเกิด"),
        max_length=4,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": _("เช่น 2493")}),
    )
    sex = forms.ChoiceField(label=_("เพศ"), choices=Sex.choices, initial=Sex.UNKNOWN)
    phone = forms.CharField(
        label=_("โทรศัพท์"),
        max_length=60,
        required=False,
        help_text=_("หลายหมายเลขคั่นด้วยจุลภาค (,)"),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    nationality = forms.CharField(label=_("สัญชาติ"), max_length=60, required=False, initial="ไทย")
    disability_type = forms.CharField(label=_("ประเภทความพิการ"), max_length=120, required=False)
    disability_card_number = forms.CharField(label=_("เลขบัตรคนพิการ"), max_length=30, required=False)
    latitude = forms.DecimalField(
        label=_("ละติจูด"),
        max_digits=9,
        decimal_places=6,
        required=False,
        error_messages={"invalid": _("กรุณากรอกตัวเลข เช่น 13.873000")},
    )
    longitude = forms.DecimalField(
        label=_("ลองจิจูด"),
        max_digits=9,
        decimal_places=6,
        required=False,
        error_messages={"invalid": _("กรุณากรอกตัวเลข เช่น 100.596000")},
    )
    target_groups = ModelMultipleChoiceField(
        label=_("กลุ่มเป้าหมาย"),
        queryset=TargetGroup.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=_("บันทึกเพิ่มเติม"), required=False, widget=_textarea(4))

    IDENTITY_FIELDS = (
        "title",
        "first_name",
        "last_name",
        "name_en",
        "id_type",
        "id_number",
        "sex",
        "phone",
        "nationality",
        "disability_type",
        "disability_card_number",
        "latitude",
        "longitude",
        "notes",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A person may have no known address (homeless, just found): the area is optional.
        for name in ("province", "district", "subdistrict"):
            self.fields[name].required = False

    def clean_birth_year(self):
        text = to_arabic_digits(self.cleaned_data.get("birth_year") or "").strip()
        if not text:
            return None
        if not text.isdigit() or len(text) != 4:
            raise ValidationError(_("ปีเกิดต้องเป็นตัวเลข 4 หลัก (พ.ศ.) เช่น 2493"))
        year = int(text)
        this_year = timezone.localdate().year + BE_OFFSET
        if year < 2400:
            raise ValidationError(
                _("ปี %(year)s ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (เช่น %(be)s)")
                % {"year": year, "be": year + BE_OFFSET}
            )
        if year > this_year:
            raise ValidationError(_("ปีเกิดต้องไม่อยู่ในอนาคต"))
        if this_year - year > MAXIMUM_AGE:
            raise ValidationError(_("อายุเกิน %(age)s ปี กรุณาตรวจสอบปีเกิด") % {"age": MAXIMUM_AGE})
        return year

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("birth_date") and cleaned.get("birth_year"):
            self.add_error("birth_year", _("กรอกวันเกิดหรือปีเกิดอย่างใดอย่างหนึ่ง"))
        id_type, number = cleaned.get("id_type"), (cleaned.get("id_number") or "").strip()
        if id_type == IdType.NATIONAL_ID:
            if not number:
                self.add_error(
                    "id_number",
                    _("กรุณากรอกเลขประจำตัวประชาชน หรือเลือกประเภทเอกสาร “ไม่มีเอกสาร/ไม่ทราบ”"),
                )
            else:
                try:
                    cleaned["id_number"] = normalize_national_id(number)
                except NationalIdError as error:
                    self.add_error("id_number", str(error))
        elif id_type in (IdType.PASSPORT, IdType.NON_THAI_ID) and not number:
            self.add_error("id_number", _("กรุณากรอกเลขเอกสาร"))
        return cleaned

    def action_data(self) -> dict:
        """Keyword arguments for register_person / update_person."""
        data = {name: self.cleaned_data[name] for name in self.IDENTITY_FIELDS}
        data["notes"] = data["notes"] or ""
        for name in ("house_number", "moo", "village", "soi", "road"):
            data[name] = self.cleaned_data[name]
        data["subdistrict"] = self.cleaned_data.get("subdistrict")
        data["postal_code"] = self.cleaned_data.get("postal_code") or ""
        if self.cleaned_data.get("birth_year"):
            data["birth_date"] = dt.date(self.cleaned_data["birth_year"] - BE_OFFSET, 1, 1)
            data["birth_date_precision"] = BirthDatePrecision.YEAR
        elif self.cleaned_data.get("birth_date"):
            data["birth_date"] = self.cleaned_data["birth_date"]
            data["birth_date_precision"] = BirthDatePrecision.EXACT
        else:
            data["birth_date"] = None
            data["birth_date_precision"] = BirthDatePrecision.UNKNOWN
        data["target_groups"] = list(self.cleaned_data["target_groups"])
        return data


def person_initial(person) -> dict:
    """Initial values of a PersonForm from a saved person."""
    initial = {name: getattr(person, name) for name in PersonForm.IDENTITY_FIELDS}
    for name in AddressForm.ADDRESS_FIELDS:
        initial[name] = getattr(person, name)
    if person.subdistrict_id:
        initial["subdistrict"] = person.subdistrict_id
        initial["district"] = person.subdistrict.district_id
        initial["province"] = person.subdistrict.district.province_id
    if person.birth_date_precision == BirthDatePrecision.YEAR and person.birth_date:
        initial["birth_year"] = str(person.birth_date.year + BE_OFFSET)
        initial["birth_date"] = None
    else:
        initial["birth_date"] = person.birth_date
    initial["target_groups"] = list(person.target_groups.all())
    return initial


class RegisterPersonForm(PersonForm):
    """Registration: the person plus the problems they face, and a reason after a duplicate."""

    problems = ModelMultipleChoiceField(
        label=_("ปัญหาที่พบ"),
        queryset=ProblemType.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    duplicate_override_reason = forms.CharField(
        label=_("เหตุผลที่ยืนยันว่าเป็นบุคคลใหม่"),
        max_length=500,
        required=False,
        widget=_textarea(2),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problem_types = list(self.fields["problems"].queryset)
        for problem_type in self.problem_types:
            self.fields[f"severity_{problem_type.pk}"] = forms.ChoiceField(
                label=_("ความรุนแรง"),
                choices=Severity.choices,
                initial=Severity.MEDIUM,
                required=False,
            )

    def problem_rows(self):
        """(checkbox, severity field) per problem type, for the template."""
        boxes = list(self["problems"])
        return [
            (box, self[f"severity_{problem_type.pk}"])
            for box, problem_type in zip(boxes, self.problem_types, strict=False)
        ]

    def problems_with_severity(self) -> list[tuple[ProblemType, str]]:
        return [
            (problem_type, self.cleaned_data.get(f"severity_{problem_type.pk}") or Severity.MEDIUM)
            for problem_type in self.cleaned_data["problems"]
        ]


def initial_from_search(text: str) -> dict:
    """Carry what was typed in the search box into the registration form."""
    from asa.lib.thai_text import TITLE_WORDS

    text = " ".join((text or "").split())[:200]
    if not text:
        return {}
    compact = to_arabic_digits(text).replace("-", "").replace(" ", "")
    if compact.removeprefix("+").isdigit():
        if len(compact) == 13:
            return {"id_type": IdType.NATIONAL_ID, "id_number": compact}
        return {"phone": compact}
    initial = {}
    for word in sorted(TITLE_WORDS, key=len, reverse=True):
        if text.lower().startswith(word) and len(text) > len(word):
            initial["title"] = text[: len(word)]
            text = text[len(word) :].strip()
            break
    first, _space, last = text.partition(" ")
    initial |= {"first_name": first, "last_name": last}
    return initial


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProblemForm(forms.Form):
    problem_type = forms.ModelChoiceField(
        label=_("ปัญหา"),
        queryset=ProblemType.objects.filter(is_active=True),
        empty_label=_("— เลือกปัญหา —"),
        error_messages={"required": _("กรุณาเลือกปัญหา")},
    )
    severity = forms.ChoiceField(
        label=_("ความรุนแรง"), choices=Severity.choices, initial=Severity.MEDIUM
    )
    first_reported_on = ThaiDateField(label=_("วันที่รับแจ้งครั้งแรก"), required=False)
    notes = forms.CharField(label=_("รายละเอียด"), required=False, widget=_textarea())


class ProblemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("สถานะ"), choices=ProblemStatus.choices)


class ConsentForm(forms.Form):
    basis = forms.ChoiceField(label=_("ฐานทางกฎหมาย"), choices=LegalBasis.choices)
    given_by = forms.ChoiceField(label=_("ผู้ให้ความยินยอม"), choices=ConsentGivenBy.choices)
    guardian_name = forms.CharField(label=_("ชื่อผู้ปกครอง/ผู้แทน"), max_length=200, required=False)
    guardian_relationship = forms.CharField(
        label=_("ความเกี่ยวข้องกับเจ้าของข้อมูล"), max_length=100, required=False
    )
    given_on = ThaiDateField(label=_("วันที่"))
    method = forms.ChoiceField(label=_("วิธีการ"), choices=ConsentMethod.choices)
    witness_name = forms.CharField(label=_("พยาน"), max_length=200, required=False)
    allows_sharing = forms.BooleanField(label=_("ยินยอมให้ส่งต่อข้อมูลแก่ภาคีเครือข่าย"), required=False)
    notes = forms.CharField(label=_("บันทึก"), required=False, widget=_textarea())


class WithdrawConsentForm(forms.Form):
    reason = forms.CharField(
        label=_("เหตุผลการถอน"),
        max_length=1000,
        widget=_textarea(),
        error_messages={"required": _("กรุณาระบุเหตุผลการถอนความยินยอม")},
    )
    withdrawn_on = ThaiDateField(label=_("วันที่ถอน"), required=False)


class HouseholdForm(AddressForm):
    """Open a household; a blank address means the head's address."""

    started_on = ThaiDateField(label=_("วันที่เริ่มเป็นครัวเรือน"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("province", "district", "subdistrict"):
            self.fields[name].required = False

    def address_or_none(self) -> dict:
        if not self.cleaned_data.get("subdistrict"):
            return {}
        data = self.address_data()
        data["postal_code"] = data["postal_code"] or ""
        return data


class AddMemberForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    relationship = forms.ChoiceField(
        label=_("ความสัมพันธ์กับหัวหน้าครัวเรือน"),
        choices=[choice for choice in Relationship.choices if choice[0] != Relationship.HEAD],
    )
    started_on = ThaiDateField(label=_("วันที่เข้าร่วม"), required=False)


class EndMembershipForm(forms.Form):
    ended_on = ThaiDateField(label=_("วันที่ย้ายออก"), required=False)


class AssessmentForm(forms.Form):
    """One checkbox per indicator, grouped by the five dimensions."""

    assessed_on = ThaiDateField(label=_("วันที่ประเมิน"))
    notes = forms.CharField(label=_("บันทึก"), required=False, widget=_textarea())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for items in assessment.INDICATORS.values():
            for code, label in items:
                self.fields[f"indicator_{code}"] = forms.BooleanField(label=label, required=False)

    def dimensions(self):
        """[(dimension label, [bound checkbox, ...])] for the template."""
        return [
            (Dimension(dimension).label, [self[f"indicator_{code}"] for code, _label in items])
            for dimension, items in assessment.INDICATORS.items()
        ]

    def indicators(self) -> dict[str, bool]:
        return {
            code: bool(self.cleaned_data.get(f"indicator_{code}"))
            for items in assessment.INDICATORS.values()
            for code, _label in items
        }


class MergeForm(forms.Form):
    survivor = forms.ChoiceField(
        label=_("เก็บข้อมูลของ"),
        choices=[("a", "a"), ("b", "b")],
        widget=forms.RadioSelect,
        error_messages={"required": _("กรุณาเลือกข้อมูลที่จะเก็บไว้")},
    )
    reason = forms.CharField(label=_("เหตุผล"), max_length=1000, required=False, widget=_textarea(2))


class DistinctForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผล"), max_length=1000, required=False, widget=_textarea(2))


class UndoMergeForm(forms.Form):
    reason = forms.CharField(label=_("เหตุผล"), max_length=1000, required=False)
