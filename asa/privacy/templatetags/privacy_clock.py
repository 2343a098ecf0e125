"""The 30-day and 72-hour clocks on the DPO's pages."""

from django import template

register = template.Library()


@register.filter
def days_left(privacy_request, today):
    return privacy_request.days_left(today)


@register.filter
def hours_left(breach, now):
    """Whole hours to the regulator deadline (negative when late), rounded toward zero."""
    return int(breach.hours_left(now))


@register.filter
def magnitude(value):
    return abs(int(value))


@register.filter
def attribute(value, name: str):
    """One field of a ROPA activity, named by its column key."""
    return getattr(value, name, "")


@register.filter
def handles_privacy(user) -> bool:
    """Whether the navigation shows the privacy pages (the DPO and the ministry)."""
    from asa.privacy.actions import may_handle_privacy

    return bool(user and user.is_authenticated and may_handle_privacy(user))
