from django.urls import path

from asa.aid import views

app_name = "aid"
urlpatterns = [
    path("goods/", views.catalogue, name="catalogue"),
    path("centers/<int:pk>/stock/", views.stock, name="stock"),
    path("centers/<int:pk>/stock/thresholds/", views.threshold_edit, name="threshold_edit"),
    path("centers/<int:pk>/stock/transfers/new/", views.transfer_create, name="transfer_create"),
    path("centers/<int:pk>/stock/write-offs/new/", views.write_off_create, name="write_off_create"),
    path("centers/<int:pk>/stock/takes/new/", views.stock_take_create, name="stock_take_create"),
    path("centers/<int:pk>/donations/", views.donation_list, name="donation_list"),
    path("centers/<int:pk>/donations/new/", views.donation_create, name="donation_create"),
    path("centers/<int:pk>/distributions/", views.distribution_list, name="distribution_list"),
    path(
        "centers/<int:pk>/distributions/new/",
        views.distribution_create,
        name="distribution_create",
    ),
    path("centers/<int:pk>/loans/", views.loan_list, name="loan_list"),
    path("centers/<int:pk>/loans/new/", views.loan_create, name="loan_create"),
    path("centers/<int:pk>/drives/", views.drive_list, name="drive_list"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("donations/<int:pk>/", views.donation_receipt, name="donation_receipt"),
    path("distributions/<int:pk>/", views.distribution_receipt, name="distribution_receipt"),
    path(
        "distributions/<int:pk>/signature/",
        views.distribution_signature,
        name="distribution_signature",
    ),
    path("loans/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("drives/<int:pk>/", views.drive_detail, name="drive_detail"),
]
