from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicalConfig(AppConfig):
    name = "kinga.medical"
    label = "medical"
    verbose_name = _("Medical items and services")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right

        for label, url_name, right in (
            (_("Medical services"), "services:list", Right.SERVICE_SEARCH),
            (_("Medical items"), "items:list", Right.ITEM_SEARCH),
            (_("Services price lists"), "pricelists:services", Right.PL_SERVICES_SEARCH),
            (_("Items price lists"), "pricelists:items", Right.PL_ITEMS_SEARCH),
        ):
            menu.add("administration", menu.Entry(label, url_name, (right,)))
        from .diagnoses import VIEW_RIGHTS

        menu.add(
            "administration", menu.Entry(_("Diagnoses (ICD-10)"), "diagnoses:list", VIEW_RIGHTS)
        )
