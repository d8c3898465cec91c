from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class InsureesConfig(AppConfig):
    name = "kinga.insurees"
    label = "insurees"
    verbose_name = _("Insurees")

    def ready(self) -> None:
        from kinga.core import menu, transfer
        from kinga.core.rights import Right
        from kinga.locations.services import retire_check

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
        connection_created.connect(_sqlite_fold, dispatch_uid="kinga_fold")


def _sqlite_fold(sender, connection, **kwargs) -> None:
    """SQLite's `kinga_fold`, the function PostgreSQL's name search indexes (migration 0004)."""
    if connection.vendor == "sqlite":
        from .rules import fold_name

        connection.connection.create_function("kinga_fold", 2, fold_name, deterministic=True)
