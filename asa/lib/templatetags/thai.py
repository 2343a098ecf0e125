"""Template filters for Thai display: BE dates and the user's choice of digits."""

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
