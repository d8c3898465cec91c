"""The money side of claims, under /claims/payment/: the bon à payer of a Valuated claim and the
accountant's payment statements (list, new, page, downloads, payment, cancellation)."""

from django.urls import path

from ..views import payment as views

app_name = "claims_payment"
urlpatterns = [
    path("voucher/<uuid>/", views.voucher, name="voucher"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/new/", views.statement_new, name="statement_new"),
    path("statements/<uuid>/", views.statement_detail, name="statement"),
    path("statements/<uuid>/claims/", views.statement_claims, name="statement_claims"),
    path(
        "statements/<uuid>/download/<str:fmt>/",
        views.statement_download,
        name="statement_download",
    ),
    path("statements/<uuid>/vouchers/", views.statement_vouchers, name="statement_vouchers"),
    path("statements/<uuid>/pay/", views.statement_pay, name="statement_pay"),
    path("statements/<uuid>/cancel/", views.statement_cancel, name="statement_cancel"),
]
