from django.urls import path

from asa.registry import views

app_name = "registry"
urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/problems/new/", views.problem_create, name="problem_create"),
    path("people/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("problems/<int:pk>/status/", views.problem_status, name="problem_status"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/members/", views.household_add_member, name="household_add_member"),
    path("households/<int:pk>/assess/", views.household_assess, name="household_assess"),
    path("memberships/<int:pk>/end/", views.membership_end, name="membership_end"),
    path("duplicates/", views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", views.duplicate_detail, name="duplicate_detail"),
    path("duplicates/<int:pk>/merge/", views.duplicate_merge, name="duplicate_merge"),
    path("duplicates/<int:pk>/distinct/", views.duplicate_distinct, name="duplicate_distinct"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
