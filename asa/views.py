"""Pages that belong to no single app: home, about (the health check is asa/ops/views.py)."""

import geothai
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.defaults import page_not_found

from asa.accounts.access import scope_of
from asa.accounts.landing import landing_url


@login_required
def home(request):
    # Each person lands where their work is (asa.accounts.landing decides, by role).
    target = landing_url(request.user)
    if target:
        return redirect(target)
    return render(request, "home.html", {"scope": scope_of(request.user)})


def about(request):
    return render(request, "about.html", {"geothai_version": geothai.DATA_VERSION})


def not_found(request, exception=None):
    """404: under /api/ in the API's one JSON error shape (an address no operation matches,
    e.g. a path parameter holding a slash), elsewhere the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "ไม่พบข้อมูล", "errors": []}, status=404)
    return page_not_found(request, exception)
