from django.urls import path

from asa.ops import views

app_name = "ops"

urlpatterns = [
    path("ops/", views.job_list, name="job_list"),
]
