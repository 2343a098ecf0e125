"""The navigation's link to the dashboards, shown only to those who have one."""

from django import template

register = template.Library()


@register.filter
def sees_dashboards(user) -> bool:
    """Chairs, officers and the ministry (the user's scope is read once per request anyway)."""
    from asa.reports.queries import may_see_dashboards

    return bool(user and user.is_authenticated and may_see_dashboards(user))
