from django.urls import path

from ..views import changes, contributions, enquiry, policies, renewals, suspension

app_name = "policies"
urlpatterns = [
    path("family/<uuid:family_uuid>/new/", policies.policy_create, name="create"),
    path("family/<uuid:family_uuid>/dates/", policies.policy_dates, name="dates"),
    path("family/<uuid:family_uuid>/block/", policies.family_policies, name="family_block"),
    path("enquiry/", enquiry.enquiry, name="enquiry"),
    path("renewals/", renewals.renewal_reminders, name="renewals"),
    path("<uuid:uuid>/", policies.policy_detail, name="detail"),
    path("<uuid:uuid>/suspend/", suspension.policy_suspend, name="suspend"),
    path("<uuid:uuid>/reactivate/", suspension.policy_reactivate, name="reactivate"),
    path("<uuid:uuid>/renew/", changes.policy_renew, name="renew"),
    path("<uuid:uuid>/edit/", changes.policy_edit, name="edit"),
    path("<uuid:uuid>/contributions/new/", contributions.contribution_add, name="contribution_add"),
    path(
        "contributions/<uuid:uuid>/edit/",
        contributions.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "contributions/<uuid:uuid>/delete/",
        contributions.contribution_delete,
        name="contribution_delete",
    ),
]
