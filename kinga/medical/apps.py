from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicalConfig(AppConfig):
    name = "kinga.medical"
    label = "medical"
    verbose_name = _("Medical items and services")
