from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitiesConfig(AppConfig):
    name = "kinga.facilities"
    label = "facilities"
    verbose_name = _("Health facilities")

    def ready(self) -> None:
        from kinga.core import home, menu, transfer
        from kinga.core.rights import Right
        from kinga.locations.services import retire_check

        from .services import facilities
        from .transfer.claim_admins import CLAIM_ADMINS
        from .transfer.facilities import HEALTH_FACILITIES
        from .views.facilities import contracts_card

        menu.add(
            "administration",
            menu.Entry(_("Health facilities"), "facilities:list", (Right.HF_SEARCH,)),
        )
        menu.add(
            "administration",
            menu.Entry(_("Claim administrators"), "claim_admins:list", (Right.CLAIM_ADMIN_SEARCH,)),
        )
        home.register(contracts_card)
        transfer.register(HEALTH_FACILITIES)
        transfer.register(CLAIM_ADMINS)
        retire_check(facilities.district_with_facilities_check)
        retire_check(facilities.village_in_catchment_check)
