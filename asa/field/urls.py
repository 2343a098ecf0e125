from django.urls import path

from asa.field import views

app_name = "field"
urlpatterns = [
    path("field/", views.field_app, name="app"),
    path("field/pack/", views.pack, name="pack"),
    path("field/sync/", views.sync, name="sync"),
    path("field/review/", views.review_list, name="review_list"),
    path("field/review/<int:pk>/", views.review_detail, name="review_detail"),
    path("field/review/files/<int:pk>/", views.review_file, name="review_file"),
]
