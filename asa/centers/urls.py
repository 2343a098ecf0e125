from django.urls import path

from asa.centers import views

app_name = "centers"
urlpatterns = [
    path("centers/", views.center_list, name="center_list"),
    path("centers/<int:pk>/", views.center_detail, name="center_detail"),
    path("centers/<int:pk>/edit/", views.center_edit, name="center_edit"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/me/edit/", views.own_profile_edit, name="own_profile_edit"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/status/", views.volunteer_status, name="volunteer_status"),
    path("volunteers/<int:pk>/role/", views.volunteer_role, name="volunteer_role"),
]
