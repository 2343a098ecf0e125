"""Import and export pages (mounted at the site root from asa/urls.py)."""

from django.urls import path

from asa.registry import import_views

app_name = "imports"
urlpatterns = [
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_create, name="import_create"),
    path("imports/template.xlsx", import_views.import_template, name="import_template"),
    path("imports/review/", import_views.import_review_list, name="import_review_list"),
    path(
        "imports/review/<int:pk>/", import_views.import_review_detail, name="import_review_detail"
    ),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/report.xlsx", import_views.import_report, name="import_report"),
    path("people/export.csv", import_views.export_csv, name="export_csv"),
    path("people/export.xlsx", import_views.export_xlsx, name="export_xlsx"),
]
