from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "kinga.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from kinga.core import menu, transfer
        from kinga.core.rights import Right
        from kinga.insurees import hooks as insuree_hooks
        from kinga.products.queries.confidential import works_for_confidential_programme

        from .queries.confidential import confidential_insuree_q
        from .services.coverage import HOOKS
        from .transfer.families import FAMILY_POLICIES
        from .transfer.payers import PAYERS

        transfer.register(PAYERS)
        # The insurees app calls these without importing this app (policies → insurees only).
        insuree_hooks.register_coverage(HOOKS)
        insuree_hooks.register_family_import(FAMILY_POLICIES)
        insuree_hooks.register_confidential(confidential_insuree_q)
        insuree_hooks.register_programme_user(works_for_confidential_programme)

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
