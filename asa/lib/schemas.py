"""The base of API input schemas: text without control characters, dates not before 1900."""

import datetime as dt

from ninja import Schema
from pydantic import field_validator

from asa.lib.validators import CONTROL_MESSAGE, TOO_EARLY_MESSAGE, has_control_characters


def _check(value):
    if isinstance(value, str):
        if has_control_characters(value):
            raise ValueError(str(CONTROL_MESSAGE))
    elif isinstance(value, dt.datetime | dt.date):
        if value.year < 1900:
            raise ValueError(str(TOO_EARLY_MESSAGE))
    elif isinstance(value, list | tuple | set):
        for item in value:
            _check(item)
    return value


class TextInputSchema(Schema):
    """Every field of an input schema is checked (a 422 naming the field): no control
    characters in its text, no date before 1900."""

    @field_validator("*", mode="after")
    @classmethod
    def _plausible(cls, value):
        return _check(value)
