"""Page input for goods and equipment. Forms parse and check shape; actions decide and write."""

import base64
import binascii
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from asa.aid.models import DonorKind, Item
from asa.lib.forms import ModelMultipleChoiceField, ThaiDateField
from asa.lib.thai import to_arabic_digits

SIGNATURE_LIMIT = 300 * 1024  # a drawn signature is a few kilobytes; a scan a little more
SCAN_LIMIT = 5 * 1024 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class QuantityField(forms.Field):
    """A whole number of units typed as text (Thai digits allowed), refusing 1.5 or −1 in Thai."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 12})

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        text = to_arabic_digits(str(value)).replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(_("จำนวนต้องเป็นตัวเลข"), code="invalid") from None
        if not number.is_integer():
            raise ValidationError(_("จำนวนต้องเป็นจำนวนเต็ม"), code="fraction")
        if number <= 0:
            raise ValidationError(_("จำนวนต้องมากกว่า 0"), code="negative")
        return int(number)


class DonationForm(forms.Form):
    donor_kind = forms.ChoiceField(
        label=_("ประเภทผู้บริจาค"), choices=DonorKind.choices, initial=DonorKind.AGENCY
    )
    donor_name = forms.CharField(label=_("ชื่อผู้บริจาค / หน่วยงาน"), max_length=200, required=False)
    donor_contact = forms.CharField(label=_("ที่อยู่/ติดต่อ"), max_length=300, required=False)
    received_on = ThaiDateField(label=_("วันที่รับ"))
    value_estimate = forms.DecimalField(
        label=_("มูลค่าโดยประมาณ (บาท)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("เว้นว่างเพื่อคำนวณจากมูลค่าต่อหน่วย"),
        error_messages={
            "invalid": _("มูลค่าต้องเป็นตัวเลข"),
            "min_value": _("มูลค่าต้องไม่ติดลบ"),
        },
    )
    note = forms.CharField(label=_("หมายเหตุ"), required=False, widget=forms.Textarea({"rows": 2}))


class LineForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("สิ่งของ"),
        queryset=Item.objects.none(),
        required=False,
        empty_label=_("— เลือกสิ่งของ —"),
        error_messages={"invalid_choice": _("ไม่พบสิ่งของนี้")},
    )
    quantity = QuantityField(label=_("จำนวน"), required=False)
    serials = forms.CharField(
        label=_("หมายเลขครุภัณฑ์ (บรรทัดละ 1 ชิ้น)"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args, items=None, with_serials=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items if items is not None else Item.objects.none()
        if not with_serials:
            del self.fields["serials"]

    def clean(self):
        data = super().clean()
        item, quantity = data.get("item"), data.get("quantity")
        if item and not quantity and "quantity" not in self.errors:
            self.add_error("quantity", _("กรุณาระบุจำนวน"))
        if quantity and not item and "item" not in self.errors:
            self.add_error("item", _("กรุณาเลือกสิ่งของ"))
        return data

    def serial_list(self) -> list[str]:
        text = self.cleaned_data.get("serials") or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, items=None, with_serials=True, **kwargs):
        self.items, self.with_serials = items, with_serials
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"items": self.items, "with_serials": self.with_serials}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            items=self.items,
            with_serials=self.with_serials,
        )

    def filled(self) -> list[forms.Form]:
        return [form for form in self.forms if form.cleaned_data.get("item")]


def line_formset(data=None, *, items, with_serials=True, extra=3):
    formset_class = forms.formset_factory(
        LineForm, formset=BaseLineFormSet, extra=extra, max_num=30, absolute_max=30
    )
    return formset_class(data, prefix="lines", items=items, with_serials=with_serials)


def _png_from_data_url(value: str) -> ContentFile:
    """A signature drawn on the phone: a PNG data URL, checked to really be a small PNG."""
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        raise ValidationError(_("ลายมือชื่อต้องเป็นภาพ PNG"), code="signature")
    try:
        raw = base64.b64decode(value[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("ลายมือชื่อเสียหาย กรุณาเซ็นใหม่"), code="signature") from None
    if len(raw) > SIGNATURE_LIMIT:
        raise ValidationError(_("ภาพลายมือชื่อใหญ่เกินไป"), code="signature")
    if not raw.startswith(PNG_MAGIC):
        raise ValidationError(_("ลายมือชื่อต้องเป็นภาพ PNG"), code="signature")
    _verify_image(raw, {"PNG"})
    return ContentFile(raw, name="signature.png")


def _verify_image(raw: bytes, formats: set[str]) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.verify()
            if image.format not in formats:
                raise ValidationError(_("ไฟล์ลายมือชื่อต้องเป็นภาพ PNG หรือ JPEG"))
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(_("ไฟล์ลายมือชื่อไม่ใช่ภาพที่อ่านได้")) from None


def _as_png(raw: bytes) -> ContentFile:
    """A scanned receipt, re-encoded as a bounded PNG (the receipt and the PDF take PNG)."""
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as image:
        image = image.convert("L")
        image.thumbnail((1600, 1600))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue(), name="scan.png")


class DistributionForm(forms.Form):
    distributed_on = ThaiDateField(label=_("วันที่มอบ"))
    household = forms.CharField(label=_("รหัสครัวเรือนที่รับ"), max_length=30, required=False)
    signed_by_name = forms.CharField(label=_("ชื่อผู้รับ (ผู้ลงนาม)"), max_length=200)
    signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    signature_file = forms.FileField(label=_("หรือแนบใบรับที่ลงนามบนกระดาษ (ภาพสแกน)"), required=False)
    note = forms.CharField(label=_("หมายเหตุ"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, pieces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_by_name"].error_messages["required"] = _("กรุณากรอกชื่อผู้รับ")
        self.fields["pieces"] = ModelMultipleChoiceField(
            label=_("ครุภัณฑ์ที่มอบ (รายชิ้น)"),
            queryset=pieces,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": _("ชิ้นครุภัณฑ์นี้ไม่อยู่ในคลังของศูนย์แล้ว")},
        )

    def clean_signature_data(self):
        value = (self.cleaned_data.get("signature_data") or "").strip()
        return _png_from_data_url(value) if value else None

    def clean_signature_file(self):
        upload = self.cleaned_data.get("signature_file")
        if not upload:
            return None
        if upload.size > SCAN_LIMIT:
            raise ValidationError(_("ไฟล์ใหญ่เกิน 5 MB"))
        raw = upload.read()
        _verify_image(raw, {"PNG", "JPEG"})
        return _as_png(raw)

    def signature(self):
        return self.cleaned_data.get("signature_data") or self.cleaned_data.get("signature_file")


class TransferForm(forms.Form):
    to_center = forms.ModelChoiceField(
        label=_("โอนไปศูนย์"),
        queryset=None,
        empty_label=_("— เลือกศูนย์ปลายทาง —"),
        error_messages={"required": _("กรุณาเลือกศูนย์ปลายทาง")},
    )
    item = forms.ModelChoiceField(
        label=_("สิ่งของ"), queryset=None, error_messages={"required": _("กรุณาเลือกสิ่งของ")}
    )
    quantity = QuantityField(label=_("จำนวน (ของใช้สิ้นเปลือง)"), required=False)
    pieces = ModelMultipleChoiceField(
        label=_("ชิ้นครุภัณฑ์ที่โอน"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    on = ThaiDateField(label=_("วันที่โอน"))
    reason = forms.CharField(label=_("เหตุผล"), max_length=300, required=False)

    def __init__(self, *args, centers, items, pieces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_center"].queryset = centers
        self.fields["item"].queryset = items
        self.fields["pieces"].queryset = pieces


class LoanForm(forms.Form):
    piece = forms.ModelChoiceField(
        label=_("อุปกรณ์ที่ให้ยืม"),
        queryset=None,
        empty_label=_("— เลือกชิ้นอุปกรณ์ —"),
        error_messages={
            "required": _("กรุณาเลือกอุปกรณ์"),
            "invalid_choice": _("อุปกรณ์ชิ้นนี้ไม่อยู่ในคลังแล้ว (ถูกยืมหรือมอบไปแล้ว)"),
        },
    )
    volunteer = forms.ModelChoiceField(
        label=_("ยืมโดย อพม."), queryset=None, required=False, empty_label=_("— ไม่ใช่ อพม. —")
    )
    household = forms.CharField(label=_("หรือรหัสครัวเรือนที่ยืม"), max_length=30, required=False)
    loaned_on = ThaiDateField(label=_("วันที่ยืม"))
    expected_return_on = ThaiDateField(label=_("กำหนดคืน"))
    condition_out = forms.CharField(label=_("สภาพตอนยืม"), max_length=200, required=False)

    def __init__(self, *args, pieces, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["piece"].queryset = pieces
        self.fields["volunteer"].queryset = volunteers


class ReturnForm(forms.Form):
    returned_on = ThaiDateField(label=_("วันที่คืน"))
    condition_in = forms.CharField(label=_("สภาพตอนคืน"), max_length=200, required=False)


class WriteOffForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("สิ่งของ"), queryset=None, error_messages={"required": _("กรุณาเลือกสิ่งของ")}
    )
    quantity = QuantityField(label=_("จำนวน (ของใช้สิ้นเปลือง)"), required=False)
    piece = forms.ModelChoiceField(
        label=_("หรือชิ้นครุภัณฑ์"), queryset=None, required=False, empty_label="—"
    )
    on = ThaiDateField(label=_("วันที่"))
    reason = forms.CharField(label=_("เหตุผล (ชำรุด หมดอายุ สูญหาย)"), max_length=300, required=False)

    def __init__(self, *args, items, pieces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["piece"].queryset = pieces


class StockTakeForm(forms.Form):
    counted_on = ThaiDateField(label=_("วันที่ตรวจนับ"))
    closes_period = forms.BooleanField(label=_("ปิดงวด (ห้ามบันทึกย้อนหลังถึงวันนี้)"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            field = forms.IntegerField(
                label=f"{item} ({item.unit})",
                required=False,
                min_value=0,
                error_messages={
                    "invalid": _("จำนวนนับต้องเป็นจำนวนเต็ม"),
                    "min_value": _("จำนวนนับต้องไม่ติดลบ"),
                },
            )
            field.widget.attrs.update({"inputmode": "numeric"})
            self.fields[f"count_{item.pk}"] = field

    def count_fields(self):
        return [self[f"count_{item.pk}"] for item in self.items]

    def counts(self) -> dict:
        return {
            item: self.cleaned_data[f"count_{item.pk}"]
            for item in self.items
            if self.cleaned_data.get(f"count_{item.pk}") is not None
        }


class ThresholdForm(forms.Form):
    item = forms.ModelChoiceField(label=_("สิ่งของ"), queryset=None)
    threshold = forms.IntegerField(
        label=_("แจ้งเตือนเมื่อเหลือไม่เกิน"),
        min_value=0,
        max_value=100_000,
        error_messages={
            "required": _("กรุณาระบุจำนวน"),
            "invalid": _("ต้องเป็นจำนวนเต็ม"),
            "min_value": _("ค่าแจ้งเตือนต้องไม่ติดลบ"),
        },
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class DriveForm(forms.Form):
    title = forms.CharField(label=_("ชื่อกิจกรรม"), max_length=200)
    planned_on = ThaiDateField(label=_("วันที่จัด"), help_text=_("ปี พ.ศ."))
    households = forms.CharField(
        label=_("รหัสครัวเรือน (บรรทัดละ 1 ครัวเรือน)"),
        required=False,
        widget=forms.Textarea({"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("กรุณาระบุชื่อกิจกรรม")

    def household_codes(self) -> list[str]:
        text = self.cleaned_data.get("households") or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
