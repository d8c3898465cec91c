from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsureesConfig(AppConfig):
    name = "kinga.insurees"
    label = "insurees"
    verbose_name = _("Insurees")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right

        from . import family_services, transfer, transfer_families  # noqa: F401  (import/export kinds)

        family_services._register_location_check()  # a village with families stays

        menu.add(
            "administration",
            menu.Entry(_("Enrolment officers"), "officers:list", (Right.OFFICER_SEARCH,)),
        )
        menu.add("insurees", menu.Entry(_("Families and insurees"), "families:list", (Right.FAMILY_SEARCH, Right.INSUREE_SEARCH)))  # fmt: skip
