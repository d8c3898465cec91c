from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsureesConfig(AppConfig):
    name = "kinga.insurees"
    label = "insurees"
    verbose_name = _("Insurees")
