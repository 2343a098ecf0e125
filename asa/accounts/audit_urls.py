from django.urls import path

from asa.accounts import audit_views

app_name = "audit"
urlpatterns = [
    path("access-reason/", audit_views.access_reason, name="access_reason"),
    path("audit/", audit_views.audit_search, name="search"),
    path("audit/anchor/", audit_views.audit_anchor, name="anchor"),
    path("audit/export.<str:file_format>", audit_views.export_history, name="export"),
]
