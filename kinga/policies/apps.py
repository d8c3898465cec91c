from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "kinga.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from kinga.core import menu, transfer
        from kinga.core.rights import Right

        from .transfer.payers import PAYERS

        transfer.register(PAYERS)

        menu.add("administration", menu.Entry(_("Payers"), "payers:list", (Right.PAYER_SEARCH,)))
        menu.add(
            "insurees",
            menu.Entry(_("Insuree enquiry"), "policies:enquiry", (Right.INSUREE_ENQUIRE,)),
        )
        menu.add(
            "insurees",
            menu.Entry(
                _("Renewal reminders"),
                "policies:renewals",
                (Right.POLICY_RENEW, Right.POLICY_SEARCH),
            ),
        )
