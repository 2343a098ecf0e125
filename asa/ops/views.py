"""The ops page (ministry admins) and /healthz (anyone: monitoring, load balancers)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from asa.accounts.access import scope_of
from asa.ops import queries
from asa.ops.health import health


@never_cache
def healthz(request):
    report, healthy = health()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def job_list(request):
    """Each periodic job: cadence, last run (start, duration, outcome, error), next run."""
    if not scope_of(request.user).national:
        raise PermissionDenied
    report, healthy = health()
    return render(
        request,
        "ops/job_list.html",
        {"jobs": queries.job_table(), "health": report, "healthy": healthy},
    )
