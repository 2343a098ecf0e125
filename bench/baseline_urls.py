"""One page: a primary-key SELECT and a small text answer (bench/load.py's baseline)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path


def one_row(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, name_th FROM geo_province WHERE code = %s", ["10"])
        row = cursor.fetchone()
    return HttpResponse(f"{row}", content_type="text/plain; charset=utf-8")


urlpatterns = [path("baseline/", one_row)]
