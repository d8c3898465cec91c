from django.urls import path

from ..views import entry, lookups

app_name = "claims_entry"
urlpatterns = [
    path("new/", entry.claim_new, name="new"),
    path("lookup/insuree/", lookups.insuree_card, name="insuree"),
    path("lookup/diagnoses/", lookups.diagnosis_options, name="diagnoses"),
    path("lookup/medical/", lookups.medical_options, name="medical"),
    path("lookup/line/", lookups.line_new, name="line_new"),
    path("lookup/line/refresh/", lookups.line_refresh, name="line_refresh"),
    path("lookup/totals/", lookups.totals, name="totals"),
    path("<uuid:uuid>/", entry.claim_detail, name="detail"),
    path("<uuid:uuid>/edit/", entry.claim_edit, name="edit"),
    path("<uuid:uuid>/delete/", entry.claim_delete, name="delete"),
    path("<uuid:uuid>/duplicate/", entry.claim_duplicate, name="duplicate"),
    path("<uuid:uuid>/submit/", entry.claim_submit_page, name="submit"),
    path("<uuid:uuid>/print/", entry.claim_print, name="print"),
    path("<uuid:uuid>/attachments/new/", entry.attachment_add, name="attach"),
    path(
        "<uuid:uuid>/attachments/<uuid:attachment>/",
        entry.attachment_file,
        name="attachment",
    ),
]
