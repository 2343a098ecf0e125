from django import template

register = template.Library()


@register.filter
def runs_operations(user) -> bool:
    """Whether the navigation shows the ops page (ministry admins)."""
    from asa.accounts.access import scope_of

    return bool(user and user.is_authenticated and scope_of(user).national)
