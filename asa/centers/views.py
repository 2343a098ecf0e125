from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from asa.accounts.access import get_for
from asa.centers import queries
from asa.centers.models import Center


@login_required
def center_list(request):
    page = Paginator(queries.centers_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "centers/center_list.html", {"page_obj": page})


@login_required
def center_detail(request, pk):
    center = get_for(request.user, Center.objects.select_related("district__province"), pk)
    return render(request, "centers/center_detail.html", {"center": center})


@login_required
def volunteer_list(request):
    volunteers = queries.search_volunteers(
        queries.volunteers_for(request.user), text=request.GET.get("q", "")
    )
    page = Paginator(volunteers, 50).get_page(request.GET.get("page"))
    return render(request, "centers/volunteer_list.html", {"page_obj": page})
