"""Implausible input refused the same way everywhere: control characters and far-off dates.

One validator each, used by every page form (the default validator of every text field, set
in asa.accounts.apps) and every API input schema (asa.lib.schemas.TextInputSchema), and by the
actions where a date's meaning sets its bounds (a consent cannot be given in the future).
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls except tab, line feed and carriage return (text areas hold lines), DEL, and the
# C1 controls: invisible, they make a name that looks right not match its search, or break an
# export's rows.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EARLIEST_YEAR = 1900  # no one alive in the registry, and no record of the ministry, is older
EARLIEST_DATE = dt.date(EARLIEST_YEAR, 1, 1)

CONTROL_MESSAGE = _("ข้อความมีอักขระควบคุมที่มองไม่เห็น กรุณาพิมพ์ใหม่โดยไม่คัดลอกอักขระพิเศษ")
TOO_EARLY_MESSAGE = _("วันที่ก่อนปี พ.ศ. 2443 (ค.ศ. 1900) ไม่น่าจะถูกต้อง กรุณาตรวจสอบปี")


def has_control_characters(text: str) -> bool:
    return bool(CONTROL_CHARACTERS.search(text))


@deconstructible
class NoControlCharactersValidator:
    message = CONTROL_MESSAGE
    code = "control_characters"

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, NoControlCharactersValidator)


def is_too_early(value: dt.date) -> bool:
    return value < EARLIEST_DATE if value is not None else False
