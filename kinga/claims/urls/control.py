"""The claims control pages, under /claims/control/: the claim search and its bulk actions,
the selection for review or feedback over a search, a claim's control page, its return for
completion, its review and its feedback."""

from django.urls import path

from ..views import control as views
from ..views import valuation

app_name = "claims_control"
urlpatterns = [
    path("", views.search, name="search"),
    path("bulk/", views.bulk, name="bulk"),
    path("select/", views.select, name="select"),
    path("<uuid>/", views.claim_detail, name="claim"),
    path("<uuid>/return/", views.return_claim, name="return"),
    path("<uuid>/review/", views.review, name="review"),
    path("<uuid>/feedback/", views.feedback, name="feedback"),
    path("<uuid>/value/", valuation.value, name="value"),
]
