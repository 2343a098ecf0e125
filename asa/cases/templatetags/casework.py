"""Template helpers for casework: the unread-notification count in the header."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """One indexed count per page (user, read_at); 0 for anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return user.notifications.filter(read_at__isnull=True).count()
