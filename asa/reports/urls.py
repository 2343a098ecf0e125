from django.urls import path

from asa.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.home, name="home"),
    path("reports/nation/", views.nation, name="nation"),
    path("reports/provinces/<str:code>/", views.province, name="province"),
    path("reports/districts/<str:code>/", views.district, name="district"),
    path("reports/centers/<int:pk>/", views.center, name="center"),
    path("reports/nation/outcomes/", views.nation_outcomes, name="nation_outcomes"),
    path(
        "reports/provinces/<str:code>/outcomes/", views.province_outcomes, name="province_outcomes"
    ),
    path(
        "reports/districts/<str:code>/outcomes/", views.district_outcomes, name="district_outcomes"
    ),
    path("reports/centers/<int:pk>/outcomes/", views.center_outcomes, name="center_outcomes"),
    path("reports/partners/<int:agency_id>/", views.partner_scorecard, name="partner_scorecard"),
    path(
        "reports/export/<slug:level>/<str:code>.<slug:file_format>",
        views.export,
        name="export",
    ),
]
