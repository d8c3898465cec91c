from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


class InsureesConfig(AppConfig):
    name = "kinga.insurees"
    label = "insurees"
    verbose_name = _("Insurees")

    def ready(self) -> None:
        from kinga.core import menu, transfer
        from kinga.core.rights import Right
        from kinga.locations.services import retire_check

        from . import folding, villages
        from .services.families import village_with_families_check
        from .transfer.families import FAMILIES
        from .transfer.officers import OFFICERS

        menu.add(
            "administration",
            menu.Entry(_("Enrolment officers"), "officers:list", (Right.OFFICER_SEARCH,)),
        )
        menu.add(
            "insurees",
            menu.Entry(
                _("Families and insurees"),
                "families:list",
                (Right.FAMILY_SEARCH, Right.INSUREE_SEARCH),
            ),
        )
        transfer.register(OFFICERS)
        transfer.register(FAMILIES)
        retire_check(village_with_families_check)
        # kinga_fold, which computes Insuree.search_name (kinga.insurees.folding).
        connection_created.connect(folding.on_connection, dispatch_uid="kinga_fold")
        pre_migrate.connect(folding.before_migrate, dispatch_uid="kinga_fold")
        # The triggers that keep Insuree.village (kinga.insurees.villages).
        post_migrate.connect(villages.after_migrate, sender=self, dispatch_uid="kinga_villages")
