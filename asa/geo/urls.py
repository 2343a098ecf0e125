from django.urls import path

from asa.geo import views

app_name = "geo"
urlpatterns = [
    path("districts/", views.district_options, name="district_options"),
    path("subdistricts/", views.subdistrict_options, name="subdistrict_options"),
    path("postal-codes/", views.postal_code_options, name="postal_code_options"),
    path("match/", views.address_match, name="address_match"),
]
