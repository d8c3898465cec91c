from django.urls import path

from . import policy_views as views

app_name = "policies"
urlpatterns = [
    path("family/<uuid:family_uuid>/new/", views.policy_create, name="create"),
    path("family/<uuid:family_uuid>/dates/", views.policy_dates, name="dates"),
    path("family/<uuid:family_uuid>/block/", views.family_policies, name="family_block"),
    path("enquiry/", views.enquiry, name="enquiry"),
    path("renewals/", views.renewal_reminders, name="renewals"),
    path("<uuid:uuid>/", views.policy_detail, name="detail"),
    path("<uuid:uuid>/suspend/", views.policy_suspend, name="suspend"),
    path("<uuid:uuid>/contributions/new/", views.contribution_add, name="contribution_add"),
    path("contributions/<uuid:uuid>/edit/", views.contribution_edit, name="contribution_edit"),
    path(
        "contributions/<uuid:uuid>/delete/", views.contribution_delete, name="contribution_delete"
    ),
]
