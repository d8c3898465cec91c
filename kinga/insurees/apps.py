from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsureesConfig(AppConfig):
    name = "kinga.insurees"
    label = "insurees"
    verbose_name = _("Insurees")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right

        from . import transfer  # noqa: F401  (registers the officers import/export)

        menu.add(
            "administration",
            menu.Entry(_("Enrolment officers"), "officers:list", (Right.OFFICER_SEARCH,)),
        )
