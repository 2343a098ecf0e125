from django.urls import path

from asa.cases import map_views, paper_views, views

app_name = "cases"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("watch/", views.watch, name="watch"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/caseload/", views.caseload, name="caseload"),
    path("cases/reported/", views.my_reports, name="my_reports"),
    path("cases/photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("cases/plan/<int:pk>/", views.plan_item_update, name="plan_item_update"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/unassign/", views.case_unassign, name="case_unassign"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/transfer/", views.case_transfer, name="case_transfer"),
    path("cases/<int:pk>/plan/", views.plan_item_create, name="plan_item_create"),
    path("cases/<int:pk>/assistance/", views.assistance_create, name="assistance_create"),
    path("cases/<int:pk>/closure/", views.closure_request, name="closure_request"),
    path("cases/<int:pk>/closure/approve/", views.closure_approve, name="closure_approve"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("cases/map/", map_views.case_map_page, name="case_map"),
    # Paper fallback (PDF): blank forms, a case's visit form, today's visit sheet.
    path("paper/intake-form.pdf", paper_views.intake_form, name="paper_intake_form"),
    path("paper/visit-form.pdf", paper_views.visit_form, name="paper_visit_form"),
    path("paper/visit-sheet.pdf", paper_views.visit_sheet, name="paper_visit_sheet"),
    path(
        "cases/<int:pk>/visit-form.pdf", paper_views.case_visit_form, name="paper_case_visit_form"
    ),
]
