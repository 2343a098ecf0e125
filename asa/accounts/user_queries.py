"""Reads for the user-management pages: the accounts a manager may see, and what they may grant.

Which accounts: access.py's rule for accounts.user (everyone for the ministry; for an officer,
accounts holding a role in their area). What they may grant: access.may_grant, here spelled as
the choices a form offers.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from asa.accounts.access import districts_of, scope_of, visible
from asa.accounts.models import Role, RoleAssignment, User
from asa.lib.thai_order import thai_order


def may_manage_users(user) -> bool:
    """The ministry and province/district officers manage accounts (officers in their area)."""
    scope = scope_of(user)
    return scope.national or scope.is_officer


def users_for(user, *, search: str = "") -> QuerySet[User]:
    """The accounts this manager may see, newest sign-in first, with their roles (2 queries)."""
    users = visible(user, User.objects.all())
    search = search.strip()
    if search:
        users = users.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    return users.order_by("username").prefetch_related(_roles())


def _roles() -> Prefetch:
    return Prefetch(
        "role_assignments",
        queryset=RoleAssignment.objects.select_related(
            "province", "district", "center", "agency"
        ).order_by("role", "id"),
    )


@dataclass(frozen=True)
class Grantable:
    roles: list[tuple[str, str]]
    provinces: QuerySet
    districts: QuerySet
    centers: QuerySet
    agencies: QuerySet


def grantable_choices(user) -> Grantable:
    """The roles and places this user may grant (the same rule as access.may_grant)."""
    from asa.centers.models import Center
    from asa.geo.models import District, Province
    from asa.referrals.models import Agency

    scope = scope_of(user)
    provinces = Province.objects.order_by(thai_order("name_th"))
    districts = District.objects.select_related("province").order_by(
        thai_order("province__name_th"), thai_order("name_th")
    )
    centers = Center.objects.order_by("code")
    agencies = Agency.objects.order_by(thai_order("name_th"))
    roles = list(Role.choices)
    if not scope.national:
        national_roles = (Role.MINISTRY_ADMIN, Role.DATA_PROTECTION_OFFICER)
        roles = [(value, label) for value, label in roles if value not in national_roles]
        area = sorted(set(scope.district_codes) | districts_of(scope.province_codes))
        provinces = provinces.filter(code__in=sorted(scope.province_codes))
        districts = districts.filter(code__in=area)
        centers = centers.filter(district_id__in=area)
        agencies = agencies.filter(province_id__in=sorted(scope.province_codes))
        if not scope.is_officer:
            roles = []
    return Grantable(roles, provinces, districts, centers, agencies)
