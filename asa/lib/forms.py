"""Form fields for Thai input: Buddhist Era dates and national ID numbers."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import ThaiDateError, format_be_date_numeric, parse_be_date, to_arabic_digits
from asa.lib.thai_order import thai_order


class ThaiDateInput(forms.TextInput):
    """A text box showing the date as BE dd/mm/yyyy (native date pickers show CE years)."""

    def __init__(self, attrs=None):
        defaults = {"placeholder": _("วว/ดด/ปปปป"), "inputmode": "numeric", "autocomplete": "off"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_be_date_numeric(value)
        return super().format_value(value)


class ThaiDateField(forms.Field):
    """A date typed in the Buddhist Era as dd/mm/yyyy (Thai digits allowed).

    A year that looks like the Common Era (1990) is refused with a Thai message saying so.
    """

    widget = ThaiDateInput
    default_error_messages = {"required": _("กรุณากรอกวันที่")}

    def __init__(self, *, help_text=None, **kwargs):
        if help_text is None:
            help_text = _("ปี พ.ศ. เช่น 11/03/2562")
        super().__init__(help_text=help_text, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return parse_be_date(str(value))
        except ThaiDateError as error:
            raise ValidationError(str(error), code="invalid") from error


class NationalIdField(forms.CharField):
    """The 13-digit national ID, checksum checked; dashes and spaces allowed while typing."""

    default_error_messages = {"required": _("กรุณากรอกเลขประจำตัวประชาชน")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)  # 13 digits plus the dashes of the printed form
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return normalize_national_id(value)
        except NationalIdError as error:
            raise ValidationError(str(error), code="invalid") from error


class PhoneField(forms.CharField):
    """A Thai phone number: 9 or 10 digits starting with 0; dashes, spaces, Thai digits allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        digits = to_arabic_digits(value).replace("-", "").replace(" ", "")
        if not digits.isascii() or not digits.isdigit():
            raise ValidationError(_("หมายเลขโทรศัพท์ต้องเป็นตัวเลขเท่านั้น"), code="invalid")
        if not digits.startswith("0") or len(digits) not in (9, 10):
            raise ValidationError(
                _("หมายเลขโทรศัพท์ต้องขึ้นต้นด้วย 0 และมี 9 หรือ 10 หลัก เช่น 0812345678"),
                code="invalid",
            )
        return digits


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, answering a key too large for the database with a field error.

    Django bounds one key (`pk=`) to the database's integer range but not a list of them
    (`pk__in=`): SQLite raises OverflowError on 2**63 and beyond, a 500 for a tampered form.
    """

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            raise ValidationError(
                _("ตัวเลือกที่ส่งมาไม่อยู่ในรายการ กรุณาเลือกใหม่"), code="invalid_choice"
            ) from None


class AddressForm(forms.Form):
    """House-level address plus province → district → subdistrict → postal code selects.

    The selects are chained with htmx (each change asks `/geo/...` for the next list of
    `<option>`s); without JavaScript the form still works by submitting and choosing again.
    Preselect an existing address with `initial=address_initial(...)`; `cleaned_data` then
    holds `subdistrict` (a geo.Subdistrict) and `postal_code`.
    """

    house_number = forms.CharField(label=_("บ้านเลขที่"), max_length=30, required=False)
    moo = forms.CharField(label=_("หมู่"), max_length=10, required=False)
    village = forms.CharField(label=_("หมู่บ้าน/ชุมชน"), max_length=100, required=False)
    soi = forms.CharField(label=_("ซอย"), max_length=100, required=False)
    road = forms.CharField(label=_("ถนน"), max_length=100, required=False)
    province = forms.ModelChoiceField(
        label=_("จังหวัด"),
        queryset=None,
        empty_label=_("— เลือกจังหวัด —"),
        error_messages={"required": _("กรุณาเลือกจังหวัด")},
    )
    district = forms.ModelChoiceField(
        label=_("เขต/อำเภอ"),
        queryset=None,
        empty_label=_("— เลือกเขต/อำเภอ —"),
        error_messages={
            "required": _("กรุณาเลือกเขต/อำเภอ"),
            "invalid_choice": _("เขต/อำเภอนี้ไม่อยู่ในจังหวัดที่เลือก กรุณาเลือกใหม่"),
        },
    )
    subdistrict = forms.ModelChoiceField(
        label=_("แขวง/ตำบล"),
        queryset=None,
        empty_label=_("— เลือกแขวง/ตำบล —"),
        error_messages={
            "required": _("กรุณาเลือกแขวง/ตำบล"),
            "invalid_choice": _("แขวง/ตำบลนี้ไม่อยู่ในเขต/อำเภอที่เลือก กรุณาเลือกใหม่"),
        },
    )
    postal_code = forms.ChoiceField(
        label=_("รหัสไปรษณีย์"),
        required=False,
        error_messages={"invalid_choice": _("รหัสไปรษณีย์ไม่ตรงกับแขวง/ตำบลที่เลือก")},
    )

    ADDRESS_FIELDS = ("house_number", "moo", "village", "soi", "road", "subdistrict", "postal_code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.urls import reverse

        from asa.geo.models import District, Province, Subdistrict

        province_code, district_code, subdistrict_code = (
            self._chosen("province"),
            self._chosen("district"),
            self._chosen("subdistrict"),
        )
        self.fields["province"].queryset = Province.objects.order_by(thai_order("name_th"))
        self.fields["district"].queryset = District.objects.filter(
            province_id=province_code or ""
        ).order_by(thai_order("name_th"))
        self.fields["subdistrict"].queryset = Subdistrict.objects.filter(
            district_id=district_code or ""
        ).order_by(thai_order("name_th"))
        postal_codes = []
        if subdistrict_code:
            chosen = Subdistrict.objects.filter(pk=subdistrict_code, district_id=district_code)
            postal_codes = (chosen.values_list("postal_codes", flat=True).first() or "").split()
        self.fields["postal_code"].choices = [("", _("— อัตโนมัติ —"))] + [
            (code, code) for code in postal_codes
        ]
        chain = {
            "province": ("geo:district_options", "district"),
            "district": ("geo:subdistrict_options", "subdistrict"),
            "subdistrict": ("geo:postal_code_options", "postal_code"),
        }
        for name, (url_name, target) in chain.items():
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse(url_name),
                    "hx-trigger": "change",
                    "hx-target": f"#{self.auto_id % target}",
                    "hx-swap": "innerHTML",
                }
            )

    def _chosen(self, name: str) -> str:
        """The code chosen for an area field, from posted data or the initial values."""
        if self.is_bound:
            value = str(self.data.get(self.add_prefix(name), "") or "")
        else:
            value = self.initial.get(name, self.fields[name].initial)
            value = str(getattr(value, "pk", value) or "")
        # Area codes are digits; anything else (a NUL byte breaks PostgreSQL) chooses nothing.
        return value if value.isascii() and value.isdigit() else ""

    def address_data(self) -> dict:
        """The cleaned address fields, named as the volunteer and person models name them."""
        return {name: self.cleaned_data[name] for name in self.ADDRESS_FIELDS}


def address_initial(instance) -> dict:
    """Initial values for an AddressForm from an object with the address fields."""
    subdistrict = instance.subdistrict
    initial = {name: getattr(instance, name) for name in AddressForm.ADDRESS_FIELDS}
    initial |= {"province": subdistrict.district.province_id, "district": subdistrict.district_id}
    return initial
