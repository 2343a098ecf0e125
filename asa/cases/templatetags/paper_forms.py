"""`{% paper_center as center_id %}`: the center whose blank paper forms the user prints."""

from django import template

from asa.accounts.access import scope_of

register = template.Library()


@register.simple_tag(takes_context=True)
def paper_center(context) -> int | None:
    """The user's own center when they work in exactly one, else None (no link shown)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    own = scope_of(request.user).center_ids
    return next(iter(own)) if len(own) == 1 else None
