from django.urls import path

from asa.referrals import views

app_name = "referrals"
urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("cases/<int:case_id>/referrals/", views.case_referrals, name="case_referrals"),
    path("cases/<int:case_id>/referrals/new/", views.referral_create, name="referral_create"),
    path("cases/<int:case_id>/conferences/new/", views.conference_create, name="conference_create"),
    path("referrals/inbox/", views.inbox, name="inbox"),
    path("referrals/outbox/", views.outbox, name="outbox"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/answer/", views.referral_answer, name="referral_answer"),
    path("referrals/<int:pk>/withdraw/", views.referral_withdraw, name="referral_withdraw"),
    path("referrals/<int:pk>/link/", views.referral_link, name="referral_link"),
    path("r/<str:token>/", views.link_page, name="link_page"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference_detail"),
    path(
        "conferences/<int:pk>/actions/",
        views.conference_action_create,
        name="conference_action_create",
    ),
    path(
        "conference-actions/<int:pk>/done/",
        views.conference_action_done,
        name="conference_action_done",
    ),
]
