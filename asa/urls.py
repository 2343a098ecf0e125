from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from asa import views
from asa.accounts.views import admin_login
from asa.api import api
from asa.field.views import manifest, service_worker
from asa.ops.views import healthz

admin.site.site_header = "Asa (อาสา) — ผู้ดูแลระบบ"
admin.site.site_title = "Asa"
# The admin site signs in through Asa's own page: the lockout and second factor apply there too.
admin.site.login = admin_login

urlpatterns = [
    # First: every API request would otherwise try each page pattern of every app before it.
    path("api/v1/", api.urls),
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", healthz, name="healthz"),
    # At the root, so the field app's service worker may control every page (its scope).
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("asa.accounts.urls")),
    path("accounts/", include("asa.accounts.audit_urls")),
    path("", include("asa.accounts.channel_urls")),
    path("geo/", include("asa.geo.urls")),
    path("", include("asa.centers.urls")),
    path("", include("asa.registry.urls")),
    path("", include("asa.registry.import_urls")),
    path("", include("asa.cases.urls")),
    path("", include("asa.referrals.urls")),
    path("", include("asa.aid.urls")),
    path("", include("asa.reports.urls")),
    path("", include("asa.privacy.urls")),
    path("", include("asa.ops.urls")),
    path("", include("asa.field.urls")),
    path("admin/", admin.site.urls),
]

handler404 = views.not_found
