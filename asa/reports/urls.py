from django.urls import path

from asa.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.home, name="home"),
    path("reports/nation/", views.nation, name="nation"),
    path("reports/provinces/<str:code>/", views.province, name="province"),
    path("reports/districts/<str:code>/", views.district, name="district"),
    path("reports/centers/<int:pk>/", views.center, name="center"),
    path(
        "reports/export/<slug:level>/<str:code>.<slug:file_format>",
        views.export,
        name="export",
    ),
]
