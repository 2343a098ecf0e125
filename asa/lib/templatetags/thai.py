"""Template filters for Thai display: BE dates and the user's choice of digits."""

import datetime as dt

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from asa.lib import thai
from asa.lib.national_id import format_national_id

register = template.Library()


@register.filter
def bedate(value):
    """11 มี.ค. 2562"""
    return thai.format_be_date(value)


@register.filter
def bedate_long(value):
    """11 มีนาคม 2562"""
    return thai.format_be_date(value, long=True)


@register.filter
def birthdate(person, style: str = ""):
    """A person's birth date as far as it is known: the year alone when only it is known.
    `{{ person|birthdate }}` (11 มี.ค. 2562) or `{{ person|birthdate:"long" }}`."""
    return thai.format_birth_date(
        getattr(person, "birth_date", None),
        getattr(person, "birth_date_precision", ""),
        long=style == "long",
    )


@register.filter
def localdate(value):
    """The date of a datetime in local time (compare two datetimes' days with it)."""
    if not value:
        return value
    return thai.local_date(value) if isinstance(value, dt.datetime) else value


@register.filter
def bedatetime(value):
    if not value:
        return ""
    from django.utils import timezone

    local = timezone.localtime(value)
    return thai.format_be_date(local) + " " + thai.display_digits(local.strftime("%H:%M"))


@register.filter
def benumeric(value):
    """11/03/2562, for form inputs."""
    return thai.format_be_date_numeric(value)


@register.filter
def digits(value):
    """A number or code shown in the digits the user prefers."""
    if value is None:
        return ""
    if isinstance(value, int):
        value = intcomma(value)
    return thai.display_digits(str(value))


@register.filter
def national_id(value):
    return thai.display_digits(format_national_id(value or ""))
