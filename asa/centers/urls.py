from django.urls import path

from asa.centers import import_views, views

app_name = "centers"
urlpatterns = [
    path("centers/", views.center_list, name="center_list"),
    path("centers/import/", import_views.center_import, name="center_import"),
    path("centers/<int:pk>/", views.center_detail, name="center_detail"),
    path("centers/<int:pk>/edit/", views.center_edit, name="center_edit"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/new/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/import/", import_views.volunteer_import, name="volunteer_import"),
    path("volunteers/me/edit/", views.own_profile_edit, name="own_profile_edit"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<int:pk>/status/", views.volunteer_status, name="volunteer_status"),
    path("volunteers/<int:pk>/role/", views.volunteer_role, name="volunteer_role"),
    path("centers/<int:pk>/hours/", views.center_hours, name="center_hours"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("events/<int:pk>/photos/", views.event_photo_add, name="event_photo_add"),
    path("events/photos/<int:pk>/", views.event_photo, name="event_photo"),
    path("trainings/<int:pk>/certificate/", views.training_certificate, name="certificate"),
    path("hours/", views.my_hours, name="my_hours"),
    path("hours/new/", views.hours_entry_create, name="hours_entry_create"),
    path("hours/review/", views.hours_review, name="hours_review"),
    path("hours/entries/<int:pk>/decide/", views.hours_entry_decide, name="hours_entry_decide"),
    path("hours/outstanding/", views.outstanding_volunteers, name="outstanding"),
]
