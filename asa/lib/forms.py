"""Form fields for Thai input: Buddhist Era dates and national ID numbers."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from asa.lib.national_id import NationalIdError, normalize_national_id
from asa.lib.thai import ThaiDateError, format_be_date_numeric, parse_be_date


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
