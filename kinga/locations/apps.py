from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LocationsConfig(AppConfig):
    name = "kinga.locations"
    label = "locations"
    verbose_name = _("Locations")

    def ready(self) -> None:
        from kinga.core import transfer

        from .transfer import LOCATIONS

        transfer.register(LOCATIONS)
