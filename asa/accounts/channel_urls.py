from django.urls import path

from asa.accounts import channel_views

app_name = "channels"
urlpatterns = [
    path("accounts/notifications/channels/", channel_views.channels, name="settings"),
    path("accounts/notifications/line/link/", channel_views.line_link, name="line_link"),
    path("accounts/notifications/line/unlink/", channel_views.line_unlink, name="line_unlink"),
    path("line/webhook/", channel_views.line_webhook, name="line_webhook"),
]
