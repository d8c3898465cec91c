from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "kinga.facilities"
    label = "facilities"
    verbose_name = _("Health facilities")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right
        from kinga.locations import services as location_services

        from . import services, transfer  # noqa: F401  (registers the import/export kinds)

        menu.add(
            "administration",
            menu.Entry(_("Health facilities"), "facilities:list", (Right.HF_SEARCH,)),
        )
        menu.add(
            "administration",
            menu.Entry(_("Claim administrators"), "claim_admins:list", (Right.CLAIM_ADMIN_SEARCH,)),
        )
        if services.village_in_catchment_check not in location_services.RETIRE_CHECKS:
            location_services.retire_check(services.village_in_catchment_check)
