"""The batch run pages, under /claims/batch/: the list, « Lancer un traitement par lot », a run's page
with its progress fragment, and « Rouvrir la période »."""

from django.urls import path

from ..views import batch as views

app_name = "claims_batch"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_new, name="new"),
    path("<uuid>/", views.run_detail, name="run"),
    path("<uuid>/progress/", views.run_progress, name="progress"),
    path("<uuid>/reopen/", views.run_reopen, name="reopen"),
]
