from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClaimsConfig(AppConfig):
    name = "kinga.claims"
    label = "claims"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from kinga.core import menu
        from kinga.core.rights import Right

        menu.add(
            "claims",
            menu.Entry(pgettext_lazy("menu", "New claim"), "claims_entry:new", (Right.CLAIM_ADD,)),
        )
