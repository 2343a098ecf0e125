from django.urls import path

from asa.privacy import views

app_name = "privacy"
urlpatterns = [
    path("privacy/", views.home, name="home"),
    path("privacy/requests/", views.request_list, name="request_list"),
    path("privacy/requests/new/", views.request_create, name="request_create"),
    path("privacy/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("privacy/requests/<int:pk>/act/", views.request_act, name="request_act"),
    path(
        "privacy/requests/<int:pk>/answer.<str:file_format>",
        views.request_file,
        name="request_file",
    ),
    path("privacy/retention/", views.retention_page, name="retention"),
    path("privacy/retention/run/", views.retention_run, name="retention_run"),
    path("privacy/ropa/", views.ropa_page, name="ropa"),
    path("privacy/ropa.<str:file_format>", views.ropa_export, name="ropa_export"),
    path("privacy/breaches/", views.breach_list, name="breach_list"),
    path("privacy/breaches/new/", views.breach_create, name="breach_create"),
    path("privacy/breaches/<int:pk>/", views.breach_detail, name="breach_detail"),
    path("privacy/breaches/<int:pk>/act/", views.breach_act, name="breach_act"),
    path("privacy/breaches/<int:pk>/affected.xlsx", views.breach_export, name="breach_export"),
]
