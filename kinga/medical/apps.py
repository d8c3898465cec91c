from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicalConfig(AppConfig):
    name = "kinga.medical"
    label = "medical"
    verbose_name = _("Medical items and services")

    def ready(self) -> None:
        from kinga.core import menu, transfer
        from kinga.core.rights import Right

        from .queries.diagnoses import VIEW_RIGHTS
        from .transfer.catalogue import ITEMS, SERVICES
        from .transfer.diagnoses import DIAGNOSES
        from .transfer.pricelists import ITEMS_PRICE_LISTS, SERVICES_PRICE_LISTS

        for label, url_name, right in (
            (_("Medical services"), "services:list", Right.SERVICE_SEARCH),
            (_("Medical items"), "items:list", Right.ITEM_SEARCH),
            (_("Services price lists"), "pricelists:services", Right.PL_SERVICES_SEARCH),
            (_("Items price lists"), "pricelists:items", Right.PL_ITEMS_SEARCH),
        ):
            menu.add("administration", menu.Entry(label, url_name, (right,)))
        menu.add(
            "administration", menu.Entry(_("Diagnoses (ICD-10)"), "diagnoses:list", VIEW_RIGHTS)
        )
        for kind in (ITEMS, SERVICES, SERVICES_PRICE_LISTS, ITEMS_PRICE_LISTS, DIAGNOSES):
            transfer.register(kind)
