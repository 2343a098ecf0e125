"""Pages that belong to no single app: home, about (the health check is asa/ops/views.py)."""

import geothai
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from asa.accounts.access import scope_of


@login_required
def home(request):
    scope = scope_of(request.user)
    # Each person lands where their work is.
    if scope.volunteer_ids and not scope.is_staff_level:
        return redirect("cases:today")
    if len(scope.chair_center_ids) == 1 and not (scope.national or scope.is_officer):
        return redirect("centers:center_detail", pk=next(iter(scope.chair_center_ids)))
    if scope.national or scope.is_officer or scope.center_ids:
        return redirect("centers:center_list")
    return render(request, "home.html", {"scope": scope})


def about(request):
    return render(request, "about.html", {"geothai_version": geothai.DATA_VERSION})
